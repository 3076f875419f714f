#pragma once
#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QTreeWidget>
#include <memory>
#include <vector>

#include "widgets/RunHistory.h"

namespace nc::widgets {

/// The run folders under a runs root, newest first: name, start date, status, best validation
/// accuracy and a settings summary. Several runs can be selected to overlay their curves. By
/// default only the open project's runs are listed (setOwner), all of them with setShowAll.
///
/// The folders are read on a worker thread, never on the GUI thread (a run's metrics.jsonl grows
/// by a line per step, and a project can hold many runs): refresh() starts a scan and returns at
/// once; the GUI thread only fills the list from the summaries the scan hands back (then
/// refreshed() is emitted). Folders whose files did not change since the last scan are not read
/// again. Refreshes asked for while a scan runs are merged into one more scan.
class RunList : public QTreeWidget {
  Q_OBJECT
 public:
  enum Column { kName, kStatus, kBestAccuracy, kDate, kSettings, kColumnCount };

  explicit RunList(QWidget* parent = nullptr);
  /// Waits for a scan under way (its result is dropped).
  ~RunList() override;

  /// Lists the run folders under `root` (created on demand by the trainer; may not exist yet).
  void setRunsRoot(const QString& root);
  QString runsRoot() const { return m_root; }
  /// Marks the run being trained (its status shows "running" even before its first result).
  void setActiveRun(const QString& directory);
  /// The active run is paused: its status reads "paused" until resumed.
  void setActiveRunPaused(bool paused);

  /// Shows only the runs this owner owns (the open project's), unless showAll is on; an empty
  /// owner shows every run. The active run is always shown.
  void setOwner(const RunOwner& owner);
  const RunOwner& owner() const { return m_owner; }
  void setShowAll(bool all);
  bool showsAll() const { return m_showAll; }
  /// Runs under the root that the filter hides (0 when all are shown).
  int hiddenCount() const { return m_hidden; }
  /// Runs under the root, shown or not.
  int totalCount() const { return int(m_summaries.size()); }
  /// Re-reads the runs root in the background, keeping the selection.
  void refresh();
  /// Whether a scan is under way or queued.
  bool isRefreshing() const { return m_scanning; }
  /// Runs the event loop until the scans asked for so far are shown (tests); false on timeout.
  bool waitForRefresh(int timeoutMs = 10000);

  /// Selected run folders, in list order.
  QStringList selectedRuns() const;
  /// Selects exactly these run folders (others are deselected).
  void selectRuns(const QStringList& directories);
  /// The run folders listed, newest first.
  QStringList runs() const;
  /// The summary behind a listed run (from the last scan), or nullptr.
  const RunSummary* summary(const QString& directory) const;

 Q_SIGNALS:
  /// The selection changed; `directories` may be empty.
  void selectionChangedTo(const QStringList& directories);
  /// Double-click on a run.
  void runActivated(const QString& directory);
  /// A scan's result is shown.
  void refreshed();

 private:
  class Scanner;  // the worker side: reads folders, keeps a cache; shared with the pool's task
  void startScan();
  void show(const QString& root, std::vector<RunSummary> summaries);
  void fill();
  void applySelection(const QStringList& directories);

  QString m_root, m_active;
  RunOwner m_owner;
  bool m_showAll = false, m_activePaused = false;
  int m_hidden = 0;
  std::vector<RunSummary> m_summaries;  // as last shown
  std::shared_ptr<Scanner> m_scanner;
  QThreadPool m_pool;  // one thread, ended when idle
  bool m_scanning = false, m_rescan = false;
};

}  // namespace nc::widgets

#pragma once
#include <QString>
#include <QStringList>
#include <QTreeWidget>

namespace nc::widgets {

/// The run folders under a runs root, newest first: name, start date, status, best validation
/// accuracy and a settings summary. Several runs can be selected to overlay their curves.
class RunList : public QTreeWidget {
  Q_OBJECT
 public:
  enum Column { kName, kStatus, kBestAccuracy, kDate, kSettings, kColumnCount };

  explicit RunList(QWidget* parent = nullptr);

  /// Lists the run folders under `root` (created on demand by the trainer; may not exist yet).
  void setRunsRoot(const QString& root);
  QString runsRoot() const { return m_root; }
  /// Marks the run being trained (its status shows "running" even before its first result).
  void setActiveRun(const QString& directory);
  /// Re-reads the runs root, keeping the selection.
  void refresh();

  /// Selected run folders, in list order.
  QStringList selectedRuns() const;
  /// Selects exactly these run folders (others are deselected).
  void selectRuns(const QStringList& directories);
  /// The run folders listed, newest first.
  QStringList runs() const;

 Q_SIGNALS:
  /// The selection changed; `directories` may be empty.
  void selectionChangedTo(const QStringList& directories);
  /// Double-click on a run.
  void runActivated(const QString& directory);

 private:
  void applySelection(const QStringList& directories);

  QString m_root, m_active;
};

}  // namespace nc::widgets

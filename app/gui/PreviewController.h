#pragma once
// Keeps the Preview pane and the node thumbnails up to date (issue 14). One core::PreviewEngine
// runs on a worker thread of its own; the GUI thread only posts requests and applies results.
//
// Requests: an edit of the graph (GraphEditor::changed) or another sample restarts a debounce
// timer (kDebounceMs); when it fires, the newest state is posted. Requests coalesce: the worker
// keeps a single pending slot that each post overwrites, so a burst of edits computes at most the
// one running and the newest (never a queue of stale ones). Edits that do not change the model
// (moving cards) compute nothing. Results come back with a queued signal.
//
// Training: while a run is active and the pane (or the thumbnails) are shown, the controller asks
// the run for a weights snapshot every kSnapshotIntervalMs and previews the run's project (its
// run folder's project.json; else the editor's graph as it was at the start, which the editor
// cannot change during a run) with those weights ("weights of step N"). Snapshot weights that do
// not fit fall back to the untrained editor graph, with a note. When the run ends, the last
// trained preview stays (labelled as from the finished run) until the model is edited; then the
// untrained editor graph is shown again.
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <memory>
#include <optional>

#include "core/Project.h"
#include "core/inspect/NodePreview.h"

class QThread;

namespace nc::widgets {
class GraphEditor;
class GraphScene;
class PreviewPane;
}  // namespace nc::widgets

namespace nc::app {

class TrainingController;

class PreviewController : public QObject {
  Q_OBJECT
 public:
  PreviewController(widgets::GraphEditor* editor, widgets::GraphScene* scene, widgets::PreviewPane* pane,
                    QObject* parent = nullptr);
  /// Joins the worker thread (waits for at most the computation running).
  ~PreviewController() override;

  /// Follows this training controller's runs (snapshots while active).
  void setTrainingController(TrainingController* training);

  /// Node thumbnails on the canvas cards (View > Node thumbnails).
  void setThumbnailsEnabled(bool enabled);
  bool thumbnailsEnabled() const { return m_thumbnails; }

  /// Recompute soon (debounced); `force` also when the model did not change.
  void schedule(bool force = false);
  /// Posts the request now (no debounce).
  void requestNow(bool force = false);

  void setDebounceMs(int ms) { m_debounce.setInterval(ms); }
  void setSnapshotIntervalMs(int ms) { m_snapshotTimer.setInterval(ms); }

  // --- State (tests, screenshot).
  /// The newest result applied (valid or not).
  std::shared_ptr<const core::PreviewResult> lastResult() const { return m_last; }
  int resultsApplied() const { return m_applied; }
  /// A request is waiting for the debounce, pending on the worker, or computing.
  bool isBusy() const;
  /// Computations the worker ran so far (tests: coalescing).
  int computations() const;
  /// The thread previews are computed on (tests hold it busy to check coalescing).
  QThread* workerThread() const { return m_thread; }
  bool trainingActive() const { return m_trainingActive; }
  static constexpr int kDebounceMs = 250;
  static constexpr int kSnapshotIntervalMs = 3000;

 Q_SIGNALS:
  /// A result was applied to the pane (and thumbnails).
  void resultApplied();

 protected:
  /// Computes when the pane is shown (nothing is computed while it is hidden and thumbnails are off).
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  struct Request {
    core::Project project;
    int64_t sample = 0;
    std::shared_ptr<const core::WeightsSnapshot> weights;
    quint64 generation = 0;
  };
  struct Shared;
  void post(Request request);
  void onResult(std::shared_ptr<const core::PreviewResult> result, quint64 generation, bool withWeights);
  void updateThumbnails();
  void selectionChanged();
  bool wanted() const;
  void onTrainingActive(bool active);
  void onSnapshot(std::shared_ptr<const core::WeightsSnapshot> snapshot);
  /// The model as it affects the preview (graph without positions, data settings, seed).
  static std::string modelKey(const core::Project& project);

  widgets::GraphEditor* m_editor;
  widgets::GraphScene* m_scene;
  widgets::PreviewPane* m_pane;
  QPointer<TrainingController> m_training;
  QThread* m_thread = nullptr;
  QObject* m_worker = nullptr;  // lives on m_thread
  std::shared_ptr<Shared> m_shared;
  QTimer m_debounce;
  QTimer m_snapshotTimer;
  bool m_force = false;
  bool m_thumbnails = false;
  bool m_trainingActive = false;
  quint64 m_generation = 0;
  quint64 m_received = 0;          // newest generation whose result came back
  std::string m_lastKey;           // model key of the newest request posted
  int64_t m_lastSample = -1;
  bool m_lastWithWeights = false;
  std::shared_ptr<const core::WeightsSnapshot> m_snapshot;  // the newest snapshot (kept after the run)
  std::optional<core::Project> m_runProject;                // the project being trained
  std::string m_runKey;           // the editor's model when the run started
  bool m_snapshotFailed = false;   // the run's weights did not fit: previews use the editor graph
  bool m_runEnded = false;
  std::shared_ptr<const core::PreviewResult> m_last;
  int m_applied = 0;
};

}  // namespace nc::app

#pragma once
#include <QList>
#include <QObject>
#include <QString>
#include <memory>

#include "app/gui/TrainingWorker.h"
#include "app/gui/WorkerThread.h"
#include "core/training/Trainer.h"


namespace nc::app {

/// Owns the training thread. start() moves a TrainingWorker to a new QThread and relays its
/// queued signals; pause(), resume() and stop() go straight to the trainer's TrainingControl
/// (the trainer checks it between batches and in every phase: loading, validation, test), so
/// the GUI thread never waits on training. One run at a time.
///
/// Ending: stop() returns at once; the run ends on the worker thread, and the thread is joined
/// when its finished signal reaches the event loop (activeChanged(false)). Only when no event
/// loop will run again (destruction) does shutdown() wait, and that wait is bounded.
class TrainingController : public QObject {
  Q_OBJECT
 public:
  explicit TrainingController(QObject* parent = nullptr);
  /// Calls shutdown().
  ~TrainingController() override;

  /// Starts a run; false when one is already active.
  bool start(const core::TrainJob& job);
  void pause();
  void resume();
  /// Asks the run to stop after the current batch; finished() follows with status Stopped.
  void stop();
  /// Asks the running trainer for its weights after the current optimizer step; they arrive as
  /// weightsSnapshot(). Does nothing when no run is active.
  void requestWeightsSnapshot();
  /// For destruction only (the event loop will not run again): stops the run and waits for its
  /// thread to end. Never call it from a running GUI: use stop() and wait for activeChanged(false).
  /// The checkpoints of finished epochs stay. Returns at once when nothing runs. finished() is
  /// not emitted for a run ended here. If the trainer does not stop within kShutdownWaitMs, the
  /// process exits at once rather than let the thread outlive main() (saves are atomic).
  void shutdown();

  /// How long shutdown() waits for the trainer (which checks the stop request about every second).
  static constexpr int kShutdownWaitMs = 30'000;

  bool isActive() const { return m_thread.isActive(); }
  /// Whether stop() was asked for the active run.
  bool isStopping() const;
  /// The active run's thread (tests), or nullptr; deleted once joined.
  QThread* trainingThread() const { return m_thread.thread(); }
  bool isPaused() const { return m_paused; }
  /// The active (or last) run's folder.
  QString runDirectory() const { return m_runDirectory; }

 Q_SIGNALS:
  void started(const QString& runDirectory);
  void steps(const QList<nc::core::StepMetrics>& steps);
  void epoch(const nc::core::EpochMetrics& epoch);
  void resource(const nc::core::ResourceSample& sample);
  /// Progress of data loading, a validation pass or the test pass (throttled by the worker).
  void phase(const nc::core::PhaseProgress& progress);
  void log(const QString& line);
  /// Training diagnostics (issue 14): per-node norms, epoch histograms, alarms naming a node.
  void diagnostics(const nc::core::DiagnosticsSample& sample);
  void histograms(const nc::core::EpochHistograms& histograms);
  void alarm(const nc::core::TrainingAlarm& alarm);
  /// The answer to requestWeightsSnapshot().
  void weightsSnapshot(std::shared_ptr<const nc::core::WeightsSnapshot> snapshot);
  /// The run ended (completed, stopped or failed); emitted before activeChanged(false).
  void finished(const nc::core::RunResult& result);
  void activeChanged(bool active);
  void pausedChanged(bool paused);

 private:
  void onThreadFinished();

  WorkerThread m_thread;
  std::shared_ptr<core::TrainingControl> m_control;
  QString m_runDirectory;
  bool m_paused = false;
};

}  // namespace nc::app

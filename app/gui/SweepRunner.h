#pragma once
// Runs a sweep (core::runSweep) on a thread of its own and relays its observer's callbacks as
// queued signals carrying plain values, like TrainingController / TrainingWorker do for a run.
// stop() returns at once (the trainer checks the control between batches); the thread is joined
// when its finished signal reaches the event loop (activeChanged(false)).
#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>

#include "app/gui/WorkerThread.h"
#include "core/sweep/Sweep.h"

Q_DECLARE_METATYPE(nc::core::SweepTrial)
Q_DECLARE_METATYPE(nc::core::SweepResult)


namespace nc::app {

class SweepWorker : public QObject {
  Q_OBJECT
 public:
  SweepWorker(core::Project project, core::SweepSpec spec, QString directory,
              std::shared_ptr<core::TrainingControl> control);
  /// Runs the sweep to its end (blocking, on the worker thread). Never throws.
  void run();

 Q_SIGNALS:
  void trialStarted(const nc::core::SweepTrial& trial);
  void trialEpoch(const nc::core::SweepTrial& trial);
  void trialFinished(const nc::core::SweepTrial& trial);
  void log(const QString& line);
  void finished(const nc::core::SweepResult& result);

 private:
  core::Project m_project;
  core::SweepSpec m_spec;
  QString m_directory;
  std::shared_ptr<core::TrainingControl> m_control;
};

class SweepRunner : public QObject {
  Q_OBJECT
 public:
  explicit SweepRunner(QObject* parent = nullptr);
  /// Stops the sweep and waits (bounded) for its thread.
  ~SweepRunner() override;

  /// Starts (or, when `directory` holds a sweep.json, resumes) a sweep; false when one is active.
  bool start(const core::Project& project, const core::SweepSpec& spec, const QString& directory);
  void stop();
  /// For destruction / window close without an event loop: stops and waits for the thread.
  void shutdown();
  bool isActive() const { return m_thread.isActive(); }
  bool isStopping() const;
  QString directory() const { return m_directory; }

  static constexpr int kShutdownWaitMs = 30'000;

 Q_SIGNALS:
  void trialStarted(const nc::core::SweepTrial& trial);
  void trialEpoch(const nc::core::SweepTrial& trial);
  void trialFinished(const nc::core::SweepTrial& trial);
  void log(const QString& line);
  void finished(const nc::core::SweepResult& result);
  void activeChanged(bool active);

 private:
  WorkerThread m_thread;
  std::shared_ptr<core::TrainingControl> m_control;
  QString m_directory;
};

}  // namespace nc::app

#pragma once
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <memory>

#include "core/training/Trainer.h"

Q_DECLARE_METATYPE(nc::core::StepMetrics)
Q_DECLARE_METATYPE(nc::core::EpochMetrics)
Q_DECLARE_METATYPE(nc::core::ResourceSample)
Q_DECLARE_METATYPE(nc::core::RunResult)
Q_DECLARE_METATYPE(nc::core::PhaseProgress)
Q_DECLARE_METATYPE(nc::core::DiagnosticsSample)
Q_DECLARE_METATYPE(nc::core::EpochHistograms)
Q_DECLARE_METATYPE(nc::core::TrainingAlarm)
Q_DECLARE_METATYPE(std::shared_ptr<const nc::core::WeightsSnapshot>)

namespace nc::app {

/// Runs one training job on the thread it is moved to (the worker-object pattern) and turns the
/// trainer's callbacks into queued signals carrying plain values. Steps are batched and sent at
/// most about ten times a second; pending steps are flushed before every epoch result and log
/// line (so the last step before a pause and of each epoch is shown at once); resource samples
/// and the final result are always delivered, all in order. Progress of the validation and test
/// passes (phase) is sent at its start and end and at most every kStepIntervalMs in between.
class TrainingWorker : public QObject {
  Q_OBJECT
 public:
  /// Interval between step batches.
  static constexpr int kStepIntervalMs = 100;

  TrainingWorker(core::TrainJob job, std::shared_ptr<core::TrainingControl> control);

  /// Trains to the end (blocking; call on the worker thread). Never throws: failures arrive as
  /// finished(RunResult{Failed, message}).
  void run();

  /// Registers the signal payload types for queued connections (idempotent).
  static void registerTypes();

 Q_SIGNALS:
  void steps(const QList<nc::core::StepMetrics>& steps);
  void epoch(const nc::core::EpochMetrics& epoch);
  void resource(const nc::core::ResourceSample& sample);
  void phase(const nc::core::PhaseProgress& progress);
  void log(const QString& line);
  void diagnostics(const nc::core::DiagnosticsSample& sample);
  void histograms(const nc::core::EpochHistograms& histograms);
  void alarm(const nc::core::TrainingAlarm& alarm);
  void weightsSnapshot(std::shared_ptr<const nc::core::WeightsSnapshot> snapshot);
  void finished(const nc::core::RunResult& result);

 private:
  core::TrainJob m_job;
  std::shared_ptr<core::TrainingControl> m_control;
};

}  // namespace nc::app

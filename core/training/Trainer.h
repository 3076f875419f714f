#pragma once
// The training engine's entry point. Qt-free and blocking: run it on a worker thread and steer
// it through TrainingControl; it reports through TrainingObserver. No torch in this header.
#include <memory>
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/training/TrainingEvents.h"

namespace nc::core {

struct Dataset;  // core/data/Dataset.h

struct TrainJob {
  Project project;                 // graph + data + training settings, as a snapshot
  std::string runDirectory;        // created if missing; empty = write no files
  std::string resumeCheckpoint;    // a checkpoint (.pt) to continue from; empty = fresh start
  /// Weights only (fine-tuning): a checkpoint whose model parameters and buffers (normalization
  /// included) the run starts from; strict (must fit the graph). The optimizer, schedule, epoch
  /// count and history start fresh. Unlike resumeCheckpoint. Cannot be combined with it.
  std::string initialWeights;
  /// With initialWeights: every weight entry (parameters of dim >= 2) that is zero in them stays
  /// zero (the mask is re-applied after every optimizer step), so pruned weights stay pruned.
  bool keepZeroWeights = false;
  std::shared_ptr<const Dataset> dataset;  // preloaded data (tests, GUI); null = load project.data
  /// Training diagnostics (Diagnostics.h): per-node norms on step 1 and every this many steps;
  /// 0 = kDiagnosticsEvery. Tests use 1.
  int64_t diagnosticsEvery = 0;
};

/// Trains until the configured epochs are done, early stopping triggers, control asks to stop,
/// or an error occurs (bad data, NaN loss, CUDA missing, ...). Never throws: errors come back as
/// RunResult{Failed, message} and through observer.onFinished.
RunResult runTraining(const TrainJob& job, TrainingObserver& observer, TrainingControl& control);

/// Evaluation of a checkpoint on the data's test split (or validation split if it has none).
struct EvalResult {
  bool ok = false;
  std::string error;
  std::string split;  // "test" or "validation"
  int64_t samples = 0;
  double loss = 0, accuracy = 0;
  /// Classification only (empty otherwise): `confusion[true][predicted]` on `split` and the
  /// data's class names, for per-class metrics (core/training/ClassMetrics.h).
  std::vector<std::vector<int64_t>> confusion;
  std::vector<std::string> classNames;
};
EvalResult evaluateCheckpoint(const Project& project, const std::string& checkpoint,
                              std::shared_ptr<const Dataset> dataset = nullptr);

}  // namespace nc::core

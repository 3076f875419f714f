#pragma once
// What a training run reports, and how another thread steers it. Plain values, no torch, no Qt:
// the GUI turns these into queued signals, the CLI into a progress line.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nc::core {

struct StepMetrics {
  int64_t epoch = 0;            // 1-based
  int64_t step = 0;             // global optimizer step, 1-based
  int64_t batch = 0;            // 1-based within the epoch
  int64_t batchesPerEpoch = 0;
  double loss = 0;
  double accuracy = 0;          // of this batch
  double learningRate = 0;
  double samplesPerSecond = 0;  // smoothed over recent steps
  double elapsedSeconds = 0;    // since the run (or its resumption) started
};

struct EpochMetrics {
  int64_t epoch = 0;
  int64_t step = 0;             // global step at the end of the epoch
  double trainLoss = 0, trainAccuracy = 0;
  double valLoss = 0, valAccuracy = 0;  // NaN without a validation split
  double seconds = 0;
  double samplesPerSecond = 0;
  bool best = false;            // best so far by the monitored metric
};

struct ResourceSample {
  double elapsedSeconds = 0;
  double processCpuPercent = 0;   // 100 = one core busy
  int64_t residentBytes = 0;      // this process
  int64_t systemUsedBytes = 0;
  int64_t systemTotalBytes = 0;
  int64_t gpuAllocatedBytes = -1; // -1 = not available (CPU run or no counter)
  int64_t gpuReservedBytes = -1;
  double gpuUtilizationPercent = -1;
};

/// A phase of a run other than the training batches, with its progress: loading the data (no
/// count), the validation pass at the end of each epoch, and the test pass at the end of the run.
enum class RunPhase { Loading, Validation, Test };
std::string runPhaseName(RunPhase p);  // "loading", "validation", "test"

struct PhaseProgress {
  RunPhase phase = RunPhase::Validation;
  int64_t epoch = 0;     // the epoch being validated (1-based); the last epoch for the test pass
  int64_t done = 0;      // samples evaluated so far (0 at the start of the pass)
  int64_t total = 0;     // samples in the pass (0 when unknown, e.g. while loading)
  double elapsedSeconds = 0;
};

/// Training diagnostics of one node with parameters (issue 14), sampled every few optimizer steps.
struct NodeDiagnostics {
  int64_t nodeId = -1;
  std::string nodeName;     // the node's name in the graph (unique)
  double weightNorm = 0;    // L2 norm of all the node's parameters
  double gradNorm = 0;      // L2 norm of their gradients at this step (before clipping)
  double updateRatio = 0;   // ||w_after - w_before|| / ||w_before|| of this optimizer step
};
struct DiagnosticsSample {
  int64_t epoch = 0;  // 1-based
  int64_t step = 0;   // global optimizer step
  std::vector<NodeDiagnostics> nodes;
};

/// A histogram over [min, max] in counts.size() equal bins.
struct HistogramData {
  double min = 0, max = 0;
  std::vector<int64_t> counts;
};
struct NodeHistograms {
  int64_t nodeId = -1;
  std::string nodeName;
  HistogramData weights, gradients;  // all the node's parameters / their last gradients
};
/// Weight and gradient histograms of every node with parameters, at the end of an epoch.
struct EpochHistograms {
  int64_t epoch = 0;
  std::vector<NodeHistograms> nodes;
};

/// A problem found while training, naming the node. kind: "exploding_gradients",
/// "vanishing_gradients", "dead_relu", "non_finite".
struct TrainingAlarm {
  std::string kind;
  int64_t nodeId = -1;
  std::string nodeName;
  int64_t epoch = 0, step = 0;
  std::string message;  // a full sentence for the user, naming the node and what to try
};

/// The model's parameters and buffers between two batches, for live previews: `state` is what
/// saveModelState (core/training/Checkpoint.h) writes; loadModelState reads it into a model
/// compiled from the same graph.
struct WeightsSnapshot {
  int64_t epoch = 0, step = 0;
  std::string state;
};

enum class RunStatus { Completed, Stopped, Failed };
std::string runStatusName(RunStatus s);

struct RunResult {
  RunStatus status = RunStatus::Failed;
  std::string message;               // why it failed or stopped early; empty when completed normally
  int64_t epochsCompleted = 0;
  double bestValidationAccuracy = 0;
  double testLoss = -1, testAccuracy = -1;  // -1 when the data has no test split or the run did not finish
  std::string runDirectory;
  std::vector<std::string> classNames;
  std::vector<std::vector<int64_t>> confusion;  // [true][predicted] on the validation split
};

/// Receives a run's events, all on the training thread, in order.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void onStep(const StepMetrics&) {}
  virtual void onEpoch(const EpochMetrics&) {}
  virtual void onResource(const ResourceSample&) {}
  /// Progress of a validation or test pass: once at its start (done 0), then after every batch
  /// (done grows to total). Once when data loading begins. Receivers throttle as they need.
  virtual void onPhase(const PhaseProgress&) {}
  virtual void onLog(const std::string&) {}
  /// Diagnostics (issue 14): per-node norms every few steps, histograms at each epoch end, and
  /// alarms as they are raised.
  virtual void onDiagnostics(const DiagnosticsSample&) {}
  virtual void onHistograms(const EpochHistograms&) {}
  virtual void onAlarm(const TrainingAlarm&) {}
  /// Answers TrainingControl::requestWeightsSnapshot, between two optimizer steps.
  virtual void onWeightsSnapshot(std::shared_ptr<const WeightsSnapshot>) {}
  virtual void onFinished(const RunResult&) {}
};

/// Pause, resume and stop from any thread; the trainer checks between batches.
class TrainingControl {
 public:
  void requestStop();
  void pause();
  void resume();
  bool stopRequested() const { return m_stop.load(); }
  bool paused() const { return m_paused.load(); }
  /// Asks for one WeightsSnapshot (observer.onWeightsSnapshot) after the current optimizer step.
  void requestWeightsSnapshot() { m_snapshot = true; }
  /// For the trainer: whether a snapshot was asked for since the last call (clears the request).
  bool takeWeightsSnapshotRequest() { return m_snapshot.exchange(false); }
  /// Blocks the trainer while paused, waking every `pollMs` to call `tick` (resource samples).
  template <class Tick>
  void waitWhilePaused(Tick tick, int pollMs = 200);

 private:
  std::atomic<bool> m_stop{false}, m_paused{false}, m_snapshot{false};
  std::mutex m_mutex;
  std::condition_variable m_changed;
};

template <class Tick>
void TrainingControl::waitWhilePaused(Tick tick, int pollMs) {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (m_paused.load() && !m_stop.load()) {
    m_changed.wait_for(lock, std::chrono::milliseconds(pollMs));
    lock.unlock();
    tick();
    lock.lock();
  }
}

}  // namespace nc::core

#pragma once
// Training memory: the estimate made before a run against the memory the machine has free (a run
// that will not fit is refused before it starts), and the peak actually measured while it trains.
// No torch in this header.
//
// What is compared with what (apples to apples):
// - begin() runs after the data set is loaded and the model and optimizer are made (weights
//   allocated, gradients and optimizer moments not yet: LibTorch allocates both lazily, on the
//   first backward and the first optimizer step). It records the resident memory then (VmRSS, the
//   "before training" figure) and resets the process's peak (VmHWM, via /proc/self/clear_refs).
// - report() reads the peak after the last training epoch (validation passes included, the test
//   pass not) and subtracts the "before" figure: what training added on top of the loaded data and
//   weights. It is compared with the part of the estimate that training adds:
//   MemoryEstimate::total() - weights (gradients, optimizer state, what autograd keeps, the batch,
//   per-pass workspace; see core/MemoryEstimate.h).
// - Not in the estimate, so part of the measured figure: glibc's allocator keeping freed blocks
//   (freed activations stay resident for the next step; the Deploy benchmark's mallopt settings
//   are process-wide and make it keep more), LibTorch's and OpenBLAS's one-time buffers on the first
//   pass, the run's own bookkeeping (metrics, checkpoint serialization). On CPU LibTorch has no
//   caching allocator of its own (tensors are malloc'ed and freed), so for models whose estimate is
//   tens of MiB or more these are small; below that they dominate (the estimate's note says so).
#include <cstdint>
#include <string>

#include "core/MemoryEstimate.h"
#include "core/Project.h"
#include "core/ShapeInference.h"

namespace nc::core {

/// Test hook (process-wide): the free memory begin() compares with, instead of MemAvailable from
/// /proc/meminfo; -1 (the default) reads the machine. The environment variable
/// NC_TEST_MEMORY_AVAILABLE_BYTES does the same for whole programs (GUI screenshots, CLI tests).
void setAvailableMemoryForTesting(int64_t bytes);

/// The free memory a run is checked against: the test override, else MemAvailable; -1 if unknown.
int64_t availableMemoryForTraining();

/// The message refusing a run whose estimate does not fit, or "" when it fits (or the free memory
/// is unknown). `alreadyLoaded` = weights and data set, resident before the check (and so already
/// taken out of `available`).
std::string memoryRefusal(const MemoryEstimate& estimate, const TrainConfig& training, int64_t datasetBytes,
                          int64_t available);

/// The report line: "memory: training peak 412 MiB above the 1.10 GiB before training; estimate
/// 380 MiB (-8 %)". estimate and peakAbove are what training adds (see the top of this file).
std::string memoryReportLine(int64_t peakAbove, int64_t before, int64_t estimate);

/// "412 MiB", "1.10 GiB", "96.0 KiB" (binary units, as the editor shows them).
std::string memoryText(int64_t bytes);

class TrainingMemoryWatch {
 public:
  /// Estimates what the run needs (model, gradients, optimizer state, activations at the batch
  /// size, the loaded data set of `datasetBytes`), compares it with the machine's free memory,
  /// and starts measuring the process's peak. Sets refusal() when the run will not fit.
  void begin(const Project& project, const GraphAnalysis& analysis, int64_t datasetBytes);
  /// Why the run cannot start (naming the estimate and the free memory); empty when it fits.
  const std::string& refusal() const { return m_refusal; }
  /// One line for the run's log after begin() (estimate against free memory); may be empty.
  std::string summary() const;
  /// One line for the run's log after training: the measured peak against the estimate; may be empty.
  std::string report() const;

  const MemoryEstimate& estimate() const { return m_estimate; }
  /// Resident bytes when begin() ran (-1: unknown), and whether the peak could be reset then.
  int64_t residentBefore() const { return m_before; }
  /// What training added on top of residentBefore() so far (peak - before); -1 when unknown.
  int64_t measuredPeakAbove() const;

 private:
  std::string m_refusal;
  MemoryEstimate m_estimate;
  TrainConfig m_training;
  int64_t m_datasetBytes = 0, m_available = -1, m_before = -1;
  bool m_peakReset = false, m_begun = false;
};

}  // namespace nc::core

#include "core/training/MemoryFit.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/training/ResourceMonitor.h"

namespace nc::core {

namespace {
std::atomic<int64_t> g_availableOverride{-1};

std::string percentText(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.0f %%", fraction * 100.0);
  return buf;
}
}  // namespace

void setAvailableMemoryForTesting(int64_t bytes) { g_availableOverride = bytes; }

int64_t availableMemoryForTraining() {
  if (int64_t o = g_availableOverride.load(); o >= 0) return o;
  if (const char* env = std::getenv("NC_TEST_MEMORY_AVAILABLE_BYTES"); env && *env) {
    char* end = nullptr;
    long long v = std::strtoll(env, &end, 10);
    if (end && *end == '\0' && v >= 0) return int64_t(v);
  }
  return availableMemoryBytes();
}

std::string memoryText(int64_t bytes) {
  char buf[48];
  const double b = double(bytes);
  if (bytes >= (int64_t(1) << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", b / double(int64_t(1) << 30));
  else if (bytes >= (int64_t(1) << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", b / double(1 << 20));
  else std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  return buf;
}

std::string memoryRefusal(const MemoryEstimate& e, const TrainConfig& training, int64_t datasetBytes,
                          int64_t available) {
  const int64_t needed = e.duringTraining();
  if (available < 0 || needed <= available) return {};
  // What scales with the batch size: the saved activations, the batch, the workspace and the
  // allocator's share of them; the rest (gradients, optimizer state, library buffers) does not.
  const int64_t perBatch = e.perBatch();
  const int64_t fixed = needed - perBatch;
  std::string advice;
  if (fixed < available && perBatch > 0 && training.batchSize > 1) {
    const double room = double(available - fixed) * 0.8;  // keep a fifth spare
    int64_t fits = int64_t(std::floor(double(training.batchSize) * room / double(perBatch)));
    fits = std::clamp<int64_t>(fits, 0, training.batchSize - 1);
    advice = fits >= 1 ? "lower the batch size (" + std::to_string(training.batchSize) + " now; about " +
                             std::to_string(fits) + " would fit) or make the model smaller"
                       : "make the model smaller (even a batch of 1 would not fit)";
  } else {
    advice = "make the model smaller (its gradients, optimizer state and library buffers alone, " + memoryText(fixed) +
             ", do not fit" + (training.optimizer == "adam" || training.optimizer == "adamw"
                                   ? "; SGD keeps less optimizer state than Adam"
                                   : "") +
             ")";
  }
  return "not enough memory to train: the run needs about " + memoryText(satAdd(e.total(), datasetBytes)) +
         " (training memory estimate " + memoryText(e.total()) + " at batch size " +
         std::to_string(training.batchSize) + " + data set " + memoryText(datasetBytes) + "), of which " +
         memoryText(needed) + " is still to be allocated (gradients " + memoryText(e.gradients) +
         ", optimizer state " + memoryText(e.optimizerState) + ", activations, batch and allocator " + memoryText(perBatch) +
         "), but only " + memoryText(available) + " of memory is available (MemAvailable); " + advice;
}

std::string memoryReportLine(int64_t peakAbove, int64_t before, int64_t estimate) {
  std::string line = "memory: training peak " + memoryText(peakAbove) + " above the " + memoryText(before) +
                     " before training; estimate " + memoryText(estimate);
  if (peakAbove > 0) line += " (" + percentText(double(estimate - peakAbove) / double(peakAbove)) + ")";
  return line;
}

void TrainingMemoryWatch::begin(const Project& project, const GraphAnalysis& analysis, int64_t datasetBytes) {
  m_begun = true;
  m_training = project.training;
  m_datasetBytes = std::max<int64_t>(datasetBytes, 0);
  m_estimate = estimateTrainingMemory(project.graph, analysis, project.training);
  m_available = availableMemoryForTraining();
  m_refusal = memoryRefusal(m_estimate, m_training, m_datasetBytes, m_available);
  if (!m_refusal.empty()) return;
  // The data set and the weights are resident now; gradients and optimizer state are not yet.
  // Freed heap blocks (e.g. of decoding the data set) would still count as resident and then be
  // reused by training, hiding part of its growth: hand them back first, so that the baseline is
  // what is live.
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  m_before = residentBytes();
  m_peakReset = resetPeakResident();
}

int64_t TrainingMemoryWatch::measuredPeakAbove() const {
  if (!m_begun || m_before < 0 || !m_peakReset) return -1;
  const int64_t peak = peakResidentBytes();
  return peak < 0 ? -1 : std::max<int64_t>(peak - m_before, 0);
}

std::string TrainingMemoryWatch::summary() const {
  if (!m_begun) return {};
  const MemoryEstimate& e = m_estimate;
  std::string line = "memory: estimate " + memoryText(e.total()) + " (weights " + memoryText(e.weights) +
                     ", gradients " + memoryText(e.gradients) + ", optimizer state " +
                     memoryText(e.optimizerState) + ", saved activations " + memoryText(e.saved) + ", batch " +
                     memoryText(e.batch) + ", workspace " + memoryText(e.workspace) + ", allocator " +
                     memoryText(e.allocator) + ", library buffers " + memoryText(e.runtime) + ") + data set " +
                     memoryText(m_datasetBytes);
  if (m_available >= 0) line += "; " + memoryText(m_available) + " available";
  if (!e.note.empty()) line += " (" + e.note + ")";
  return line;
}

std::string TrainingMemoryWatch::report() const {
  const int64_t above = measuredPeakAbove();
  if (above < 0) return {};
  std::string line = memoryReportLine(above, m_before, m_estimate.duringTraining());
  if (!m_estimate.note.empty()) line += "; " + m_estimate.note;
  return line;
}

}  // namespace nc::core

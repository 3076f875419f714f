#pragma once
#include <chrono>
#include <cstdint>

#include "core/training/TrainingEvents.h"

namespace nc::core {

/// Samples this process's CPU use and memory from /proc (Linux).
class ResourceMonitor {
 public:
  ResourceMonitor();
  /// CPU % since the previous sample (or construction), resident and system memory.
  ResourceSample sample();

 private:
  std::chrono::steady_clock::time_point m_start, m_lastWall;
  double m_lastCpuSeconds = 0;
};

/// Resident memory of this process now (VmRSS), in bytes; -1 where it cannot be read.
int64_t residentBytes();
/// Peak resident memory of this process so far (VmHWM), in bytes; -1 where it cannot be read.
int64_t peakResidentBytes();
/// Resets the peak (VmHWM) to the current resident size (Linux: "5" written to
/// /proc/self/clear_refs); false where that is not supported (the peak then covers the whole
/// process's life).
bool resetPeakResident();
/// Memory the system can give to new allocations without swapping (MemAvailable in
/// /proc/meminfo), in bytes; -1 where it cannot be read.
int64_t availableMemoryBytes();

}  // namespace nc::core

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

/// Peak resident memory of this process so far (VmHWM), in bytes.
int64_t peakResidentBytes();

}  // namespace nc::core

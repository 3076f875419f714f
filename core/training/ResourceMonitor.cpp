#include "core/training/ResourceMonitor.h"

#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>

namespace nc::core {

namespace {

double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

/// Value in kB of a "Key:   1234 kB" line of a /proc file, in bytes; -1 if absent.
int64_t procKb(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':') {
      std::istringstream is(line.substr(key.size() + 1));
      int64_t kb = -1;
      is >> kb;
      return kb < 0 ? -1 : kb * 1024;
    }
  }
  return -1;
}

}  // namespace

ResourceMonitor::ResourceMonitor()
    : m_start(std::chrono::steady_clock::now()), m_lastWall(m_start), m_lastCpuSeconds(processCpuSeconds()) {}

ResourceSample ResourceMonitor::sample() {
  ResourceSample s;
  auto now = std::chrono::steady_clock::now();
  double cpu = processCpuSeconds();
  double wall = std::chrono::duration<double>(now - m_lastWall).count();
  if (wall > 0) s.processCpuPercent = 100.0 * (cpu - m_lastCpuSeconds) / wall;
  m_lastWall = now;
  m_lastCpuSeconds = cpu;
  s.elapsedSeconds = std::chrono::duration<double>(now - m_start).count();
  s.residentBytes = procKb("/proc/self/status", "VmRSS");
  s.systemTotalBytes = procKb("/proc/meminfo", "MemTotal");
  int64_t available = procKb("/proc/meminfo", "MemAvailable");
  s.systemUsedBytes = (s.systemTotalBytes >= 0 && available >= 0) ? s.systemTotalBytes - available : -1;
  return s;
}

int64_t residentBytes() { return procKb("/proc/self/status", "VmRSS"); }

int64_t peakResidentBytes() { return procKb("/proc/self/status", "VmHWM"); }

bool resetPeakResident() {
  std::ofstream refs("/proc/self/clear_refs");
  if (!refs) return false;
  refs << "5";
  refs.flush();
  return bool(refs);
}

int64_t availableMemoryBytes() { return procKb("/proc/meminfo", "MemAvailable"); }

}  // namespace nc::core

// Deployment benchmark (being written: see issue 12).
#include "core/deploy/Benchmark.h"

namespace nc::core {

BenchmarkReport benchmarkArchive(const std::string& archive, const BenchmarkOptions&, const BenchmarkProgress&,
                                 const std::function<bool()>&) {
  BenchmarkReport report;
  report.archive = archive;
  report.error = archive + ": benchmark not available yet";
  return report;
}

std::string benchmarkJson(const BenchmarkReport&) { return "{}\n"; }
std::string benchmarkCsv(const BenchmarkReport&) { return {}; }
std::string benchmarkTable(const BenchmarkReport&) { return {}; }

BenchmarkReport parseBenchmarkJson(const std::string&) {
  BenchmarkReport report;
  report.error = "not available yet";
  return report;
}

}  // namespace nc::core

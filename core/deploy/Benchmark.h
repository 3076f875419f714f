#pragma once
// Deployment benchmark: latency percentiles, throughput and peak memory of an exported TorchScript
// archive per batch size and thread count, measured the way a deployment engineer would (warm-up
// excluded, eval mode, inference mode, random inputs of the archive's input shape). No torch in
// this header.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace nc::core {

struct BenchmarkOptions {
  std::vector<int64_t> batchSizes{1, 8, 32, 128};
  std::vector<int> threads;        // empty = the current LibTorch thread count only
  double secondsPerCase = 2.0;     // measured time per (batch size, threads) case, after warm-up
  int warmupRuns = 3;              // excluded from the figures
  int minRuns = 10;                // at least this many measured runs per case
  std::vector<int64_t> inputShape; // one sample, without batch; empty = from the archive's meta.json
  std::string inputDtype;          // "float32" or "int64"; empty = from meta.json (float32 if absent)
};

struct BenchmarkCase {
  int64_t batchSize = 0;
  int threads = 0;
  int64_t runs = 0;                // measured runs (warm-up excluded)
  /// True when the case stopped at its time limit (max(30 s, 10 x secondsPerCase)) before minRuns
  /// runs: each run took so long that fewer runs (at least 3) were measured.
  bool capped = false;
  double p50Ms = 0, p95Ms = 0, p99Ms = 0, meanMs = 0;  // latency of one forward of the batch
  double samplesPerSecond = 0;
  /// Peak resident memory (VmHWM) of the whole process during this case, model and inputs
  /// included (on Linux the peak is reset before each case; 0 where it cannot be read).
  int64_t peakMemoryBytes = 0;
};

struct BenchmarkReport {
  std::string archive;
  int64_t fileBytes = 0;
  int64_t parameters = 0;
  std::vector<int64_t> inputShape;
  std::string inputDtype;
  std::string quantization;        // from meta.json, "none" if absent
  std::vector<BenchmarkCase> cases;
  std::string error;               // names the archive / the problem; empty when ok
  bool ok() const { return error.empty(); }
};

/// Called after each case (done of total), from the benchmarking thread.
using BenchmarkProgress = std::function<void(int done, int total, const BenchmarkCase& last)>;

/// Loads the archive (verifyArchive first; the fast quantized engine is selected before loading),
/// runs it in eval mode under inference mode on random inputs of each batch size (token ids in
/// [0, vocab) for int64 inputs: the vocab from meta.json or the embedding size, else 0..1),
/// restores the thread count afterwards. Blocking; `cancelled` is polled between runs (a
/// cancelled report has error "cancelled").
/// The process's malloc is set (once, process-wide, on glibc) to keep freed blocks up to 32 MiB for
/// reuse instead of returning them to the system after every forward pass: activations are then
/// not page-faulted in anew at each run (3-4x faster at batch 32 on the CNN template).
/// OpenBLAS's own thread pool (it ignores LibTorch's thread count and fights its OpenMP threads for
/// the cores) is set to 1 thread during the benchmark and put back afterwards.
BenchmarkReport benchmarkArchive(const std::string& archive, const BenchmarkOptions& options,
                                 const BenchmarkProgress& progress = {},
                                 const std::function<bool()>& cancelled = {});

std::string benchmarkJson(const BenchmarkReport& report);   // pretty JSON text (dumpJson)
std::string benchmarkCsv(const BenchmarkReport& report);    // header + one line per case
std::string benchmarkTable(const BenchmarkReport& report);  // the terminal table

/// Reads benchmarkJson's text back (the GUI shows a saved benchmark). error set on bad input.
BenchmarkReport parseBenchmarkJson(const std::string& text);

}  // namespace nc::core

// neuralcanvas-cli benchmark: latency, throughput and memory of an exported archive (issue 12).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/FileIO.h"
#include "core/deploy/Benchmark.h"

namespace nc::app {

using namespace nc::core;

namespace {

/// "1,8,32" -> {1, 8, 32}; throws std::invalid_argument naming the option and the bad item.
std::vector<int64_t> positiveList(const std::string& option, const std::string& text, int64_t max) {
  std::vector<int64_t> values;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    bool digitsOnly = !item.empty() && item.find_first_not_of("0123456789") == std::string::npos;
    if (!digitsOnly || used != item.size() || v < 1 || v > max)
      throw std::invalid_argument(option + " expects a comma-separated list of integers from 1 to " +
                                  std::to_string(max) + ", got '" + item + "' in '" + text + "'");
    values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

/// The 1-minute load average (/proc/loadavg); -1 where it cannot be read.
double loadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  if (!(in >> load)) return -1;
  return load;
}

}  // namespace

int runBenchmark(const std::vector<std::string>& args) {
  Options opts(args, {"--batch-sizes", "--threads", "--seconds", "--warmup", "--min-runs", "--input-shape", "--dtype",
                      "--json", "--csv"});
  const char* usage =
      "usage: neuralcanvas-cli benchmark MODEL.pt [--batch-sizes 1,8,32,128] [--threads 1,2] [--seconds S]\n"
      "                                 [--warmup N] [--min-runs N] [--input-shape 1,28,28]\n"
      "                                 [--dtype float32|int64] [--json FILE|-] [--csv FILE]\n\n"
      "Measures an exported TorchScript archive (NeuralCanvas's, or any TorchScript module with\n"
      "--input-shape) as a deployment would run it: eval mode, inference mode, random inputs (float in\n"
      "[0, 1), or token ids below the vocabulary size). For each batch size and thread count: --warmup\n"
      "runs (default 3) that are not counted, then runs until --seconds (default 2) have passed and at\n"
      "least --min-runs (default 10) were measured. A case whose runs are so slow that it reaches its time\n"
      "limit (30 s, or 10x --seconds) stops there with fewer runs (at least 3; marked '*').\n"
      "Prints the file size, parameters, quantization and per case the runs, latency p50/p95/p99 of one\n"
      "forward pass of the batch, samples/s and the peak resident memory of the process (model included).\n"
      "  --threads       LibTorch thread counts (default: the current one)\n"
      "  --input-shape   one sample without the batch dimension (default: from the archive's metadata)\n"
      "  --dtype         input type (default: from the archive's metadata, else float32)\n"
      "  --json FILE     also write the figures as JSON ('-': JSON on stdout, the table on stderr)\n"
      "  --csv FILE      also write them as CSV (one line per case)\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1)) return *exit;
  BenchmarkOptions options;
  try {
    if (opts.has("--batch-sizes")) options.batchSizes = positiveList("--batch-sizes", opts.get("--batch-sizes"), 1 << 20);
    if (opts.has("--threads"))
      for (int64_t t : positiveList("--threads", opts.get("--threads"), 1024)) options.threads.push_back(int(t));
    if (opts.has("--seconds")) options.secondsPerCase = opts.real("--seconds", 0.0, 3600.0);
    if (opts.has("--warmup")) options.warmupRuns = int(opts.integer("--warmup", 0, 100000));
    if (opts.has("--min-runs")) options.minRuns = int(opts.integer("--min-runs", 1, 1000000));
    if (opts.has("--input-shape")) options.inputShape = positiveList("--input-shape", opts.get("--input-shape"), 1 << 24);
    if (opts.has("--dtype")) options.inputDtype = opts.choice("--dtype", {"float32", "int64"});
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  const std::string archive = opts.positional()[0];
  std::error_code ec;
  if (!std::filesystem::is_regular_file(archive, ec)) {
    std::cerr << "error: " << archive << ": file not found\n";
    return kExitUnreadable;
  }
  const bool jsonToStdout = opts.get("--json") == "-";
  std::ostream& tableOut = jsonToStdout ? std::cerr : std::cout;
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  // Other processes on the cores distort the figures (several threads most: each parallel step
  // waits for its slowest thread): say so before measuring.
  const double load = loadAverage();
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && load >= 0.5 * double(cores))
    std::cerr << "note: the machine is busy (load average " << load << " on " << cores
              << " cores): other processes compete for the cores, so the figures are noisy, most with several "
                 "threads\n";
  BenchmarkReport report = benchmarkArchive(archive, options, [&](int done, int total, const BenchmarkCase& c) {
    if (tty)
      std::cerr << "\rmeasured " << done << " / " << total << " (batch " << c.batchSize << ", " << c.threads
                << " threads)" << (done == total ? "\n" : "") << std::flush;
  });
  if (!report.ok()) {
    std::cerr << (tty ? "\n" : "") << "error: " << report.error << "\n";
    return kExitInvalid;
  }
  tableOut << benchmarkTable(report);
  int exit = kExitOk;
  if (opts.has("--json")) {
    if (jsonToStdout) {
      std::cout << benchmarkJson(report);
    } else if (Status s = writeFileAtomic(opts.get("--json"), benchmarkJson(report)); !s) {
      std::cerr << "error: " << s.message() << "\n";
      exit = kExitInvalid;
    } else {
      tableOut << "wrote " << opts.get("--json") << "\n";
    }
  }
  if (opts.has("--csv")) {
    if (Status s = writeFileAtomic(opts.get("--csv"), benchmarkCsv(report)); !s) {
      std::cerr << "error: " << s.message() << "\n";
      exit = kExitInvalid;
    } else {
      tableOut << "wrote " << opts.get("--csv") << "\n";
    }
  }
  return exit;
}

}  // namespace nc::app

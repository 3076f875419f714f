// Deployment benchmark (issue 12, section 1): core/deploy/Benchmark.h and `neuralcanvas-cli
// benchmark`, on tiny exported models. No timed assertions: only counts, orderings and
// consistency of the figures.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/JsonUtil.h"
#include "core/Project.h"
#include "core/deploy/Benchmark.h"
#include "core/export/TorchScriptExporter.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

fs::path scratch() { return processScratchDir("benchmark"); }

std::string readBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Input [1, 8, 8] -> Conv2d(4, 3x3) -> Flatten -> Linear(3), exported once per process.
const fs::path& tinyArchive() {
  static const fs::path archive = [] {
    GraphBuilder b;
    NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{1, 8, 8}}});
    NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{4}}, {"kernel_size", int64_t{3}}});
    NodeId flat = b.add("Flatten");
    NodeId lin = b.add("Linear", {{"out_features", int64_t{3}}});
    NodeId out = b.add("Output");
    b.link(in, conv);
    b.link(conv, flat);
    b.link(flat, lin);
    b.link(lin, out);
    Project p;
    p.name = "tiny";
    p.graph = b.graph;
    ExportOptions options;
    options.classNames = {"a", "b", "c"};
    fs::path path = scratch() / "tiny.pt";
    Status s = exportTorchScript(p, path.string(), options);
    EXPECT_TRUE(s.ok()) << s.message();
    return path;
  }();
  return archive;
}

/// A TorchScript module that NeuralCanvas did not export (no meta.json): x -> x * 2 + 1.
const fs::path& foreignArchive() {
  static const fs::path archive = [] {
    torch::jit::Module m("Foreign");
    m.define("def forward(self, x):\n  return x * 2.0 + 1.0\n");
    fs::path path = scratch() / "foreign.pt";
    m.save(path.string());
    return path;
  }();
  return archive;
}

/// A foreign module that looks token ids up in an embedding table of 7 rows (ids >= 7 fail).
const fs::path& embeddingArchive() {
  static const fs::path archive = [] {
    torch::jit::Module m("Tokens");
    m.register_parameter("embed_weight", torch::randn({7, 3}), false);
    m.define("def forward(self, x):\n  return torch.embedding(self.embed_weight, x).sum(1)\n");
    fs::path path = scratch() / "tokens.pt";
    m.save(path.string());
    return path;
  }();
  return archive;
}

BenchmarkOptions quickOptions() {
  BenchmarkOptions o;
  o.batchSizes = {1, 4, 16};
  o.threads = {1, 2};
  o.secondsPerCase = 0.02;
  o.warmupRuns = 2;
  o.minRuns = 5;
  return o;
}

TEST(Benchmark, MeasuresEveryBatchAndThreadCaseWithConsistentFigures) {
  const int threadsBefore = torch::get_num_threads();
  torch::set_num_threads(1);
  std::vector<std::pair<int, int>> calls;
  BenchmarkReport r = benchmarkArchive(tinyArchive().string(), quickOptions(), [&](int done, int total, const BenchmarkCase& c) {
    calls.emplace_back(done, total);
    EXPECT_GT(c.runs, 0);
  });
  EXPECT_EQ(torch::get_num_threads(), 1) << "the caller's thread count is restored";
  torch::set_num_threads(threadsBefore);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.archive, tinyArchive().string());
  EXPECT_EQ(r.fileBytes, int64_t(fs::file_size(tinyArchive())));
  EXPECT_EQ(r.parameters, 4 * 1 * 3 * 3 + 4 + 3 * (4 * 8 * 8) + 3);  // conv 1->4 3x3 "same" (40), linear 256->3 (771)
  EXPECT_EQ(r.inputShape, (std::vector<int64_t>{1, 8, 8}));
  EXPECT_EQ(r.inputDtype, "float32");
  EXPECT_EQ(r.quantization, "none");
  ASSERT_EQ(r.cases.size(), 6u);
  ASSERT_EQ(calls.size(), 6u);
  size_t i = 0;
  for (int64_t batch : {1, 4, 16})
    for (int threads : {1, 2}) {
      const BenchmarkCase& c = r.cases[i];
      EXPECT_EQ(calls[i], std::make_pair(int(i) + 1, 6));
      ++i;
      SCOPED_TRACE("batch " + std::to_string(batch) + ", threads " + std::to_string(threads));
      EXPECT_EQ(c.batchSize, batch);
      EXPECT_EQ(c.threads, threads);
      EXPECT_GE(c.runs, 5);
      EXPECT_FALSE(c.capped);
      EXPECT_GT(c.p50Ms, 0);
      EXPECT_LE(c.p50Ms, c.p95Ms);
      EXPECT_LE(c.p95Ms, c.p99Ms);
      EXPECT_GT(c.meanMs, 0);
      EXPECT_NEAR(c.samplesPerSecond, double(batch) * 1000.0 / c.meanMs, 1e-6 * c.samplesPerSecond);
      EXPECT_GT(c.peakMemoryBytes, 0);
    }
  // Without thread counts: the current one only.
  BenchmarkOptions current = quickOptions();
  current.threads.clear();
  current.batchSizes = {2};
  BenchmarkReport one = benchmarkArchive(tinyArchive().string(), current);
  ASSERT_TRUE(one.ok()) << one.error;
  ASSERT_EQ(one.cases.size(), 1u);
  EXPECT_EQ(one.cases[0].threads, torch::get_num_threads());
}

TEST(Benchmark, JsonRoundTripCsvAndTable) {
  BenchmarkOptions o = quickOptions();
  o.threads = {1};
  BenchmarkReport r = benchmarkArchive(tinyArchive().string(), o);
  ASSERT_TRUE(r.ok()) << r.error;
  r.cases[0].capped = true;  // carried through as well
  const std::string json = benchmarkJson(r);
  BenchmarkReport back = parseBenchmarkJson(json);
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.archive, r.archive);
  EXPECT_EQ(back.fileBytes, r.fileBytes);
  EXPECT_EQ(back.parameters, r.parameters);
  EXPECT_EQ(back.inputShape, r.inputShape);
  EXPECT_EQ(back.inputDtype, r.inputDtype);
  EXPECT_EQ(back.quantization, r.quantization);
  ASSERT_EQ(back.cases.size(), r.cases.size());
  for (size_t i = 0; i < r.cases.size(); ++i) {
    EXPECT_EQ(back.cases[i].batchSize, r.cases[i].batchSize);
    EXPECT_EQ(back.cases[i].threads, r.cases[i].threads);
    EXPECT_EQ(back.cases[i].runs, r.cases[i].runs);
    EXPECT_EQ(back.cases[i].capped, r.cases[i].capped);
    EXPECT_DOUBLE_EQ(back.cases[i].p50Ms, r.cases[i].p50Ms);
    EXPECT_DOUBLE_EQ(back.cases[i].p99Ms, r.cases[i].p99Ms);
    EXPECT_DOUBLE_EQ(back.cases[i].samplesPerSecond, r.cases[i].samplesPerSecond);
    EXPECT_EQ(back.cases[i].peakMemoryBytes, r.cases[i].peakMemoryBytes);
  }
  EXPECT_EQ(benchmarkJson(back), json);

  const std::string csv = benchmarkCsv(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), int64_t(r.cases.size()) + 1);
  EXPECT_EQ(csv.rfind("batch_size,threads,runs,p50_ms,p95_ms,p99_ms,mean_ms,samples_per_second,peak_memory_bytes\n", 0), 0u);
  EXPECT_EQ(csv.find("\n16,1,"), csv.rfind('\n', csv.size() - 2));  // the last line is batch 16

  const std::string table = benchmarkTable(r);
  for (const char* part : {"file size", "parameters    811", "quantization  none", "p50 ms", "p95 ms", "p99 ms",
                           "samples/s", "peak MiB", "[1, 8, 8] float32", "* fewer runs than asked"})
    EXPECT_NE(table.find(part), std::string::npos) << part << "\n" << table;

  // Bad input: the error names the JSON path.
  nlohmann::json j = nlohmann::json::parse(json);
  struct Bad {
    std::function<void(nlohmann::json&)> change;
    std::string expected;
  };
  std::vector<Bad> bad{
      {[](nlohmann::json& v) { v["format"] = "other"; }, "format"},
      {[](nlohmann::json& v) { v.erase("archive"); }, "archive: missing"},
      {[](nlohmann::json& v) { v["file_bytes"] = -1; }, "file_bytes"},
      {[](nlohmann::json& v) { v["input"]["shape"][1] = "x"; }, "input.shape[1]"},
      {[](nlohmann::json& v) { v["cases"][2]["runs"] = "many"; }, "cases[2].runs"},
      {[](nlohmann::json& v) { v["cases"][0]["p95_ms"] = -3; }, "cases[0].p95_ms"},
      {[](nlohmann::json& v) { v["cases"][1] = 5; }, "cases[1]"},
      {[](nlohmann::json& v) { v["cases"][1]["capped"] = 1; }, "cases[1].capped"},
      {[](nlohmann::json& v) { v = nlohmann::json::array(); }, "top level"},
  };
  for (const auto& b : bad) {
    nlohmann::json v = j;
    b.change(v);
    BenchmarkReport p = parseBenchmarkJson(dumpJson(v));
    EXPECT_FALSE(p.ok()) << b.expected;
    EXPECT_NE(p.error.find(b.expected), std::string::npos) << p.error;
  }
  for (const std::string& text : {std::string(), std::string("{"), std::string(1000, '['), std::string("\xff\xfe")}) {
    BenchmarkReport p = parseBenchmarkJson(text);
    EXPECT_FALSE(p.ok());
    EXPECT_TRUE(p.cases.empty());
  }
}

TEST(Benchmark, MissingDamagedOrShapelessArchivesAndBadOptionsAreClearErrors) {
  BenchmarkOptions o = quickOptions();
  o.batchSizes = {1};
  o.threads = {1};
  const std::string missing = (scratch() / "nope.pt").string();
  BenchmarkReport r = benchmarkArchive(missing, o);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find(missing), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("not found"), std::string::npos) << r.error;

  // Damaged: flipped bytes (its checksum file beside it) and a file that is no archive at all.
  std::string bytes = readBytes(tinyArchive());
  bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x55);
  const fs::path damaged = scratch() / "damaged.pt";
  std::ofstream(damaged, std::ios::binary) << bytes;
  fs::copy_file(archiveChecksumPath(tinyArchive().string()), archiveChecksumPath(damaged.string()),
                fs::copy_options::overwrite_existing);
  r = benchmarkArchive(damaged.string(), o);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find(damaged.string()), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("damaged"), std::string::npos) << r.error;
  const fs::path junk = scratch() / "junk.pt";
  std::ofstream(junk, std::ios::binary) << "not an archive";
  r = benchmarkArchive(junk.string(), o);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find(junk.string() + ": not a TorchScript archive"), std::string::npos) << r.error;

  // Another tool's module: no recorded shape, so it must be given; then it runs.
  r = benchmarkArchive(foreignArchive().string(), o);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("no input shape"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("--input-shape"), std::string::npos) << r.error;
  BenchmarkOptions shaped = o;
  shaped.inputShape = {3, 5};
  r = benchmarkArchive(foreignArchive().string(), shaped);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.quantization, "none");
  EXPECT_EQ(r.parameters, 0);
  EXPECT_EQ(r.inputDtype, "float32");

  // Token ids stay below the embedding's row count (7): every run succeeds.
  BenchmarkOptions tokens = o;
  tokens.inputShape = {64};
  tokens.inputDtype = "int64";
  tokens.batchSizes = {1, 32};
  r = benchmarkArchive(embeddingArchive().string(), tokens);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.parameters, 21);
  EXPECT_EQ(r.cases.size(), 2u);

  // The wrong shape for our model: the failure names the archive and the shape.
  BenchmarkOptions wrong = o;
  wrong.inputShape = {3, 9};
  r = benchmarkArchive(tinyArchive().string(), wrong);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find(tinyArchive().string()), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("[3, 9]"), std::string::npos) << r.error;

  // Bad options are refused before anything is loaded.
  std::vector<std::pair<std::function<void(BenchmarkOptions&)>, std::string>> bad{
      {[](BenchmarkOptions& b) { b.batchSizes = {}; }, "no batch sizes"},
      {[](BenchmarkOptions& b) { b.batchSizes = {4, 0}; }, "batch size 0"},
      {[](BenchmarkOptions& b) { b.threads = {-1}; }, "thread count -1"},
      {[](BenchmarkOptions& b) { b.inputShape = {1, 0}; }, "input shape [1, 0]"},
      {[](BenchmarkOptions& b) { b.inputDtype = "float16"; }, "'float16'"},
      {[](BenchmarkOptions& b) { b.minRuns = 0; }, "minimum runs"},
      {[](BenchmarkOptions& b) { b.batchSizes = {int64_t(1) << 40}; }, "batch size 1099511627776"},
  };
  for (const auto& [change, expected] : bad) {
    BenchmarkOptions b = o;
    change(b);
    r = benchmarkArchive(tinyArchive().string(), b);
    EXPECT_FALSE(r.ok()) << expected;
    EXPECT_NE(r.error.find(expected), std::string::npos) << r.error;
    EXPECT_TRUE(r.cases.empty());
  }
}

TEST(Benchmark, CancelledRunStopsBetweenRunsAndRestoresTheThreadCount) {
  const int threadsBefore = torch::get_num_threads();
  torch::set_num_threads(1);
  BenchmarkOptions o = quickOptions();
  o.secondsPerCase = 600;  // would take an hour without the cancellation
  int polls = 0;
  BenchmarkReport r = benchmarkArchive(tinyArchive().string(), o, {}, [&] { return ++polls > 50; });
  EXPECT_EQ(torch::get_num_threads(), 1);
  torch::set_num_threads(threadsBefore);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "cancelled");
  EXPECT_EQ(polls, 51);
  EXPECT_TRUE(r.cases.empty());
  // Cancelled after the first case: that case is kept.
  o.secondsPerCase = 0.01;
  bool stop = false;
  r = benchmarkArchive(tinyArchive().string(), o, [&](int, int, const BenchmarkCase&) { stop = true; }, [&] { return stop; });
  EXPECT_EQ(r.error, "cancelled");
  EXPECT_EQ(r.cases.size(), 1u);
}

TEST(Benchmark, DynamicInt8ArchiveRunsAndReportsItsQuantizationAndFloatParameterCount) {
  ProjectLoad load = importProjectFromArchive(tinyArchive().string());
  ASSERT_TRUE(load.ok()) << load.error;
  ExportOptions options;
  options.classNames = {"a", "b", "c"};
  options.quantize = QuantizeMode::DynamicInt8;
  const fs::path archive = scratch() / "tiny_int8.pt";
  Status s = exportTorchScript(*load.project, archive.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();
  BenchmarkOptions o = quickOptions();
  o.threads = {1};
  BenchmarkReport r = benchmarkArchive(archive.string(), o);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.quantization, "dynamic-int8");
  EXPECT_EQ(r.parameters, 811);  // the float model's, from meta.json (packed weights are no parameters)
  EXPECT_EQ(r.cases.size(), 3u);
  EXPECT_LT(r.fileBytes, int64_t(fs::file_size(tinyArchive())));
}

TEST(Benchmark, OpenBlasRunsSingleThreadedBesideLibTorchsThreadsAndIsPutBack) {
  // Regression: OpenBLAS's own pool (one thread per core, spinning after each call) ran beside
  // LibTorch's OpenMP threads: with 2 threads a batch-1 pass of the CNN template took ~12 ms
  // instead of ~0.4 ms. During the benchmark BLAS is single-threaded; the caller's count returns.
  auto get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  auto set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!get || !set) GTEST_SKIP() << "LibTorch does not use OpenBLAS here";
  const int before = get();
  set(2);
  std::vector<int> during;
  BenchmarkOptions o = quickOptions();
  o.batchSizes = {1, 8};
  BenchmarkReport r = benchmarkArchive(tinyArchive().string(), o, [&](int, int, const BenchmarkCase&) {
    during.push_back(get());
  });
  EXPECT_EQ(get(), 2);
  set(before);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(during, std::vector<int>(4, 1));
}

int64_t minorPageFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return int64_t(usage.ru_minflt);
}

TEST(Benchmark, ForwardPassesReuseFreedMemoryInsteadOfPageFaultingItInAgain) {
  // Regression: glibc's malloc returned the activations' blocks to the system after every forward
  // pass, so each run page-faulted them in again (~1,500 faults per run of the CNN template at
  // batch 32 with 1 thread, 3-4x slower than the arithmetic). Counted, not timed: the second of two
  // identical cases may fault in its new input and a little more, not every run's activations.
  ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/cnn.json");
  ASSERT_TRUE(load.ok()) << load.error;
  ExportOptions exportOptions;
  exportOptions.classNames = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  const fs::path archive = scratch() / "cnn.pt";
  ASSERT_TRUE(exportTorchScript(*load.project, archive.string(), exportOptions).ok());
  BenchmarkOptions o;
  o.batchSizes = {32, 32};
  o.threads = {1};
  o.secondsPerCase = 0;
  o.warmupRuns = 2;
  o.minRuns = 20;
  std::vector<int64_t> faults;
  const int threadsBefore = torch::get_num_threads();
  BenchmarkReport r = benchmarkArchive(archive.string(), o, [&](int, int, const BenchmarkCase&) {
    faults.push_back(minorPageFaults());
  });
  torch::set_num_threads(threadsBefore);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(faults.size(), 2u);
  const int64_t perCase = faults[1] - faults[0];
  EXPECT_LT(perCase, 20 * 100) << perCase << " minor page faults in 22 forward passes";
}

// ---------------------------------------------------------------------------------------------
// The CLI

struct CliRun {
  int exitCode = -1;
  std::string output;
};

CliRun cli(const std::string& args) {
  int status = 0;
  CliRun r;
  r.output = runCommand(std::string(NC_CLI_PATH) + " benchmark " + args, &status);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(BenchmarkCli, WritesTheTableJsonAndCsvAndNamesEveryProblem) {
  const fs::path json = scratch() / "cli.json";
  const fs::path csv = scratch() / "cli.csv";
  CliRun r = cli(tinyArchive().string() + " --batch-sizes 1,8 --threads 1,2 --seconds 0.02 --min-runs 4 --json " +
                 json.string() + " --csv " + csv.string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (const char* part : {"file size", "parameters    811", "quantization  none", "batch", "threads", "runs",
                           "p50 ms", "p99 ms", "samples/s", "peak MiB"})
    EXPECT_NE(r.output.find(part), std::string::npos) << part << "\n" << r.output;
  BenchmarkReport saved = parseBenchmarkJson(readBytes(json));
  ASSERT_TRUE(saved.ok()) << saved.error;
  ASSERT_EQ(saved.cases.size(), 4u);
  for (const auto& c : saved.cases) EXPECT_GE(c.runs, 4);
  EXPECT_EQ(saved.cases[3].batchSize, 8);
  EXPECT_EQ(saved.cases[3].threads, 2);
  const std::string csvText = readBytes(csv);
  EXPECT_EQ(std::count(csvText.begin(), csvText.end(), '\n'), 5);
  for (const auto& e : fs::directory_iterator(scratch()))  // written atomically: no temp files left
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();

  // Another tool's module with --input-shape, and --json -: only JSON on stdout (the table goes
  // to stderr).
  int status = 0;
  std::string stdoutOnly = runCommand("(" + std::string(NC_CLI_PATH) + " benchmark " + foreignArchive().string() +
                                          " --input-shape 2,3 --batch-sizes 2 --threads 1 --seconds 0.01 --json - " +
                                          "2>/dev/null)",
                                      &status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  BenchmarkReport piped = parseBenchmarkJson(stdoutOnly);
  ASSERT_TRUE(piped.ok()) << piped.error << "\n" << stdoutOnly;
  EXPECT_EQ(piped.cases.size(), 1u);
  EXPECT_EQ(piped.inputShape, (std::vector<int64_t>{2, 3}));

  // Every problem is named (each CLI start costs about a second: the list parser's cases are few).
  struct Case {
    std::string args;
    int exit;
    std::string message;
  };
  const std::string tiny = tinyArchive().string();
  std::vector<Case> cases{
      {(scratch() / "absent.pt").string(), 2, "absent.pt: file not found"},
      {(scratch() / "junk.pt").string(), 1, "not a TorchScript archive"},
      {foreignArchive().string() + " --seconds 0.01", 1, "--input-shape"},
      {tiny + " --batch-sizes 1,,8", 64, "--batch-sizes expects a comma-separated list of integers from 1 to 1048576, got '' in '1,,8'"},
      {"", 64, "usage: neuralcanvas-cli benchmark MODEL.pt [--batch-sizes 1,8,32,128]"},
      {tiny + " --seconds 0.01 --batch-sizes 1 --json " + (scratch() / "no/such/dir/x.json").string(), 1, "x.json"},
  };
  std::ofstream(scratch() / "junk.pt") << "junk";
  for (const auto& c : cases) {
    CliRun e = cli(c.args);
    EXPECT_EQ(e.exitCode, c.exit) << c.args << "\n" << e.output;
    EXPECT_NE(e.output.find(c.message), std::string::npos) << c.args << "\n" << e.output;
  }
}

}  // namespace
}  // namespace nc::test

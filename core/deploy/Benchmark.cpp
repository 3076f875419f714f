// Deployment benchmark of an exported TorchScript archive (issue 12, section 1).
#include "core/deploy/Benchmark.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <malloc.h>
#include <torch/script.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/JsonUtil.h"
#include "core/TextFormat.h"
#include "core/deploy/Quantize.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/ResourceMonitor.h"

namespace nc::core {

namespace {

/// One batch of this many elements at most (4 GiB of float32): a larger one is refused.
constexpr int64_t kMaxInputElements = int64_t(1) << 30;

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string torchMessage(const c10::Error& e) { return std::string(e.what_without_backtrace()).substr(0, 300); }

/// Sets LibTorch's intra-op thread count and puts the caller's back when it goes out of scope.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : m_saved(at::get_num_threads()) {}
  ~ThreadCountGuard() {
    if (at::get_num_threads() != m_saved) at::set_num_threads(m_saved);
  }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;
  int saved() const { return m_saved; }

 private:
  int m_saved;
};

/// OpenBLAS (Debian's LibTorch does its matrix products with it) keeps a pool of its own threads,
/// one per core, beside LibTorch's OpenMP threads: its workers spin (sched_yield) after each call and
/// fight the OpenMP workers for the cores, and it ignores at::set_num_threads. With 2 threads on 2
/// cores that made a batch-1 pass of the CNN template ~30x slower (12 ms instead of 0.4). LibTorch
/// parallelizes itself with OpenMP, so BLAS runs single-threaded while benchmarking (the caller's
/// setting is put back afterwards). Found at run time: nothing happens without OpenBLAS.
class BlasThreadGuard {
 public:
  BlasThreadGuard() {
    m_set = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    m_get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    if (!m_set || !m_get) return;
    m_saved = m_get();
    m_set(1);
  }
  ~BlasThreadGuard() {
    if (m_set && m_saved > 0) m_set(m_saved);
  }
  BlasThreadGuard(const BlasThreadGuard&) = delete;
  BlasThreadGuard& operator=(const BlasThreadGuard&) = delete;

 private:
  void (*m_set)(int) = nullptr;
  int (*m_get)() = nullptr;
  int m_saved = 0;
};

/// glibc's malloc by default returns large freed blocks to the system (blocks over the dynamic mmap
/// threshold are unmapped, the heap top above 128 KiB is trimmed), so every forward pass page-faults
/// its activations in anew: with the CNN template at batch 32 that made a pass 3-4x slower than the
/// arithmetic. Freed blocks up to 32 MiB (glibc's maximum threshold) stay in the heap for reuse, and
/// the heap is trimmed only above 1 GiB of free top -- what a server does with jemalloc/tcmalloc.
/// Process-wide and kept afterwards (the peak memory figures include what it keeps).
void keepFreedMemoryForReuse() {
#ifdef __GLIBC__
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  });
#endif
}

/// Nearest-rank percentile of sorted values (p in (0, 100]).
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = size_t(std::ceil(p / 100.0 * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

/// What the archive says about itself (NeuralCanvas exports: neuralcanvas/meta.json).
struct ArchiveInfo {
  std::vector<int64_t> shape;
  std::string dtype;
  int64_t vocab = 0;
  int64_t parameters = -1;
  std::string quantization = "none";
};

ArchiveInfo readMeta(const std::string& text) {
  ArchiveInfo info;
  if (text.empty()) return info;
  JsonParse parsed = parseJson(text);
  if (!parsed.ok() || !parsed.value.is_object()) return info;
  const nlohmann::json& meta = parsed.value;
  auto input = meta.find("input");
  if (input != meta.end() && input->is_object()) {
    auto shape = input->find("shape");
    if (shape != input->end() && shape->is_array()) {
      bool ok = true;
      std::vector<int64_t> dims;
      for (const auto& d : *shape) {
        ok = ok && d.is_number_integer() && d.get<int64_t>() > 0;
        if (ok) dims.push_back(d.get<int64_t>());
      }
      if (ok && !dims.empty()) info.shape = dims;
    }
    auto dtype = input->find("dtype");
    if (dtype != input->end() && dtype->is_string()) info.dtype = dtype->get<std::string>();
    auto vocab = input->find("vocab_size");
    if (vocab != input->end() && vocab->is_number_integer()) info.vocab = vocab->get<int64_t>();
  }
  auto quantization = meta.find("quantization");
  if (quantization != meta.end() && quantization->is_string()) info.quantization = toUtf8(quantization->get<std::string>());
  auto parameters = meta.find("parameters");
  if (parameters != meta.end() && parameters->is_number_integer()) info.parameters = parameters->get<int64_t>();
  return info;
}

/// The vocabulary size of the first embedding table among the module's parameters; 0 if none.
int64_t embeddingRows(const torch::jit::Module& module) {
  for (const auto& p : module.named_parameters(/*recurse=*/true)) {
    std::string name = p.name;
    std::transform(name.begin(), name.end(), name.begin(), [](char c) { return char(std::tolower(static_cast<unsigned char>(c))); });
    if (name.find("embed") != std::string::npos && p.value.dim() == 2) return p.value.size(0);
  }
  return 0;
}

}  // namespace

BenchmarkReport benchmarkArchive(const std::string& archive, const BenchmarkOptions& options,
                                 const BenchmarkProgress& progress, const std::function<bool()>& cancelled) {
  BenchmarkReport report;
  report.archive = archive;
  auto fail = [&](const std::string& message) {
    report.error = archive + ": " + message;
    return report;
  };
  // Options first: nothing is loaded for a bad request.
  if (options.batchSizes.empty()) return fail("no batch sizes to measure");
  for (int64_t b : options.batchSizes)
    if (b <= 0) return fail("batch size " + std::to_string(b) + " is not a positive number");
  for (int t : options.threads)
    if (t <= 0) return fail("thread count " + std::to_string(t) + " is not a positive number");
  for (int64_t d : options.inputShape)
    if (d <= 0) return fail("input shape " + shapeText(options.inputShape) + " has a dimension that is not positive");
  if (!options.inputDtype.empty() && options.inputDtype != "float32" && options.inputDtype != "int64")
    return fail("input dtype '" + toUtf8(options.inputDtype) + "' is not float32 or int64");
  if (!(options.secondsPerCase >= 0) || options.warmupRuns < 0 || options.minRuns < 1)
    return fail("bad timing options (seconds per case >= 0, warm-up runs >= 0, minimum runs >= 1)");

  std::error_code ec;
  report.fileBytes = int64_t(std::filesystem::file_size(archive, ec));
  if (ec) report.fileBytes = 0;
  useFastQuantizedEngine();  // before loading: quantized archives repack their weights at load time
  if (Status v = verifyArchive(archive); !v) {
    report.error = v.message();  // names the archive: missing, not an archive, damaged
    return report;
  }
  torch::jit::Module module;
  ArchiveInfo info;
  try {
    torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", ""}};
    module = torch::jit::load(archive, torch::kCPU, extra);
    module.eval();
    info = readMeta(extra["neuralcanvas/meta.json"]);
  } catch (const c10::Error& e) {
    return fail("cannot load the archive: " + torchMessage(e));
  } catch (const std::exception& e) {
    return fail("cannot load the archive: " + std::string(e.what()).substr(0, 300));
  }
  report.quantization = info.quantization;
  report.inputShape = options.inputShape.empty() ? info.shape : options.inputShape;
  if (report.inputShape.empty())
    return fail("the archive records no input shape (it has no neuralcanvas/meta.json): give the shape of one "
                "sample without the batch dimension (--input-shape, e.g. 1,28,28)");
  report.inputDtype = !options.inputDtype.empty() ? options.inputDtype : info.dtype.empty() ? "float32" : info.dtype;
  if (report.inputDtype != "float32" && report.inputDtype != "int64")
    return fail("the archive's input dtype '" + toUtf8(report.inputDtype) + "' is not float32 or int64");
  if (info.parameters >= 0) {
    report.parameters = info.parameters;
  } else {
    for (const auto& p : module.parameters(/*recurse=*/true)) report.parameters += p.numel();
  }
  int64_t vocab = info.vocab > 0 ? info.vocab : embeddingRows(module);
  if (vocab <= 0) vocab = 2;  // token ids 0..1

  int64_t sampleElements = 1;
  for (int64_t d : report.inputShape) {
    if (d > kMaxInputElements / sampleElements) return fail("input shape " + shapeText(report.inputShape) + " is too large");
    sampleElements *= d;
  }
  for (int64_t b : options.batchSizes)
    if (b > kMaxInputElements / sampleElements)
      return fail("batch size " + std::to_string(b) + " of input " + shapeText(report.inputShape) + " needs more than " +
                  groupThousands(kMaxInputElements) + " input elements");

  keepFreedMemoryForReuse();
  ThreadCountGuard threadGuard;
  BlasThreadGuard blasGuard;
  const std::vector<int> threadCounts = options.threads.empty() ? std::vector<int>{threadGuard.saved()} : options.threads;
  const int total = int(options.batchSizes.size() * threadCounts.size());
  // A case stops at secondsPerCase once it has minRuns runs; a slow case (huge batch) stops at this
  // time limit with however many runs it has (at least kMinCappedRuns), and at kMaxRuns runs at most.
  const double caseLimitSeconds = std::max(30.0, 10.0 * options.secondsPerCase);
  constexpr int64_t kMinCappedRuns = 3;
  constexpr int64_t kMaxRuns = 1000000;
  using Clock = std::chrono::steady_clock;
  auto isCancelled = [&] { return cancelled && cancelled(); };

  try {
    c10::InferenceMode inference;
    for (int64_t batch : options.batchSizes) {
      std::vector<int64_t> sizes{batch};
      sizes.insert(sizes.end(), report.inputShape.begin(), report.inputShape.end());
      for (int threads : threadCounts) {
        at::set_num_threads(threads);
        torch::Tensor input = report.inputDtype == "int64" ? torch::randint(0, vocab, sizes, torch::kLong)
                                                           : torch::rand(sizes, torch::kFloat);
        std::vector<torch::jit::IValue> args{input};
        resetPeakResident();  // the peak from here on: model, input, activations of this case
        for (int i = 0; i < options.warmupRuns; ++i) {
          if (isCancelled()) {
            report.error = "cancelled";
            return report;
          }
          module.forward(args);
        }
        std::vector<double> ms;
        ms.reserve(4096);
        BenchmarkCase c;
        c.batchSize = batch;
        c.threads = threads;
        double elapsed = 0;
        while (true) {
          if (isCancelled()) {
            report.error = "cancelled";
            return report;
          }
          const auto start = Clock::now();
          module.forward(args);
          const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
          ms.push_back(seconds * 1000.0);
          elapsed += seconds;
          const auto runs = int64_t(ms.size());
          if (runs >= options.minRuns && elapsed >= options.secondsPerCase) break;
          if (runs >= kMaxRuns || (runs >= kMinCappedRuns && elapsed >= caseLimitSeconds)) {
            c.capped = runs < options.minRuns;
            break;
          }
        }
        c.peakMemoryBytes = std::max<int64_t>(peakResidentBytes(), 0);
        c.runs = int64_t(ms.size());
        c.meanMs = elapsed * 1000.0 / double(ms.size());
        std::sort(ms.begin(), ms.end());
        c.p50Ms = percentile(ms, 50);
        c.p95Ms = percentile(ms, 95);
        c.p99Ms = percentile(ms, 99);
        c.samplesPerSecond = c.meanMs > 0 ? double(batch) * 1000.0 / c.meanMs : 0;
        report.cases.push_back(c);
        if (progress) progress(int(report.cases.size()), total, c);
      }
    }
  } catch (const c10::Error& e) {
    return fail("the model failed on a " + report.inputDtype + " input of shape " + shapeText(report.inputShape) +
                " per sample: " + torchMessage(e));
  } catch (const std::exception& e) {
    return fail("the model failed on a " + report.inputDtype + " input of shape " + shapeText(report.inputShape) +
                " per sample: " + std::string(e.what()).substr(0, 300));
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Output formats

std::string benchmarkJson(const BenchmarkReport& report) {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto& c : report.cases)
    cases.push_back({{"batch_size", c.batchSize},
                     {"threads", c.threads},
                     {"runs", c.runs},
                     {"capped", c.capped},
                     {"p50_ms", c.p50Ms},
                     {"p95_ms", c.p95Ms},
                     {"p99_ms", c.p99Ms},
                     {"mean_ms", c.meanMs},
                     {"samples_per_second", c.samplesPerSecond},
                     {"peak_memory_bytes", c.peakMemoryBytes}});
  nlohmann::json j = {{"format", "neuralcanvas-benchmark"},
                      {"version", 1},
                      {"neuralcanvas_version", NC_VERSION},
                      {"archive", toUtf8(report.archive)},
                      {"file_bytes", report.fileBytes},
                      {"parameters", report.parameters},
                      {"input", {{"shape", report.inputShape}, {"dtype", toUtf8(report.inputDtype)}}},
                      {"quantization", toUtf8(report.quantization)},
                      {"cases", cases}};
  if (!report.ok()) j["error"] = toUtf8(report.error);
  return dumpJson(j, 2) + "\n";
}

namespace {

std::string fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

}  // namespace

std::string benchmarkCsv(const BenchmarkReport& report) {
  std::string csv = "batch_size,threads,runs,p50_ms,p95_ms,p99_ms,mean_ms,samples_per_second,peak_memory_bytes\n";
  for (const auto& c : report.cases)
    csv += std::to_string(c.batchSize) + "," + std::to_string(c.threads) + "," + std::to_string(c.runs) + "," +
           fixed(c.p50Ms, 4) + "," + fixed(c.p95Ms, 4) + "," + fixed(c.p99Ms, 4) + "," + fixed(c.meanMs, 4) + "," +
           fixed(c.samplesPerSecond, 1) + "," + std::to_string(c.peakMemoryBytes) + "\n";
  return csv;
}

std::string benchmarkTable(const BenchmarkReport& report) {
  std::ostringstream out;
  const double mib = 1024.0 * 1024.0;
  out << "archive       " << report.archive << "\n";
  out << "file size     " << fixed(double(report.fileBytes) / mib, 2) << " MiB (" << groupThousands(report.fileBytes)
      << " bytes)\n";
  out << "parameters    " << groupThousands(report.parameters) << "\n";
  out << "quantization  " << report.quantization << "\n";
  out << "input         " << shapeText(report.inputShape) << " " << report.inputDtype << " per sample\n";
  out << std::right << std::setw(7) << "batch" << std::setw(9) << "threads" << std::setw(9) << "runs" << std::setw(11)
      << "p50 ms" << std::setw(11) << "p95 ms" << std::setw(11) << "p99 ms" << std::setw(14) << "samples/s"
      << std::setw(11) << "peak MiB" << "\n";
  bool anyCapped = false;
  for (const auto& c : report.cases) {
    auto ms = [](double v) { return fixed(v, v < 10 ? 3 : v < 1000 ? 2 : 0); };
    out << std::setw(7) << c.batchSize << std::setw(9) << c.threads << std::setw(9)
        << (std::to_string(c.runs) + (c.capped ? "*" : "")) << std::setw(11) << ms(c.p50Ms) << std::setw(11)
        << ms(c.p95Ms) << std::setw(11) << ms(c.p99Ms) << std::setw(14)
        << groupThousands(int64_t(std::llround(c.samplesPerSecond))) << std::setw(11)
        << fixed(double(c.peakMemoryBytes) / mib, 1) << "\n";
    anyCapped = anyCapped || c.capped;
  }
  out << "Latency of one forward pass of the whole batch after the warm-up runs; peak MiB is the peak resident\n"
         "memory of the whole process during the case (model, input and activations included).\n";
  if (anyCapped)
    out << "* fewer runs than asked: each run was so slow that the case stopped at its time limit.\n";
  if (!report.ok()) out << "error: " << report.error << "\n";
  return out.str();
}

// ---------------------------------------------------------------------------------------------

namespace {

/// A bad value in a saved benchmark: the message names its JSON path.
struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const nlohmann::json& field(const nlohmann::json& obj, const std::string& key, const std::string& path,
                            const char* expected) {
  auto it = obj.find(key);
  if (it == obj.end()) throw BadField(path + ": missing (expected " + expected + ")");
  return *it;
}

[[noreturn]] void badValue(const std::string& path, const char* expected, const nlohmann::json& v) {
  throw BadField(path + ": expected " + expected + ", got " + describeJson(v));
}

int64_t readInteger(const nlohmann::json& obj, const std::string& key, const std::string& path, int64_t min) {
  const char* expected = min > 0 ? "a positive integer" : "an integer >= 0";
  const nlohmann::json& v = field(obj, key, path, expected);
  if (!v.is_number_integer() || v.get<int64_t>() < min) badValue(path, expected, v);
  return v.get<int64_t>();
}

double readNumber(const nlohmann::json& obj, const std::string& key, const std::string& path) {
  const nlohmann::json& v = field(obj, key, path, "a number >= 0");
  if (!v.is_number() || !(v.get<double>() >= 0) || !std::isfinite(v.get<double>())) badValue(path, "a number >= 0", v);
  return v.get<double>();
}

std::string readString(const nlohmann::json& obj, const std::string& key, const std::string& path) {
  const nlohmann::json& v = field(obj, key, path, "a string");
  if (!v.is_string()) badValue(path, "a string", v);
  return v.get<std::string>();
}

BenchmarkReport readReport(const nlohmann::json& j) {
  BenchmarkReport report;
  if (!j.is_object()) badValue("(top level)", "an object", j);
  const nlohmann::json& format = field(j, "format", "format", "\"neuralcanvas-benchmark\"");
  if (format != "neuralcanvas-benchmark") badValue("format", "\"neuralcanvas-benchmark\"", format);
  report.archive = readString(j, "archive", "archive");
  report.fileBytes = readInteger(j, "file_bytes", "file_bytes", 0);
  report.parameters = readInteger(j, "parameters", "parameters", 0);
  report.quantization = readString(j, "quantization", "quantization");
  const nlohmann::json& input = field(j, "input", "input", "an object");
  if (!input.is_object()) badValue("input", "an object", input);
  report.inputDtype = readString(input, "dtype", "input.dtype");
  const nlohmann::json& shape = field(input, "shape", "input.shape", "an array");
  if (!shape.is_array()) badValue("input.shape", "an array", shape);
  for (size_t i = 0; i < shape.size(); ++i) {
    const std::string at = "input.shape[" + std::to_string(i) + "]";
    if (!shape[i].is_number_integer() || shape[i].get<int64_t>() <= 0) badValue(at, "a positive integer", shape[i]);
    report.inputShape.push_back(shape[i].get<int64_t>());
  }
  const nlohmann::json& cases = field(j, "cases", "cases", "an array");
  if (!cases.is_array()) badValue("cases", "an array", cases);
  for (size_t i = 0; i < cases.size(); ++i) {
    const nlohmann::json& e = cases[i];
    const std::string at = "cases[" + std::to_string(i) + "]";
    if (!e.is_object()) badValue(at, "an object", e);
    BenchmarkCase c;
    c.batchSize = readInteger(e, "batch_size", at + ".batch_size", 1);
    int64_t threads = readInteger(e, "threads", at + ".threads", 1);
    if (threads > (1 << 20)) badValue(at + ".threads", "a thread count", e["threads"]);
    c.threads = int(threads);
    c.runs = readInteger(e, "runs", at + ".runs", 1);
    c.p50Ms = readNumber(e, "p50_ms", at + ".p50_ms");
    c.p95Ms = readNumber(e, "p95_ms", at + ".p95_ms");
    c.p99Ms = readNumber(e, "p99_ms", at + ".p99_ms");
    c.meanMs = readNumber(e, "mean_ms", at + ".mean_ms");
    c.samplesPerSecond = readNumber(e, "samples_per_second", at + ".samples_per_second");
    c.peakMemoryBytes = readInteger(e, "peak_memory_bytes", at + ".peak_memory_bytes", 0);
    if (auto capped = e.find("capped"); capped != e.end()) {
      if (!capped->is_boolean()) badValue(at + ".capped", "true or false", *capped);
      c.capped = capped->get<bool>();
    }
    report.cases.push_back(c);
  }
  if (auto error = j.find("error"); error != j.end()) {
    if (!error->is_string() || error->get<std::string>().empty()) badValue("error", "a message", *error);
    report.error = error->get<std::string>();
  }
  return report;
}

}  // namespace

BenchmarkReport parseBenchmarkJson(const std::string& text) {
  JsonParse parsed = parseJson(text);
  BenchmarkReport report;
  if (!parsed.ok()) {
    report.error = "not a benchmark: " + parsed.error;
    return report;
  }
  try {
    return readReport(parsed.value);
  } catch (const BadField& e) {
    report.error = std::string("not a benchmark: ") + e.what();
    return report;
  }
}

}  // namespace nc::core

// neuralcanvas-cli compress: fp32 vs int8 vs pruned (and pruned + int8) variants of a trained model,
// each exported and measured as deployed, with a comparison table and report.json.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/Project.h"
#include "core/deploy/Compression.h"

namespace nc::app {

using namespace nc::core;

namespace {

std::atomic<bool> g_interrupted{false};

void onCompressInterrupt(int) { g_interrupted = true; }

const char* kCompressUsage =
    "usage: neuralcanvas-cli compress PROJECT --checkpoint FILE --out DIR [options]\n\n"
    "Makes smaller and faster variants of a trained model and measures each one as deployed: the\n"
    "float model (fp32.pt), dynamic int8 (int8.pt), structurally pruned (pruned.pt: fewer channels,\n"
    "a rewritten graph in DIR/pruned/project.json that the editor opens, with its checkpoint) and\n"
    "pruned + int8 (pruned-int8.pt), magnitude-pruned (sparse.pt: the smallest weights zeroed, the\n"
    "graph unchanged; DIR/sparse/ holds its checkpoint) and sparse + int8 (sparse-int8.pt). For each: test accuracy of the exported archive (validation\n"
    "split when the data has no test split), file size, parameters, FLOPs per sample and latency\n"
    "(p50) at batch 1 and 32, the archive's size compressed with zlib, and the share of zero weights\n"
    "(sparse variants: dense storage and dense kernels gain nothing from zeros; a compressed copy\n"
    "does). Prints a comparison table and writes DIR/report.json.\n\n"
    "options:\n"
    "  --checkpoint FILE        the trained weights (a run's checkpoints/best.pt)\n"
    "  --out DIR                output folder, new or empty\n"
    "  --prune F                share of output channels cut per Conv2d/Linear, 0 <= F < 1 (default 0: none)\n"
    "  --sparsity S             share of Conv/Linear/recurrent/attention weights zeroed, the smallest\n"
    "                           magnitudes across the whole model, 0 <= S < 1 (default 0: none)\n"
    "  --fine-tune N            epochs of fine-tuning after pruning, for each pruned variant; zeros\n"
    "                           stay zero in the sparse one (default 0)\n"
    "  --quantize MODE          none (default) or dynamic-int8 (Linear, LSTM, GRU and\n"
    "                           Transformer feed-forward weights)\n"
    "  --eval-limit N           evaluate on the first N test samples only (default: all)\n"
    "  --seconds S              measured time per latency case (default 1)\n"
    "  --threads N              LibTorch threads for the latency figures (default: current)\n"
    "Ctrl-C stops between steps (no report is written).\n"
    "Exit status: 0 done, 1 failed, 2 project unreadable, 3 stopped, 64 usage.\n";

/// One rewritten line on a TTY; otherwise a line whenever the stage changes.
class StagePrinter {
 public:
  explicit StagePrinter(bool tty) : m_tty(tty) {}
  void operator()(const std::string& stage, double fraction) {
    const int width = 20;
    int filled = int(width * fraction);
    std::ostringstream line;
    line << "[" << std::string(size_t(filled), '#') << std::string(size_t(width - filled), '.') << "] " << std::setw(3)
         << int(fraction * 100 + 0.5) << "%  " << stage;
    if (m_tty) {
      auto now = std::chrono::steady_clock::now();
      if (stage == m_lastStage && fraction < 1 && now - m_lastDraw < std::chrono::milliseconds(100)) return;
      m_lastDraw = now;
      std::cout << "\r" << line.str() << "\033[K" << std::flush;
    } else if (stage != m_lastStage) {
      std::cout << line.str() << "\n" << std::flush;
    }
    m_lastStage = stage;
  }
  void close() {
    if (m_tty) std::cout << "\r\033[K" << std::flush;
  }

 private:
  bool m_tty;
  std::string m_lastStage;
  std::chrono::steady_clock::time_point m_lastDraw;
};

}  // namespace

int runCompress(const std::vector<std::string>& args) {
  Options opts(args, {"--checkpoint", "--out", "--prune", "--sparsity", "--fine-tune", "--quantize", "--eval-limit", "--seconds",
                      "--threads"});
  if (auto exit = opts.helpOrUsageError(
          kCompressUsage, opts.positional().size() == 1 && opts.has("--checkpoint") && opts.has("--out")))
    return *exit;
  CompressOptions options;
  options.checkpoint = opts.get("--checkpoint");
  options.outDir = opts.get("--out");
  try {
    if (opts.has("--prune")) options.pruneFraction = opts.real("--prune", 0, 0.99);
    if (opts.has("--sparsity")) options.sparsity = opts.real("--sparsity", 0, 0.999);
    if (opts.has("--fine-tune")) options.fineTuneEpochs = int(opts.integer("--fine-tune", 0, 10000));
    if (opts.has("--quantize")) {
      std::string mode = opts.choice("--quantize", {"none", "dynamic-int8"});
      options.quantize = parseQuantizeMode(mode).value_or(QuantizeMode::None);
    }
    if (opts.has("--eval-limit")) options.evalLimit = opts.integer("--eval-limit", 1, int64_t(1) << 40);
    if (opts.has("--seconds")) options.benchmarkSeconds = opts.real("--seconds", 0.001, 3600);
    if (opts.has("--threads")) options.threads = int(opts.integer("--threads", 1, 1024));
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (options.fineTuneEpochs > 0 && options.pruneFraction == 0 && options.sparsity == 0) {
    std::cerr << "error: --fine-tune needs --prune or --sparsity (fine-tuning follows the pruning)\n";
    return kExitUsage;
  }
  ProjectLoad load = loadProject(opts.positional()[0]);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }

  g_interrupted = false;
  std::signal(SIGINT, onCompressInterrupt);
  std::signal(SIGTERM, onCompressInterrupt);
  StagePrinter printer(::isatty(STDOUT_FILENO));
  std::cout << "compressing " << opts.positional()[0] << " (" << options.checkpoint << ") -> " << options.outDir << "\n";
  CompressReport report = compressModel(
      *load.project, options, [&](const std::string& stage, double fraction) { printer(stage, fraction); },
      [] { return g_interrupted.load(); });
  printer.close();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  if (!report.status) {
    if (report.status.message() == "cancelled") {
      std::cerr << "stopped: no report was written (the files made so far stay in " << options.outDir << ")\n";
      return 3;
    }
    std::cerr << "error: " << report.status.message() << "\n";
    return kExitInvalid;
  }
  std::cout << "\n" << compressReportTable(report) << "\n";
  std::cout << "accuracy on the " << report.evalSplit << " split (" << report.evalSamples
            << " samples, each archive run as exported); latency p50 per batch; FLOPs per sample\n";
  for (const auto& v : report.variants) std::cout << "  " << v.name << ": " << v.note << "\n";
  for (const auto& n : report.notes) std::cout << "note: " << n << "\n";
  for (const auto& v : report.variants)
    if (v.name == "pruned") std::cout << "pruned project: " << v.project << " (weights " << v.checkpoint << ")\n";
  std::cout << "report: " << report.reportPath << "\n";
  return kExitOk;
}

}  // namespace nc::app

// neuralcanvas-cli train / eval.
#include <unistd.h>

#include <atomic>

#include <chrono>
#include <csignal>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/FileIO.h"
#include "core/JsonUtil.h"
#include "core/Project.h"
#include "core/TextFormat.h"
#include "core/training/ClassMetrics.h"
#include "core/training/RunFolder.h"
#include "core/training/Trainer.h"

namespace nc::app {

using namespace nc::core;
namespace fs = std::filesystem;

namespace {

std::atomic<TrainingControl*> g_control{nullptr};

void onInterrupt(int) {
  if (TrainingControl* c = g_control.load()) c->requestStop();
}

std::string clock(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  int64_t s = int64_t(seconds + 0.5);
  std::ostringstream os;
  if (s >= 3600) os << s / 3600 << ":" << std::setw(2) << std::setfill('0') << (s / 60) % 60;
  else os << s / 60;
  os << ":" << std::setw(2) << std::setfill('0') << s % 60;
  return os.str();
}

/// Progress on the terminal: one rewritten line on a TTY, plain periodic lines otherwise.
class ProgressPrinter : public TrainingObserver {
 public:
  ProgressPrinter(int64_t epochs, bool tty) : m_epochs(epochs), m_tty(tty) {}

  void onStep(const StepMetrics& m) override {
    if (m_firstStep < 0) m_firstStep = m.step - 1;
    int64_t done = m.step - m_firstStep;
    int64_t remaining = m_epochs * m.batchesPerEpoch - m.step;
    double eta = done > 0 ? m.elapsedSeconds / double(done) * double(remaining) : NAN;
    std::ostringstream line;
    line << "epoch " << m.epoch << "/" << m_epochs << " " << bar(m.batch, m.batchesPerEpoch) << " " << m.batch << "/"
         << m.batchesPerEpoch << "  loss " << std::fixed << std::setprecision(4) << m.loss << "  acc "
         << std::setprecision(3) << m.accuracy << "  " << std::setprecision(0) << m.samplesPerSecond
         << " samples/s  ETA " << clock(eta);
    if (m_tty) {
      auto now = std::chrono::steady_clock::now();
      if (m.batch != m.batchesPerEpoch && now - m_lastDraw < std::chrono::milliseconds(100)) return;
      m_lastDraw = now;
      std::cout << "\r" << line.str() << "\033[K" << std::flush;
    } else if (m.batch == 1 || m.batch % std::max<int64_t>(1, m.batchesPerEpoch / 10) == 0) {
      std::cout << line.str() << "\n" << std::flush;
    }
  }
  /// Validation and test passes: a rewritten "testing 4,000 / 10,000" line on a TTY; otherwise one
  /// line when the test pass starts and one when it ends (validation is summed up by the epoch log).
  void onPhase(const PhaseProgress& p) override {
    if (p.phase == RunPhase::Loading) return;
    const char* verb = p.phase == RunPhase::Test ? "testing" : "validating";
    std::ostringstream line;
    line << verb << " " << bar(p.done, p.total) << " " << groupThousands(p.done) << " / " << groupThousands(p.total);
    if (m_tty) {
      auto now = std::chrono::steady_clock::now();
      if (p.done != 0 && p.done != p.total && now - m_lastDraw < std::chrono::milliseconds(100)) return;
      m_lastDraw = now;
      std::cout << "\r" << line.str() << "\033[K" << std::flush;
    } else if (p.phase == RunPhase::Test && (p.done == 0 || p.done == p.total)) {
      std::cout << line.str() << "\n" << std::flush;
    }
  }
  void onLog(const std::string& msg) override {
    if (m_tty) std::cout << "\r\033[K";
    std::cout << msg << "\n" << std::flush;
  }
  /// Diagnostics alarms (issue 14) as they are raised, naming the node (also in log.txt).
  void onAlarm(const TrainingAlarm& a) override {
    if (m_tty) std::cout << "\r\033[K";
    std::cout << "alarm: " << a.message << "\n" << std::flush;
  }

 private:
  static std::string bar(int64_t done, int64_t total) {
    const int width = 20;
    int filled = total > 0 ? int(width * done / total) : 0;
    return "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "]";
  }
  int64_t m_epochs;
  bool m_tty;
  int64_t m_firstStep = -1;
  std::chrono::steady_clock::time_point m_lastDraw;
};

/// runs/<project>-<date>-<time>, with "-2", "-3", ... when that folder exists (an earlier run,
/// or another one started in the same second). The folder is created here, so the name is ours.
std::string defaultRunDir(const std::string& projectPath, std::string& error) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  return createUniqueRunDirectory("runs", fs::path(projectPath).stem().string() + "-" + stamp, error);
}

const char* kTrainUsage =
    "usage: neuralcanvas-cli train PROJECT [options]\n"
    "       neuralcanvas-cli train --resume RUN_DIR [options]\n\n"
    "Trains the project's model on its data, writing a run folder (settings snapshot, metrics.csv,\n"
    "metrics.jsonl, log.txt, checkpoints/last.pt and best.pt, result.json).\n\n"
    "options:\n"
    "  --epochs N         number of epochs (total, counting resumed ones)\n"
    "  --batch-size N     samples per batch\n"
    "  --accumulate-steps N\n"
    "                     gradient accumulation: each optimizer step sums the gradients of N\n"
    "                     batches (1-4096; effective batch = batch size x N). Steps, the schedule\n"
    "                     and warm-up count optimizer steps; BatchNorm statistics update per batch\n"
    "  --precision float32|bfloat16|float16\n"
    "                     arithmetic of the training forward pass: bfloat16 = autocast (CPU or\n"
    "                     CUDA), float16 = autocast with dynamic loss scaling (CUDA only).\n"
    "                     Weights, optimizer state and checkpoints stay float32; validation and\n"
    "                     test run in float32\n"
    "  --lr X             learning rate\n"
    "  --device cpu|cuda  where to train (cuda fails at once when no GPU is available)\n"
    "  --threads N        LibTorch threads\n"
    "  --limit N          use only the first N training samples\n"
    "  --out DIR          run folder, new or empty (default: runs/<project>-<date>-<time>, made unique)\n"
    "  --resume DIR       continue the run in DIR from its last checkpoint\n"
    "A new run never writes into a folder that already holds files. A resumed run keeps its settings:\n"
    "only --epochs (more than already done), --threads, --device and --precision may change; other changes are\n"
    "refused, naming each difference. Checkpoints are verified against their SHA-256 before use.\n"
    "Ctrl-C stops cleanly; the last finished epoch's checkpoint stays valid.\n"
    "Exit status: 0 completed, 1 failed, 2 project unreadable, 3 stopped.\n";

}  // namespace

int runTrain(const std::vector<std::string>& args) {
  Options opts(args, {"--epochs", "--batch-size", "--accumulate-steps", "--precision", "--lr", "--device", "--threads", "--limit", "--out", "--resume"});
  if (auto exit = opts.helpOrUsageError(
          kTrainUsage, opts.positional().size() == 1 || (opts.positional().empty() && opts.has("--resume")))) return *exit;
  std::string resumeDir = opts.get("--resume");
  std::string projectPath = opts.positional().empty() ? (fs::path(resumeDir) / "project.json").string()
                                                      : opts.positional()[0];
  ProjectLoad load = loadProject(projectPath);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  TrainJob job;
  job.project = std::move(*load.project);
  TrainConfig& t = job.project.training;
  try {
    if (opts.has("--epochs")) t.epochs = opts.integer("--epochs", 1, 100000);
    if (opts.has("--batch-size")) t.batchSize = opts.integer("--batch-size", 1, 1 << 20);
    if (opts.has("--lr")) t.learningRate = opts.real("--lr", 1e-12, 10);
    if (opts.has("--threads")) t.threads = opts.integer("--threads", 0, 1024);
    if (opts.has("--limit")) job.project.data.limit = opts.integer("--limit", 0, int64_t(1) << 40);
    if (opts.has("--device")) t.device = opts.choice("--device", {"cpu", "cuda"});
    if (opts.has("--accumulate-steps")) t.accumulateSteps = opts.integer("--accumulate-steps", 1, 4096);
    if (opts.has("--precision")) t.precision = opts.choice("--precision", {"float32", "bfloat16", "float16"});
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!resumeDir.empty()) {
    job.runDirectory = opts.has("--out") ? opts.get("--out") : resumeDir;
    job.resumeCheckpoint = (fs::path(resumeDir) / "checkpoints" / "last.pt").string();
  } else if (opts.has("--out")) {
    job.runDirectory = opts.get("--out");
  } else {
    std::string error;
    job.runDirectory = defaultRunDir(projectPath, error);
    if (job.runDirectory.empty()) {
      std::cerr << "error: " << error << "\n";
      return kExitInvalid;
    }
  }

  TrainingControl control;
  g_control = &control;
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
  ProgressPrinter printer(t.epochs, ::isatty(STDOUT_FILENO));
  std::cout << "training " << projectPath << " -> " << job.runDirectory << "\n";
  RunResult r = runTraining(job, printer, control);
  g_control = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  if (r.status == RunStatus::Failed) {
    std::cerr << "error: " << r.message << "\n";
    return kExitInvalid;
  }
  if (r.testAccuracy >= 0)
    std::cout << "test accuracy: " << std::fixed << std::setprecision(4) << r.testAccuracy << "  (loss " << r.testLoss
              << ")\n";
  std::cout << "run folder: " << r.runDirectory << "\n";
  return r.status == RunStatus::Stopped ? 3 : kExitOk;
}

namespace {

/// eval --json: the figures, the confusion matrix and the per-class scores as one object.
nlohmann::json evalJson(const EvalResult& r, const std::string& project, const std::string& checkpoint) {
  nlohmann::json j = {{"project", toUtf8(project)},
                      {"checkpoint", toUtf8(checkpoint)},
                      {"split", r.split},
                      {"samples", r.samples},
                      {"loss", r.loss},
                      {"accuracy", r.accuracy}};
  if (!r.confusion.empty()) {
    const ClassMetrics m = computeClassMetrics(r.confusion, r.classNames);
    nlohmann::json names = nlohmann::json::array();
    for (const ClassScore& c : m.classes) names.push_back(toUtf8(c.name));
    j["class_names"] = names;
    j["confusion"] = r.confusion;  // [true][predicted]
    const nlohmann::json metrics = classMetricsJson(m);
    for (const char* key : {"per_class", "macro_avg", "weighted_avg"}) j[key] = metrics[key];
  }
  return j;
}

}  // namespace

int runEval(const std::vector<std::string>& args) {
  Options opts(args, {"--checkpoint", "--json"});
  const char* usage =
      "usage: neuralcanvas-cli eval PROJECT --checkpoint FILE [--json FILE|-]\n\n"
      "Evaluates a checkpoint on the project's test data (its validation split when the data has no\n"
      "test split) and prints loss and accuracy; for classification also each class's precision, recall,\n"
      "F1 and support, with their macro and weighted averages.\n"
      "  --json FILE   also write the figures, the confusion matrix ([true][predicted]) and the\n"
      "                per-class scores as JSON ('-': only the JSON, on stdout)\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1 && opts.has("--checkpoint"))) return *exit;
  ProjectLoad load = loadProject(opts.positional()[0]);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  EvalResult r = evaluateCheckpoint(*load.project, opts.get("--checkpoint"));
  if (!r.ok) {
    std::cerr << "error: " << r.error << "\n";
    return kExitInvalid;
  }
  if (opts.has("--json")) {
    const std::string text = evalJson(r, opts.positional()[0], opts.get("--checkpoint")).dump(2) + "\n";
    if (opts.get("--json") == "-") {
      std::cout << text;
      return kExitOk;
    }
    if (Status s = writeFileAtomic(opts.get("--json"), text); !s) {
      std::cerr << "error: " << s.message() << "\n";
      return kExitInvalid;
    }
  }
  std::cout << r.split << " loss: " << std::fixed << std::setprecision(4) << r.loss << "\n"
            << r.split << " accuracy: " << r.accuracy << "  (" << r.samples << " samples)\n";
  if (!r.confusion.empty())
    std::cout << "\nper class (" << r.split << " split):\n"
              << classMetricsTable(computeClassMetrics(r.confusion, r.classNames));
  if (opts.has("--json")) std::cout << "wrote " << opts.get("--json") << "\n";
  return kExitOk;
}

}  // namespace nc::app

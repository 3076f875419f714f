// neuralcanvas-cli sweep PROJECT --param TARGET=SPEC ...: an offline hyper-parameter sweep
// (core/sweep/Sweep.h): trials one after another as ordinary run folders, a progress line per
// trial and epoch, a final table sorted by the best validation accuracy; Ctrl-C stops cleanly and
// `sweep --resume DIR` continues.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/JsonDocument.h"
#include "core/Project.h"
#include "core/TextFormat.h"
#include "core/sweep/Sweep.h"
#include "core/training/RunFolder.h"

namespace nc::app {

using namespace nc::core;
namespace fs = std::filesystem;

namespace {

std::atomic<TrainingControl*> g_sweepControl{nullptr};

void onSweepInterrupt(int) {
  if (TrainingControl* c = g_sweepControl.load()) c->requestStop();
}

const char* kSweepUsage =
    "usage: neuralcanvas-cli sweep PROJECT --param TARGET=SPEC [--param ...] [options]\n"
    "       neuralcanvas-cli sweep --resume SWEEP_DIR\n\n"
    "Trains the project several times with different settings, one trial after another, and\n"
    "compares them. Each trial is an ordinary run folder SWEEP_DIR/trial-NNN (the dashboard and\n"
    "`eval` read it like any run); SWEEP_DIR/sweep.json holds the spec, the base project and every\n"
    "trial, SWEEP_DIR/sweep.csv one row per trial. Both are rewritten after every epoch.\n\n"
    "TARGET: training.KEY (a key of the project's training settings, e.g. learning_rate,\n"
    "        batch_size, optimizer), data.KEY, or NODE.PARAM (a node's parameter by the node's\n"
    "        name, e.g. conv1.out_channels)\n"
    "SPEC:   LOW:HIGH or LOW:HIGH:log  a range (whole numbers when the setting is an integer)\n"
    "        A,B,C                     choices (numbers or words)\n"
    "Every value must be valid for its setting; a trial whose model then has errors fails.\n\n"
    "options:\n"
    "  --param T=SPEC       a swept setting; repeat for more\n"
    "  --trials N           number of trials (default 12; grid: at most N)\n"
    "  --strategy random|grid\n"
    "                       random (default): ranges drawn uniformly (log-uniformly for :log),\n"
    "                       choices uniformly, from --seed; grid: every combination, the last\n"
    "                       --param varying fastest, ranges cut into evenly spaced levels\n"
    "  --epochs N           epochs per trial (default 2; overrides the project's)\n"
    "  --early-stop median|none\n"
    "                       median: after each epoch, stop a trial whose validation accuracy is\n"
    "                       below the median of the earlier trials' accuracy at that epoch (once\n"
    "                       at least 2 earlier trials reached it). Default none\n"
    "  --limit N            use only the first N training samples in every trial\n"
    "  --seed S             the random strategy's seed (default 0)\n"
    "  --out DIR            the sweep folder, new or empty (default sweeps/<project>-<date>-<time>);\n"
    "                       a folder holding the same sweep is resumed\n"
    "  --resume DIR         continue a stopped sweep with its own settings: finished trials are kept,\n"
    "                       the interrupted one starts again\n\n"
    "example:\n"
    "  neuralcanvas-cli sweep resources/templates/cnn.json --param training.learning_rate=1e-4:1e-2:log \\\n"
    "      --param training.batch_size=32,64,128 --param conv1.out_channels=16,32,64 --trials 12 --epochs 2 \\\n"
    "      --early-stop median\n\n"
    "Ctrl-C stops after the current batch; the sweep can be resumed.\n"
    "Exit status: 0 completed, 1 failed (or every trial failed), 2 project or sweep unreadable,\n"
    "3 stopped, 64 bad options.\n";

std::string fmt(double v, const char* format = "%.4f") {
  if (!std::isfinite(v)) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string valuesText(const SweepTrial& t) {
  std::string s;
  for (const auto& v : t.values) s += (s.empty() ? "" : "  ") + printableExcerpt(v.target) + "=" + printableExcerpt(sweepValueText(v));
  return s;
}

/// A line per trial and epoch; on a terminal also a rewritten line with the batches and the
/// validation and test passes of the current trial.
class SweepPrinter : public SweepObserver {
 public:
  SweepPrinter(int64_t trials, int64_t epochs, bool tty) : m_trials(trials), m_epochs(epochs), m_tty(tty) {}
  void onTrialStarted(const SweepTrial& t) override {
    clear();
    std::cout << head(t) << "started  " << valuesText(t) << "\n" << std::flush;
  }
  void onTrialStep(const SweepTrial& t, const StepMetrics& m) override {
    draw(t, m.batch == m.batchesPerEpoch,
         "epoch " + std::to_string(m.epoch) + "/" + std::to_string(m_epochs) + "  batch " + std::to_string(m.batch) +
             "/" + std::to_string(m.batchesPerEpoch) + "  loss " + fmt(m.loss));
  }
  void onTrialPhase(const SweepTrial& t, const PhaseProgress& p) override {
    if (p.phase == RunPhase::Loading) return;
    draw(t, p.done == p.total,
         std::string(p.phase == RunPhase::Test ? "testing " : "validating ") + groupThousands(p.done) + " / " +
             groupThousands(p.total));
  }
  void onTrialEpoch(const SweepTrial& t, const EpochMetrics& m) override {
    clear();
    std::cout << head(t) << "epoch " << m.epoch << "/" << m_epochs << "  train loss " << fmt(m.trainLoss)
              << "  val loss " << fmt(m.valLoss) << "  val accuracy " << fmt(m.valAccuracy) << "  ("
              << fmt(m.seconds, "%.1f") << " s)\n"
              << std::flush;
  }
  void onTrialFinished(const SweepTrial& t) override {
    clear();
    std::cout << head(t) << t.status;
    if (t.status == "completed" || t.status == "stopped_early")
      std::cout << "  best val accuracy " << fmt(t.bestValAccuracy) << "  test accuracy " << fmt(t.testAccuracy);
    std::cout << "  (" << fmt(t.seconds, "%.1f") << " s)";
    if (!t.message.empty()) std::cout << "\n    " << t.message;
    std::cout << "\n" << std::flush;
  }
  void onLog(const std::string& line) override {
    clear();
    std::cout << line << "\n" << std::flush;
  }
  void clear() {
    if (m_open) std::cout << "\r\033[K";
    m_open = false;
  }

 private:
  void draw(const SweepTrial& t, bool last, const std::string& text) {
    if (!m_tty) return;
    auto now = std::chrono::steady_clock::now();
    if (!last && now - m_lastDraw < std::chrono::milliseconds(100)) return;
    m_lastDraw = now;
    std::cout << "\r" << head(t) << text << "\033[K" << std::flush;
    m_open = true;
  }
  std::string head(const SweepTrial& t) const {
    return "trial " + std::to_string(t.index) + "/" + std::to_string(m_trials) + "  ";
  }
  int64_t m_trials, m_epochs;
  bool m_tty, m_open = false;
  std::chrono::steady_clock::time_point m_lastDraw;
};

/// The final table, best validation accuracy first (trials without one last).
void printTable(const SweepState& st) {
  std::vector<const SweepTrial*> rows;
  int64_t pending = 0;
  for (const auto& t : st.trials) {
    if (t.status == "pending") ++pending;
    else rows.push_back(&t);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const SweepTrial* a, const SweepTrial* b) {
    bool fa = std::isfinite(a->bestValAccuracy), fb = std::isfinite(b->bestValAccuracy);
    if (fa != fb) return fa;
    return fa && a->bestValAccuracy > b->bestValAccuracy;
  });
  std::vector<std::string> header = {"trial", "status"};
  for (const auto& p : st.spec.params) header.push_back(printableExcerpt(p.target, 40));
  for (const char* h : {"best val acc", "test acc", "epochs", "params", "MFLOPs", "seconds"}) header.push_back(h);
  std::vector<std::vector<std::string>> cells = {header};
  for (const SweepTrial* t : rows) {
    std::vector<std::string> row = {std::to_string(t->index), t->status};
    for (const auto& v : t->values) row.push_back(printableExcerpt(sweepValueText(v), 40));
    row.push_back(fmt(t->bestValAccuracy));
    row.push_back(fmt(t->testAccuracy));
    row.push_back(std::to_string(t->epochs.size()));
    row.push_back(t->params > 0 ? groupThousands(t->params) : "-");
    row.push_back(t->flops > 0 ? fmt(double(t->flops) / 1e6, "%.1f") : "-");
    row.push_back(fmt(t->seconds, "%.1f"));
    cells.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : cells)
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  for (const auto& row : cells) {
    std::string line;
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) {
      std::string cell = row[c];
      bool left = c < 2 + st.spec.params.size() && c != 0;
      std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
      line += (c ? "  " : "") + (left ? cell + pad : pad + cell);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  }
  if (pending > 0) std::cout << pending << " trial" << (pending == 1 ? "" : "s") << " pending\n";
}

std::string defaultSweepDir(const std::string& projectPath, std::string& error) {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  return createUniqueRunDirectory("sweeps", fs::path(projectPath).stem().string() + "-" + stamp, error);
}

}  // namespace

int runSweepCommand(const std::vector<std::string>& args) {
  Options opts(args, {"--param", "--trials", "--strategy", "--epochs", "--early-stop", "--limit", "--seed", "--out",
                      "--resume"});
  const bool resume = opts.has("--resume");
  const bool shapeOk = resume ? opts.positional().empty() : opts.positional().size() == 1 && opts.has("--param");
  if (auto exit = opts.helpOrUsageError(kSweepUsage, shapeOk)) return *exit;

  Project project;
  SweepSpec spec;
  std::string dir;
  if (resume) {
    for (const char* o : {"--param", "--trials", "--strategy", "--epochs", "--early-stop", "--limit", "--seed", "--out"})
      if (opts.has(o)) {
        std::cerr << "error: --resume takes no " << o << ": the sweep's settings are in its sweep.json\n"
                  << kSweepUsage;
        return kExitUsage;
      }
    dir = opts.get("--resume");
    SweepState st;
    if (Status s = loadSweep(dir, st); !s) {
      std::cerr << "error: " << s.message() << "\n";
      return kExitUnreadable;
    }
    ProjectLoad load = parseProject(st.projectJson);
    if (!load.ok()) {
      std::cerr << "error: " << dir << "/sweep.json: /project: " << load.error << "\n";
      return kExitUnreadable;
    }
    project = std::move(*load.project);
    spec = st.spec;
  } else {
    const std::string projectPath = opts.positional()[0];
    ProjectLoad load = loadProject(projectPath);
    if (!load.ok()) {
      std::cerr << "error: " << load.error << "\n";
      return kExitUnreadable;
    }
    project = std::move(*load.project);
    try {
      if (opts.has("--trials")) spec.trials = opts.integer("--trials", 1, 100000);
      if (opts.has("--strategy")) spec.strategy = opts.choice("--strategy", {"random", "grid"});
      if (opts.has("--epochs")) spec.epochs = opts.integer("--epochs", 1, 100000);
      if (opts.has("--early-stop")) spec.medianStop = opts.choice("--early-stop", {"median", "none"}) == "median";
      if (opts.has("--limit")) spec.limit = opts.integer("--limit", 0, int64_t(1) << 40);
      if (opts.has("--seed")) spec.seed = opts.integer("--seed", 0, int64_t(1) << 53);
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << "\n";
      return kExitUsage;
    }
    for (const std::string& text : opts.all("--param")) {
      SweepParam p;
      if (Status s = parseSweepParam(text, project, p); !s) {
        std::cerr << "error: --param " << s.message() << "\n";
        return kExitUsage;
      }
      spec.params.push_back(std::move(p));
    }
    if (Status s = checkSweepSpec(spec); !s) {
      std::cerr << "error: " << s.message() << "\n";
      return kExitUsage;
    }
    if (opts.has("--out")) {
      dir = opts.get("--out");
    } else {
      std::string error;
      dir = defaultSweepDir(projectPath, error);
      if (dir.empty()) {
        std::cerr << "error: " << error << "\n";
        return kExitInvalid;
      }
    }
  }

  TrainingControl control;
  g_sweepControl = &control;
  std::signal(SIGINT, onSweepInterrupt);
  std::signal(SIGTERM, onSweepInterrupt);
  int64_t trials = int64_t(sweepTrialValues(spec).size());
  SweepPrinter printer(trials, spec.epochs, ::isatty(STDOUT_FILENO));
  std::cout << (resume ? "resuming sweep " : "sweep -> ") << dir << "  (" << trials << " trials, " << spec.strategy
            << ", " << spec.epochs << " epoch" << (spec.epochs == 1 ? "" : "s") << " each"
            << (spec.medianStop ? ", median stopping" : "") << ")\n"
            << std::flush;
  SweepResult r = runSweep(project, resume ? SweepSpec{} : spec, dir, printer, control);
  g_sweepControl = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  printer.clear();
  if (!r.ok) {
    std::cerr << "error: " << r.error << "\n";
    return kExitInvalid;
  }
  std::cout << "\n";
  printTable(r.state);
  std::cout << "\nsweep: " << (fs::path(dir) / "sweep.json").string() << "\n"
            << "table: " << (fs::path(dir) / "sweep.csv").string() << "\n";
  if (r.stopped) {
    std::cout << "stopped; continue with: neuralcanvas-cli sweep --resume " << dir << "\n";
    return 3;
  }
  bool anyOk = std::any_of(r.state.trials.begin(), r.state.trials.end(),
                           [](const SweepTrial& t) { return t.status != "failed"; });
  return anyOk ? kExitOk : kExitInvalid;
}

}  // namespace nc::app

// neuralcanvas-cli lr-find PROJECT: the learning-rate range test (core/training/LrFinder.h), a
// chart of the smoothed loss against the rate on the terminal, the suggested rate, and with
// --apply that rate written into the project file.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/FileIO.h"
#include "core/JsonUtil.h"
#include "core/Project.h"
#include "core/TextFormat.h"
#include "core/training/LrFinder.h"
#include "core/training/TrainingEvents.h"

namespace nc::app {

using namespace nc::core;

namespace {

std::atomic<TrainingControl*> g_lrControl{nullptr};

void onLrInterrupt(int) {
  if (TrainingControl* c = g_lrControl.load()) c->requestStop();
}

std::string num(double v, const char* format = "%.3g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

const char* kLrFindUsage =
    "usage: neuralcanvas-cli lr-find PROJECT [--steps N] [--min-lr X] [--max-lr X] [--limit N]\n"
    "                                [--batch-size N] [--csv FILE] [--apply]\n\n"
    "The learning-rate range test: a copy of the project's model (built as training builds it:\n"
    "same seed, same normalization) is trained with the project's optimizer settings while the\n"
    "rate grows exponentially from --min-lr to --max-lr, one batch per step. The loss of each step\n"
    "is smoothed (exponential average, beta 0.9, bias-corrected); the test stops early once the\n"
    "smoothed loss exceeds 4x its best value (the rate is too high: training diverges) or the loss\n"
    "becomes NaN. Nothing is saved but what --csv and --apply ask for; the project is not trained.\n\n"
    "The suggested rate is where the smoothed loss falls fastest against the rate (on a copy of\n"
    "the curve smoothed without lag), but at most a tenth of the rate where it is lowest. It is a\n"
    "starting point: the schedule, warm-up and batch size of the real run still matter.\n\n"
    "options:\n"
    "  --steps N          steps of the test (2-100000, default 200: 25 per decade of the default range)\n"
    "  --min-lr X         the first step's rate (default 1e-7)\n"
    "  --max-lr X         the last step's rate (default 10)\n"
    "  --limit N          use only the first N training samples (default: the project's data limit)\n"
    "  --batch-size N     samples per step (default: the project's batch size)\n"
    "  --csv FILE         write step,learning_rate,loss,smoothed_loss for every step\n"
    "  --apply            write the suggested rate into PROJECT's training.learning_rate (atomically;\n"
    "                     the rest of the file is kept)\n"
    "Ctrl-C stops the test; the steps so far are shown.\n"
    "Exit status: 0 done, 1 failed (or --apply without a suggestion), 2 project unreadable,\n"
    "3 stopped, 64 bad options.\n";

/// Progress on the terminal: one rewritten line on a TTY, a line every 10 % otherwise.
class LrProgress {
 public:
  LrProgress(int64_t steps, bool tty) : m_steps(steps), m_tty(tty) {}
  void operator()(const LrFinderPoint& p) {
    std::string line = "step " + std::to_string(p.step) + "/" + std::to_string(m_steps) + "  rate " +
                       num(p.learningRate, "%.2e") + "  loss " + num(p.loss, "%.4f") + "  smoothed " +
                       num(p.smoothedLoss, "%.4f");
    if (m_tty) {
      std::cout << "\r" << line << "\033[K" << std::flush;
      m_open = true;
    } else if (p.step == 1 || p.step % std::max<int64_t>(1, m_steps / 10) == 0) {
      std::cout << line << "\n" << std::flush;
    }
  }
  void end() {
    if (m_open) std::cout << "\n";
    m_open = false;
  }

 private:
  int64_t m_steps;
  bool m_tty, m_open = false;
};

/// The smoothed loss against log10(rate) as characters: '*' the curve, '^' above the top of the
/// chart (the diverging tail), 'S' the suggested rate on the axis.
void printChart(const LrFinderResult& r) {
  const auto& pts = r.points;
  if (pts.size() < 2) return;
  const int width = 64, height = 14;
  const double x0 = std::log10(pts.front().learningRate), x1 = std::log10(pts.back().learningRate);
  double lo = pts.front().smoothedLoss, first = pts.front().smoothedLoss;
  for (const auto& p : pts) lo = std::min(lo, p.smoothedLoss);
  // The top: a little above the start, so the interesting part (the fall) fills the chart.
  double hi = std::max(first, lo) + 0.15 * std::max(first - lo, 1e-6);
  std::vector<std::string> rows(size_t(height), std::string(size_t(width), ' '));
  auto column = [&](double lr) {
    double t = x1 > x0 ? (std::log10(lr) - x0) / (x1 - x0) : 0;
    return std::clamp(int(std::lround(t * (width - 1))), 0, width - 1);
  };
  for (const auto& p : pts) {
    int c = column(p.learningRate);
    if (p.smoothedLoss > hi) {
      rows[0][size_t(c)] = '^';
      continue;
    }
    double t = hi > lo ? (p.smoothedLoss - lo) / (hi - lo) : 0;
    int row = std::clamp(int(std::lround((1 - t) * (height - 1))), 0, height - 1);
    rows[size_t(row)][size_t(c)] = '*';
  }
  std::cout << "\nsmoothed loss against the learning rate (log scale):\n";
  for (int i = 0; i < height; ++i) {
    std::string label = i == 0 ? num(hi, "%.4g") : i == height - 1 ? num(lo, "%.4g") : "";
    std::printf("%10s |%s\n", label.c_str(), rows[size_t(i)].c_str());
  }
  std::string axis(size_t(width), '-');
  if (r.hasSuggestion() && r.suggestedLearningRate >= pts.front().learningRate &&
      r.suggestedLearningRate <= pts.back().learningRate)
    axis[size_t(column(r.suggestedLearningRate))] = 'S';
  std::printf("%10s +%s\n", "", axis.c_str());
  std::string left = num(pts.front().learningRate, "%.0e"), right = num(pts.back().learningRate, "%.0e");
  std::printf("%10s  %s%*s\n", "", left.c_str(), int(width - left.size()), right.c_str());
}

/// A row a decade (the first step at or after each power of ten) of rate, loss and smoothed loss.
void printTable(const LrFinderResult& r) {
  std::cout << "\n  learning rate    loss    smoothed\n";
  double next = -1e9;
  for (size_t i = 0; i < r.points.size(); ++i) {
    const auto& p = r.points[i];
    double decade = std::floor(std::log10(p.learningRate) + 1e-9);
    if (decade < next && i + 1 != r.points.size()) continue;
    next = decade + 1;
    std::printf("  %12.2e  %8.4f  %8.4f\n", p.learningRate, p.loss, p.smoothedLoss);
  }
}

Status writeCsv(const std::string& path, const LrFinderResult& r) {
  std::ostringstream os;
  os << "step,learning_rate,loss,smoothed_loss\n";
  for (const auto& p : r.points)
    os << p.step << "," << num(p.learningRate, "%.6g") << "," << num(p.loss, "%.6g") << ","
       << num(p.smoothedLoss, "%.6g") << "\n";
  return writeFileAtomic(path, os.str());
}

/// Sets training.learning_rate in the project file's JSON, keeping everything else of it.
Status applyRate(const std::string& path, double rate) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(path + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  JsonParse parsed = parseJson(buffer.str());
  if (!parsed.ok()) return Status::error(path + ": " + parsed.error);
  nlohmann::json& root = parsed.value;
  if (!root.is_object()) return Status::error(path + ": not a project (the top level is not an object)");
  if (!root.contains("training")) root["training"] = nlohmann::json::object();
  if (!root["training"].is_object()) return Status::error(path + ": /training is not an object");
  root["training"]["learning_rate"] = rate;
  std::string text = dumpJson(root, 2) + "\n";
  ProjectLoad check = parseProject(text);  // never write a file that would no longer load
  if (!check.ok()) return Status::error(path + ": the project would not load with the new rate: " + check.error);
  return writeFileAtomic(path, text);
}

}  // namespace

int runLrFind(const std::vector<std::string>& args) {
  bool apply = false;  // the one option without a value
  std::vector<std::string> rest;
  for (const auto& a : args) {
    if (a == "--apply") apply = true;
    else rest.push_back(a);
  }
  Options parsed(rest, {"--steps", "--min-lr", "--max-lr", "--limit", "--batch-size", "--csv"});
  if (auto exit = parsed.helpOrUsageError(kLrFindUsage, parsed.positional().size() == 1)) return *exit;
  LrFinderOptions options;
  try {
    if (parsed.has("--steps")) options.steps = parsed.integer("--steps", 2, 100000);
    if (parsed.has("--min-lr")) options.minLearningRate = parsed.real("--min-lr", 1e-12, 1e6);
    if (parsed.has("--max-lr")) options.maxLearningRate = parsed.real("--max-lr", 1e-12, 1e6);
    if (parsed.has("--limit")) options.limit = parsed.integer("--limit", 1, int64_t(1) << 40);
    if (parsed.has("--batch-size")) options.batchSize = parsed.integer("--batch-size", 1, 1 << 20);
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!(options.maxLearningRate > options.minLearningRate)) {
    std::cerr << "error: --max-lr (" << num(options.maxLearningRate) << ") must be larger than --min-lr ("
              << num(options.minLearningRate) << ")\n";
    return kExitUsage;
  }
  const std::string projectPath = parsed.positional()[0];
  ProjectLoad load = loadProject(projectPath);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  const Project& project = *load.project;
  std::cout << "learning-rate range test of " << projectPath << ": " << options.steps << " steps, rate "
            << num(options.minLearningRate, "%.0e") << " -> " << num(options.maxLearningRate, "%.0e") << ", optimizer "
            << project.training.optimizer << ", batch "
            << (options.batchSize > 0 ? options.batchSize : project.training.batchSize) << "\n"
            << std::flush;

  TrainingControl control;
  g_lrControl = &control;
  std::signal(SIGINT, onLrInterrupt);
  std::signal(SIGTERM, onLrInterrupt);
  LrProgress printer(options.steps, ::isatty(STDOUT_FILENO));
  LrFinderResult r = findLearningRate(project, options, &control, [&](const LrFinderPoint& p) { printer(p); });
  printer.end();
  g_lrControl = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  if (!r.ok()) {
    std::cerr << "error: " << r.error << "\n";
    return kExitInvalid;
  }
  std::cout << lrFinderStopName(r.stop) << ": " << r.message << " (" << num(r.seconds, "%.1f") << " s, "
            << groupThousands(r.trainingSamples) << " training samples)\n";
  printChart(r);
  printTable(r);
  if (parsed.has("--csv")) {
    if (Status s = writeCsv(parsed.get("--csv"), r); !s) {
      std::cerr << "error: " << s.message() << "\n";
      return kExitInvalid;
    }
    std::cout << "\nwrote " << parsed.get("--csv") << "\n";
  }
  std::cout << "\n";
  if (r.hasSuggestion()) {
    std::cout << "suggested learning rate: " << num(r.suggestedLearningRate, "%.2g") << "  (" << r.suggestion
              << "; the project has " << num(project.training.learningRate, "%.3g") << ")\n";
  } else {
    std::cout << "no suggestion: " << r.suggestion << "\n";
  }
  if (apply) {
    if (!r.hasSuggestion()) {
      std::cerr << "error: nothing to apply (no suggested rate); " << projectPath << " was not changed\n";
      return kExitInvalid;
    }
    if (r.stop == LrFinderStop::Stopped) {
      std::cerr << "error: the test was stopped; " << projectPath << " was not changed\n";
      return 3;
    }
    if (Status s = applyRate(projectPath, r.suggestedLearningRate); !s) {
      std::cerr << "error: " << s.message() << "\n";
      return kExitInvalid;
    }
    std::cout << "wrote learning_rate " << num(r.suggestedLearningRate, "%.2g") << " into " << projectPath << "\n";
  }
  return r.stop == LrFinderStop::Stopped ? 3 : kExitOk;
}

}  // namespace nc::app

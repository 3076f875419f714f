// The learning-rate range test (core/training/LrFinder.h) on a tiny model and synthetic data, the
// suggestion rule on made-up curves, and `neuralcanvas-cli lr-find` as a user runs it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "BlobData.h"
#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/JsonUtil.h"
#include "core/data/Dataset.h"
#include "core/training/LrFinder.h"
#include "core/training/Trainer.h"

namespace nc::test::lr_finder_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)

using namespace nc::core;

/// Four Gaussian blobs in 8-D (a small MLP separates them quickly).
inline std::shared_ptr<Dataset> blobs(int64_t n = 1024) {
  return nc::test::blobDataset({11, n, 0, 4, 8, 2});
}

inline Project mlp(const std::string& optimizer = "adam") {
  Project p = nc::test::blobMlp();
  p.name = "lr-mlp";
  p.training.epochs = 1;
  p.training.optimizer = optimizer;
  p.training.learningRate = 0.5;
  return p;
}

/// Made-up points: rates 1e-6 .. 1 over n steps, losses from `loss(log10 rate)`, ending (as the
/// finder does) once the loss exceeds 4x its lowest value.
template <class F>
std::vector<LrFinderPoint> curve(int n, F loss) {
  std::vector<LrFinderPoint> pts;
  double lowest = 1e300;
  for (int i = 0; i < n; ++i) {
    double x = -6 + 6.0 * i / (n - 1);
    pts.push_back({i + 1, std::pow(10.0, x), loss(x), loss(x)});
    lowest = std::min(lowest, loss(x));
    if (loss(x) > 4 * lowest) break;
  }
  return pts;
}

struct CliRun {
  int exitCode = -1;
  std::string output;
};

inline CliRun cli(const std::string& args) {
  int status = 0;
  CliRun r;
  r.output = runCommand(std::string(NC_CLI_PATH) + " " + args, &status);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace nc::test::lr_finder_test

namespace nc::test {

using namespace nc::core;
namespace lft = lr_finder_test;

TEST(LrFinder, RatesGrowExponentiallyFromMinToMaxAndTheLossIsSmoothedWithBiasCorrection) {
  LrFinderOptions o;
  o.steps = 40;
  o.minLearningRate = 1e-5;
  o.maxLearningRate = 1e-2;
  LrFinderResult r = findLearningRate(lft::mlp(), o, nullptr, {}, lft::blobs());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.stop, LrFinderStop::Completed) << r.message;
  ASSERT_EQ(r.points.size(), 40u);
  EXPECT_DOUBLE_EQ(r.points.front().learningRate, 1e-5);
  EXPECT_NEAR(r.points.back().learningRate, 1e-2, 1e-12);
  const double ratio = std::pow(1e3, 1.0 / 39);
  double average = 0, correction = 1;
  for (size_t i = 0; i < r.points.size(); ++i) {
    EXPECT_EQ(r.points[i].step, int64_t(i + 1));
    if (i > 0) EXPECT_NEAR(r.points[i].learningRate / r.points[i - 1].learningRate, ratio, 1e-9) << i;
    average = 0.9 * average + 0.1 * r.points[i].loss;
    correction *= 0.9;
    EXPECT_NEAR(r.points[i].smoothedLoss, average / (1 - correction), 1e-9) << i;
  }
  EXPECT_DOUBLE_EQ(r.points.front().smoothedLoss, r.points.front().loss) << "bias correction: no pull toward 0";
  EXPECT_EQ(r.trainingSamples, 768);
  EXPECT_EQ(r.batchSize, 32);
  EXPECT_GT(r.seconds, 0);

  // The same settings give the same curve (seeded model and batches); the batch size option wins.
  LrFinderResult again = findLearningRate(lft::mlp(), o, nullptr, {}, lft::blobs());
  ASSERT_EQ(again.points.size(), r.points.size());
  for (size_t i = 0; i < r.points.size(); ++i) EXPECT_DOUBLE_EQ(again.points[i].loss, r.points[i].loss);
  o.batchSize = 8;
  o.steps = 120;  // more steps than one pass over 768 samples has batches (96): a second pass
  EXPECT_EQ(findLearningRate(lft::mlp(), o, nullptr, {}, lft::blobs()).points.size(), 120u);
}

TEST(LrFinder, StopsWhenTheLossDivergesAndTheSuggestionTrainsTheModel) {
  for (const char* optimizer : {"adam", "sgd"}) {
    SCOPED_TRACE(optimizer);
    Project p = lft::mlp(optimizer);
    LrFinderOptions o;  // the defaults: 200 steps, 1e-7 .. 10
    o.maxLearningRate = 1e4;
    int progressCalls = 0;
    LrFinderResult r = findLearningRate(p, o, nullptr, [&](const LrFinderPoint&) { ++progressCalls; }, lft::blobs());
    ASSERT_TRUE(r.ok()) << r.error;
    ASSERT_TRUE(r.stop == LrFinderStop::Diverged || r.stop == LrFinderStop::NonFinite) << r.message;
    EXPECT_LT(r.points.size(), 200u);
    EXPECT_EQ(progressCalls, int(r.points.size()));
    if (r.stop == LrFinderStop::Diverged) {
      double best = 1e300;
      for (const auto& pt : r.points) best = std::min(best, pt.smoothedLoss);
      EXPECT_GT(r.points.back().smoothedLoss, 4 * best);
      EXPECT_NE(r.message.find("exceeded 4 x its best"), std::string::npos) << r.message;
    }
    for (const auto& pt : r.points) EXPECT_TRUE(std::isfinite(pt.loss));

    // The suggestion lies where the smoothed loss falls: below the minimum's rate, with a lower
    // smoothed loss than at the start.
    ASSERT_TRUE(r.hasSuggestion()) << r.suggestion;
    EXPECT_LE(r.suggestedLearningRate, r.minimumLossLearningRate / 10 * 1.06);
    EXPECT_GE(r.suggestedLearningRate, o.minLearningRate);
    size_t at = 0;
    while (at + 1 < r.points.size() && r.points[at + 1].learningRate <= r.suggestedLearningRate) ++at;
    EXPECT_LT(r.points[at].smoothedLoss, r.points.front().smoothedLoss);
    EXPECT_FALSE(r.suggestion.empty());

    // Training at the suggested rate for a few steps lowers the loss.
    struct Steps : TrainingObserver {
      std::vector<double> losses;
      void onStep(const StepMetrics& m) override { losses.push_back(m.loss); }
    } steps;
    TrainingControl control;
    TrainJob job;
    job.project = p;
    job.project.training.learningRate = r.suggestedLearningRate;
    job.dataset = lft::blobs();
    RunResult run = runTraining(job, steps, control);
    ASSERT_EQ(run.status, RunStatus::Completed) << run.message;
    ASSERT_GE(steps.losses.size(), 20u);
    double early = (steps.losses[0] + steps.losses[1] + steps.losses[2]) / 3;
    size_t n = steps.losses.size();
    double late = (steps.losses[n - 1] + steps.losses[n - 2] + steps.losses[n - 3]) / 3;
    EXPECT_LT(late, 0.8 * early) << "rate " << r.suggestedLearningRate;
  }
}

TEST(LrFinder, StopsWhenCancelledAndRefusesBadInput) {
  TrainingControl control;
  LrFinderOptions o;
  LrFinderResult r = findLearningRate(
      lft::mlp(), o, &control,
      [&](const LrFinderPoint& p) {
        if (p.step == 5) control.requestStop();
      },
      lft::blobs());
  EXPECT_EQ(r.stop, LrFinderStop::Stopped);
  EXPECT_EQ(r.points.size(), 5u);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.hasSuggestion()) << "5 points are too few";

  struct Case {
    LrFinderOptions options;
    std::string fragment;
  };
  std::vector<Case> cases(4);
  cases[0].options.steps = 1;
  cases[0].fragment = "steps must be between 2";
  cases[1].options.minLearningRate = 0;
  cases[1].fragment = "minimum learning rate must be a positive";
  cases[2].options.maxLearningRate = 1e-8;
  cases[2].fragment = "must be larger than the minimum";
  cases[3].options.smoothing = 1;
  cases[3].fragment = "smoothing";
  for (const Case& c : cases) {
    LrFinderResult bad = findLearningRate(lft::mlp(), c.options, nullptr, {}, lft::blobs());
    EXPECT_EQ(bad.stop, LrFinderStop::Failed);
    EXPECT_NE(bad.error.find(c.fragment), std::string::npos) << bad.error;
    EXPECT_TRUE(bad.points.empty());
  }
  // A model whose output does not fit the data is named, as training names it.
  Project wrong = lft::mlp();
  NodeId classifier = -1;
  for (const auto& [id, node] : wrong.graph.nodes())
    if (node.type == "Linear" && std::get<int64_t>(node.params.at("out_features")) == 4) classifier = id;
  ASSERT_TRUE(wrong.graph.setParam(classifier, "out_features", int64_t{5}));
  LrFinderResult mismatch = findLearningRate(wrong, o, nullptr, {}, lft::blobs());
  EXPECT_EQ(mismatch.stop, LrFinderStop::Failed);
  EXPECT_NE(mismatch.error.find("classes"), std::string::npos) << mismatch.error;
}

TEST(LrFinder, SuggestionRuleOnMadeUpCurves) {
  // A loss that falls fastest at 1e-3 (a logistic step in log10 rate) and blows up past 1e-1.
  auto falling = [](double x) { return 0.3 + 2.0 / (1 + std::exp(4 * (x + 3))) + (x > -1 ? 10 * (x + 1) * (x + 1) : 0); };
  LrSuggestion s = suggestLearningRate(lft::curve(150, falling), 0.9);
  ASSERT_FALSE(std::isnan(s.learningRate)) << s.explanation;
  EXPECT_GT(s.learningRate, 1e-3 / 2.5) << s.explanation;
  EXPECT_LT(s.learningRate, 1e-3 * 2.5) << s.explanation;
  EXPECT_EQ(s.learningRate, roundLearningRate(s.learningRate)) << "two significant digits";

  // The steepest fall right before the minimum: the cap (a tenth of the minimum's rate) wins.
  auto late = [](double x) { return 2.3 - 2.0 / (1 + std::exp(-8 * (x + 1.2))) + (x > -0.8 ? 30 * (x + 0.8) : 0); };
  LrSuggestion capped = suggestLearningRate(lft::curve(150, late), 0.9);
  ASSERT_FALSE(std::isnan(capped.learningRate)) << capped.explanation;
  EXPECT_NEAR(capped.learningRate, roundLearningRate(capped.minimumLossLearningRate / 10), 1e-12);
  EXPECT_NE(capped.explanation.find("a tenth"), std::string::npos) << capped.explanation;

  // Flat, rising, or too short: no suggestion, and a reason.
  for (auto flat : {std::function<double(double)>([](double) { return 1.0; }),
                    std::function<double(double)>([](double x) { return 1.0 + (x + 6); })}) {
    LrSuggestion none = suggestLearningRate(lft::curve(100, flat), 0.9);
    EXPECT_TRUE(std::isnan(none.learningRate));
    EXPECT_FALSE(none.explanation.empty());
  }
  EXPECT_TRUE(std::isnan(suggestLearningRate(lft::curve(9, falling), 0.9).learningRate));

  EXPECT_DOUBLE_EQ(roundLearningRate(3.1623e-3), 3.2e-3);
  EXPECT_DOUBLE_EQ(roundLearningRate(0.000999), 1e-3);
}

TEST(LrFinderCli, FindsAppliesOnlyTheRateAndRefusesBadOptions) {
  TempDir dir("lrfind");
  std::filesystem::create_directories(dir.path());
  auto data = lft::blobs(600);
  {
    std::ofstream csv(dir.str("blobs.csv"));
    csv << "f0,f1,f2,f3,f4,f5,f6,f7,label\n";
    auto x = data->trainInputs.accessor<float, 2>();
    auto y = data->trainTargets.accessor<int64_t, 1>();
    for (int64_t i = 0; i < 600; ++i) {
      for (int j = 0; j < 8; ++j) csv << x[i][j] << ",";
      csv << y[i] << "\n";
    }
  }
  Project p = lft::mlp();
  p.data.kind = "csv";
  p.data.path = dir.str("blobs.csv");
  const std::string project = dir.str("p.json");
  ASSERT_TRUE(saveProject(p, project));
  const std::string before = lft::readText(project);

  lft::CliRun r = lft::cli("lr-find " + project + " --steps 120 --min-lr 1e-6 --max-lr 100 --csv " +
                           dir.str("lr.csv") + " --apply");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("smoothed loss against the learning rate"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("suggested learning rate: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("wrote learning_rate"), std::string::npos) << r.output;
  std::string csv = lft::readText(dir.str("lr.csv"));
  EXPECT_EQ(csv.rfind("step,learning_rate,loss,smoothed_loss\n", 0), 0u) << csv.substr(0, 80);
  EXPECT_GE(std::count(csv.begin(), csv.end(), '\n'), 11);

  JsonParse a = parseJson(before), b = parseJson(lft::readText(project));
  ASSERT_TRUE(a.ok() && b.ok());
  double applied = b.value["training"]["learning_rate"].get<double>();
  EXPECT_NE(applied, 0.5);
  EXPECT_GT(applied, 1e-6);
  EXPECT_LT(applied, 100);
  b.value["training"]["learning_rate"] = 0.5;
  EXPECT_EQ(a.value, b.value) << "only the learning rate changes";
  ProjectLoad reloaded = loadProject(project);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error;
  EXPECT_DOUBLE_EQ(reloaded.project->training.learningRate, applied);

  struct Bad {
    std::string args, fragment;
    int exitCode;
  };
  const std::vector<Bad> bad = {
      {"--steps 1", "--steps", 64},
      {"--min-lr 1 --max-lr 0.1", "--max-lr (0.1) must be larger than --min-lr (1)", 64},
      {"--min-lr -1", "--min-lr", 64},
      {"--frobnicate", "unknown option --frobnicate", 64},
  };
  for (const Bad& c : bad) {
    lft::CliRun e = lft::cli("lr-find " + project + " " + c.args);
    EXPECT_EQ(e.exitCode, c.exitCode) << c.args << "\n" << e.output;
    EXPECT_NE(e.output.find(c.fragment), std::string::npos) << c.args << "\n" << e.output;
  }
  lft::CliRun missing = lft::cli("lr-find " + dir.str("none.json"));
  EXPECT_EQ(missing.exitCode, 2) << missing.output;
  EXPECT_NE(missing.output.find("none.json"), std::string::npos) << missing.output;
  lft::CliRun help = lft::cli("lr-find --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("--apply"), std::string::npos);
}

}  // namespace nc::test

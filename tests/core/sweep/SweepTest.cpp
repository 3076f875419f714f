// Offline sweeps (issue 14): parsing TARGET=SPEC, the trials' values, applying them, median
// stopping, sweep.json / sweep.csv, and running and resuming a sweep on tiny CSV data.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/Project.h"
#include "core/sweep/Sweep.h"

namespace sweep_test {

using namespace nc::core;
namespace fs = std::filesystem;

/// Four well separated Gaussian blobs in 8-D as a CSV file (header f0..f7,label).
void writeBlobs(const std::string& file, int n) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 1);
  double centers[4][8];
  for (auto& c : centers)
    for (double& x : c) x = noise(rng) * 3;
  std::ofstream out(file);
  for (int f = 0; f < 8; ++f) out << "f" << f << ",";
  out << "label\n";
  for (int i = 0; i < n; ++i) {
    int k = i % 4;
    for (int f = 0; f < 8; ++f) out << centers[k][f] + noise(rng) << ",";
    out << "c" << k << "\n";
  }
}

/// input [8] -> fc1 Linear(16) -> relu -> fc2 Linear(4) -> output, on `dataFile` (CSV).
Project mlp(const std::string& dataFile = "/nonexistent.csv") {
  nc::test::GraphBuilder b;
  NodeId in = b.input({8});
  NodeId fc1 = b.add("Linear", {{"out_features", int64_t{16}}});
  NodeId act = b.add("ReLU");
  NodeId fc2 = b.add("Linear", {{"out_features", int64_t{4}}});
  NodeId out = b.add("Output");
  b.link(in, fc1);
  b.link(fc1, act);
  b.link(act, fc2);
  b.link(fc2, out);
  b.graph.rename(fc1, "fc1");
  b.graph.rename(fc2, "fc2");
  Project p;
  p.name = "mlp";
  p.graph = b.graph;
  p.data.kind = "csv";
  p.data.path = dataFile;
  p.data.validationFraction = 0.25;
  p.training.batchSize = 32;
  p.training.learningRate = 0.01;
  p.training.threads = 1;
  return p;
}

SweepParam param(const std::string& text, const Project& p) {
  SweepParam out;
  Status s = parseSweepParam(text, p, out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

const Node* nodeNamed(const Project& p, const std::string& name) {
  for (const auto& [id, n] : p.graph.nodes())
    if (n.name == name) return &n;
  return nullptr;
}

/// Records what a sweep reports; `onStart` runs when a trial starts (tests stop the sweep there).
struct Recorder : SweepObserver {
  std::vector<int64_t> started, finished;
  std::vector<std::pair<int64_t, int64_t>> epochs;  // (trial, epoch)
  std::function<void(const SweepTrial&)> onStart;
  void onTrialStarted(const SweepTrial& t) override {
    started.push_back(t.index);
    if (onStart) onStart(t);
  }
  void onTrialEpoch(const SweepTrial& t, const EpochMetrics& m) override { epochs.push_back({t.index, m.epoch}); }
  void onTrialFinished(const SweepTrial& t) override { finished.push_back(t.index); }
};

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CliRun {
  int exitCode = -1;
  std::string output;
};

CliRun cli(const std::string& args, const std::string& prefix = "") {
  int status = 0;
  CliRun r;
  r.output = nc::test::runCommand(prefix + std::string(NC_CLI_PATH) + " " + args, &status);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace sweep_test

namespace sweep_test_cases {  // the tests in a namespace too: unity builds (tests/CMakeLists.txt)

using namespace nc::core;

TEST(Sweep, ParsesRangesAndChoices) {
  Project p = sweep_test::mlp();
  SweepParam lr = sweep_test::param("training.learning_rate=1e-4:1e-2:log", p);
  EXPECT_EQ(lr.target, "training.learning_rate");
  EXPECT_TRUE(lr.range);
  EXPECT_TRUE(lr.log);
  EXPECT_FALSE(lr.integer);
  EXPECT_DOUBLE_EQ(lr.low, 1e-4);
  EXPECT_DOUBLE_EQ(lr.high, 1e-2);

  SweepParam bs = sweep_test::param("training.batch_size=16:128", p);
  EXPECT_TRUE(bs.range && bs.integer && !bs.log);

  SweepParam opt = sweep_test::param("training.optimizer=adam,sgd", p);
  EXPECT_FALSE(opt.range);
  EXPECT_EQ(opt.choices, (std::vector<std::string>{"\"adam\"", "\"sgd\""}));

  SweepParam width = sweep_test::param("fc1.out_features=16,32,64", p);
  EXPECT_EQ(width.choices, (std::vector<std::string>{"16", "32", "64"}));
  SweepParam wd = sweep_test::param("training.weight_decay=0,0.001", p);
  EXPECT_EQ(wd.choices, (std::vector<std::string>{"0.0", "0.001"}));
  SweepParam flip = sweep_test::param("data.horizontal_flip=true,false", p);
  EXPECT_EQ(flip.choices, (std::vector<std::string>{"true", "false"}));
  SweepParam vf = sweep_test::param("data.validation_fraction=0.1:0.3", p);
  EXPECT_TRUE(vf.range && !vf.integer);
}

TEST(Sweep, RefusesBadSpecsNamingTheText) {
  Project p = sweep_test::mlp();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"training.learning_rate", "training.learning_rate: expected TARGET=SPEC, e.g. "
                                 "training.learning_rate=1e-4:1e-2:log or conv1.out_channels=16,32"},
      {"training.learning_rate=", "training.learning_rate=: nothing after '='"},
      {"training.nope=1,2", "training.nope=1,2: the training settings have no key 'nope' (keys: "},
      {"conv9.out_channels=1,2", "conv9.out_channels=1,2: no node named 'conv9'"},
      {"fc1.kernel=1,2", "fc1.kernel=1,2: fc1 (Linear) has no parameter 'kernel' (parameters: "},
      {"lr=1:2", "lr=1:2: the target must be training.KEY, data.KEY or NODE.PARAM, got 'lr'"},
      {"training.optimizer=0:1", "training.optimizer=0:1: a range needs a numeric target, and training.optimizer is "
                                 "a word; list the choices instead (A,B,C)"},
      {"training.learning_rate=a:1", "training.learning_rate=a:1: 'a' is not a number"},
      {"training.batch_size=16:100.5", "training.batch_size=16:100.5: training.batch_size takes whole numbers, got '100.5'"},
      {"training.learning_rate=0.1:0.01", "training.learning_rate=0.1:0.01: the range's low end must be below its high end"},
      {"training.weight_decay=0:0.1:log", "training.weight_decay=0:0.1:log: a log range needs a positive low end"},
      {"training.learning_rate=1:2:lin", "training.learning_rate=1:2:lin: expected LOW:HIGH or LOW:HIGH:log"},
      {"training.learning_rate=0.1,,0.2", "training.learning_rate=0.1,,0.2: an empty choice"},
      {"training.learning_rate=20:30", "training.learning_rate=20:30: '20': /training/learning_rate"},
      {"training.optimizer=adam,lbfgs", "training.optimizer=adam,lbfgs: 'lbfgs': /training/optimizer"},
      {"fc1.out_features=0,16", "fc1.out_features=0,16: '0': "},
      {"training.batch_size=32,x", "training.batch_size=32,x: training.batch_size takes whole numbers, got 'x'"},
      {"data.horizontal_flip=yes", "data.horizontal_flip=yes: data.horizontal_flip takes true or false, got 'yes'"},
      {"training.epochs=1,2", "training.epochs=1,2: training.epochs cannot be swept: every trial trains for the "
                              "sweep's --epochs"},
      {"data.image_size=1,2", "data.image_size=1,2: data.image_size is a list and cannot be swept"},
  };
  for (const auto& [text, expected] : cases) {
    SweepParam out;
    Status s = parseSweepParam(text, p, out);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.message().substr(0, expected.size()), expected) << "got: " << s.message();
  }
}

TEST(Sweep, RandomValuesStayInRangeAndFollowTheSeed) {
  Project p = sweep_test::mlp();
  SweepSpec spec;
  spec.params = {sweep_test::param("training.learning_rate=1e-4:1e-2:log", p),
                 sweep_test::param("training.batch_size=16:64", p),
                 sweep_test::param("training.optimizer=adam,sgd,rmsprop", p),
                 sweep_test::param("training.momentum=0.5:0.9", p)};
  spec.trials = 200;
  spec.seed = 5;
  auto values = sweepTrialValues(spec);
  ASSERT_EQ(values.size(), 200u);
  std::set<std::string> optimizers;
  std::set<int64_t> sizes;
  int lowDecade = 0;
  for (const auto& trial : values) {
    ASSERT_EQ(trial.size(), 4u);
    EXPECT_EQ(trial[0].target, "training.learning_rate");
    double lr = std::stod(trial[0].json);
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1e-2);
    if (lr < 1e-3) ++lowDecade;
    int64_t bs = std::stoll(trial[1].json);
    EXPECT_GE(bs, 16);
    EXPECT_LE(bs, 64);
    EXPECT_EQ(trial[1].json, std::to_string(bs)) << "integer ranges give whole numbers";
    sizes.insert(bs);
    optimizers.insert(trial[2].json);
    double m = std::stod(trial[3].json);
    EXPECT_GE(m, 0.5);
    EXPECT_LE(m, 0.9);
    Project q = p;
    Status s = applySweepValues(q, trial);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(optimizers.size(), 3u);
  EXPECT_TRUE(sizes.count(16) && sizes.count(64)) << "both ends of an integer range are drawn";
  EXPECT_GT(lowDecade, 70) << "log-uniform: about half below 1e-3";
  EXPECT_LT(lowDecade, 130);

  EXPECT_EQ(sweepTrialValues(spec)[17][0].json, values[17][0].json) << "same seed, same values";
  SweepSpec fewer = spec;
  fewer.trials = 20;
  EXPECT_EQ(sweepTrialValues(fewer)[19][2].json, values[19][2].json) << "a trial's values do not depend on the count";
  SweepSpec other = spec;
  other.seed = 6;
  int same = 0;
  auto otherValues = sweepTrialValues(other);
  for (size_t i = 0; i < 50; ++i) same += otherValues[i][0].json == values[i][0].json;
  EXPECT_LT(same, 5) << "another seed, other values";
}

TEST(Sweep, GridEnumeratesTheProductInOrder) {
  Project p = sweep_test::mlp();
  SweepSpec spec;
  spec.strategy = "grid";
  spec.params = {sweep_test::param("training.optimizer=adam,sgd", p),
                 sweep_test::param("training.learning_rate=1e-4:1e-2:log", p)};
  spec.trials = 6;
  auto values = sweepTrialValues(spec);
  ASSERT_EQ(values.size(), 6u);  // 2 choices x 3 levels
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"\"adam\"", "0.0001"}, {"\"adam\"", "0.001"}, {"\"adam\"", "0.01"},
      {"\"sgd\"", "0.0001"},  {"\"sgd\"", "0.001"},  {"\"sgd\"", "0.01"}};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(values[i][0].json, expected[i].first) << i;
    EXPECT_EQ(values[i][1].json, expected[i].second) << i;
  }
  // More trials than the product: the product only. Fewer: cut after `trials`.
  spec.params = {sweep_test::param("training.optimizer=adam,sgd", p), sweep_test::param("fc1.out_features=8,16,32", p)};
  spec.trials = 12;
  EXPECT_EQ(sweepTrialValues(spec).size(), 6u);
  spec.trials = 4;
  auto cut = sweepTrialValues(spec);
  ASSERT_EQ(cut.size(), 4u);
  EXPECT_EQ(cut[3][0].json, "\"sgd\"");
  EXPECT_EQ(cut[3][1].json, "8");
  // Two ranges share the budget: floor(sqrt(10)) = 3 levels each; an integer range's levels are whole.
  spec.params = {sweep_test::param("training.batch_size=16:64", p), sweep_test::param("training.momentum=0.5:0.9", p)};
  spec.trials = 10;
  auto two = sweepTrialValues(spec);
  ASSERT_EQ(two.size(), 9u);
  EXPECT_EQ(two[0][0].json, "16");
  EXPECT_EQ(two[3][0].json, "40");
  EXPECT_EQ(two[8][0].json, "64");
  EXPECT_EQ(two[1][1].json, "0.7");
  // One level: the middle (geometric for log ranges).
  spec.params = {sweep_test::param("training.optimizer=adam,sgd,rmsprop", p),
                 sweep_test::param("training.learning_rate=1e-4:1e-2:log", p)};
  spec.trials = 3;
  auto mid = sweepTrialValues(spec);
  ASSERT_EQ(mid.size(), 3u);
  EXPECT_EQ(mid[0][1].json, "0.001");
}

TEST(Sweep, AppliesTrainingDataAndNodeValues) {
  Project p = sweep_test::mlp();
  std::vector<SweepValue> values = {{"training.learning_rate", "0.003"},
                                    {"training.optimizer", "\"sgd\""},
                                    {"training.batch_size", "48"},
                                    {"data.validation_fraction", "0.2"},
                                    {"fc1.out_features", "24"}};
  Status s = applySweepValues(p, values);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_DOUBLE_EQ(p.training.learningRate, 0.003);
  EXPECT_EQ(p.training.optimizer, "sgd");
  EXPECT_EQ(p.training.batchSize, 48);
  EXPECT_DOUBLE_EQ(p.data.validationFraction, 0.2);
  EXPECT_EQ(std::get<int64_t>(sweep_test::nodeNamed(p, "fc1")->params.at("out_features")), 24);

  // Errors name the target; a value the graph cannot take fails with the analysis's reason.
  Project q = sweep_test::mlp();
  Status bad = applySweepValues(q, {{"training.learning_rate", "50"}});
  EXPECT_EQ(bad.message().rfind("training.learning_rate = 50: /training/learning_rate", 0), 0u) << bad.message();
  Status missing = applySweepValues(q, {{"conv3.out_channels", "8"}});
  EXPECT_EQ(missing.message(), "conv3.out_channels: no node named 'conv3'");
  Status shape = applySweepValues(q, {{"fc2.out_features", "3"}});  // 4 classes in the data do not matter here
  EXPECT_TRUE(shape.ok()) << shape.message();
  Project r = sweep_test::mlp();
  nc::test::GraphBuilder b;  // a graph where a kernel larger than the input breaks the shapes
  NodeId in = b.input({1, 8, 8});
  NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{4}}});
  NodeId flat = b.add("Flatten");
  NodeId out = b.add("Output");
  b.link(in, conv);
  b.link(conv, flat);
  b.link(flat, out);
  b.graph.rename(conv, "conv1");
  r.graph = b.graph;
  Status broken = applySweepValues(r, {{"conv1.kernel_size", "20"}});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.message().rfind("the model has errors with these values: conv1: ", 0), 0u) << broken.message();
}

TEST(Sweep, MedianRule) {
  auto trial = [](int64_t index, std::string status, std::vector<double> acc) {
    SweepTrial t;
    t.index = index;
    t.status = std::move(status);
    for (size_t e = 0; e < acc.size(); ++e) t.epochs.push_back({int64_t(e) + 1, acc[e], 0.5, 0.5});
    return t;
  };
  std::vector<SweepTrial> trials = {trial(1, "completed", {0.6, 0.8}), trial(2, "completed", {0.7, 0.9}),
                                    trial(3, "stopped_early", {0.2}), trial(4, "running", {0.1})};
  // Trial 3 at epoch 1: two earlier trials (0.6, 0.7), median 0.65.
  std::string reason = medianStopReason(trials, 3, 1, 0.2);
  EXPECT_EQ(reason,
            "median stopping: validation accuracy 0.2000 after epoch 1 is below the median 0.6500 of 2 earlier trials "
            "at that epoch");
  EXPECT_EQ(medianStopReason(trials, 3, 1, 0.65), "") << "at the median goes on";
  EXPECT_EQ(medianStopReason(trials, 2, 1, 0.1), "") << "only one earlier trial";
  // Trial 4 at epoch 1: 0.6, 0.7, 0.2 -> median 0.6; at epoch 2 only two reached it (0.8, 0.9).
  EXPECT_NE(medianStopReason(trials, 4, 1, 0.5), "");
  EXPECT_EQ(medianStopReason(trials, 4, 1, 0.6), "");
  EXPECT_NE(medianStopReason(trials, 4, 2, 0.84), "");
  EXPECT_EQ(medianStopReason(trials, 4, 2, 0.86), "");
  EXPECT_EQ(medianStopReason(trials, 5, 3, 0.0), "") << "nobody reached epoch 3";
  EXPECT_EQ(medianStopReason(trials, 4, 1, NAN), "") << "no validation split: never stops";
  // Running and pending trials do not count.
  EXPECT_EQ(medianStopReason({trial(1, "completed", {0.9}), trial(2, "running", {0.9})}, 3, 1, 0.1), "");
}

TEST(Sweep, JsonAndCsvRoundTrip) {
  nc::test::TempDir dir("sweep_file");
  std::filesystem::create_directories(dir.path());
  Project p = sweep_test::mlp();
  SweepState st;
  st.projectJson = serializeProject(p);
  st.spec.params = {sweep_test::param("training.learning_rate=1e-4:1e-2:log", p),
                    sweep_test::param("training.optimizer=adam,sgd", p)};
  st.spec.trials = 2;
  st.spec.epochs = 3;
  st.spec.medianStop = true;
  st.spec.seed = 9;
  st.spec.limit = 100;
  SweepTrial a;
  a.index = 1;
  a.run = "trial-001";
  a.status = "completed";
  a.values = {{"training.learning_rate", "0.00123"}, {"training.optimizer", "\"adam\""}};
  a.epochs = {{1, 0.81, 0.52, 0.7}, {2, 0.83, 0.5, NAN}};
  a.bestValAccuracy = 0.83;
  a.finalValAccuracy = 0.83;
  a.testAccuracy = NAN;
  a.params = 123456;
  a.flops = 2345678;
  a.seconds = 61.5;
  SweepTrial b;
  b.index = 2;
  b.run = "trial-002";
  b.status = "failed";
  b.values = {{"training.learning_rate", "0.01"}, {"training.optimizer", "\"sgd\""}};
  b.bestValAccuracy = b.finalValAccuracy = b.testAccuracy = b.seconds = NAN;
  b.message = "bad, \"quoted\"";
  st.trials = {a, b};
  ASSERT_TRUE(saveSweep(dir.str(), st).ok());

  SweepState back;
  Status s = loadSweep(dir.str(), back);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sweepToJson(back), sweepToJson(st));
  ASSERT_EQ(back.spec.params.size(), 2u);
  EXPECT_EQ(back.spec.params[0].text, "training.learning_rate=1e-4:1e-2:log");
  EXPECT_TRUE(back.spec.params[0].log);
  EXPECT_TRUE(back.spec.medianStop);
  EXPECT_EQ(back.spec.limit, 100);
  ASSERT_EQ(back.trials.size(), 2u);
  EXPECT_EQ(back.trials[0].values[1].json, "\"adam\"");
  EXPECT_TRUE(std::isnan(back.trials[0].epochs[1].trainLoss));
  EXPECT_TRUE(std::isnan(back.trials[0].testAccuracy));
  EXPECT_EQ(back.trials[0].flops, 2345678);
  EXPECT_EQ(back.trials[1].message, "bad, \"quoted\"");

  std::ifstream csv(dir.str("sweep.csv"));
  std::string header, row1, row2;
  std::getline(csv, header);
  std::getline(csv, row1);
  std::getline(csv, row2);
  EXPECT_EQ(header,
            "trial,status,training.learning_rate,training.optimizer,best_val_accuracy,final_val_accuracy,"
            "test_accuracy,epochs,params,flops,seconds");
  EXPECT_EQ(row1, "1,completed,0.00123,adam,0.83,0.83,,2,123456,2345678,61.5");
  EXPECT_EQ(row2, "2,failed,0.01,sgd,,,,0,0,0,");

  // Broken files: the error names the file and the JSON path.
  const std::vector<std::pair<std::string, std::string>> breakages = {
      {"\"status\": \"failed\"", "\"status\": \"lost\""},
      {"\"strategy\": \"random\"", "\"strategy\": \"best\""},
      {"\"training.learning_rate=1e-4:1e-2:log\"", "\"training.learning_rate=1:0\""},
  };
  const std::vector<std::string> paths = {"/trials/1/status: unknown status 'lost'",
                                          "/spec: strategy must be random or grid, got 'best'",
                                          "/spec/params/0: training.learning_rate=1:0: the range's low end"};
  std::ifstream in(dir.str("sweep.json"));
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string good = buf.str();
  for (size_t i = 0; i < breakages.size(); ++i) {
    std::string text = good;
    size_t at = text.find(breakages[i].first);
    ASSERT_NE(at, std::string::npos) << breakages[i].first;
    text.replace(at, breakages[i].first.size(), breakages[i].second);
    ASSERT_TRUE(writeFileAtomic(dir.str("sweep.json"), text).ok());
    SweepState bad;
    Status e = loadSweep(dir.str(), bad);
    EXPECT_EQ(e.message().rfind(dir.str("sweep.json") + ": " + paths[i], 0), 0u) << e.message();
  }
}

TEST(Sweep, RunsTrialsAsRunFoldersWithMedianStopping) {
  nc::test::TempDir dir("sweep_run");
  std::filesystem::create_directories(dir.path());
  sweep_test::writeBlobs(dir.str("blobs.csv"), 400);
  Project p = sweep_test::mlp(dir.str("blobs.csv"));
  SweepSpec spec;
  spec.strategy = "grid";  // two good rates first, then one far too small: below the median after epoch 1
  spec.params = {sweep_test::param("training.learning_rate=0.02,0.01,0.000001", p),
                 sweep_test::param("fc1.out_features=8", p)};
  spec.trials = 3;
  spec.epochs = 2;
  spec.medianStop = true;
  spec.limit = 300;
  sweep_test::Recorder rec;
  TrainingControl control;
  const std::string sweepDir = dir.str("sweep");
  SweepResult r = runSweep(p, spec, sweepDir, rec, control);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_FALSE(r.stopped);
  ASSERT_EQ(r.state.trials.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    const SweepTrial& t = r.state.trials[size_t(i)];
    EXPECT_EQ(t.status, "completed") << t.message;
    EXPECT_EQ(t.epochs.size(), 2u);
    EXPECT_GT(t.bestValAccuracy, 0.8);
    EXPECT_EQ(t.params, 8 * 8 + 8 + 8 * 4 + 4);
    EXPECT_GT(t.flops, 0);
    EXPECT_TRUE(std::filesystem::exists(sweepDir + "/" + t.run + "/result.json")) << t.run;
    EXPECT_TRUE(std::filesystem::exists(sweepDir + "/" + t.run + "/checkpoints/last.pt")) << t.run;
  }
  const SweepTrial& slow = r.state.trials[2];
  EXPECT_EQ(slow.status, "stopped_early");
  EXPECT_EQ(slow.epochs.size(), 1u) << "stopped after the first epoch";
  EXPECT_EQ(slow.message.rfind("median stopping: validation accuracy ", 0), 0u) << slow.message;
  EXPECT_EQ(rec.started, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(rec.epochs.size(), 5u);
  // The run folder uses the trial's settings and the sweep's epochs and limit.
  ProjectLoad run = loadProject(sweepDir + "/trial-003/project.json");
  ASSERT_TRUE(run.ok()) << run.error;
  EXPECT_DOUBLE_EQ(run.project->training.learningRate, 0.000001);
  EXPECT_EQ(run.project->training.epochs, 2);
  EXPECT_EQ(run.project->data.limit, 300);
  // sweep.json on disk is the final state; the CSV has a row per trial.
  SweepState onDisk;
  ASSERT_TRUE(loadSweep(sweepDir, onDisk).ok());
  EXPECT_EQ(sweepToJson(onDisk), sweepToJson(r.state));
  std::string csv = sweep_test::readText(sweepDir + "/sweep.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_NE(csv.find("\n3,stopped_early,1e-06,8,"), std::string::npos) << csv;

  // A trial that cannot load its data fails with the reason; the sweep goes on.
  SweepSpec bad;
  bad.params = {sweep_test::param("data.path=" + dir.str("missing.csv"), p)};
  bad.trials = 1;
  bad.epochs = 1;
  SweepResult f = runSweep(p, bad, dir.str("bad"), rec, control);
  ASSERT_TRUE(f.ok) << f.error;
  EXPECT_EQ(f.state.trials[0].status, "failed");
  EXPECT_NE(f.state.trials[0].message.find("missing.csv"), std::string::npos) << f.state.trials[0].message;
}

TEST(Sweep, ResumesAStoppedSweepWithTheSameValues) {
  nc::test::TempDir dir("sweep_resume");
  std::filesystem::create_directories(dir.path());
  sweep_test::writeBlobs(dir.str("blobs.csv"), 200);
  Project p = sweep_test::mlp(dir.str("blobs.csv"));
  SweepSpec spec;
  spec.params = {sweep_test::param("training.learning_rate=1e-3:3e-2:log", p),
                 sweep_test::param("fc1.out_features=4:32", p)};
  spec.trials = 3;
  spec.epochs = 1;
  spec.seed = 3;
  const auto expected = sweepTrialValues(spec);
  const std::string sweepDir = dir.str("sweep");

  sweep_test::Recorder first;
  TrainingControl control;
  first.onStart = [&](const SweepTrial& t) {
    if (t.index == 2) control.requestStop();
  };
  SweepResult r = runSweep(p, spec, sweepDir, first, control);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.state.trials[0].status, "completed");
  EXPECT_EQ(r.state.trials[1].status, "stopped");
  EXPECT_EQ(r.state.trials[2].status, "pending");
  const double firstSeconds = r.state.trials[0].seconds;

  // Another spec is refused, naming the difference.
  SweepSpec other = spec;
  other.trials = 5;
  sweep_test::Recorder refused;
  TrainingControl fresh;
  SweepResult no = runSweep(p, other, sweepDir, refused, fresh);
  EXPECT_FALSE(no.ok);
  EXPECT_EQ(no.error, sweepDir + "/sweep.json holds a different sweep (trials 3 there, 5 here); resume it with its "
                                 "own settings, or give another folder");
  EXPECT_TRUE(refused.started.empty());

  // Resume (an empty spec: the file's): trial 1 is kept, 2 runs again from the start, 3 runs.
  sweep_test::Recorder second;
  SweepResult done = runSweep(Project{}, SweepSpec{}, sweepDir, second, fresh);
  ASSERT_TRUE(done.ok) << done.error;
  EXPECT_FALSE(done.stopped);
  EXPECT_EQ(second.started, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(done.state.trials.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(done.state.trials[i].status, "completed") << i;
    ASSERT_EQ(done.state.trials[i].values.size(), 2u);
    for (size_t k = 0; k < 2; ++k) EXPECT_EQ(done.state.trials[i].values[k].json, expected[i][k].json);
    EXPECT_EQ(done.state.trials[i].epochs.size(), 1u) << i;
  }
  EXPECT_EQ(done.state.trials[0].seconds, firstSeconds) << "finished trials are not run again";
  ProjectLoad run = loadProject(sweepDir + "/trial-002/project.json");
  ASSERT_TRUE(run.ok()) << run.error;
  EXPECT_EQ(std::get<int64_t>(sweep_test::nodeNamed(*run.project, "fc1")->params.at("out_features")),
            std::stoll(expected[1][1].json));
  // The same spec again resumes a finished sweep: nothing runs.
  sweep_test::Recorder third;
  SweepResult again = runSweep(p, spec, sweepDir, third, fresh);
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_TRUE(third.started.empty());

  // A trial left "running" (the process was killed) starts again in its cleared folder.
  std::string text = sweep_test::readText(sweepDir + "/sweep.json");
  size_t at = text.find("\"status\": \"completed\"", text.find("\"run\": \"trial-003\""));
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 21, "\"status\": \"running\"");
  ASSERT_TRUE(writeFileAtomic(sweepDir + "/sweep.json", text).ok());
  std::ofstream(sweepDir + "/trial-003/leftover.txt") << "x";
  sweep_test::Recorder fourth;
  SweepResult rerun = runSweep(Project{}, SweepSpec{}, sweepDir, fourth, fresh);
  ASSERT_TRUE(rerun.ok) << rerun.error;
  EXPECT_EQ(fourth.started, (std::vector<int64_t>{3}));
  EXPECT_EQ(rerun.state.trials[2].status, "completed");
  EXPECT_FALSE(std::filesystem::exists(sweepDir + "/trial-003/leftover.txt"));
  EXPECT_TRUE(std::filesystem::exists(sweepDir + "/trial-003/result.json"));
}

TEST(Sweep, CommandLine) {
  nc::test::TempDir dir("sweep_cli");
  std::filesystem::create_directories(dir.path());
  sweep_test::writeBlobs(dir.str("blobs.csv"), 200);
  ASSERT_TRUE(saveProject(sweep_test::mlp(dir.str("blobs.csv")), dir.str("mlp.json")).ok());
  const std::string out = dir.str("sweep");

  sweep_test::CliRun usage = sweep_test::cli("sweep " + dir.str("mlp.json"));  // no --param: the usage, with an example
  EXPECT_EQ(usage.exitCode, 64);
  EXPECT_NE(usage.output.find("example:\n  neuralcanvas-cli sweep resources/templates/cnn.json"), std::string::npos)
      << usage.output;

  sweep_test::CliRun bad = sweep_test::cli("sweep " + dir.str("mlp.json") + " --param training.nope=1,2");
  EXPECT_EQ(bad.exitCode, 64);
  EXPECT_NE(bad.output.find("error: --param training.nope=1,2: the training settings have no key 'nope'"),
            std::string::npos)
      << bad.output;

  sweep_test::CliRun run = sweep_test::cli("sweep " + dir.str("mlp.json") +
                                           " --param training.learning_rate=0.005:0.02:log --param fc1.out_features=8,16"
                                           " --trials 2 --epochs 1 --seed 4 --out " + out);
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("trial 1/2  started  training.learning_rate="), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("trial 2/2  epoch 1/1  train loss "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("trial  status     training.learning_rate  fc1.out_features  best val acc"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("sweep: " + out + "/sweep.json"), std::string::npos);
  EXPECT_NE(run.output.find("table: " + out + "/sweep.csv"), std::string::npos);
  std::string csv = sweep_test::readText(out + "/sweep.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;

  sweep_test::CliRun resumed = sweep_test::cli("sweep --resume " + out);
  EXPECT_EQ(resumed.exitCode, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("2 of 2 trials finished"), std::string::npos) << resumed.output;

  // Ctrl-C: stops cleanly, says how to resume, exit status 3.
  const std::string longOut = dir.str("long");
  sweep_test::CliRun stopped = sweep_test::cli(
      "sweep " + dir.str("mlp.json") + " --param training.learning_rate=0.005:0.02 --trials 500 --epochs 3 --out " +
          longOut,
      "timeout --preserve-status -s INT 3 ");
  EXPECT_EQ(stopped.exitCode, 3) << stopped.output;
  EXPECT_NE(stopped.output.find("stopped; continue with: neuralcanvas-cli sweep --resume " + longOut),
            std::string::npos)
      << stopped.output;
  SweepState st;
  ASSERT_TRUE(loadSweep(longOut, st).ok());
  EXPECT_EQ(st.trials.size(), 500u);
  EXPECT_EQ(std::count_if(st.trials.begin(), st.trials.end(), [](const SweepTrial& t) { return t.status == "running"; }),
            0);
  EXPECT_NE(stopped.output.find(" trials pending"), std::string::npos) << "pending trials are summed up, not listed";
  EXPECT_EQ(stopped.output.find("  pending  "), std::string::npos);
}

}  // namespace sweep_test_cases

// Training diagnostics (issue 14): per-node norms and update ratios against hand values,
// histograms, the alarm rules, the files of a run folder and their resume.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "BlobData.h"
#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/GraphModule.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"
#include "core/training/Diagnostics.h"
#include "core/training/DiagnosticsProbe.h"
#include "core/training/Trainer.h"

namespace diagnostics_test {

using namespace nc::core;
namespace fs = std::filesystem;

/// Two Gaussian blobs in 4-D.
std::shared_ptr<Dataset> blobs(int64_t n = 128) {
  return nc::test::blobDataset({3, n, 0, 2, 4});
}

struct Mlp {
  Project project;
  NodeId fc1 = -1, relu = -1, fc2 = -1, fc3 = -1;
  std::string name(NodeId id) const { return project.graph.node(id)->name; }
};

/// Input[4] -> fc1 Linear(8) -> ReLU -> fc2 Linear(8) -> fc3 Linear(2) -> Output.
Mlp mlp() {
  nc::test::GraphBuilder b;
  Mlp m;
  NodeId in = b.input({4});
  m.fc1 = b.add("Linear", {{"out_features", int64_t{8}}});
  m.relu = b.add("ReLU");
  m.fc2 = b.add("Linear", {{"out_features", int64_t{8}}});
  m.fc3 = b.add("Linear", {{"out_features", int64_t{2}}});
  NodeId out = b.add("Output");
  b.link(in, m.fc1);
  b.link(m.fc1, m.relu);
  b.link(m.relu, m.fc2);
  b.link(m.fc2, m.fc3);
  b.link(m.fc3, out);
  m.project.name = "mlp";
  m.project.graph = b.graph;
  m.project.data.validationFraction = 0.25;
  m.project.training.epochs = 1;
  m.project.training.batchSize = 16;
  m.project.training.optimizer = "sgd";
  m.project.training.momentum = 0;
  m.project.training.learningRate = 0.05;
  m.project.training.threads = 1;
  return m;
}

struct Recorder : TrainingObserver {
  std::vector<DiagnosticsSample> samples;
  std::vector<EpochHistograms> histograms;
  std::vector<TrainingAlarm> alarms;
  void onDiagnostics(const DiagnosticsSample& s) override { samples.push_back(s); }
  void onHistograms(const EpochHistograms& h) override { histograms.push_back(h); }
  void onAlarm(const TrainingAlarm& a) override { alarms.push_back(a); }
  int count(const std::string& kind, NodeId node) const {
    int n = 0;
    for (const auto& a : alarms) n += a.kind == kind && a.nodeId == node;
    return n;
  }
};

/// Saves a checkpoint of `m`'s graph whose weights `edit` sets (initial weights of a run).
std::string weightsFile(const Mlp& m, const std::string& dir, const std::function<void(GraphModule&)>& edit) {
  GraphModule model = compileGraph(m.project.graph);
  {
    torch::NoGradGuard guard;
    edit(model);
  }
  fs::create_directories(dir);
  std::string path = (fs::path(dir) / "init.pt").string();
  saveCheckpoint(path, model, nullptr, CheckpointState{});
  return path;
}

torch::Tensor param(GraphModule& model, NodeId node, const std::string& name) {
  return model->named_parameters()["n" + std::to_string(node) + ".m." + name];
}

RunResult train(const Mlp& m, Recorder& rec, const std::string& dir, const std::string& init = "",
                const std::string& resume = "", int64_t every = 1) {
  TrainJob job;
  job.project = m.project;
  job.runDirectory = dir;
  job.initialWeights = init;
  job.resumeCheckpoint = resume;
  job.dataset = blobs();
  job.diagnosticsEvery = every;
  TrainingControl control;
  return runTraining(job, rec, control);
}

std::vector<std::string> lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace diagnostics_test

using namespace nc::core;
namespace fs = std::filesystem;

// Plain SGD without momentum: w_after = w_before - lr g, so the update ratio is lr ||g|| / ||w||.
TEST(Diagnostics, NormsAndUpdateRatioMatchHandValues) {
  diagnostics_test::Mlp m = diagnostics_test::mlp();
  GraphModule model = compileGraph(m.project.graph);
  {
    torch::NoGradGuard guard;
    for (auto& p : model->parameters()) p.fill_(0.5);
    diagnostics_test::param(model, m.fc1, "weight").fill_(2.0);  // 8x4: norm sqrt(32 * 4)
  }
  NodeParameterGroups groups(m.project.graph, model);
  ASSERT_EQ(groups.groups().size(), 3u);
  EXPECT_EQ(groups.groups()[0].nodeId, m.fc1) << "topological order";
  EXPECT_EQ(groups.groups()[0].nodeName, m.name(m.fc1));
  EXPECT_EQ(groups.groups()[2].nodeId, m.fc3);
  for (auto& p : model->parameters()) p.mutable_grad() = torch::full_like(p, 0.1);
  std::vector<double> w = groups.weightNorms(), g = groups.gradNorms();
  // fc1: weight 32 entries of 2, bias 8 of 0.5; gradients 40 entries of 0.1.
  EXPECT_NEAR(w[0], std::sqrt(32 * 4.0 + 8 * 0.25), 1e-5);
  EXPECT_NEAR(g[0], std::sqrt(40 * 0.01), 1e-6);
  // fc3: 8x2 + 2 = 18 entries of 0.5.
  EXPECT_NEAR(w[2], std::sqrt(18 * 0.25), 1e-6);
  EXPECT_NEAR(g[2], std::sqrt(18 * 0.01), 1e-6);
  auto before = groups.copyWeights();
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.3));
  sgd.step();
  std::vector<double> moved = groups.distances(before);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(moved[i] / w[i], 0.3 * g[i] / w[i], 1e-6) << i;

  // Through a run: the first sample is taken at step 1, and for each node the ratio times the
  // weight norm before the step (the initial weights, known here) equals lr times the gradient norm.
  nc::test::TempDir dir("diag_sgd");
  std::string init = diagnostics_test::weightsFile(m, (dir.path() / "init").string(), [&](GraphModule& mod) {
    for (auto& p : mod->parameters()) p.copy_(torch::linspace(-0.5, 0.7, p.numel()).reshape(p.sizes()));
  });
  GraphModule reference = compileGraph(m.project.graph);
  loadCheckpoint(init, reference, nullptr, false);
  std::vector<double> initial = NodeParameterGroups(m.project.graph, reference).weightNorms();
  diagnostics_test::Recorder rec;
  RunResult r = diagnostics_test::train(m, rec, (dir.path() / "run").string(), init);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  ASSERT_FALSE(rec.samples.empty());
  const DiagnosticsSample& first = rec.samples.front();
  EXPECT_EQ(first.step, 1);
  EXPECT_EQ(first.epoch, 1);
  ASSERT_EQ(first.nodes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GT(first.nodes[i].gradNorm, 0);
    EXPECT_NEAR(first.nodes[i].updateRatio * initial[i], 0.05 * first.nodes[i].gradNorm,
                1e-4 * first.nodes[i].gradNorm + 1e-9)
        << first.nodes[i].nodeName;
  }
  EXPECT_EQ(rec.samples.size(), 6u) << "96 training samples / 16, sampled every step here";
}

TEST(Diagnostics, HistogramCountsAndSampling) {
  HistogramData h = histogramOf(torch::tensor({0.0, 1.0, 2.0, 3.0, 4.0, 4.0, 10.0}), 5);
  EXPECT_DOUBLE_EQ(h.min, 0);
  EXPECT_DOUBLE_EQ(h.max, 10);
  EXPECT_EQ(h.counts, (std::vector<int64_t>{2, 2, 2, 0, 1}));  // bins of width 2; the max in the last
  HistogramData flat = histogramOf(torch::full({6}, 3.0), 4);
  EXPECT_EQ(flat.counts, (std::vector<int64_t>{0, 0, 6, 0}));
  HistogramData withNaN = histogramOf(torch::tensor({1.0, std::nan(""), 2.0}), 2);
  EXPECT_EQ(withNaN.counts, (std::vector<int64_t>{1, 1}));

  // A run's epoch-end histograms cover every parameter of each node; the default interval
  // samples step 1 and then every kDiagnosticsEvery steps.
  diagnostics_test::Mlp m = diagnostics_test::mlp();
  m.project.training.epochs = 2;
  m.project.training.batchSize = 2;  // 48 steps per epoch
  diagnostics_test::Recorder rec;
  RunResult r = diagnostics_test::train(m, rec, "", "", "", /*every=*/0);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  ASSERT_EQ(rec.histograms.size(), 2u);
  EXPECT_EQ(rec.histograms[1].epoch, 2);
  ASSERT_EQ(rec.histograms[0].nodes.size(), 3u);
  int64_t weights = 0, grads = 0;
  for (int64_t c : rec.histograms[0].nodes[0].weights.counts) weights += c;
  for (int64_t c : rec.histograms[0].nodes[0].gradients.counts) grads += c;
  EXPECT_EQ(weights, 8 * 4 + 8);
  EXPECT_EQ(grads, 8 * 4 + 8);
  EXPECT_EQ(rec.histograms[0].nodes[0].weights.counts.size(), size_t(kHistogramBins));
  std::vector<int64_t> steps;
  for (const auto& s : rec.samples) steps.push_back(s.step);
  std::vector<int64_t> expected{1};
  for (int64_t s = kDiagnosticsEvery; s <= 96; s += kDiagnosticsEvery) expected.push_back(s);
  EXPECT_EQ(steps, expected);
}

TEST(Diagnostics, AlarmRules) {
  auto sample = [](int64_t step, double grad, double weight) {
    DiagnosticsSample s;
    s.epoch = 1;
    s.step = step;
    s.nodes.push_back(NodeDiagnostics{7, "conv1", weight, grad, 0.01});
    return s;
  };
  AlarmTracker t;
  int64_t step = 0;
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(t.onSample(sample(++step, 1.0, 10)).empty());
  auto a = t.onSample(sample(++step, 50.0, 10));  // 50 x its median
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, "exploding_gradients");
  EXPECT_EQ(a[0].nodeName, "conv1");
  EXPECT_NE(a[0].message.find("node 'conv1'"), std::string::npos) << a[0].message;
  EXPECT_TRUE(t.onSample(sample(++step, 80.0, 10)).empty()) << "raised once while it lasts";
  for (int i = 0; i < AlarmRules::kClearSamples; ++i) EXPECT_TRUE(t.onSample(sample(++step, 1.0, 10)).empty());
  EXPECT_FALSE(t.active("exploding_gradients", 7)) << "cleared";
  a = t.onSample(sample(++step, 2e4, 10));  // above the absolute bound, and back
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, "exploding_gradients");
  // Vanishing: several samples in a row under the ratio.
  AlarmTracker v;
  for (int i = 1; i < AlarmRules::kVanishingSamples; ++i) EXPECT_TRUE(v.onSample(sample(i, 1e-9, 10)).empty());
  a = v.onSample(sample(9, 1e-9, 10));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, "vanishing_gradients");
  // Dead ReLU.
  AlarmTracker d;
  EXPECT_TRUE(d.onReluActivity(1, 10, {{3, "relu1", 0.5}}).empty());
  a = d.onReluActivity(2, 20, {{3, "relu1", 0.95}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, "dead_relu");
  EXPECT_TRUE(d.onReluActivity(3, 30, {{3, "relu1", 0.99}}).empty());
}

// A ReLU whose input is forced negative (fc1's bias at -1000) is named dead at the epoch end.
TEST(Diagnostics, DeadReluAlarmNamesTheNode) {
  diagnostics_test::Mlp m = diagnostics_test::mlp();
  nc::test::TempDir dir("diag_relu");
  std::string init = diagnostics_test::weightsFile(m, (dir.path() / "init").string(), [&](GraphModule& mod) {
    diagnostics_test::param(mod, m.fc1, "bias").fill_(-1000.0);
  });
  diagnostics_test::Recorder rec;
  std::string run = (dir.path() / "run").string();
  RunResult r = diagnostics_test::train(m, rec, run, init);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  ASSERT_EQ(rec.count("dead_relu", m.relu), 1);
  for (const auto& a : rec.alarms) {
    if (a.kind == "dead_relu") EXPECT_NE(a.message.find("'" + m.name(m.relu) + "'"), std::string::npos);
  }
  std::string log;
  for (const auto& l : diagnostics_test::lines(fs::path(run) / "log.txt")) log += l + "\n";
  EXPECT_NE(log.find("alarm: Dead ReLU node '" + m.name(m.relu) + "'"), std::string::npos) << log;
  RunDiagnostics files = readRunDiagnostics(run);
  bool found = false;
  for (const auto& a : files.alarms) found = found || (a.kind == "dead_relu" && a.nodeId == m.relu);
  EXPECT_TRUE(found);
}

// fc2's weights at 1e38 overflow its output to inf; fc3 turns that into NaN: fc2 is named.
TEST(Diagnostics, NonFiniteLossNamesTheFirstNode) {
  diagnostics_test::Mlp m = diagnostics_test::mlp();
  nc::test::TempDir dir("diag_nan");
  std::string init = diagnostics_test::weightsFile(m, (dir.path() / "init").string(), [&](GraphModule& mod) {
    for (auto& p : mod->parameters()) p.fill_(0.1);
    diagnostics_test::param(mod, m.fc1, "weight").fill_(0.0);
    diagnostics_test::param(mod, m.fc1, "bias").fill_(1.0);  // the ReLU passes ones
    diagnostics_test::param(mod, m.fc2, "weight").fill_(1e38);
  });
  diagnostics_test::Recorder rec;
  RunResult r = diagnostics_test::train(m, rec, (dir.path() / "run").string(), init);
  ASSERT_EQ(r.status, RunStatus::Failed);
  std::string expected = "first produced by node '" + m.name(m.fc2) + "' (Linear)";
  EXPECT_NE(r.message.find(expected), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("lower the learning rate or enable gradient clipping"), std::string::npos) << r.message;
  ASSERT_EQ(rec.count("non_finite", m.fc2), 1);
  EXPECT_EQ(rec.alarms.size(), 1u);
}

TEST(Diagnostics, HugeLearningRateRaisesExplodingGradients) {
  diagnostics_test::Mlp m = diagnostics_test::mlp();
  m.project.training.learningRate = 1e3;
  m.project.training.epochs = 2;
  diagnostics_test::Recorder rec;
  RunResult r = diagnostics_test::train(m, rec, "");
  bool exploding = false;
  for (const auto& a : rec.alarms) {
    exploding = exploding || a.kind == "exploding_gradients";
    EXPECT_FALSE(a.nodeName.empty());
  }
  EXPECT_TRUE(exploding) << "status " << runStatusName(r.status) << ": " << r.message;
}

// diagnostics.jsonl holds one line per sample; a resumed run keeps the lines up to its checkpoint
// and appends, and an alarm raised before the resume is not raised again.
TEST(Diagnostics, FilesAndResume) {
  diagnostics_test::Mlp m = diagnostics_test::mlp();
  nc::test::TempDir dir("diag_resume");
  std::string init = diagnostics_test::weightsFile(m, (dir.path() / "init").string(), [&](GraphModule& mod) {
    diagnostics_test::param(mod, m.fc1, "bias").fill_(-1000.0);
  });
  std::string run = (dir.path() / "run").string();
  diagnostics_test::Recorder first;
  m.project.training.epochs = 1;
  ASSERT_EQ(diagnostics_test::train(m, first, run, init).status, RunStatus::Completed);
  fs::path file = fs::path(run) / "diagnostics.jsonl";
  std::vector<std::string> l = diagnostics_test::lines(file);
  ASSERT_EQ(l.size(), 6u);
  RunDiagnostics d = readRunDiagnostics(run);
  ASSERT_EQ(d.samples.size(), 6u);
  EXPECT_EQ(d.samples[2].step, 3);
  ASSERT_EQ(d.samples[2].nodes.size(), 3u);
  EXPECT_EQ(d.samples[2].nodes[0].nodeName, m.name(m.fc1));
  EXPECT_NEAR(d.samples[2].nodes[1].gradNorm, first.samples[2].nodes[1].gradNorm, 1e-9);
  ASSERT_EQ(d.histograms.size(), 1u);
  ASSERT_EQ(d.alarms.size(), first.alarms.size());
  // A line of a partial later epoch (as a kill would leave) is dropped on resume.
  { std::ofstream(file, std::ios::app) << R"({"epoch":2,"step":99,"nodes":[]})" << "\n"; }
  m.project.training.epochs = 2;
  diagnostics_test::Recorder second;
  std::string last = (fs::path(run) / "checkpoints" / "last.pt").string();
  RunResult r = diagnostics_test::train(m, second, run, "", last);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  EXPECT_EQ(second.count("dead_relu", m.relu), 0) << "raised before the resume, still active";
  d = readRunDiagnostics(run);
  ASSERT_EQ(d.samples.size(), 12u);
  for (size_t i = 0; i < d.samples.size(); ++i) EXPECT_EQ(d.samples[i].step, int64_t(i) + 1);
  EXPECT_EQ(d.histograms.size(), 2u);
  EXPECT_EQ(d.alarms.size(), first.alarms.size() + second.alarms.size());
}

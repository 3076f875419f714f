// Issue 14: per-class precision/recall/F1 (ClassMetrics), result.json's per-class fields,
// misclassified.json (every misclassified validation sample) and eval's per-class table.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/JsonUtil.h"
#include "core/data/Dataset.h"
#include "core/training/ClassMetrics.h"
#include "core/training/Misclassified.h"
#include "core/training/MisclassifiedCollector.h"
#include "core/training/Trainer.h"

namespace nc::test::class_metrics_test {  // unity builds: helpers in a namespace of their own

using namespace nc::core;
namespace fs = std::filesystem;

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// 4 classes of 8x8 grey images (a bright quadrant per class) with a lot of noise, so that a
/// short run still misclassifies some validation samples.
std::shared_ptr<Dataset> noisyQuadrants(int64_t n) {
  torch::manual_seed(11);
  auto d = std::make_shared<Dataset>();
  d->trainTargets = torch::randint(0, 4, {n}, torch::kLong);
  d->trainInputs = torch::rand({n, 1, 8, 8}) * 0.8;
  for (int64_t i = 0; i < n; ++i) {
    int64_t c = d->trainTargets[i].item<int64_t>();
    using torch::indexing::Slice;
    d->trainInputs.index({i, 0, Slice((c / 2) * 4, (c / 2) * 4 + 4), Slice((c % 2) * 4, (c % 2) * 4 + 4)}) += 0.2;
  }
  d->trainInputs = d->trainInputs.clamp(0, 1);
  d->classNames = {"top left", "caf\xE9", "bottom left", "bottom right"};  // one name is Latin-1 bytes
  d->sampleShape = TensorShape{{1, 8, 8}, DType::Float32, 0};
  d->description = "noisy quadrants";
  return d;
}

Project tinyCnn() {
  GraphBuilder b;
  NodeId in = b.input({1, 8, 8});
  NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{4}}});
  NodeId act = b.add("ReLU");
  NodeId flat = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{4}}});
  NodeId out = b.add("Output");
  for (auto [a, c] : {std::pair{in, conv}, {conv, act}, {act, flat}, {flat, fc}, {fc, out}}) b.link(a, c);
  Project p;
  p.name = "cnn";
  p.graph = b.graph;
  p.data.validationFraction = 0.5;
  p.training.epochs = 2;
  p.training.batchSize = 32;
  p.training.evalBatchSize = 24;  // several validation batches: positions must carry across them
  p.training.learningRate = 0.001;
  p.training.threads = 1;
  return p;
}

}  // namespace nc::test::class_metrics_test

namespace nc::test {

using namespace nc::core;
namespace cm = class_metrics_test;

// The worked example (F1 = 2 TP / (predicted + support)):
//   true\pred  0  1  2  3     support   predicted: 8 5 0 1
//   0          5  1  0  0     6
//   1          2  3  0  1     6
//   2          1  1  0  0     2         <- never predicted
//   3          0  0  0  0     0         <- no samples (but predicted once)
TEST(ClassMetrics, HandComputedMatrixIncludingANeverPredictedClassAndAClassWithoutSamples) {
  std::vector<std::vector<int64_t>> m = {{5, 1, 0, 0}, {2, 3, 0, 1}, {1, 1, 0, 0}, {0, 0, 0, 0}};
  ClassMetrics r = computeClassMetrics(m, {"zero", "one"});
  ASSERT_EQ(r.classes.size(), 4u);
  EXPECT_EQ(r.classes[0].name, "zero");
  EXPECT_EQ(r.classes[2].name, "2") << "a missing name is the index";
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 5.0 / 8);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 5.0 / 6);
  EXPECT_NEAR(r.classes[0].f1, 10.0 / 14, 1e-12);
  EXPECT_DOUBLE_EQ(r.classes[1].precision, 3.0 / 5);
  EXPECT_DOUBLE_EQ(r.classes[1].recall, 0.5);
  EXPECT_NEAR(r.classes[1].f1, 6.0 / 11, 1e-12);
  EXPECT_EQ(r.classes[2].precision, 0.0);
  EXPECT_TRUE(r.classes[2].noPredictions);
  EXPECT_FALSE(r.classes[2].noSamples);
  EXPECT_EQ(r.classes[2].f1, 0.0);
  EXPECT_EQ(r.classes[2].support, 2);
  EXPECT_TRUE(r.classes[3].noSamples);
  EXPECT_FALSE(r.classes[3].noPredictions);
  EXPECT_EQ(r.classes[3].recall, 0.0);
  EXPECT_EQ(r.classes[3].precision, 0.0);
  EXPECT_EQ(r.classes[3].support, 0);
  EXPECT_EQ(r.samples, 14);
  EXPECT_EQ(r.misclassified, 6);
  EXPECT_DOUBLE_EQ(r.accuracy, 8.0 / 14);
  EXPECT_NEAR(r.macro.precision, (5.0 / 8 + 3.0 / 5) / 4, 1e-12);
  EXPECT_NEAR(r.macro.recall, (5.0 / 6 + 0.5) / 4, 1e-12);
  EXPECT_NEAR(r.macro.f1, (10.0 / 14 + 6.0 / 11) / 4, 1e-12);
  EXPECT_NEAR(r.weighted.precision, (5.0 / 8 * 6 + 3.0 / 5 * 6) / 14, 1e-12);
  EXPECT_NEAR(r.weighted.recall, 8.0 / 14, 1e-12) << "weighted recall is the accuracy";
  EXPECT_NEAR(r.weighted.f1, (10.0 / 14 * 6 + 6.0 / 11 * 6) / 14, 1e-12);
  EXPECT_EQ(r.macro.support, 14);

  // JSON: no NaN (nlohmann writes null for it), notes where a division was by zero.
  nlohmann::json j = classMetricsJson(r);
  std::string text = dumpJson(j);
  EXPECT_FALSE(cm::has(text, "null")) << text;
  EXPECT_FALSE(cm::has(text, "nan")) << text;
  ASSERT_EQ(j["per_class"].size(), 4u);
  EXPECT_EQ(j["per_class"][2]["note"], "no predictions");
  EXPECT_EQ(j["per_class"][3]["note"], "no samples");
  EXPECT_FALSE(j["per_class"][0].contains("note"));
  EXPECT_EQ(j["per_class"][1]["support"], 6);
  EXPECT_NEAR(j["macro_avg"]["f1"].get<double>(), r.macro.f1, 1e-12);
  EXPECT_NEAR(j["weighted_avg"]["recall"].get<double>(), 8.0 / 14, 1e-12);

  std::string table = classMetricsTable(r);
  EXPECT_TRUE(cm::has(table, "class")) << table;
  EXPECT_TRUE(cm::has(table, "precision")) << table;
  EXPECT_TRUE(cm::has(table, "0.6250")) << table;
  EXPECT_TRUE(cm::has(table, "(no predictions)")) << table;
  EXPECT_TRUE(cm::has(table, "(no samples)")) << table;
  EXPECT_TRUE(cm::has(table, "macro avg")) << table;
  EXPECT_TRUE(cm::has(table, "weighted avg")) << table;

  // Degenerate matrices: empty, all zero, ragged and negative cells, arbitrary name bytes.
  ClassMetrics empty = computeClassMetrics({});
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.accuracy, 0.0);
  EXPECT_FALSE(cm::has(dumpJson(classMetricsJson(empty)), "null"));
  ClassMetrics zeros = computeClassMetrics({{0, 0}, {0, 0}}, {"a", "b"});
  EXPECT_EQ(zeros.macro.f1, 0.0);
  EXPECT_EQ(classMetricsJson(zeros)["per_class"][0]["note"], "no samples and no predictions");
  ClassMetrics ragged = computeClassMetrics({{2}, {1, 3, 9}}, {"x\xFF", ""});
  EXPECT_EQ(ragged.classes[0].support, 2);
  EXPECT_EQ(ragged.classes[1].support, 4) << "cells beyond the square are ignored";
  EXPECT_EQ(ragged.classes[1].name, "1");
  EXPECT_EQ(computeClassMetrics({{-4, 1}, {0, 1}}).classes[0].support, 1) << "negative counts read as 0";
  nlohmann::json named = classMetricsJson(ragged);
  EXPECT_EQ(named["per_class"][0]["class"], "x\xC3\xBF") << "name bytes read as Latin-1";
  EXPECT_TRUE(isValidUtf8(classMetricsTable(ragged)));
  ClassMetrics longName = computeClassMetrics({{1}}, {std::string(40, 'n') + "\xC3\xA9\xC3\xA9"});
  EXPECT_TRUE(isValidUtf8(classMetricsTable(longName))) << "a long name is cut between characters";
}

TEST(ClassMetrics, Base64AndTheMisclassifiedFileRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += char(i);
  for (size_t n = 0; n <= all.size(); n += (n < 12 ? 1 : 61)) {
    std::string bytes = all.substr(0, n), back;
    std::string text = base64Encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    ASSERT_TRUE(base64Decode(text, back)) << n;
    EXPECT_EQ(back, bytes) << n;
  }
  EXPECT_EQ(base64Encode("Man"), "TWFu");
  EXPECT_EQ(base64Encode("Ma"), "TWE=");
  EXPECT_EQ(base64Encode("M"), "TQ==");
  std::string out;
  for (const char* bad : {"TWF", "TW=u", "T===", "TQ==TQ==", "TW!u"}) EXPECT_FALSE(base64Decode(bad, out)) << bad;

  MisclassifiedSet set;
  set.epoch = 3;
  set.classNames = {"a", "b\xE9"};
  set.confusion = {{1, 2}, {1, 0}};
  set.evaluated = 4;
  set.misclassified = 3;
  set.cap = 2;
  set.capped = true;
  MisclassifiedSample s;
  s.index = 1;
  s.datasetIndex = 17;
  s.trueClass = 0;
  s.predicted = 1;
  s.confidence = 0.75;
  s.top = {{1, 0.75}, {0, 0.25}};
  s.shape = {1, 2, 2};
  s.pixels = std::string("\x00\x7f\x80\xff", 4);
  set.samples = {s, s};
  set.samples[1].shape.clear();
  set.samples[1].pixels.clear();
  std::filesystem::path file = processScratchDir("class_metrics") / "misclassified.json";
  std::ofstream(file, std::ios::binary) << misclassifiedJson(set);
  MisclassifiedLoad load = readMisclassified(file.string());
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_EQ(load.set.epoch, 3);
  EXPECT_EQ(load.set.classNames[1], "b\xC3\xA9");
  EXPECT_EQ(load.set.confusion, set.confusion);
  EXPECT_EQ(load.set.misclassified, 3);
  EXPECT_TRUE(load.set.capped);
  ASSERT_EQ(load.set.samples.size(), 2u);
  EXPECT_EQ(load.set.samples[0].pixels, s.pixels);
  EXPECT_EQ(load.set.samples[0].shape, s.shape);
  EXPECT_EQ(load.set.samples[0].datasetIndex, 17);
  EXPECT_EQ(load.set.samples[0].top, s.top);
  EXPECT_TRUE(load.set.samples[1].pixels.empty());

  // Damaged files are refused naming the file and the sample.
  std::string text = misclassifiedJson(set);
  auto refuse = [&](const std::string& from, const std::string& to, const std::string& expected) {
    std::string damaged = text;
    size_t at = damaged.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    damaged.replace(at, from.size(), to);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << damaged;
    MisclassifiedLoad bad = readMisclassified(file.string());
    EXPECT_FALSE(bad.ok) << from;
    EXPECT_TRUE(cm::has(bad.error, file.string())) << bad.error;
    EXPECT_TRUE(cm::has(bad.error, expected)) << bad.error;
  };
  refuse("\"predicted\":1", "\"predicted\":5", "samples[0]: class 5 is out of range");
  refuse("AH+A/w==", "AH+A", "samples[0]: \"pixels\"");
  refuse("neuralcanvas-misclassified", "other", "not a misclassified-samples file");
  refuse("{", "[", "not valid JSON");
  EXPECT_FALSE(readMisclassified((file.parent_path() / "none.json").string()).ok);
}

TEST(ClassMetrics, CollectorListsEveryMistakeAcrossBatchesAndCaps) {
  // 10 samples in two batches; the logits predict class 0 everywhere: the 6 of class 1 are wrong.
  torch::Tensor indices = torch::arange(100, 110, torch::kLong);
  torch::Tensor y = torch::tensor({0, 1, 1, 0, 1, 1, 0, 1, 0, 1}, torch::kLong);
  torch::Tensor logits = torch::zeros({10, 3});
  logits.select(1, 0).fill_(2.0);
  logits.select(1, 2).fill_(1.0);
  torch::Tensor x = torch::rand({10, 1, 2, 2});
  MisclassifiedCollector all(indices);
  all.add(x.slice(0, 0, 4), y.slice(0, 0, 4), logits.slice(0, 0, 4));
  all.add(x.slice(0, 4, 10), y.slice(0, 4, 10), logits.slice(0, 4, 10));
  const MisclassifiedSet& set = all.set();
  EXPECT_EQ(set.evaluated, 10);
  EXPECT_EQ(set.misclassified, 6);
  EXPECT_FALSE(set.capped);
  ASSERT_EQ(set.samples.size(), 6u);
  std::vector<int64_t> positions;
  for (const auto& s : set.samples) positions.push_back(s.index);
  EXPECT_EQ(positions, (std::vector<int64_t>{1, 2, 4, 5, 7, 9}));
  const MisclassifiedSample& s = set.samples[2];
  EXPECT_EQ(s.datasetIndex, 104);
  EXPECT_EQ(s.trueClass, 1);
  EXPECT_EQ(s.predicted, 0);
  double e2 = std::exp(2.0), e1 = std::exp(1.0);
  EXPECT_NEAR(s.confidence, e2 / (e2 + e1 + 1), 1e-6);
  ASSERT_EQ(s.top.size(), 3u);
  EXPECT_EQ(s.top[0].first, 0);
  EXPECT_EQ(s.top[1].first, 2);
  EXPECT_EQ(s.top[2].first, 1);
  ASSERT_EQ(s.shape, (std::vector<int64_t>{1, 2, 2}));
  ASSERT_EQ(s.pixels.size(), 4u);
  EXPECT_EQ(uint8_t(s.pixels[3]), uint8_t(std::lround(x[4][0][1][1].item<double>() * 255)));

  MisclassifiedCollector capped(indices, 4);
  capped.add(x.slice(0, 0, 4), y.slice(0, 0, 4), logits.slice(0, 0, 4));
  capped.add(x.slice(0, 4, 10), y.slice(0, 4, 10), logits.slice(0, 4, 10));
  EXPECT_EQ(capped.set().misclassified, 6) << "the count covers the whole pass";
  EXPECT_EQ(capped.set().samples.size(), 4u);
  EXPECT_TRUE(capped.set().capped);

  MisclassifiedCollector text(indices);  // not images: no pixels
  text.add(torch::zeros({10, 5}), y, logits);
  EXPECT_EQ(text.set().samples.size(), 6u);
  EXPECT_TRUE(text.set().samples[0].shape.empty());
}

// A tiny run: result.json carries the per-class table of its confusion matrix, misclassified.json
// lists every misclassified validation sample (as many as the matrix's off-diagonal sum), each
// one pointing at its row of the data; eval prints the per-class table of its split.
TEST(ClassMetrics, RunWritesPerClassResultAndEveryMisclassifiedSampleAndEvalPrintsTheTable) {
  TempDir dir("class_metrics_run");
  auto data = cm::noisyQuadrants(256);
  TrainJob job;
  job.project = cm::tinyCnn();
  job.runDirectory = dir.str("run");
  job.dataset = data;
  TrainingObserver quiet;
  TrainingControl control;
  RunResult r = runTraining(job, quiet, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;

  JsonParse result = parseJson(cm::readText(dir.path() / "run" / "result.json"));
  ASSERT_TRUE(result.ok()) << result.error;
  const nlohmann::json& j = result.value;
  EXPECT_EQ(j["per_class_split"], "validation");
  ASSERT_TRUE(j["per_class"].is_array());
  ASSERT_EQ(j["per_class"].size(), 4u);
  ClassMetrics expected = computeClassMetrics(r.confusion, data->classNames);
  int64_t support = 0;
  for (size_t i = 0; i < 4; ++i) {
    const nlohmann::json& c = j["per_class"][i];
    for (const char* key : {"precision", "recall", "f1"}) EXPECT_TRUE(c[key].is_number()) << key;
    EXPECT_NEAR(c["precision"].get<double>(), expected.classes[i].precision, 1e-12);
    EXPECT_NEAR(c["f1"].get<double>(), expected.classes[i].f1, 1e-12);
    support += c["support"].get<int64_t>();
  }
  EXPECT_EQ(j["per_class"][1]["class"], "caf\xC3\xA9");
  EXPECT_EQ(support, 128) << "the validation split";
  EXPECT_NEAR(j["macro_avg"]["f1"].get<double>(), expected.macro.f1, 1e-12);
  EXPECT_NEAR(j["weighted_avg"]["recall"].get<double>(), expected.accuracy, 1e-12);

  MisclassifiedLoad mis = readMisclassified(dir.str("run/misclassified.json"));
  ASSERT_TRUE(mis.ok) << mis.error;
  EXPECT_EQ(mis.set.epoch, 2);
  EXPECT_EQ(mis.set.split, "validation");
  EXPECT_EQ(mis.set.confusion, r.confusion);
  EXPECT_EQ(mis.set.evaluated, 128);
  ASSERT_GT(expected.misclassified, 0) << "the noisy data leaves mistakes to list";
  EXPECT_EQ(mis.set.misclassified, expected.misclassified);
  EXPECT_EQ(int64_t(mis.set.samples.size()), expected.misclassified);
  EXPECT_FALSE(mis.set.capped);
  SplitIndices split = splitTrainValidation(256, 0.5, job.project.data.seed);
  std::vector<std::vector<int64_t>> counted(4, std::vector<int64_t>(4));
  for (const MisclassifiedSample& s : mis.set.samples) {
    ASSERT_GE(s.index, 0);
    ASSERT_LT(s.index, 128);
    EXPECT_EQ(s.datasetIndex, split.validation[s.index].item<int64_t>());
    EXPECT_EQ(s.trueClass, data->trainTargets[s.datasetIndex].item<int64_t>());
    EXPECT_NE(s.trueClass, s.predicted);
    ASSERT_EQ(s.top.size(), 3u);
    EXPECT_EQ(s.top[0].second, s.confidence);
    ASSERT_EQ(s.pixels.size(), 64u);
    torch::Tensor image = data->trainInputs[s.datasetIndex];
    EXPECT_EQ(uint8_t(s.pixels[9]), uint8_t(std::lround(image[0][1][1].item<double>() * 255)));
    ++counted[size_t(s.trueClass)][size_t(s.predicted)];
  }
  for (size_t t = 0; t < 4; ++t)
    for (size_t p = 0; p < 4; ++p)
      if (t != p) EXPECT_EQ(counted[t][p], r.confusion[t][p]) << t << "," << p;

  // evaluateCheckpoint carries the confusion matrix of its split.
  EvalResult eval = evaluateCheckpoint(job.project, dir.str("run/checkpoints/last.pt"), data);
  ASSERT_TRUE(eval.ok) << eval.error;
  EXPECT_EQ(eval.split, "validation");
  EXPECT_EQ(eval.confusion, r.confusion) << "the same weights on the same split";
  EXPECT_EQ(eval.classNames, data->classNames);
}

TEST(ClassMetrics, EvalCommandPrintsThePerClassTable) {
  TempDir dir("class_metrics_eval");
  std::filesystem::create_directories(dir.path());
  // CSV data: two features, three classes (one named with a Latin-1 byte).
  torch::manual_seed(5);
  std::ostringstream csv;
  csv << "x,y,label\n";
  const char* names[] = {"north", "south", "\xE9t\xE9"};
  for (int i = 0; i < 90; ++i) {
    int c = i % 3;
    csv << (c == 0 ? 2.0 : -1.0) + torch::randn({1}).item<double>() * 0.8 << ","
        << (c == 2 ? 2.0 : -1.0) + torch::randn({1}).item<double>() * 0.8 << "," << names[c] << "\n";
  }
  std::ofstream(dir.path() / "points.csv", std::ios::binary) << csv.str();
  GraphBuilder b;
  NodeId in = b.input({2});
  NodeId fc = b.add("Linear", {{"out_features", int64_t{3}}});
  NodeId out = b.add("Output");
  b.link(in, fc);
  b.link(fc, out);
  Project p;
  p.name = "points";
  p.graph = b.graph;
  p.data.kind = "csv";
  p.data.path = (dir.path() / "points.csv").string();
  p.data.validationFraction = 0.3;
  p.training.epochs = 1;
  p.training.threads = 1;
  std::filesystem::path projectFile = dir.path() / "points.json";
  ASSERT_TRUE(saveProject(p, projectFile.string()).ok());
  TrainJob job;
  job.project = p;
  job.runDirectory = dir.str("run");
  TrainingObserver quiet;
  TrainingControl control;
  RunResult r = runTraining(job, quiet, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;

  int status = 0;
  std::string output = runCommand(std::string(NC_CLI_PATH) + " eval " + projectFile.string() + " --checkpoint " +
                                      dir.str("run/checkpoints/last.pt") + " 2>&1",
                                  &status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_TRUE(cm::has(output, "validation accuracy: ")) << output;
  EXPECT_TRUE(cm::has(output, "per class (validation split):")) << output;
  EXPECT_TRUE(cm::has(output, "precision")) << output;
  EXPECT_TRUE(cm::has(output, "north")) << output;
  EXPECT_TRUE(cm::has(output, "\xC3\xA9t\xC3\xA9")) << "Latin-1 bytes shown as UTF-8: " << output;
  EXPECT_TRUE(cm::has(output, "macro avg")) << output;
  EXPECT_TRUE(cm::has(output, "weighted avg")) << output;
  EXPECT_LT(output.find("accuracy:"), output.find("per class")) << "the table follows the accuracy";

  // --json -: only JSON on stdout, the same figures as evaluateCheckpoint, the per-class scores
  // agreeing with the confusion matrix, names in UTF-8.
  const EvalResult direct = evaluateCheckpoint(p, dir.str("run/checkpoints/last.pt"));
  ASSERT_TRUE(direct.ok) << direct.error;
  std::string text = runCommand(std::string(NC_CLI_PATH) + " eval " + projectFile.string() + " --checkpoint " +
                                    dir.str("run/checkpoints/last.pt") + " --json -",
                                &status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << text;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << "stdout is one JSON object: " << text;
  EXPECT_EQ(j["split"], "validation");
  EXPECT_EQ(j["samples"].get<int64_t>(), direct.samples);
  EXPECT_NEAR(j["accuracy"].get<double>(), direct.accuracy, 1e-12);
  EXPECT_NEAR(j["loss"].get<double>(), direct.loss, 1e-9);
  EXPECT_EQ(j["confusion"].get<std::vector<std::vector<int64_t>>>(), direct.confusion);
  ASSERT_EQ(j["class_names"].size(), 3u);
  EXPECT_EQ(j["class_names"][2], "\xC3\xA9t\xC3\xA9");
  ASSERT_EQ(j["per_class"].size(), 3u);
  for (size_t c = 0; c < 3; ++c) {
    int64_t row = 0;
    for (int64_t v : direct.confusion[c]) row += v;
    EXPECT_EQ(j["per_class"][c]["support"].get<int64_t>(), row) << "class " << c;
    int64_t column = 0;
    for (const auto& r : direct.confusion) column += r[c];
    const double precision = column ? double(direct.confusion[c][c]) / double(column) : 0.0;
    EXPECT_NEAR(j["per_class"][c]["precision"].get<double>(), precision, 1e-12) << "class " << c;
  }
  EXPECT_EQ(j["macro_avg"]["support"].get<int64_t>(), direct.samples);

  // --json FILE: the table as before, and the file holds the same object.
  output = runCommand(std::string(NC_CLI_PATH) + " eval " + projectFile.string() + " --checkpoint " +
                          dir.str("run/checkpoints/last.pt") + " --json " + dir.str("eval.json") + " 2>&1",
                      &status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_TRUE(cm::has(output, "per class (validation split):")) << output;
  std::ifstream written(dir.str("eval.json"));
  std::stringstream file;
  file << written.rdbuf();
  EXPECT_EQ(nlohmann::json::parse(file.str(), nullptr, false), j);

  // An unwritable --json path: an error naming it, exit 1.
  output = runCommand(std::string(NC_CLI_PATH) + " eval " + projectFile.string() + " --checkpoint " +
                          dir.str("run/checkpoints/last.pt") + " --json " + dir.str("missing/dir/eval.json") + " 2>&1",
                      &status);
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_TRUE(cm::has(output, "missing/dir/eval.json")) << output;
}

}  // namespace nc::test

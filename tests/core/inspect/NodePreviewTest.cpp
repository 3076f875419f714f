// PreviewEngine (issue 14): per-node previews of known inputs and weights on tiny synthetic data.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <numeric>

#include "../GraphTestUtil.h"
#include "../data/ReaderTestUtil.h"
#include "core/GraphModule.h"
#include "core/data/Dataset.h"
#include "core/inspect/NodePreview.h"
#include "core/training/Checkpoint.h"
#include "core/training/Trainer.h"

namespace node_preview_test {

using namespace nc::core;
using nc::test::GraphBuilder;
namespace readers = nc::test::readers;

constexpr int64_t kSide = 4;    // images are 1 x 4 x 4
constexpr uint32_t kTrain = 20, kTest = 6;

/// IDX files: train and test images whose pixel (i, k) = (i * 31 + k) % 256 (ReaderTestUtil), labels i % 10.
void writeTinyIdx(const readers::TempDir& dir) {
  auto labels = [](uint32_t n) {
    std::vector<uint8_t> l;
    for (uint32_t i = 0; i < n; ++i) l.push_back(uint8_t(i % 10));
    return l;
  };
  readers::writeBytes(dir / "train-images-idx3-ubyte", readers::idxImages(kTrain, kSide, kSide));
  readers::writeBytes(dir / "train-labels-idx1-ubyte", readers::idxLabels(labels(kTrain)));
  readers::writeBytes(dir / "t10k-images-idx3-ubyte", readers::idxImages(kTest, kSide, kSide));
  readers::writeBytes(dir / "t10k-labels-idx1-ubyte", readers::idxLabels(labels(kTest)));
}

/// Pixel k of test image i in [0, 1].
double pixel(int64_t i, int64_t k) { return double((i * 31 + k) % 256) / 255.0; }

struct CnnIds {
  NodeId input = -1, conv = -1, relu = -1, flatten = -1, fc = -1, output = -1;
};

/// Input [1, 4, 4] -> Conv2d(2, 3x3, no padding) -> ReLU -> Flatten -> Linear(10) -> Output.
Project cnnProject(const std::string& folder, CnnIds* ids = nullptr) {
  GraphBuilder b;
  CnnIds n;
  n.input = b.input({1, kSide, kSide});
  n.conv = b.add("Conv2d", {{"out_channels", int64_t{2}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{0}}});
  n.relu = b.add("ReLU");
  n.flatten = b.add("Flatten");
  n.fc = b.add("Linear", {{"out_features", int64_t{10}}});
  n.output = b.add("Output");
  b.link(n.input, n.conv);
  b.link(n.conv, n.relu);
  b.link(n.relu, n.flatten);
  b.link(n.flatten, n.fc);
  b.link(n.fc, n.output);
  if (ids) *ids = n;
  Project p;
  p.graph = b.graph;
  p.data.kind = "idx";
  p.data.path = folder;
  p.data.validationFraction = 0.25;
  p.training.seed = 123;
  return p;
}

/// Input [1, 4, 4] -> Reshape [4, 4] -> MultiheadAttention(2 heads, causal) ->
/// TransformerEncoderLayer(2 heads, norm_first, causal) -> Flatten -> Linear(10) -> Output.
Project attentionProject(const std::string& folder, NodeId* mha, NodeId* encoder) {
  GraphBuilder b;
  NodeId in = b.input({1, kSide, kSide});
  NodeId reshape = b.add("Reshape", {{"shape", std::vector<int64_t>{kSide, kSide}}});
  *mha = b.add("MultiheadAttention", {{"num_heads", int64_t{2}}, {"causal", true}});
  *encoder = b.add("TransformerEncoderLayer", {{"num_heads", int64_t{2}},
                                               {"dim_feedforward", int64_t{8}},
                                               {"norm_first", true},
                                               {"causal", true}});
  NodeId flatten = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{10}}});
  NodeId out = b.add("Output");
  b.link(in, reshape);
  b.link(reshape, *mha);
  b.link(*mha, *encoder);
  b.link(*encoder, flatten);
  b.link(flatten, fc);
  b.link(fc, out);
  Project p;
  p.graph = b.graph;
  p.data.path = folder;
  p.training.seed = 5;
  return p;
}

const NodePreview* find(const PreviewResult& r, NodeId id) {
  for (const NodePreview& n : r.nodes)
    if (n.nodeId == id) return &n;
  return nullptr;
}

torch::Tensor& param(GraphModule& m, const std::string& name) {
  for (auto& item : m->named_parameters())
    if (item.key() == name) return item.value();
  throw std::runtime_error("no parameter " + name);
}

/// Asks for a weights snapshot on the first step and keeps it.
struct SnapshotKeeper : TrainingObserver {
  TrainingControl* control = nullptr;
  std::shared_ptr<const WeightsSnapshot> snapshot;
  void onStep(const StepMetrics& m) override {
    if (m.step == 2) control->requestWeightsSnapshot();
  }
  void onWeightsSnapshot(std::shared_ptr<const WeightsSnapshot> s) override { snapshot = std::move(s); }
};

/// Causal self-attention weights [heads, L, L] of x [L, E] with packed in_proj (w [3E, E], b [3E]), by hand.
torch::Tensor manualAttention(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, int64_t heads) {
  const int64_t length = x.size(0), embed = x.size(1), dim = embed / heads;
  torch::Tensor qkv = torch::matmul(x, w.t()) + b;  // [L, 3E]
  torch::Tensor q = qkv.narrow(1, 0, embed), k = qkv.narrow(1, embed, embed);
  std::vector<torch::Tensor> maps;
  for (int64_t h = 0; h < heads; ++h) {
    torch::Tensor scores = torch::matmul(q.narrow(1, h * dim, dim), k.narrow(1, h * dim, dim).t()) / std::sqrt(double(dim));
    for (int64_t i = 0; i < length; ++i)
      for (int64_t j = i + 1; j < length; ++j) scores[i][j] = -1e30;
    maps.push_back(torch::softmax(scores, 1));
  }
  return torch::stack(maps);
}

bool contains(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

int64_t histogramTotal(const NodePreview& n) {
  return std::accumulate(n.histogram.counts.begin(), n.histogram.counts.end(), int64_t{0});
}

/// Input tokens [8] -> Embedding(4) -> Linear(vocab) -> Output, on a character-level text file.
Project textProject(const std::string& file, int64_t vocab) {
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{8}}, {"dtype", std::string("tokens")},
                              {"vocab_size", vocab}});
  NodeId embed = b.add("Embedding", {{"embedding_dim", int64_t{4}}});
  NodeId fc = b.add("Linear", {{"out_features", vocab}});
  NodeId out = b.add("Output");
  b.link(in, embed);
  b.link(embed, fc);
  b.link(fc, out);
  Project p;
  p.graph = b.graph;
  p.data.kind = "text";
  p.data.path = file;
  p.data.sequenceLength = 8;
  p.data.validationFraction = 0.5;
  return p;
}

}  // namespace node_preview_test

using namespace nc::core;
namespace npt = node_preview_test;

TEST(NodePreview, KnownConvWeightsGiveHandComputedStatistics) {
  nc::test::readers::TempDir dir("preview");
  npt::writeTinyIdx(dir);
  npt::CnnIds ids;
  Project project = npt::cnnProject(dir.str(), &ids);
  GraphModule model = compileGraph(project.graph);
  {
    torch::NoGradGuard guard;
    // Identity normalization: the model sees pixels in [0, 1].
    model->setInputNormalization(torch::zeros({1, 1, 1}), torch::ones({1, 1, 1}));
    // Filter 0: a 3x3 box sum minus 1; filter 1: all -1 (its ReLU output is dead).
    npt::param(model, "n" + std::to_string(ids.conv) + ".m.weight").copy_(torch::cat(
        {torch::ones({1, 1, 3, 3}), -torch::ones({1, 1, 3, 3})}));
    npt::param(model, "n" + std::to_string(ids.conv) + ".m.bias").copy_(torch::tensor({-1.0f, 0.0f}));
  }
  WeightsSnapshot snap;
  snap.step = 17;
  snap.state = saveModelState(model);

  PreviewEngine engine;
  for (int64_t sample : {0, 3, 5}) {
    SCOPED_TRACE("sample " + std::to_string(sample));
    PreviewResult r = engine.compute(project, sample, &snap);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.trainedWeights);
    EXPECT_EQ(r.weightsStep, 17);
    EXPECT_EQ(r.sample.split, "test");
    EXPECT_EQ(r.sample.count, npt::kTest);
    EXPECT_EQ(r.sample.label, sample % 10);
    EXPECT_EQ(r.sample.labelName, std::to_string(sample % 10));
    ASSERT_EQ(r.sample.image.rows, npt::kSide);
    ASSERT_EQ(r.sample.image.cols, npt::kSide);
    ASSERT_EQ(r.sample.channels.size(), 1u);
    for (int64_t k = 0; k < npt::kSide * npt::kSide; ++k)
      EXPECT_NEAR(r.sample.image.values[size_t(k)], npt::pixel(sample, k), 1e-6);

    // Topological order, Input first, every live node.
    ASSERT_EQ(r.nodes.size(), 6u);
    EXPECT_EQ(r.nodes.front().nodeId, ids.input);
    EXPECT_EQ(r.nodes.back().nodeId, ids.output);

    // Conv output by hand: filter 0 = window sum - 1, filter 1 = -window sum; then ReLU.
    std::vector<double> expected;
    for (int f = 0; f < 2; ++f)
      for (int64_t y = 0; y < 2; ++y)
        for (int64_t x = 0; x < 2; ++x) {
          double sum = 0;
          for (int64_t dy = 0; dy < 3; ++dy)
            for (int64_t dx = 0; dx < 3; ++dx) sum += npt::pixel(sample, (y + dy) * npt::kSide + x + dx);
          expected.push_back(std::max(0.0, f == 0 ? sum - 1 : -sum));
        }
    const double n = double(expected.size());
    double mean = 0, lo = 1e9, hi = -1e9, zeros = 0;
    for (double v : expected) {
      mean += v / n;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      zeros += v == 0;
    }
    double var = 0;
    for (double v : expected) var += (v - mean) * (v - mean) / n;

    const NodePreview* relu = npt::find(r, ids.relu);
    ASSERT_TRUE(relu);
    EXPECT_EQ(relu->shape, (std::vector<int64_t>{2, 2, 2}));
    EXPECT_EQ(relu->kind, "feature_maps");
    EXPECT_EQ(relu->images.size(), 2u);  // one map per out_channel
    EXPECT_EQ(relu->stats.count, 8);
    EXPECT_NEAR(relu->stats.mean, mean, 1e-5);
    EXPECT_NEAR(relu->stats.std, std::sqrt(var), 1e-5);
    EXPECT_NEAR(relu->stats.min, lo, 1e-5);
    EXPECT_NEAR(relu->stats.max, hi, 1e-5);
    EXPECT_NEAR(relu->stats.zeroFraction, zeros / n, 1e-12);
    EXPECT_GE(relu->stats.zeroFraction, 0.5);  // filter 1 is dead
    EXPECT_EQ(relu->stats.nonFinite, 0);
    // Maps are normalized over the node's whole range: the dead map is all 0, the live map reaches 1.
    for (float v : relu->images[1].values) EXPECT_EQ(v, 0.0f);
    if (hi > 0) {
      EXPECT_FLOAT_EQ(*std::max_element(relu->images[0].values.begin(), relu->images[0].values.end()), 1.0f);
    }

    for (const NodePreview& node : r.nodes) {
      SCOPED_TRACE(node.nodeName);
      EXPECT_EQ(int64_t(node.histogram.counts.size()), kHistogramBins);
      EXPECT_EQ(npt::histogramTotal(node), node.stats.count - node.stats.nonFinite);
      int64_t numel = 1;
      for (int64_t d : node.shape) numel *= d;
      EXPECT_EQ(node.stats.count, numel);
    }
    EXPECT_EQ(npt::find(r, ids.conv)->images.size(), 2u);
    EXPECT_EQ(npt::find(r, ids.flatten)->shape, (std::vector<int64_t>{8}));
    EXPECT_EQ(npt::find(r, ids.flatten)->kind, "bars");  // small 1-D output: raw values

    // The Output: softmax probabilities with the class names.
    const NodePreview* out = npt::find(r, ids.output);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->kind, "bars");
    ASSERT_EQ(out->bars.size(), 10u);
    EXPECT_NEAR(std::accumulate(out->bars.begin(), out->bars.end(), 0.0), 1.0, 1e-9);
    ASSERT_EQ(out->barLabels.size(), 10u);
    EXPECT_EQ(out->barLabels[3], "3");
  }
}

TEST(NodePreview, UntrainedPreviewIsTheRunsInitialModelAndLeavesTheGeneratorAlone) {
  nc::test::readers::TempDir dir("preview");
  npt::writeTinyIdx(dir);
  npt::CnnIds ids;
  Project project = npt::cnnProject(dir.str(), &ids);

  // What the trainer builds: seed, then the module; the normalization of its train split.
  DatasetLoad load = loadDataset(project.data);
  ASSERT_TRUE(load.ok()) << load.error;
  torch::manual_seed(uint64_t(project.training.seed));
  GraphModule initial = compileGraph(project.graph);
  SplitIndices split =
      splitTrainValidation(load.dataset->trainInputs.size(0), project.data.validationFraction, project.data.seed);
  Normalization norm = computeNormalization(*load.dataset, split.train);
  initial->setInputNormalization(norm.mean, norm.std);
  WeightsSnapshot snap;
  snap.state = saveModelState(initial);

  PreviewEngine engine, other;
  torch::manual_seed(999);
  PreviewResult a = engine.compute(project, 2);
  torch::Tensor afterPreview = torch::rand({4});
  torch::manual_seed(999);
  torch::Tensor withoutPreview = torch::rand({4});
  EXPECT_TRUE(torch::equal(afterPreview, withoutPreview)) << "compute() changed the global generator's state";

  PreviewResult b = other.compute(project, 2);
  PreviewResult fromRun = engine.compute(project, 2, &snap);
  ASSERT_TRUE(a.ok && b.ok && fromRun.ok) << a.error << b.error << fromRun.error;
  EXPECT_FALSE(a.trainedWeights);
  EXPECT_EQ(a.weightsStep, -1);
  ASSERT_EQ(a.nodes.size(), fromRun.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    SCOPED_TRACE(a.nodes[i].nodeName);
    EXPECT_EQ(a.nodes[i].stats.mean, b.nodes[i].stats.mean);  // same seed -> same values
    EXPECT_EQ(a.nodes[i].histogram.counts, b.nodes[i].histogram.counts);
    EXPECT_NEAR(a.nodes[i].stats.mean, fromRun.nodes[i].stats.mean, 1e-6);  // the trainer's initial weights
    EXPECT_NEAR(a.nodes[i].stats.std, fromRun.nodes[i].stats.std, 1e-6);
  }
  const NodePreview* out = npt::find(a, ids.output);
  const NodePreview* outRun = npt::find(fromRun, ids.output);
  for (size_t k = 0; k < out->bars.size(); ++k) EXPECT_NEAR(out->bars[k], outRun->bars[k], 1e-6);
  // The input is normalized like the run's: mean of the Input node's output over the train split ~ 0.
  EXPECT_EQ(npt::find(a, ids.input)->kind, "feature_maps");

  // A different seed gives different initial weights.
  project.training.seed = 124;
  PreviewResult c = engine.compute(project, 2);
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_NE(npt::find(c, ids.output)->bars, out->bars);
}

TEST(NodePreview, AttentionPerHeadRowsSumToOneAndCausalMaskHoldsWithNormFirst) {
  nc::test::readers::TempDir dir("preview");
  npt::writeTinyIdx(dir);
  NodeId mha = -1, encoder = -1;
  Project project = npt::attentionProject(dir.str(), &mha, &encoder);
  PreviewEngine engine;
  PreviewResult r = engine.compute(project, 1);
  ASSERT_TRUE(r.ok) << r.error;
  for (NodeId id : {mha, encoder}) {
    const NodePreview* n = npt::find(r, id);
    ASSERT_TRUE(n);
    SCOPED_TRACE(n->type);
    EXPECT_EQ(n->kind, "heatmap");
    EXPECT_EQ(n->shape, (std::vector<int64_t>{npt::kSide, npt::kSide}));
    ASSERT_EQ(n->attention.size(), 2u);  // one map per head
    for (const PreviewImage& head : n->attention) {
      ASSERT_EQ(head.rows, npt::kSide);
      ASSERT_EQ(head.cols, npt::kSide);
      for (int64_t q = 0; q < head.rows; ++q) {
        double sum = 0;
        for (int64_t k = 0; k < head.cols; ++k) {
          float w = head.values[size_t(q * head.cols + k)];
          sum += w;
          if (k > q) {
            EXPECT_EQ(w, 0.0f) << "query " << q << " attends to a later key " << k;
          }
        }
        EXPECT_NEAR(sum, 1.0, 1e-5);
      }
    }
  }
  // The encoder's first query attends only to itself.
  EXPECT_NEAR(npt::find(r, encoder)->attention[0].values[0], 1.0, 1e-6);

  // The weights by hand, from a snapshot's parameters: the MultiheadAttention on the input tokens,
  // the (norm_first) encoder on LayerNorm(norm1) of the attention's output.
  torch::manual_seed(77);
  GraphModule model = compileGraph(project.graph);
  WeightsSnapshot snap;
  snap.state = saveModelState(model);
  PreviewResult trained = engine.compute(project, 1, &snap);
  ASSERT_TRUE(trained.ok) << trained.error;
  torch::NoGradGuard guard;
  model->eval();
  torch::Tensor image = torch::empty({1, 1, npt::kSide, npt::kSide});
  for (int64_t k = 0; k < npt::kSide * npt::kSide; ++k) image.view({-1})[k] = npt::pixel(1, k);
  auto all = model->forwardAll(image);
  const std::string m = "n" + std::to_string(mha) + ".m.", e = "n" + std::to_string(encoder) + ".";
  torch::Tensor tokens = image.view({npt::kSide, npt::kSide});
  torch::Tensor expectedMha = npt::manualAttention(tokens, npt::param(model, m + "in_proj_weight"),
                                                   npt::param(model, m + "in_proj_bias"), 2);
  torch::Tensor normed = torch::layer_norm(all.at(mha)[0], {npt::kSide}, npt::param(model, e + "norm1.weight"),
                                           npt::param(model, e + "norm1.bias"), 1e-5);
  torch::Tensor expectedEncoder = npt::manualAttention(normed, npt::param(model, e + "self_attn.in_proj_weight"),
                                                       npt::param(model, e + "self_attn.in_proj_bias"), 2);
  for (auto [id, expected] : {std::pair{mha, expectedMha}, std::pair{encoder, expectedEncoder}}) {
    const NodePreview* n = npt::find(trained, id);
    ASSERT_EQ(n->attention.size(), 2u);
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t q = 0; q < npt::kSide; ++q)
        for (int64_t k = 0; k < npt::kSide; ++k)
          EXPECT_NEAR(n->attention[size_t(h)].values[size_t(q * npt::kSide + k)], expected[h][q][k].item<double>(), 1e-5)
              << n->type << " head " << h << " query " << q << " key " << k;
  }
}

TEST(NodePreview, ErrorsNameTheSplitTheGraphIssuesAndForeignWeights) {
  nc::test::readers::TempDir dir("preview");
  npt::writeTinyIdx(dir);
  npt::CnnIds ids;
  Project project = npt::cnnProject(dir.str(), &ids);
  PreviewEngine engine;
  for (int64_t bad : {int64_t(-1), int64_t(npt::kTest), int64_t(1000)}) {
    PreviewResult r = engine.compute(project, bad);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.nodes.empty());
    EXPECT_TRUE(npt::contains(r.error, "test split has 6 samples")) << r.error;
    EXPECT_TRUE(npt::contains(r.error, std::to_string(bad))) << r.error;
  }

  // No test split: the validation part of the train split (25 % of 20 = 5 samples).
  std::filesystem::remove(dir / "t10k-images-idx3-ubyte");
  std::filesystem::remove(dir / "t10k-labels-idx1-ubyte");
  project.data.limit = 20;  // another data setting: reloaded
  PreviewResult noTest = engine.compute(project, 5);
  EXPECT_TRUE(npt::contains(noTest.error, "validation split has 5 samples")) << noTest.error;
  PreviewResult valid = engine.compute(project, 4);
  ASSERT_TRUE(valid.ok) << valid.error;
  EXPECT_EQ(valid.sample.split, "validation");

  // A graph with errors: its issues are listed.
  Project broken = project;
  ASSERT_TRUE(broken.graph.disconnect(PortRef{ids.fc, 0}).ok());
  PreviewResult r = engine.compute(broken, 0);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(npt::contains(r.error, "the model has errors")) << r.error;

  // Weights of another graph.
  NodeId mha, encoder;
  Project other = npt::attentionProject(dir.str(), &mha, &encoder);
  GraphModule otherModel = compileGraph(other.graph);
  WeightsSnapshot foreign;
  foreign.state = saveModelState(otherModel);
  r = engine.compute(project, 0, &foreign);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(npt::contains(r.error, "does not fit this graph")) << r.error;
  // ... and the engine recovers: the right weights work afterwards.
  GraphModule own = compileGraph(project.graph);
  WeightsSnapshot mine;
  mine.state = saveModelState(own);
  EXPECT_TRUE(engine.compute(project, 0, &mine).ok);

  // Data that cannot be read: the error names the folder.
  project.data.path = (dir / "missing").string();
  r = engine.compute(project, 0);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(npt::contains(r.error, "missing")) << r.error;
}

TEST(NodePreview, TextSamplesShowTheirCharactersAndNextTokenBars) {
  nc::test::readers::TempDir dir("preview");
  const std::string text = "hello preview, h\xc3\xa9llo again! ";
  std::string corpus;
  for (int i = 0; i < 8; ++i) corpus += text;
  nc::test::readers::writeText(dir / "corpus.txt", corpus);
  DataConfig config;
  config.kind = "text";
  config.path = (dir / "corpus.txt").string();
  config.sequenceLength = 8;
  config.validationFraction = 0.5;
  DatasetLoad load = loadDataset(config);
  ASSERT_TRUE(load.ok()) << load.error;
  const int64_t vocab = load.dataset->numClasses();
  Project project = npt::textProject(config.path, vocab);
  PreviewEngine engine;
  PreviewResult r = engine.compute(project, 0);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.sample.split, "validation");
  EXPECT_EQ(r.sample.label, -1);
  EXPECT_EQ(r.sample.image.rows, 0);
  // The window's characters: the tokens mapped through the vocabulary (UTF-8), as the window reads.
  EvaluationSplit eval = evaluationSplit(*load.dataset, 0.5, config.seed);
  torch::Tensor window = eval.inputs[eval.indices[0].item<int64_t>()];
  std::string expected;
  for (int64_t i = 0; i < window.numel(); ++i)
    expected += load.dataset->classNames[size_t(window[i].item<int64_t>())];
  EXPECT_EQ(r.sample.text, expected);
  EXPECT_FALSE(expected.empty());
  ASSERT_EQ(r.nodes.size(), 4u);
  EXPECT_EQ(r.nodes[0].kind, "none");  // token ids: statistics only
  EXPECT_EQ(r.nodes[1].kind, "heatmap");  // embedding [8, 4]
  EXPECT_EQ(r.nodes[1].images.at(0).rows, 8);
  EXPECT_EQ(r.nodes[1].images.at(0).cols, 4);
  const NodePreview& out = r.nodes[3];
  EXPECT_EQ(out.shape, (std::vector<int64_t>{8, vocab}));
  EXPECT_EQ(out.kind, "bars");  // the last position's next-token probabilities
  ASSERT_EQ(int64_t(out.bars.size()), vocab);
  EXPECT_NEAR(std::accumulate(out.bars.begin(), out.bars.end(), 0.0), 1.0, 1e-9);
  EXPECT_EQ(out.barLabels, load.dataset->classNames);
  ASSERT_EQ(out.images.size(), 1u);  // every position's probabilities
  EXPECT_EQ(out.images[0].rows, 8);
  EXPECT_EQ(out.images[0].cols, vocab);
}

TEST(NodePreview, LargeOutputsAreBoundedAndSaySo) {
  nc::test::readers::TempDir dir("preview");
  // 300 x 20 images: the Input's map is taller than 256 rows.
  nc::test::readers::writeBytes(dir / "train-images-idx3-ubyte", nc::test::readers::idxImages(4, 300, 20));
  nc::test::readers::writeBytes(dir / "train-labels-idx1-ubyte", nc::test::readers::idxLabels({0, 1, 2, 3}));
  nc::test::GraphBuilder b;
  NodeId in = b.input({1, 300, 20});
  NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{70}}, {"kernel_size", int64_t{1}}, {"padding", int64_t{0}}});
  NodeId pool = b.add("AdaptiveAvgPool2d", {{"output_size", std::vector<int64_t>{1, 1}}});
  NodeId flatten = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{10}}});
  NodeId out = b.add("Output");
  b.link(in, conv);
  b.link(conv, pool);
  b.link(pool, flatten);
  b.link(flatten, fc);
  b.link(fc, out);
  Project project;
  project.graph = b.graph;
  project.data.path = dir.str();
  project.data.validationFraction = 0.5;
  PreviewEngine engine;
  PreviewResult r = engine.compute(project, 1);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.sample.image.rows, 256);
  EXPECT_EQ(r.sample.image.cols, 20);
  const NodePreview* input = npt::find(r, in);
  ASSERT_EQ(input->images.size(), 1u);
  EXPECT_EQ(input->images[0].rows, 256);
  EXPECT_EQ(input->images[0].values.size(), 256u * 20u);
  EXPECT_TRUE(npt::contains(input->images[0].label, "downsampled from 300x20")) << input->images[0].label;
  const NodePreview* c = npt::find(r, conv);
  EXPECT_EQ(c->shape, (std::vector<int64_t>{70, 300, 20}));
  EXPECT_EQ(int64_t(c->images.size()), kMaxFeatureMaps);
  EXPECT_EQ(c->stats.count, 70 * 300 * 20);
  EXPECT_EQ(npt::histogramTotal(*c), c->stats.count);
  EXPECT_EQ(npt::find(r, flatten)->kind, "vector");  // 70 values: more than kMaxBars
  EXPECT_EQ(npt::find(r, flatten)->images.at(0).cols, 70);
}

TEST(NodePreview, ATrainersSnapshotPreviewsWithTheRunsWeightsAndANewSnapshotReplacesThem) {
  nc::test::readers::TempDir dir("preview");
  npt::writeTinyIdx(dir);
  npt::CnnIds ids;
  Project project = npt::cnnProject(dir.str(), &ids);
  project.training.epochs = 2;
  project.training.batchSize = 4;
  project.training.threads = 1;
  TrainJob job;
  job.project = project;
  npt::SnapshotKeeper keeper;
  TrainingControl control;
  keeper.control = &control;
  RunResult run = runTraining(job, keeper, control);
  ASSERT_EQ(run.status, RunStatus::Completed) << run.message;
  ASSERT_TRUE(keeper.snapshot);
  EXPECT_GE(keeper.snapshot->step, 2);

  PreviewEngine engine;
  PreviewResult untrained = engine.compute(project, 1);
  PreviewResult live = engine.compute(project, 1, keeper.snapshot.get());
  ASSERT_TRUE(untrained.ok && live.ok) << untrained.error << live.error;
  EXPECT_TRUE(live.trainedWeights);
  EXPECT_EQ(live.weightsStep, keeper.snapshot->step);
  // The snapshot carries the run's input normalization: the Input node shows the same values.
  EXPECT_NEAR(npt::find(live, ids.input)->stats.mean, npt::find(untrained, ids.input)->stats.mean, 1e-6);
  EXPECT_NEAR(npt::find(live, ids.input)->stats.std, npt::find(untrained, ids.input)->stats.std, 1e-6);
  // Trained weights differ from the initial ones.
  EXPECT_NE(npt::find(live, ids.output)->bars, npt::find(untrained, ids.output)->bars);

  // Another sample of the same snapshot, then a different snapshot: each shows its own weights.
  EXPECT_TRUE(engine.compute(project, 2, keeper.snapshot.get()).ok);
  GraphModule model = compileGraph(project.graph);
  loadModelState(keeper.snapshot->state, model);
  {
    torch::NoGradGuard guard;
    npt::param(model, "n" + std::to_string(ids.fc) + ".m.bias").add_(5.0);
  }
  WeightsSnapshot changed;
  changed.step = keeper.snapshot->step + 1;
  changed.state = saveModelState(model);
  PreviewResult next = engine.compute(project, 1, &changed);
  ASSERT_TRUE(next.ok) << next.error;
  EXPECT_EQ(next.weightsStep, changed.step);
  EXPECT_NEAR(npt::find(next, ids.fc)->stats.mean, npt::find(live, ids.fc)->stats.mean + 5.0, 1e-4);
  PreviewResult back = engine.compute(project, 1, keeper.snapshot.get());
  EXPECT_EQ(npt::find(back, ids.output)->bars, npt::find(live, ids.output)->bars);
}

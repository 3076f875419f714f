// Pruning: the structured channel-pruning graph rewrite (plan, sliced weights that give the same
// output when the removed channels were zero, tied channels, the classifier), global magnitude
// pruning, and fine-tuning from given weights with the zeros kept.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/GraphModule.h"
#include "core/Project.h"
#include "core/data/Dataset.h"
#include "core/deploy/Pruning.h"
#include "core/training/Checkpoint.h"
#include "core/training/Optimization.h"
#include "core/training/Trainer.h"

namespace nc::test::pruning_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;

bool anyContains(const std::vector<std::string>& lines, const std::string& a, const std::string& b = "") {
  for (const auto& l : lines)
    if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
  return false;
}

NodeId named(GraphBuilder& b, const std::string& type, const std::string& name, const ParamMap& params = {}) {
  NodeId id = b.add(type, params);
  EXPECT_TRUE(b.graph.rename(id, name).ok()) << name;
  return id;
}

Project projectOf(const Graph& g) {
  Project p;
  p.name = "pruning";
  p.graph = g;
  p.training.threads = 1;
  return p;
}

/// Input [3, 8, 8] -> conv1 -> bn1 -> relu1 -> pool1 -> conv2 -> bn2 -> relu2 -> flatten -> fc1
/// -> relu3 -> dropout -> classifier -> logits.
Project chainProject() {
  GraphBuilder b;
  NodeId in = b.input({3, 8, 8});
  NodeId c1 = named(b, "Conv2d", "conv1", {{"out_channels", int64_t{8}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
  NodeId bn1 = named(b, "BatchNorm2d", "bn1");
  NodeId r1 = named(b, "ReLU", "relu1");
  NodeId p1 = named(b, "MaxPool2d", "pool1");
  NodeId c2 = named(b, "Conv2d", "conv2", {{"out_channels", int64_t{6}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
  NodeId bn2 = named(b, "BatchNorm2d", "bn2");
  NodeId r2 = named(b, "ReLU", "relu2");
  NodeId fl = named(b, "Flatten", "flatten");
  NodeId f1 = named(b, "Linear", "fc1", {{"out_features", int64_t{10}}});
  NodeId r3 = named(b, "ReLU", "relu3");
  NodeId dr = named(b, "Dropout", "dropout");
  NodeId cl = named(b, "Linear", "classifier", {{"out_features", int64_t{3}}});
  NodeId out = named(b, "Output", "logits");
  std::vector<NodeId> chain{in, c1, bn1, r1, p1, c2, bn2, r2, fl, f1, r3, dr, cl, out};
  for (size_t i = 0; i + 1 < chain.size(); ++i) b.link(chain[i], chain[i + 1]);
  return projectOf(b.graph);
}

/// Input [2, 6, 6] -> convA (4) and convB (6) -> cat (Concat, channels) -> relu -> conv3 (5)
/// -> flatten -> classifier -> logits.
Project concatProject() {
  GraphBuilder b;
  NodeId in = b.input({2, 6, 6});
  NodeId ca = named(b, "Conv2d", "convA", {{"out_channels", int64_t{4}}, {"padding", int64_t{1}}});
  NodeId cb = named(b, "Conv2d", "convB", {{"out_channels", int64_t{6}}, {"padding", int64_t{1}}});
  NodeId cat = named(b, "Concat", "cat");
  NodeId r = named(b, "ReLU", "relu");
  NodeId c3 = named(b, "Conv2d", "conv3", {{"out_channels", int64_t{5}}});
  NodeId fl = named(b, "Flatten", "flatten");
  NodeId cl = named(b, "Linear", "classifier", {{"out_features", int64_t{3}}});
  NodeId out = named(b, "Output", "logits");
  b.link(in, ca);
  b.link(in, cb);
  b.link(ca, cat, 0);
  b.link(cb, cat, 1);
  b.link(cat, r);
  b.link(r, c3);
  b.link(c3, fl);
  b.link(fl, cl);
  b.link(cl, out);
  return projectOf(b.graph);
}

/// Input [4, 6, 6] -> conv1 -> relu1 -> conv2 -> add1 (relu1 + conv2) -> flatten -> classifier.
Project residualProject(bool withConcat) {
  GraphBuilder b;
  NodeId in = b.input({4, 6, 6});
  NodeId c1 = named(b, "Conv2d", "conv1", {{"out_channels", int64_t{8}}, {"padding", int64_t{1}}});
  NodeId r1 = named(b, "ReLU", "relu1");
  NodeId c2 = named(b, "Conv2d", "conv2", {{"out_channels", int64_t{8}}, {"padding", int64_t{1}}});
  NodeId add = named(b, "Add", "add1");
  NodeId fl = named(b, "Flatten", "flatten");
  NodeId cl = named(b, "Linear", "classifier", {{"out_features", int64_t{3}}});
  NodeId out = named(b, "Output", "logits");
  b.link(in, c1);
  b.link(c1, r1);
  b.link(r1, add, 0);
  if (withConcat) {
    // conv2 (4) and conv4 (4) joined by a Concat into the Add: tied through the Concat.
    b.graph.setParam(c2, "out_channels", ParamValue{int64_t{4}});
    NodeId c4 = named(b, "Conv2d", "conv4", {{"out_channels", int64_t{4}}, {"padding", int64_t{1}}});
    NodeId cat = named(b, "Concat", "cat1");
    b.link(r1, c2);
    b.link(r1, c4);
    b.link(c2, cat, 0);
    b.link(c4, cat, 1);
    b.link(cat, add, 1);
  } else {
    b.link(r1, c2);
    b.link(c2, add, 1);
  }
  b.link(add, fl);
  b.link(fl, cl);
  b.link(cl, out);
  return projectOf(b.graph);
}

/// Random weights in which the channels that pruning at 0.5 must remove are exactly zero (and
/// the BatchNorm after them maps zero to zero), so the pruned model must compute the same output.
void zeroChannels(GraphModule& m, const Graph& g, const std::map<std::string, std::vector<int64_t>>& zeroed) {
  torch::NoGradGuard guard;
  torch::manual_seed(3);
  for (auto& p : m->parameters()) p.uniform_(-1, 1);
  for (auto& b : m->named_buffers()) {
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2);
    if (b.key().find("running_mean") != std::string::npos) b.value().uniform_(-0.5, 0.5);
  }
  auto idOf = [&](const std::string& name) {
    for (const auto& [id, n] : g.nodes())
      if (n.name == name) return id;
    ADD_FAILURE() << name;
    return NodeId{-1};
  };
  for (const auto& [name, channels] : zeroed) {
    std::string prefix = "n" + std::to_string(idOf(name)) + ".m.";
    auto params = m->named_parameters();
    for (int64_t c : channels) {
      params[prefix + "weight"][c].zero_();
      params[prefix + "bias"][c].zero_();
    }
    // A BatchNorm right after it: beta 0 and running mean 0 keep the zero channel at zero.
    for (const auto& e : g.edgesFrom(idOf(name))) {
      const Node* bn = g.node(e.to.node);
      if (bn->type != "BatchNorm2d" && bn->type != "BatchNorm1d") continue;
      std::string bp = "n" + std::to_string(bn->id) + ".m.";
      auto buffers = m->named_buffers();
      for (int64_t c : channels) {
        params[bp + "bias"][c].zero_();
        buffers[bp + "running_mean"][c].zero_();
      }
    }
  }
}

TEST(ChannelPruning, KeptCountRoundsRemovedShareHalfUpAndKeepsOne) {
  EXPECT_EQ(keptChannelCount(32, 0.5), 16);
  EXPECT_EQ(keptChannelCount(5, 0.5), 2);   // removes round(2.5) = 3
  EXPECT_EQ(keptChannelCount(10, 0.25), 7);  // removes round(2.5) = 3
  EXPECT_EQ(keptChannelCount(4, 0.99), 1);  // never below one
  EXPECT_EQ(keptChannelCount(1, 0.5), 1);
  EXPECT_EQ(keptChannelCount(3, 0.1), 3);  // removes round(0.3) = 0
}

TEST(ChannelPruning, PlanForCnnTemplateHalvesConvolutionsAndHiddenLayerNotClassifier) {
  ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/cnn.json");
  ASSERT_TRUE(load.ok()) << load.error;
  ChannelPruneResult r = planChannelPruning(*load.project, ChannelPruneOptions{0.5, {}});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_TRUE(r.project.has_value());
  EXPECT_EQ(r.report.pruned, (std::vector<std::string>{"conv1: 32 -> 16 channels", "conv2: 64 -> 32 channels",
                                                       "fc1: 128 -> 64 features"}));
  EXPECT_TRUE(anyContains(r.report.skipped, "classifier", "logits"));
  EXPECT_EQ(r.report.skipped.size(), 1u);
  EXPECT_GT(r.report.flopsBefore, 0);
  EXPECT_GT(r.report.paramsBefore, 0);
  double flopRatio = double(r.report.flopsAfter) / double(r.report.flopsBefore);
  double paramRatio = double(r.report.paramsAfter) / double(r.report.paramsBefore);
  std::printf("CNN template at 0.5: params %lld -> %lld (%.3f), FLOPs %lld -> %lld (%.3f)\n",
              (long long)r.report.paramsBefore, (long long)r.report.paramsAfter, paramRatio,
              (long long)r.report.flopsBefore, (long long)r.report.flopsAfter, flopRatio);
  EXPECT_LE(flopRatio, 0.5);
  EXPECT_LE(paramRatio, 0.5);
  // Same names, ids and layout; only the counts changed.
  const Graph& before = load.project->graph;
  const Graph& after = r.project->graph;
  ASSERT_EQ(before.nodes().size(), after.nodes().size());
  for (const auto& [id, n] : before.nodes()) {
    const Node* m = after.node(id);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->name, n.name);
    EXPECT_EQ(m->x, n.x);
    EXPECT_EQ(m->y, n.y);
  }
  EXPECT_EQ(before.edges(), after.edges());
  EXPECT_TRUE(analyze(after).ok());
  // Named nodes only.
  ChannelPruneResult one = planChannelPruning(*load.project, ChannelPruneOptions{0.25, {"conv2"}});
  ASSERT_TRUE(one.status.ok()) << one.status.message();
  EXPECT_EQ(one.report.pruned, (std::vector<std::string>{"conv2: 64 -> 48 channels"}));
  // Bad requests.
  EXPECT_NE(planChannelPruning(*load.project, ChannelPruneOptions{0.5, {"nope"}}).status.message().find("nope"),
            std::string::npos);
  EXPECT_NE(planChannelPruning(*load.project, ChannelPruneOptions{0.5, {"bn1"}}).status.message().find("bn1"),
            std::string::npos);
  EXPECT_FALSE(planChannelPruning(*load.project, ChannelPruneOptions{1.0, {}}).status.ok());
  EXPECT_FALSE(planChannelPruning(*load.project, ChannelPruneOptions{0.0, {}}).status.ok());
}

TEST(ChannelPruning, EveryTemplatePrunesToAModelThatLoadsAndRuns) {
  for (const std::string name : {"cnn", "lstm", "transformer", "char_lstm"}) {
    SCOPED_TRACE(name);
    ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json");
    ASSERT_TRUE(load.ok()) << load.error;
    const Project& p = *load.project;
    TempDir dir("prune_tpl");
    std::filesystem::create_directories(dir.path());
    GraphModule model = compileGraph(p.graph);
    saveCheckpoint(dir.str("orig.pt"), model, nullptr, CheckpointState{});
    ChannelPruneResult r = pruneChannels(p, dir.str("orig.pt"), ChannelPruneOptions{0.5, {}}, dir.str("p.json"),
                                         dir.str("p.pt"));
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    for (const auto& line : r.report.skipped) std::printf("  %s skipped: %s\n", name.c_str(), line.c_str());
    EXPECT_TRUE(anyContains(r.report.skipped, "logits"));  // the output layer, in every template
    // The CNN's convolutions and the Transformer's stem convolution (before its patches) can be
    // cut; the recurrent templates have no prunable channels.
    EXPECT_EQ(r.report.pruned.empty(), name != "cnn" && name != "transformer");
    ProjectLoad written = loadProject(dir.str("p.json"));
    ASSERT_TRUE(written.ok()) << written.error;
    GraphModule pruned = compileGraph(written.project->graph);
    ASSERT_NO_THROW(loadCheckpoint(dir.str("p.pt"), pruned, nullptr, false));
    GraphAnalysis a = analyze(p.graph);
    const Node* input = p.graph.node(a.inputNode);
    std::vector<int64_t> shape{2};
    for (int64_t d : Params(input->params).list("shape")) shape.push_back(d);
    torch::NoGradGuard guard;
    torch::Tensor x = Params(input->params).s("dtype") == "tokens" ? torch::zeros(shape, torch::kLong) : torch::rand(shape);
    model->eval();
    pruned->eval();
    EXPECT_EQ(pruned->forward(x).sizes(), model->forward(x).sizes());
  }
}

TEST(ChannelPruning, ClassifierIsNeverCut) {
  Project p = chainProject();
  ChannelPruneResult refused = planChannelPruning(p, ChannelPruneOptions{0.5, {"classifier"}});
  EXPECT_FALSE(refused.status.ok());
  EXPECT_NE(refused.status.message().find("classifier"), std::string::npos) << refused.status.message();
  EXPECT_NE(refused.status.message().find("logits"), std::string::npos) << refused.status.message();
  ChannelPruneResult all = planChannelPruning(p, ChannelPruneOptions{0.5, {}});
  ASSERT_TRUE(all.status.ok()) << all.status.message();
  EXPECT_TRUE(anyContains(all.report.skipped, "classifier"));
  EXPECT_FALSE(anyContains(all.report.pruned, "classifier"));
  // A Linear whose output reaches the logits through an activation is an output too.
  GraphBuilder b;
  NodeId in = b.input({5});
  NodeId fc = named(b, "Linear", "head", {{"out_features", int64_t{4}}});
  NodeId sm = named(b, "Softmax", "probs");
  NodeId out = named(b, "Output", "out");
  b.link(in, fc);
  b.link(fc, sm);
  b.link(sm, out);
  ChannelPruneResult head = planChannelPruning(projectOf(b.graph), ChannelPruneOptions{0.5, {"head"}});
  EXPECT_FALSE(head.status.ok());
  EXPECT_NE(head.status.message().find("head"), std::string::npos) << head.status.message();
}

TEST(ChannelPruning, TiedChannelsAcrossAddAreRefusedWhenNamedAndSkippedOtherwise) {
  for (bool withConcat : {false, true}) {
    SCOPED_TRACE(withConcat ? "through a Concat" : "direct");
    Project p = residualProject(withConcat);
    ASSERT_TRUE(analyze(p.graph).ok());
    for (const std::string node : {"conv1", "conv2"}) {
      ChannelPruneResult refused = planChannelPruning(p, ChannelPruneOptions{0.5, {node}});
      EXPECT_FALSE(refused.status.ok()) << node;
      EXPECT_NE(refused.status.message().find(node), std::string::npos) << refused.status.message();
      EXPECT_NE(refused.status.message().find("add1"), std::string::npos) << refused.status.message();
      if (withConcat && node == "conv2") {
        EXPECT_NE(refused.status.message().find("cat1"), std::string::npos) << refused.status.message();
      }
    }
    ChannelPruneResult all = planChannelPruning(p, ChannelPruneOptions{0.5, {}});
    ASSERT_TRUE(all.status.ok()) << all.status.message();
    EXPECT_TRUE(anyContains(all.report.skipped, "classifier"));
    if (withConcat) {
      // The Add's other input is a Concat: the group cannot be cut together, so nothing is cut.
      EXPECT_TRUE(all.report.pruned.empty());
      EXPECT_TRUE(anyContains(all.report.skipped, "conv1", "add1"));
      EXPECT_TRUE(anyContains(all.report.skipped, "conv2", "add1"));
      EXPECT_TRUE(anyContains(all.report.skipped, "conv4", "add1"));
      EXPECT_EQ(all.report.flopsAfter, all.report.flopsBefore);
    } else {
      // Every prunable node: conv1 and conv2 are cut together, with one channel selection.
      EXPECT_EQ(all.report.pruned.size(), 2u);
      EXPECT_TRUE(anyContains(all.report.pruned, "conv1: 8 -> 4 channels", "add1"));
      EXPECT_TRUE(anyContains(all.report.pruned, "conv2: 8 -> 4 channels", "add1"));
      EXPECT_LT(all.report.flopsAfter, all.report.flopsBefore);
    }
  }
  // An Add that also adds the input (not a prunable node): the group is skipped, naming both.
  GraphBuilder b;
  NodeId in = b.input({4, 6, 6});
  NodeId c1 = named(b, "Conv2d", "conv1", {{"out_channels", int64_t{4}}, {"padding", int64_t{1}}});
  NodeId add = named(b, "Add", "skip");
  NodeId fl = named(b, "Flatten", "flatten");
  NodeId cl = named(b, "Linear", "classifier", {{"out_features", int64_t{3}}});
  NodeId out = named(b, "Output", "logits");
  b.link(in, c1);
  b.link(c1, add, 0);
  b.link(in, add, 1);
  b.link(add, fl);
  b.link(fl, cl);
  b.link(cl, out);
  ChannelPruneResult withInput = planChannelPruning(projectOf(b.graph), ChannelPruneOptions{0.5, {}});
  ASSERT_TRUE(withInput.status.ok()) << withInput.status.message();
  EXPECT_TRUE(withInput.report.pruned.empty());
  EXPECT_TRUE(anyContains(withInput.report.skipped, "conv1", "skip"));
}

/// Prunes `p` at 0.5 with weights whose removed channels are zero; the written project and
/// checkpoint load, validate, and compute the original output exactly.
void checkExactOutput(const Project& p, const std::map<std::string, std::vector<int64_t>>& zeroed,
                      const std::vector<std::string>& expectPruned, std::vector<int64_t> inputShape) {
  TempDir dir("prune");
  std::filesystem::create_directories(dir.path());
  GraphModule model = compileGraph(p.graph);
  zeroChannels(model, p.graph, zeroed);
  std::vector<int64_t> normShape(inputShape.size(), 1);
  normShape[0] = inputShape[0];
  torch::Tensor mean = torch::full(normShape, 0.25), stdev = torch::full(normShape, 2.0);
  model->setInputNormalization(mean, stdev);
  CheckpointState state;
  saveCheckpoint(dir.str("orig.pt"), model, nullptr, state);

  ChannelPruneResult r = pruneChannels(p, dir.str("orig.pt"), ChannelPruneOptions{0.5, {}}, dir.str("out/pruned.json"),
                                       dir.str("out/pruned.pt"));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.report.pruned, expectPruned);

  ProjectLoad load = loadProject(dir.str("out/pruned.json"));
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_TRUE(analyze(load.project->graph).ok());
  GraphModule pruned = compileGraph(load.project->graph);
  ASSERT_NO_THROW(loadCheckpoint(dir.str("out/pruned.pt"), pruned, nullptr, false));

  model->eval();
  pruned->eval();
  torch::NoGradGuard guard;
  torch::manual_seed(11);
  std::vector<int64_t> batch{5};
  batch.insert(batch.end(), inputShape.begin(), inputShape.end());
  torch::Tensor x = torch::randn(batch);
  torch::Tensor a = model->forward(x), b = pruned->forward(x);
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-5)) << (a - b).abs().max().item<double>();
  EXPECT_GT(a.abs().max().item<double>(), 1e-3);  // not trivially zero
  int64_t before = 0, after = 0;
  for (const auto& t : model->parameters()) before += t.numel();
  for (const auto& t : pruned->parameters()) after += t.numel();
  EXPECT_LT(after, before);
  EXPECT_EQ(after, r.report.paramsAfter);
}

TEST(ChannelPruning, PrunedChainComputesTheSameOutputWhenRemovedChannelsWereZero) {
  checkExactOutput(chainProject(), {{"conv1", {1, 3, 4, 6}}, {"conv2", {0, 2, 5}}, {"fc1", {0, 1, 5, 7, 9}}},
                   {"conv1: 8 -> 4 channels", "conv2: 6 -> 3 channels", "fc1: 10 -> 5 features"}, {3, 8, 8});
}

TEST(ChannelPruning, PrunedConcatComputesTheSameOutputWhenRemovedChannelsWereZero) {
  checkExactOutput(concatProject(), {{"convA", {0, 3}}, {"convB", {1, 2, 4}}, {"conv3", {0, 2, 3}}},
                   {"convA: 4 -> 2 channels", "convB: 6 -> 3 channels", "conv3: 5 -> 2 channels"}, {2, 6, 6});
}

TEST(ChannelPruning, PrunedResidualGroupComputesTheSameOutputWhenRemovedChannelsWereZero) {
  checkExactOutput(residualProject(false), {{"conv1", {1, 2, 5, 6}}, {"conv2", {1, 2, 5, 6}}},
                   {"conv1: 8 -> 4 channels (tied across add1: cut together with conv1, conv2)",
                    "conv2: 8 -> 4 channels (tied across add1: cut together with conv1, conv2)"},
                   {4, 6, 6});
}

TEST(ChannelPruning, PrunedConv1dAndSequenceLinearComputeTheSameOutput) {
  {
    // Input [3, 10] -> conv (Conv1d 6) -> bn (BatchNorm1d) -> relu -> pool (MaxPool1d) -> flatten -> classifier.
    GraphBuilder b;
    NodeId in = b.input({3, 10});
    NodeId c = named(b, "Conv1d", "conv", {{"out_channels", int64_t{6}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
    NodeId bn = named(b, "BatchNorm1d", "bn");
    NodeId r = named(b, "ReLU", "relu");
    NodeId pool = named(b, "MaxPool1d", "pool");
    NodeId fl = named(b, "Flatten", "flatten");
    NodeId cl = named(b, "Linear", "classifier", {{"out_features", int64_t{3}}});
    NodeId out = named(b, "Output", "logits");
    std::vector<NodeId> chain{in, c, bn, r, pool, fl, cl, out};
    for (size_t i = 0; i + 1 < chain.size(); ++i) b.link(chain[i], chain[i + 1]);
    checkExactOutput(projectOf(b.graph), {{"conv", {0, 4, 5}}}, {"conv: 6 -> 3 channels"}, {3, 10});
  }
  {
    // Input [5, 6] (a sequence) -> fcA (Linear 8 on each step) -> relu -> flatten [40] -> classifier:
    // the kept features are interleaved (step * 8 + feature) after the Flatten.
    GraphBuilder b;
    NodeId in = b.input({5, 6});
    NodeId fa = named(b, "Linear", "fcA", {{"out_features", int64_t{8}}});
    NodeId r = named(b, "ReLU", "relu");
    NodeId fl = named(b, "Flatten", "flatten");
    NodeId cl = named(b, "Linear", "classifier", {{"out_features", int64_t{3}}});
    NodeId out = named(b, "Output", "logits");
    std::vector<NodeId> chain{in, fa, r, fl, cl, out};
    for (size_t i = 0; i + 1 < chain.size(); ++i) b.link(chain[i], chain[i + 1]);
    checkExactOutput(projectOf(b.graph), {{"fcA", {1, 2, 3, 6}}}, {"fcA: 8 -> 4 features"}, {5, 6});
  }
}

TEST(ChannelPruning, KeepsTheChannelsWithTheLargestL1Norm) {
  // Nonzero everywhere, but conv1's channels 2 and 5 are much larger: they are the ones kept at 0.75.
  Project p = chainProject();
  TempDir dir("prune_l1");
  std::filesystem::create_directories(dir.path());
  GraphModule model = compileGraph(p.graph);
  NodeId conv1 = -1;
  for (const auto& [id, n] : p.graph.nodes())
    if (n.name == "conv1") conv1 = id;
  {
    torch::NoGradGuard guard;
    auto params = model->named_parameters();
    torch::Tensor w = params["n" + std::to_string(conv1) + ".m.weight"];
    w.uniform_(-0.1, 0.1);
    w[2].fill_(3.0);
    w[5].fill_(-2.0);
  }
  saveCheckpoint(dir.str("orig.pt"), model, nullptr, CheckpointState{});
  ChannelPruneResult r = pruneChannels(p, dir.str("orig.pt"), ChannelPruneOptions{0.75, {"conv1"}}, dir.str("p.json"),
                                       dir.str("p.pt"));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ProjectLoad load = loadProject(dir.str("p.json"));
  ASSERT_TRUE(load.ok());
  GraphModule pruned = compileGraph(load.project->graph);
  loadCheckpoint(dir.str("p.pt"), pruned, nullptr, false);
  torch::Tensor w = pruned->named_parameters()["n" + std::to_string(conv1) + ".m.weight"];
  ASSERT_EQ(w.size(0), 2);
  EXPECT_FLOAT_EQ(w[0][0][0][0].item<float>(), 3.0f);
  EXPECT_FLOAT_EQ(w[1][0][0][0].item<float>(), -2.0f);

  // A checkpoint of another graph, or none, is refused naming the file; nothing is written.
  ChannelPruneResult wrong = pruneChannels(concatProject(), dir.str("orig.pt"), ChannelPruneOptions{0.5, {}},
                                           dir.str("w.json"), dir.str("w.pt"));
  EXPECT_FALSE(wrong.status.ok());
  EXPECT_NE(wrong.status.message().find("orig.pt"), std::string::npos) << wrong.status.message();
  EXPECT_FALSE(std::filesystem::exists(dir.str("w.json")));
  EXPECT_FALSE(std::filesystem::exists(dir.str("w.pt")));
  EXPECT_FALSE(pruneChannels(p, dir.str("none.pt"), ChannelPruneOptions{0.5, {}}, dir.str("w.json"), dir.str("w.pt"))
                   .status.ok());
}

// ---- magnitude pruning and fine-tuning ----

std::shared_ptr<Dataset> blobs(int64_t n) {
  torch::manual_seed(7);
  auto d = std::make_shared<Dataset>();
  torch::Tensor centers = torch::randn({3, 6}) * 3;
  d->trainTargets = torch::randint(0, 3, {n}, torch::kLong);
  d->trainInputs = centers.index_select(0, d->trainTargets) + torch::randn({n, 6});
  d->classNames = {"a", "b", "c"};
  d->sampleShape = TensorShape{{6}, DType::Float32, 0};
  d->description = "blobs";
  return d;
}

Project mlp() {
  GraphBuilder b;
  NodeId in = b.input({6});
  NodeId f1 = named(b, "Linear", "fc1", {{"out_features", int64_t{24}}});
  NodeId r = named(b, "ReLU", "relu");
  NodeId f2 = named(b, "Linear", "classifier", {{"out_features", int64_t{3}}});
  NodeId out = named(b, "Output", "logits");
  b.link(in, f1);
  b.link(f1, r);
  b.link(r, f2);
  b.link(f2, out);
  Project p = projectOf(b.graph);
  p.data.validationFraction = 0.25;
  p.training.epochs = 1;
  p.training.batchSize = 32;
  p.training.learningRate = 0.01;
  return p;
}

std::string trainedCheckpoint(const Project& p, const std::shared_ptr<Dataset>& data, const TempDir& dir) {
  TrainJob job;
  job.project = p;
  job.runDirectory = dir.str("base");
  job.dataset = data;
  TrainingObserver quiet;
  TrainingControl control;
  RunResult r = runTraining(job, quiet, control);
  EXPECT_EQ(r.status, RunStatus::Completed) << r.message;
  return dir.str("base/checkpoints/last.pt");
}

TEST(MagnitudePruning, ReachesTheSparsityAndFineTuningKeepsTheZeros) {
  Project p = mlp();
  auto data = blobs(256);
  TempDir dir("magnitude");
  std::string base = trainedCheckpoint(p, data, dir);
  const int64_t total = 6 * 24 + 24 * 3;  // weights of dim >= 2 only (no biases)
  for (double sparsity : {0.0, 0.3, 0.5, 0.9}) {
    SCOPED_TRACE(sparsity);
    MagnitudePruneResult m = pruneMagnitude(p, base, sparsity, dir.str("sparse.pt"));
    ASSERT_TRUE(m.status.ok()) << m.status.message();
    EXPECT_EQ(m.total, total);
    EXPECT_EQ(m.zeroed, std::llround(sparsity * double(total)));
    EXPECT_NEAR(m.sparsity, sparsity, 0.5 / double(total));
  }
  EXPECT_FALSE(pruneMagnitude(p, base, 1.0, dir.str("x.pt")).status.ok());
  EXPECT_FALSE(pruneMagnitude(p, dir.str("missing.pt"), 0.5, dir.str("x.pt")).status.ok());

  // The smallest magnitudes went: every surviving weight is at least as large as every zeroed one.
  GraphModule original = compileGraph(p.graph), sparse = compileGraph(p.graph);
  loadCheckpoint(base, original, nullptr, false);
  loadCheckpoint(dir.str("sparse.pt"), sparse, nullptr, false);
  double maxRemoved = 0, minKept = 1e30;
  for (const auto& [key, w] : sparse->named_parameters().pairs()) {
    if (w.dim() < 2) {
      EXPECT_TRUE(torch::equal(w, original->named_parameters()[key]));  // biases untouched
      continue;
    }
    torch::Tensor o = original->named_parameters()[key].abs();
    torch::Tensor zero = w == 0;
    if (zero.any().item<bool>()) maxRemoved = std::max(maxRemoved, o.masked_select(zero).max().item<double>());
    if ((~zero).any().item<bool>()) minKept = std::min(minKept, o.masked_select(~zero).min().item<double>());
  }
  EXPECT_LE(maxRemoved, minKept);

  // Fine-tune 1 epoch keeping the zeros: still 90 % zero, and the other weights moved.
  FineTuneResult ft = fineTune(p, dir.str("sparse.pt"), 1, true, dir.str("tuned"), nullptr, nullptr, data);
  ASSERT_TRUE(ft.status.ok()) << ft.status.message();
  ASSERT_FALSE(ft.checkpoint.empty());
  GraphModule tuned = compileGraph(p.graph);
  loadCheckpoint(ft.checkpoint, tuned, nullptr, false);
  bool moved = false;
  for (const auto& [key, w] : tuned->named_parameters().pairs()) {
    torch::Tensor s = sparse->named_parameters()[key];
    if (w.dim() >= 2) {
      EXPECT_TRUE(torch::equal(w.masked_select(s == 0), torch::zeros({(s == 0).sum().item<int64_t>()})));
    }
    moved = moved || !torch::equal(w, s);
  }
  EXPECT_TRUE(moved);
  EXPECT_GT(ft.validationAccuracy, 0.0);

  // Without keepZeros the zeros fill in again.
  FineTuneResult unmasked = fineTune(p, dir.str("sparse.pt"), 1, false, dir.str("free"), nullptr, nullptr, data);
  ASSERT_TRUE(unmasked.status.ok()) << unmasked.status.message();
  GraphModule freeModel = compileGraph(p.graph);
  loadCheckpoint(unmasked.checkpoint, freeModel, nullptr, false);
  int64_t zeros = 0;
  for (const auto& w : freeModel->parameters())
    if (w.dim() >= 2) zeros += (w == 0).sum().item<int64_t>();
  EXPECT_LT(zeros, std::llround(0.9 * double(total)));

  // Weights that do not fit the graph are refused.
  Project other = p;
  for (const auto& [id, n] : other.graph.nodes())
    if (n.name == "fc1") other.graph.setParam(id, "out_features", ParamValue{int64_t{7}});
  FineTuneResult bad = fineTune(other, dir.str("sparse.pt"), 1, true, dir.str("bad"), nullptr, nullptr, data);
  EXPECT_FALSE(bad.status.ok());
}

TEST(FineTune, InitialWeightsAreWhereTrainingStarts) {
  Project p = mlp();
  p.data.validationFraction = 0;  // one batch of all samples: its loss is the whole set's loss
  p.training.batchSize = 256;
  auto data = blobs(256);
  TempDir dir("finetune");
  std::string base = trainedCheckpoint(p, data, dir);

  GraphModule loaded = compileGraph(p.graph);
  loadCheckpoint(base, loaded, nullptr, false);
  double expected;
  {
    torch::NoGradGuard guard;
    expected = computeLoss(p.training, loaded->forward(data->trainInputs), data->trainTargets).item<double>();
  }
  struct FirstLoss : TrainingObserver {
    std::vector<double> losses;
    void onStep(const StepMetrics& m) override { losses.push_back(m.loss); }
  } first, fresh;
  FineTuneResult ft = fineTune(p, base, 1, false, dir.str("tuned"), &first, nullptr, data);
  ASSERT_TRUE(ft.status.ok()) << ft.status.message();
  ASSERT_FALSE(first.losses.empty());
  EXPECT_NEAR(first.losses[0], expected, 1e-5);

  // A fresh run starts elsewhere (random weights give a larger loss than trained ones).
  TrainJob job;
  job.project = p;
  job.dataset = data;
  TrainingControl control;
  RunResult r = runTraining(job, fresh, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  ASSERT_FALSE(fresh.losses.empty());
  EXPECT_GT(std::abs(fresh.losses[0] - expected), 1e-3);

  // Initial weights and resume do not mix; keepZeros needs weights.
  TrainJob both;
  both.project = p;
  both.dataset = data;
  both.initialWeights = base;
  both.resumeCheckpoint = base;
  TrainingObserver quiet;
  EXPECT_EQ(runTraining(both, quiet, control).status, RunStatus::Failed);
  TrainJob zerosOnly;
  zerosOnly.project = p;
  zerosOnly.dataset = data;
  zerosOnly.keepZeroWeights = true;
  EXPECT_EQ(runTraining(zerosOnly, quiet, control).status, RunStatus::Failed);
  EXPECT_FALSE(fineTune(p, base, 0, false, dir.str("zero")).status.ok());
}

}  // namespace
}  // namespace nc::test::pruning_test

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "GraphTestUtil.h"
#include "core/GraphModule.h"
#include "core/Project.h"

namespace nc::test {
namespace {

using namespace nc::core;

/// Runs the compiled graph on a random batch and checks that every live node's output has
/// exactly the inferred shape.
void expectShapesMatchInference(const Graph& g, int64_t batch) {
  GraphAnalysis a = analyze(g);
  ASSERT_TRUE(a.ok());
  GraphModule m(g, a);
  m->eval();
  const TensorShape& inShape = *a.shapeOf(a.inputNode);
  std::vector<int64_t> sizes{batch};
  sizes.insert(sizes.end(), inShape.dims.begin(), inShape.dims.end());
  torch::Tensor x = inShape.dtype == DType::Int64 ? torch::randint(0, inShape.vocab, sizes, torch::kLong)
                                                  : torch::rand(sizes);
  torch::NoGradGuard guard;
  auto all = m->forwardAll(x);
  for (NodeId id : a.live) {
    const TensorShape* s = a.shapeOf(id);
    if (!s) continue;
    ASSERT_TRUE(all.count(id)) << g.node(id)->name;
    std::vector<int64_t> expected{batch};
    expected.insert(expected.end(), s->dims.begin(), s->dims.end());
    EXPECT_EQ(all[id].sizes().vec(), expected) << g.node(id)->name << " (" << g.node(id)->type << ")";
  }
  torch::Tensor y = m->forward(x);
  std::vector<int64_t> outSizes{batch};
  outSizes.insert(outSizes.end(), a.modelOutput()->dims.begin(), a.modelOutput()->dims.end());
  EXPECT_EQ(y.sizes().vec(), outSizes);
}

int64_t countParameters(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

/// Input -> conv -> relu -> conv -> add(skip) -> relu -> concat(with skip) -> flatten -> fc -> out
GraphBuilder residualCnn() {
  GraphBuilder b;
  NodeId in = b.input({3, 8, 8});
  NodeId c0 = b.add("Conv2d", {{"out_channels", int64_t{4}}});
  NodeId r0 = b.add("ReLU");
  NodeId c1 = b.add("Conv2d", {{"out_channels", int64_t{4}}});
  NodeId add = b.add("Add");
  NodeId r1 = b.add("ReLU");
  NodeId cat = b.add("Concat");
  NodeId flat = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{5}}});
  NodeId out = b.add("Output");
  b.link(in, c0);
  b.link(c0, r0);
  b.link(r0, c1);
  b.link(c1, add, 0);
  b.link(r0, add, 1);  // r0 feeds two consumers
  b.link(add, r1);
  b.link(r1, cat, 0);
  b.link(r0, cat, 1);  // and a third
  b.link(cat, flat);
  b.link(flat, fc);
  b.link(fc, out);
  return b;
}

TEST(Compile, ResidualBranchingGraphRunsWithInferredShapes) {
  torch::manual_seed(0);
  GraphBuilder b = residualCnn();
  expectShapesMatchInference(b.graph, 1);
  expectShapesMatchInference(b.graph, 4);
}

TEST(Compile, ResidualAddComputesTheSum) {
  torch::manual_seed(0);
  GraphBuilder b;
  NodeId in = b.input({6});
  NodeId fc = b.add("Linear", {{"out_features", int64_t{6}}});
  NodeId add = b.add("Add");
  NodeId out = b.add("Output");
  b.link(in, fc);
  b.link(fc, add, 0);
  b.link(in, add, 1);
  b.link(add, out);
  GraphModule m = compileGraph(b.graph);
  torch::Tensor x = torch::randn({2, 6});
  auto fcModule = m->named_modules()["n" + std::to_string(fc)];
  ASSERT_TRUE(fcModule);
  auto w = m->named_parameters()["n" + std::to_string(fc) + ".m.weight"];
  auto bias = m->named_parameters()["n" + std::to_string(fc) + ".m.bias"];
  EXPECT_TRUE(torch::allclose(m->forward(x), torch::linear(x, w, bias) + x, 1e-5, 1e-6));
}

TEST(Compile, ParameterCountMatchesModuleParameters) {
  GraphBuilder b = residualCnn();
  GraphAnalysis a = analyze(b.graph);
  GraphModule m(b.graph, a);
  EXPECT_EQ(summarize(b.graph, a).params, countParameters(*m));
  // conv 3->4 k3: 112, conv 4->4 k3: 148, fc (8*8*8=512)->5: 2565
  EXPECT_EQ(summarize(b.graph, a).params, 112 + 148 + 2565);
}

TEST(Compile, CheckpointKeysAreNamedFromNodeIdsAndStayStable) {
  GraphBuilder b = residualCnn();
  auto keys = [](const Graph& g) {
    std::vector<std::string> k;
    for (const auto& p : compileGraph(g)->named_parameters()) k.push_back(p.key());
    return k;
  };
  std::vector<std::string> before = keys(b.graph);
  EXPECT_NE(std::find(before.begin(), before.end(), "n2.m.weight"), before.end());
  // Inserting a node into the middle of the graph changes no existing key.
  NodeId r1 = 6, cat = 7;
  ASSERT_EQ(b.graph.node(cat)->type, "Concat");
  b.graph.disconnect({cat, 0});
  NodeId extra = b.add("GELU");
  b.link(r1, extra);
  b.link(extra, cat, 0);
  std::vector<std::string> after = keys(b.graph);
  EXPECT_EQ(before, after);
}

TEST(Compile, RefusesAGraphWithErrorsAndListsThem) {
  GraphBuilder b;
  b.input({4});
  b.add("Linear");
  try {
    compileGraph(b.graph);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no Output node"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not connected"), std::string::npos) << e.what();
  }
}

TEST(Compile, MovesToCpuDeviceAndRunsInTrainingMode) {
  GraphBuilder b = residualCnn();
  GraphModule m = compileGraph(b.graph);
  m->to(torch::kCPU);
  m->train();
  torch::Tensor y = m->forward(torch::rand({2, 3, 8, 8}));
  y.sum().backward();
  for (const auto& p : m->parameters()) EXPECT_TRUE(p.grad().defined());
}

class TemplateCompile : public ::testing::TestWithParam<std::string> {};

TEST_P(TemplateCompile, ValidAndEveryNodeShapeMatchesInference) {
  torch::manual_seed(0);
  ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/" + GetParam() + ".json");
  ASSERT_TRUE(load.ok()) << load.error;
  GraphAnalysis a = analyze(load.project->graph);
  for (const auto& i : a.issues) ADD_FAILURE() << i.message;
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.shapeOf(a.inputNode)->dims, (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(a.modelOutput()->dims, (std::vector<int64_t>{10}));
  expectShapesMatchInference(load.project->graph, 2);
  GraphModule m(load.project->graph, a);
  EXPECT_EQ(summarize(load.project->graph, a).params, countParameters(*m));
}

INSTANTIATE_TEST_SUITE_P(Templates, TemplateCompile, ::testing::Values("cnn", "residual_cnn", "lstm", "transformer"));

}  // namespace
}  // namespace nc::test

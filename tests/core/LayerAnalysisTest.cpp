// The per-layer analysis: rows add up to the editor's totals, shares add up to one, and absurd
// sizes saturate instead of wrapping.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "GraphTestUtil.h"
#include "core/CheckedMath.h"
#include "core/LayerAnalysis.h"
#include "core/MemoryEstimate.h"
#include "core/Project.h"

namespace nc::test::layer_analysis_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;

std::string templatePath(const std::string& name) {
  return std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json";
}

TEST(LayerAnalysis, RowsOfEveryTemplateAddUpToTheSummaryAndMemoryTotals) {
  for (const char* name : {"cnn", "lstm", "transformer", "char_lstm"}) {
    SCOPED_TRACE(name);
    ProjectLoad load = loadProject(templatePath(name));
    ASSERT_TRUE(load.ok()) << load.error;
    const Project& p = *load.project;
    GraphAnalysis a = analyze(p.graph);
    ASSERT_TRUE(a.ok());
    for (int64_t batch : {int64_t{1}, int64_t{64}, int64_t{1000}}) {
      TrainConfig t = p.training;
      t.batchSize = batch;
      std::vector<LayerRow> rows = analyzeLayers(p.graph, a, t);
      ASSERT_EQ(rows.size(), p.graph.nodes().size());
      int64_t params = 0, flops = 0, bytes = 0;
      double paramShares = 0, flopShares = 0, memoryShares = 0;
      for (const LayerRow& r : rows) {
        EXPECT_TRUE(r.live) << r.name;  // every node of a template is on the path Input -> Output
        EXPECT_EQ(r.name, p.graph.node(r.node)->name);
        EXPECT_EQ(r.type, p.graph.node(r.node)->type);
        EXPECT_EQ(r.output.has_value(), a.shapeOf(r.node) != nullptr) << r.name;
        params += r.params;
        flops += r.flops;
        bytes += r.activationBytes;
        paramShares += r.paramShare;
        flopShares += r.flopShare;
        memoryShares += r.memoryShare;
      }
      const GraphSummary s = summarize(p.graph, a);
      EXPECT_GT(s.params, 0);
      EXPECT_EQ(params, s.params);
      EXPECT_EQ(flops, s.flops);
      EXPECT_EQ(bytes, estimateTrainingMemory(p.graph, a, t).activations);
      const LayerTotals totals = layerTotals(rows);
      EXPECT_EQ(totals.params, s.params);
      EXPECT_EQ(totals.flops, s.flops);
      EXPECT_EQ(totals.activationBytes, bytes);
      EXPECT_NEAR(paramShares, 1.0, 1e-9);
      EXPECT_NEAR(flopShares, 1.0, 1e-9);
      EXPECT_NEAR(memoryShares, totals.activationBytes > 0 ? 1.0 : 0.0, 1e-9);  // no shapes: nothing to share
    }
  }
}

TEST(LayerAnalysis, CnnRowsInTopologicalOrderWithShapesAndBatchScaledMemory) {
  ProjectLoad load = loadProject(templatePath("cnn"));
  ASSERT_TRUE(load.ok()) << load.error;
  const Graph& g = load.project->graph;
  GraphAnalysis a = analyze(g);
  TrainConfig t;
  t.batchSize = 32;
  std::vector<LayerRow> rows = analyzeLayers(g, a, t);
  ASSERT_EQ(rows.size(), a.order.size());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].node, a.order[i]);
  EXPECT_EQ(rows.front().type, "Input");
  ASSERT_TRUE(rows.front().output.has_value());
  EXPECT_EQ(rows.front().output->str(), "[B, 1, 28, 28]");
  EXPECT_EQ(rows.front().activationBytes, 28 * 28 * 4 * 32);  // float32, whole batch
  EXPECT_EQ(rows.front().params, 0);
  EXPECT_EQ(rows.back().type, "Output");
  EXPECT_FALSE(rows.back().output.has_value());
  EXPECT_EQ(rows.back().activationBytes, 0);
}

TEST(LayerAnalysis, NodesOffThePathKeepTheirFiguresButNoShare) {
  GraphBuilder b;
  NodeId in = b.input({16});
  NodeId fc = b.add("Linear", {{"out_features", int64_t{4}}});
  NodeId out = b.add("Output");
  NodeId dead = b.add("Linear", {{"out_features", int64_t{100}}});
  b.link(in, fc);
  b.link(fc, out);
  b.link(in, dead);  // a branch that reaches no Output
  GraphAnalysis a = analyze(b.graph);
  std::vector<LayerRow> rows = analyzeLayers(b.graph, a, TrainConfig{});
  ASSERT_EQ(rows.size(), 4u);
  const LayerRow* deadRow = nullptr;
  const LayerRow* fcRow = nullptr;
  for (const LayerRow& r : rows) {
    if (r.node == dead) deadRow = &r;
    if (r.node == fc) fcRow = &r;
  }
  ASSERT_TRUE(deadRow && fcRow);
  EXPECT_FALSE(deadRow->live);
  EXPECT_EQ(deadRow->params, 16 * 100 + 100);
  EXPECT_EQ(deadRow->paramShare, 0.0);
  EXPECT_TRUE(fcRow->live);
  EXPECT_EQ(fcRow->params, 16 * 4 + 4);
  EXPECT_DOUBLE_EQ(fcRow->paramShare, 1.0);
  EXPECT_EQ(layerTotals(rows).params, summarize(b.graph, a).params);
}

TEST(LayerAnalysis, HugeShapesAndBatchesSaturateInsteadOfWrapping) {
  struct Case {
    std::vector<int64_t> input;
    int64_t batch;
  };
  const Case cases[] = {
      {{1 << 20, 1 << 20}, int64_t{1} << 40},                   // bytes past 2^64
      {{1 << 20, 1 << 20, 1 << 20, 1 << 20}, 64},               // elements past 2^64 (refused by analyze)
      {{65536, 4096, 4096}, std::numeric_limits<int64_t>::max()},  // at the element limit, absurd batch
      {{3}, std::numeric_limits<int64_t>::max()},
  };
  for (const Case& c : cases) {
    GraphBuilder b;
    NodeId in = b.input(c.input);
    NodeId relu = b.add("ReLU");
    NodeId relu2 = b.add("ReLU");
    NodeId out = b.add("Output");
    b.link(in, relu);
    b.link(relu, relu2);
    b.link(relu2, out);
    GraphAnalysis a = analyze(b.graph);
    TrainConfig t;
    t.batchSize = c.batch;
    std::vector<LayerRow> rows = analyzeLayers(b.graph, a, t);
    LayerTotals totals = layerTotals(rows);
    EXPECT_GE(totals.params, 0);
    EXPECT_GE(totals.flops, 0);
    EXPECT_GE(totals.activationBytes, 0);
    EXPECT_EQ(totals.activationBytes, estimateTrainingMemory(b.graph, a, t).activations);
    double memoryShares = 0;
    for (const LayerRow& r : rows) {
      EXPECT_GE(r.activationBytes, 0) << r.name;
      EXPECT_GE(r.flops, 0) << r.name;
      EXPECT_TRUE(r.memoryShare >= 0 && r.memoryShare <= 1) << r.name << " " << r.memoryShare;
      EXPECT_TRUE(std::isfinite(r.paramShare) && std::isfinite(r.flopShare)) << r.name;
      memoryShares += r.memoryShare;
    }
    EXPECT_NEAR(memoryShares, totals.activationBytes > 0 ? 1.0 : 0.0, 1e-9);  // no shapes: nothing to share
  }
  // One node alone already past the limit: its bytes and the total are the saturated value.
  EXPECT_EQ(activationBytes(TensorShape{{1 << 20, 1 << 20}}, int64_t{1} << 40), kSaturated);
  EXPECT_EQ(activationBytes(TensorShape{{10}, DType::Int64}, 3), 240);
}

}  // namespace
}  // namespace nc::test::layer_analysis_test

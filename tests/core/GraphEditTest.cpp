// Copy/paste of selections and the layered auto-layout.
#include <gtest/gtest.h>

#include "core/GraphEdit.h"
#include "core/MemoryEstimate.h"
#include "core/Project.h"
#include "core/ShapeInference.h"

using namespace nc::core;

namespace {

Project loadTemplate(const std::string& name) {
  ProjectLoad l = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json");
  EXPECT_TRUE(l.ok()) << l.error;
  return *l.project;
}

}  // namespace

TEST(GraphEdit, SubgraphKeepsOnlyInternalEdges) {
  Project p = loadTemplate("cnn");
  std::set<NodeId> pick;
  for (const auto& [id, n] : p.graph.nodes())
    if (n.type == "Conv2d" || n.type == "BatchNorm2d") pick.insert(id);  // conv1 -> bn1, conv2 -> bn2
  Graph sub = subgraph(p.graph, pick);
  EXPECT_EQ(sub.nodes().size(), pick.size());
  ASSERT_FALSE(sub.edges().empty());
  for (const Edge& e : sub.edges()) {
    EXPECT_TRUE(pick.count(e.from.node));
    EXPECT_TRUE(pick.count(e.to.node));
  }
  for (const Edge& e : p.graph.edges()) {
    bool internal = pick.count(e.from.node) && pick.count(e.to.node);
    EXPECT_EQ(sub.edgeInto(e.to).has_value(), internal) << "edge into node " << e.to.node;
  }
}

TEST(GraphEdit, PasteRenamesAndReconnectsWithFreshIds) {
  Project p = loadTemplate("cnn");
  size_t nodesBefore = p.graph.nodes().size(), edgesBefore = p.graph.edges().size();
  std::set<NodeId> all;
  for (const auto& [id, n] : p.graph.nodes()) all.insert(id);
  Graph copy = subgraph(p.graph, all);
  std::vector<NodeId> created = pasteGraph(p.graph, copy, 40, 30);
  ASSERT_EQ(created.size(), nodesBefore);
  EXPECT_EQ(p.graph.nodes().size(), 2 * nodesBefore);
  EXPECT_EQ(p.graph.edges().size(), 2 * edgesBefore);
  std::set<std::string> names;
  for (const auto& [id, n] : p.graph.nodes()) EXPECT_TRUE(names.insert(n.name).second) << "duplicate " << n.name;
  const Node* first = p.graph.node(created.front());
  const Node* original = copy.node(copy.nodes().begin()->first);
  EXPECT_DOUBLE_EQ(first->x, original->x + 40);
  EXPECT_DOUBLE_EQ(first->y, original->y + 30);
  EXPECT_NE(first->name, original->name);
  // Two Inputs and two Outputs now: analysis says so instead of crashing.
  EXPECT_FALSE(analyze(p.graph).ok());
}

TEST(GraphEdit, FreeNodeNameCountsUpFromTheStem) {
  Graph g;
  g.addNode("ReLU");  // relu1
  g.addNode("ReLU");  // relu2
  EXPECT_EQ(freeNodeName(g, "relu1"), "relu3");
  EXPECT_EQ(freeNodeName(g, "head"), "head");
}

TEST(GraphEdit, LayoutPutsEveryEdgeLeftToRight) {
  for (const char* name : {"cnn", "lstm", "transformer"}) {
    Project p = loadTemplate(name);
    auto pos = layeredLayout(p.graph);
    ASSERT_EQ(pos.size(), p.graph.nodes().size()) << name;
    for (const Edge& e : p.graph.edges())
      EXPECT_LT(pos[e.from.node].first, pos[e.to.node].first) << name << ": edge goes backwards";
    std::set<std::pair<double, double>> distinct;
    for (const auto& [id, xy] : pos) EXPECT_TRUE(distinct.insert(xy).second) << name << ": two nodes overlap";
  }
}

TEST(GraphEdit, LayoutUntanglesCrossedBranches) {
  // in -> a, b; a -> merge.in1, b -> merge.in0, drawn so that both pairs of edges cross.
  Graph g;
  NodeId in = *g.addNode("Input", 0, 0);
  NodeId a = *g.addNode("ReLU", 0, 0);
  NodeId b = *g.addNode("Tanh", 0, 100);
  NodeId c = *g.addNode("Sigmoid", 0, 200);
  NodeId a2 = *g.addNode("ReLU", 0, 200);
  NodeId b2 = *g.addNode("Tanh", 0, 100);
  NodeId c2 = *g.addNode("Sigmoid", 0, 0);
  for (NodeId n : {a, b, c}) ASSERT_TRUE(g.connect({in, 0}, {n, 0}));
  ASSERT_TRUE(g.connect({a, 0}, {a2, 0}));
  ASSERT_TRUE(g.connect({b, 0}, {b2, 0}));
  ASSERT_TRUE(g.connect({c, 0}, {c2, 0}));
  std::map<NodeId, std::pair<double, double>> drawn;
  for (const auto& [id, n] : g.nodes()) drawn[id] = {n.x + (id >= a2 ? 2 : id == in ? 0 : 1), n.y};
  EXPECT_GT(countCrossings(g, drawn), 0);
  EXPECT_EQ(countCrossings(g, layeredLayout(g)), 0);
}

TEST(MemoryEstimate, CountsWeightsOptimizerStateAndBatchActivations) {
  Project p = loadTemplate("cnn");
  GraphAnalysis a = analyze(p.graph);
  ASSERT_TRUE(a.ok());
  p.training.optimizer = "adam";
  p.training.batchSize = 64;
  MemoryEstimate adam = estimateTrainingMemory(p.graph, a, p.training);
  EXPECT_EQ(adam.weights, summarize(p.graph, a).params * 4);
  EXPECT_EQ(adam.gradients, adam.weights);
  EXPECT_EQ(adam.optimizerState, 2 * adam.weights);
  EXPECT_GT(adam.activations, 64 * 28 * 28 * 4);  // at least the input batch
  p.training.batchSize = 128;
  EXPECT_EQ(estimateTrainingMemory(p.graph, a, p.training).activations, 2 * adam.activations);
  p.training.optimizer = "sgd";
  p.training.momentum = 0;
  EXPECT_EQ(estimateTrainingMemory(p.graph, a, p.training).optimizerState, 0);
}

TEST(GraphEdit, LongChainsWrapIntoBandsThatReadLeftToRightThenDown) {
  Project p = loadTemplate("cnn");  // 15 nodes in a chain
  LayoutSpacing spacing;
  spacing.wrapColumns = 5;
  auto pos = layeredLayout(p.graph, spacing);
  double widest = 0;
  for (const auto& [id, xy] : pos) widest = std::max(widest, xy.first);
  EXPECT_DOUBLE_EQ(widest, 4 * spacing.column);
  for (const Edge& e : p.graph.edges()) {
    auto a = pos[e.from.node], b = pos[e.to.node];
    bool rightward = b.first > a.first && b.second == a.second;
    bool nextBand = b.second > a.second + spacing.row;
    EXPECT_TRUE(rightward || nextBand) << p.graph.node(e.from.node)->name << " -> " << p.graph.node(e.to.node)->name;
  }
}

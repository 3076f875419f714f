// Copy/paste of selections and the layered auto-layout.
#include <gtest/gtest.h>

#include <algorithm>

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

TEST(GraphEdit, LayoutPutsEveryEdgeDownwardsOrRightwards) {
  for (LayoutDirection direction : {LayoutDirection::TopDown, LayoutDirection::LeftRight})
    for (const char* name : {"cnn", "lstm", "transformer", "char_lstm"}) {
      const bool topDown = direction == LayoutDirection::TopDown;
      Project p = loadTemplate(name);
      const LayoutSpacing spacing = LayoutSpacing::forDirection(direction);
      auto pos = layeredLayout(p.graph, spacing);
      ASSERT_EQ(pos.size(), p.graph.nodes().size()) << name;
      for (const Edge& e : p.graph.edges()) {
        auto a = pos[e.from.node], b = pos[e.to.node];
        // along the flow the next layer; a chain stays on one line (no wrapping)
        EXPECT_DOUBLE_EQ(topDown ? b.second - a.second : b.first - a.first, spacing.betweenLayers) << name;
        EXPECT_DOUBLE_EQ(topDown ? b.first : b.second, 0) << name << ": a chain is centred on the axis";
      }
      std::set<std::pair<double, double>> distinct;
      for (const auto& [id, xy] : pos) EXPECT_TRUE(distinct.insert(xy).second) << name << ": two nodes overlap";
    }
}

TEST(GraphEdit, LayoutDefaultsToTopDownSpacingForTheEditorsCards) {
  LayoutSpacing td;
  EXPECT_EQ(td.direction, LayoutDirection::TopDown);
  // cards are ~172 x 50..110 px; a shape label sits on each edge
  EXPECT_GE(td.betweenLayers, 140);
  EXPECT_GE(td.withinLayer, 240);
  LayoutSpacing lr = LayoutSpacing::forDirection(LayoutDirection::LeftRight);
  EXPECT_GE(lr.betweenLayers, 300);
  EXPECT_GE(lr.withinLayer, 120);
}

TEST(GraphEdit, LayoutUntanglesCrossedBranches) {
  // in -> a, b, c; a -> a2, b -> b2, c -> c2, drawn so that the pairs of edges cross.
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
  std::map<NodeId, std::pair<double, double>> drawn;  // layers as columns, order by y
  for (const auto& [id, n] : g.nodes()) drawn[id] = {n.x + (id >= a2 ? 2 : id == in ? 0 : 1), n.y};
  EXPECT_GT(countCrossings(g, drawn, LayoutDirection::LeftRight), 0);
  std::map<NodeId, std::pair<double, double>> transposed;  // the same drawing as rows
  for (const auto& [id, xy] : drawn) transposed[id] = {xy.second, xy.first};
  EXPECT_EQ(countCrossings(g, transposed, LayoutDirection::TopDown), countCrossings(g, drawn, LayoutDirection::LeftRight));
  for (LayoutDirection direction : {LayoutDirection::TopDown, LayoutDirection::LeftRight}) {
    auto pos = layeredLayout(g, LayoutSpacing::forDirection(direction));
    EXPECT_EQ(countCrossings(g, pos, direction), 0);
    if (direction == LayoutDirection::TopDown) {  // rows going down, each centred on x = 0
      EXPECT_DOUBLE_EQ(pos[in].second, 0);
      EXPECT_DOUBLE_EQ(pos[a].second, pos[b].second);
      EXPECT_DOUBLE_EQ(pos[a].first + pos[b].first + pos[c].first, 0);
      EXPECT_GT(pos[a2].second, pos[a].second);
    }
  }
}

TEST(GraphEdit, LayoutKeepsLongEdgesClearOfNodesAndCrossingsFew) {
  // A residual block: in -> conv -> relu -> add.in0 and in -> add.in1 (a skip spanning 3 layers).
  Graph g;
  NodeId in = *g.addNode("Input", 0, 0);
  NodeId conv = *g.addNode("ReLU", 0, 0);
  NodeId relu = *g.addNode("Tanh", 0, 0);
  NodeId add = *g.addNode("Add", 0, 0);
  ASSERT_TRUE(g.connect({in, 0}, {conv, 0}));
  ASSERT_TRUE(g.connect({conv, 0}, {relu, 0}));
  ASSERT_TRUE(g.connect({relu, 0}, {add, 0}));
  ASSERT_TRUE(g.connect({in, 0}, {add, 1}));
  auto pos = layeredLayout(g);
  EXPECT_DOUBLE_EQ(pos[in].first, pos[add].first);  // the skip runs straight down...
  EXPECT_NE(pos[conv].first, pos[in].first);          // ...beside the layers it passes, not under them
  EXPECT_DOUBLE_EQ(pos[conv].first, pos[relu].first);
  EXPECT_LT(pos[conv].second, pos[relu].second);

  // Two interleaved ladders drawn crosswise: the sweeps must get every crossing out.
  Graph h;
  std::vector<NodeId> left, right;
  for (int i = 0; i < 6; ++i) {
    left.push_back(*h.addNode("ReLU", 0, double(i % 2 ? 100 : 0)));
    right.push_back(*h.addNode("Tanh", 0, double(i % 2 ? 0 : 100)));
    if (i > 0) {
      ASSERT_TRUE(h.connect({left[size_t(i - 1)], 0}, {left[size_t(i)], 0}));
      ASSERT_TRUE(h.connect({right[size_t(i - 1)], 0}, {right[size_t(i)], 0}));
    }
  }
  EXPECT_EQ(countCrossings(h, layeredLayout(h)), 0);
  // Re-running the layout is stable (the starting order is the current one).
  auto once = layeredLayout(h);
  for (const auto& [id, xy] : once) ASSERT_TRUE(h.move(id, xy.first, xy.second));
  EXPECT_EQ(layeredLayout(h), once);
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

TEST(GraphEdit, SwitchingDirectionKeepsTheOrderWithinLayers) {
  // in -> a, b, c laid out top-down, then left-right: a, b, c keep their order (x becomes y).
  Graph g;
  NodeId in = *g.addNode("Input", 0, 0);
  std::vector<NodeId> kids;
  for (double x : {-500.0, 0.0, 500.0}) {
    kids.push_back(*g.addNode("ReLU", x, 300));
    ASSERT_TRUE(g.connect({in, 0}, {kids.back(), 0}));
  }
  std::reverse(kids.begin(), kids.end());  // ids no longer in drawing order
  auto lr = layeredLayout(g, LayoutSpacing::forDirection(LayoutDirection::LeftRight));
  EXPECT_GT(lr[kids[0]].second, lr[kids[1]].second);
  EXPECT_GT(lr[kids[1]].second, lr[kids[2]].second);
  EXPECT_DOUBLE_EQ(lr[kids[1]].second, 0);
  EXPECT_DOUBLE_EQ(lr[kids[0]].first, 320);
}

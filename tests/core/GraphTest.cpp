#include <gtest/gtest.h>

#include <vector>

#include "GraphTestUtil.h"
#include "core/LayerRegistry.h"

namespace nc::test {
namespace {

using namespace nc::core;

struct Recorder : GraphObserver {
  std::vector<std::string> events;
  void nodeAdded(NodeId id) override { events.push_back("add " + std::to_string(id)); }
  void nodeRemoved(NodeId id) override { events.push_back("remove " + std::to_string(id)); }
  void edgeAdded(const Edge& e) override { events.push_back("connect " + std::to_string(e.from.node) + "->" + std::to_string(e.to.node)); }
  void edgeRemoved(const Edge& e) override { events.push_back("disconnect " + std::to_string(e.from.node) + "->" + std::to_string(e.to.node)); }
  void paramChanged(NodeId id, const std::string& p) override { events.push_back("param " + std::to_string(id) + " " + p); }
  void nodeMoved(NodeId id) override { events.push_back("move " + std::to_string(id)); }
};

TEST(Graph, AddNodeUsesDefaultsUniqueNamesAndStableIds) {
  Graph g;
  NodeId a = *g.addNode("Linear", 10, 20);
  NodeId b = *g.addNode("Linear");
  EXPECT_NE(a, b);
  EXPECT_EQ(g.node(a)->name, "linear1");
  EXPECT_EQ(g.node(b)->name, "linear2");
  EXPECT_EQ(std::get<int64_t>(g.node(a)->params.at("out_features")), 128);
  EXPECT_DOUBLE_EQ(g.node(a)->x, 10);
  g.removeNode(a);
  NodeId c = *g.addNode("Linear");
  EXPECT_GT(c, b) << "ids are never reused";
}

TEST(Graph, RejectsUnknownTypeSelfLoopSecondEdgeIntoPortAndBadPorts) {
  Graph g;
  std::string err;
  EXPECT_FALSE(g.addNode("NoSuchLayer", 0, 0, &err));
  EXPECT_NE(err.find("unknown layer type 'NoSuchLayer'"), std::string::npos);
  NodeId in = *g.addNode("Input");
  NodeId f = *g.addNode("Flatten");
  NodeId l = *g.addNode("Linear");
  EXPECT_NE(g.connect({f, 0}, {f, 0}).message().find("itself"), std::string::npos);
  EXPECT_TRUE(g.connect({in, 0}, {f, 0}).ok());
  EXPECT_NE(g.connect({l, 0}, {f, 0}).message().find("already connected"), std::string::npos);
  EXPECT_NE(g.connect({in, 0}, {l, 3}).message().find("no input port 3"), std::string::npos);
  EXPECT_NE(g.connect({in, 1}, {l, 0}).message().find("no output port 1"), std::string::npos);
  EXPECT_FALSE(g.connect({in, 0}, {999, 0}).ok());
  EXPECT_EQ(g.edges().size(), 1u);
}

TEST(Graph, SetParamValidatesKindAndRange) {
  Graph g;
  NodeId l = *g.addNode("Linear");
  EXPECT_TRUE(g.setParam(l, "out_features", int64_t{10}).ok());
  EXPECT_NE(g.setParam(l, "out_features", int64_t{0}).message().find("outside"), std::string::npos);
  EXPECT_NE(g.setParam(l, "out_features", 2.5).message().find("must be an integer"), std::string::npos);
  EXPECT_NE(g.setParam(l, "nope", int64_t{1}).message().find("no parameter 'nope'"), std::string::npos);
  EXPECT_EQ(std::get<int64_t>(g.node(l)->params.at("out_features")), 10);
}

TEST(Graph, RemoveNodeDropsItsEdgesAndNotifiesObservers) {
  Graph g;
  Recorder rec;
  g.addObserver(&rec);
  NodeId in = *g.addNode("Input");
  NodeId f = *g.addNode("Flatten");
  g.connect({in, 0}, {f, 0});
  g.setParam(f, "start_dim", int64_t{2});
  g.move(f, 5, 5);
  g.removeNode(in);
  EXPECT_TRUE(g.edges().empty());
  std::vector<std::string> expected{"add 1", "add 2", "connect 1->2", "param 2 start_dim", "move 2", "disconnect 1->2", "remove 1"};
  EXPECT_EQ(rec.events, expected);
  g.removeObserver(&rec);
  g.addNode("ReLU");
  EXPECT_EQ(rec.events.size(), expected.size());
}

TEST(Graph, WouldCreateCycleFollowsEdges) {
  Graph g;
  NodeId a = *g.addNode("ReLU");
  NodeId b = *g.addNode("ReLU");
  NodeId c = *g.addNode("ReLU");
  g.connect({a, 0}, {b, 0});
  g.connect({b, 0}, {c, 0});
  EXPECT_TRUE(g.wouldCreateCycle(c, a));
  EXPECT_FALSE(g.wouldCreateCycle(a, c));
}

TEST(Graph, CopyIsIndependentAndDoesNotCopyObservers) {
  Graph g;
  Recorder rec;
  g.addObserver(&rec);
  g.addNode("ReLU");
  Graph copy = g;
  copy.addNode("ReLU");
  EXPECT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(copy.nodes().size(), 2u);
  EXPECT_EQ(rec.events.size(), 1u);
}

TEST(LayerRegistry, EveryTypeHasDocCategoryAndValidDefaults) {
  auto all = LayerRegistry::instance().all();
  EXPECT_GE(all.size(), 6u);
  for (const LayerType* t : all) {
    EXPECT_FALSE(t->doc().empty()) << t->name();
    EXPECT_TRUE(t->validateParams(t->defaults()).ok()) << t->name();
    for (const auto& p : t->params()) EXPECT_FALSE(p.doc.empty()) << t->name() << "." << p.name;
  }
}

TEST(LayerRegistry, ContainsTheWholeLayerLibrary) {
  const char* required[] = {"Input", "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
                            "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Dropout", "Flatten", "Reshape", "Permute",
                            "Linear", "ReLU", "LeakyReLU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax", "Embedding",
                            "RNN", "LSTM", "GRU", "MultiheadAttention", "TransformerEncoderLayer",
                            "PositionalEncoding", "SequencePool", "Add", "Concat", "Multiply", "Output"};
  for (const char* name : required) EXPECT_NE(LayerRegistry::instance().find(name), nullptr) << name;
}

}  // namespace
}  // namespace nc::test

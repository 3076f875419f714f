#include <gtest/gtest.h>

#include "GraphTestUtil.h"

namespace nc::test {
namespace {

using namespace nc::core;

TEST(ShapeInference, LabelsEveryEdgeOfASmallCnn) {
  GraphBuilder b;
  NodeId in = b.input({1, 28, 28});
  NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{8}}});
  NodeId relu = b.add("ReLU");
  NodeId flat = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{10}}});
  NodeId out = b.add("Output");
  b.link(in, conv);
  b.link(conv, relu);
  b.link(relu, flat);
  b.link(flat, fc);
  b.link(fc, out);
  GraphAnalysis a = analyze(b.graph);
  ASSERT_TRUE(a.ok()) << a.issues.front().message;
  EXPECT_EQ(a.shapeOf(conv)->str(), "[B, 8, 28, 28]");
  EXPECT_EQ(a.shapeOf(flat)->str(), "[B, 6272]");
  EXPECT_EQ(a.modelOutput()->str(), "[B, 10]");
  EXPECT_EQ(a.live.size(), 6u);
  EXPECT_EQ(a.order.front(), in);
}

TEST(ShapeInference, ExplainsLinearOnImageAndSuggestsFlatten) {
  GraphBuilder b;
  NodeId in = b.input({64, 7, 7});
  NodeId fc = b.add("Linear");
  NodeId out = b.add("Output");
  b.link(in, fc);
  b.link(fc, out);
  GraphAnalysis a = analyze(b.graph);
  EXPECT_FALSE(a.ok());
  EXPECT_TRUE(hasIssue(a, fc, "Linear expects a 2-D to 3-D input [batch, features] or [batch, length, features] but receives [B, 64, 7, 7]: insert a Flatten"));
  EXPECT_TRUE(a.issuesFor(out).empty()) << "downstream nodes of a failed node are not blamed";
}

TEST(ShapeInference, ReportsMissingInputAndOutput) {
  GraphBuilder b;
  b.add("ReLU");
  GraphAnalysis a = analyze(b.graph);
  EXPECT_TRUE(hasIssue(a, -1, "no Input node"));
  EXPECT_TRUE(hasIssue(a, -1, "no Output node"));
  EXPECT_FALSE(a.ok());
}

TEST(ShapeInference, ReportsUnconnectedRequiredInput) {
  GraphBuilder b;
  NodeId in = b.input({4});
  NodeId fc = b.add("Linear");
  NodeId out = b.add("Output");
  b.link(fc, out);
  (void)in;
  GraphAnalysis a = analyze(b.graph);
  EXPECT_TRUE(hasIssue(a, fc, "linear1: its input is not connected"));
  EXPECT_FALSE(a.ok());
}

TEST(ShapeInference, ReportsEveryNodeOnACycle) {
  GraphBuilder b;
  NodeId in = b.input({4});
  NodeId add = b.add("Add");
  NodeId r1 = b.add("ReLU");
  NodeId r2 = b.add("ReLU");
  NodeId out = b.add("Output");
  b.link(in, add, 0);
  b.link(add, r1);
  b.link(r1, r2);
  b.link(r2, add, 1);  // back edge
  b.link(r1, out);
  GraphAnalysis a = analyze(b.graph);
  EXPECT_FALSE(a.ok());
  for (NodeId n : {add, r1, r2}) EXPECT_TRUE(hasIssue(a, n, "part of a cycle")) << n;
  EXPECT_FALSE(hasIssue(a, out, "part of a cycle"));
}

TEST(ShapeInference, NodeWithNoInputAtAllIsAnError) {
  GraphBuilder b;
  NodeId in = b.input({4});
  NodeId fc = b.add("Linear", {{"out_features", int64_t{3}}});
  NodeId out = b.add("Output");
  NodeId island = b.add("Flatten");  // connected to nothing at all
  b.link(in, fc);
  b.link(fc, out);
  GraphAnalysis a = analyze(b.graph);
  EXPECT_FALSE(a.ok());
  EXPECT_TRUE(hasIssue(a, island, "flatten1: its input is not connected"));
  EXPECT_TRUE(a.issuesFor(fc).empty());
}

TEST(ShapeInference, DeadBranchIsAWarningAndNotCompiled) {
  GraphBuilder b;
  NodeId in = b.input({4});
  NodeId fc = b.add("Linear", {{"out_features", int64_t{3}}});
  NodeId out = b.add("Output");
  NodeId dangling = b.add("ReLU");
  b.link(in, fc);
  b.link(fc, out);
  b.link(in, dangling);
  GraphAnalysis a = analyze(b.graph);
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(hasIssue(a, dangling, "never reaches the Output"));
  ASSERT_EQ(a.issuesFor(dangling).size(), 1u);
  EXPECT_EQ(a.issuesFor(dangling)[0]->severity, Severity::Warning);
  EXPECT_EQ(std::count(a.live.begin(), a.live.end(), dangling), 0);
}

TEST(ShapeInference, RejectsSecondInputAndSecondOutput) {
  GraphBuilder b;
  NodeId in = b.input({4});
  NodeId in2 = b.input({4});
  NodeId out = b.add("Output");
  NodeId out2 = b.add("Output");
  NodeId fc = b.add("Linear");
  b.link(in, fc);
  b.link(fc, out);
  (void)in2;
  (void)out2;
  GraphAnalysis a = analyze(b.graph);
  EXPECT_TRUE(hasIssue(a, in2, "only one Input"));
  EXPECT_TRUE(hasIssue(a, out2, "only one Output"));
}

TEST(ShapeInference, ResidualBranchesMeetWithMatchingShapes) {
  GraphBuilder b;
  NodeId in = b.input({16});
  NodeId fc = b.add("Linear", {{"out_features", int64_t{16}}});
  NodeId add = b.add("Add");
  NodeId wide = b.add("Linear", {{"out_features", int64_t{32}}});
  NodeId add2 = b.add("Add");
  NodeId out = b.add("Output");
  b.link(in, fc);
  b.link(fc, add, 0);
  b.link(in, add, 1);
  b.link(add, wide);
  b.link(wide, add2, 0);
  b.link(add, add2, 1);  // [B, 32] + [B, 16]: wrong
  b.link(add2, out);
  GraphAnalysis a = analyze(b.graph);
  EXPECT_EQ(a.shapeOf(add)->str(), "[B, 16]");
  EXPECT_FALSE(a.ok());
  EXPECT_FALSE(a.issuesFor(add2).empty());
  EXPECT_TRUE(a.issuesFor(add).empty());
}

}  // namespace
}  // namespace nc::test

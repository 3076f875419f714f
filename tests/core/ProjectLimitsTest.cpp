// Regression tests for numbers that used to wrap, overflow or crash (issues 10 and 15): integers
// beyond 64 bits, huge ports, node id INT64_MAX, sizes whose products overflow, numbers beyond
// double range, deep nesting, and the 100,000-node chain.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>
#include <nlohmann/json.hpp>

#include "GraphTestUtil.h"
#include "core/CheckedMath.h"
#include "core/GraphEdit.h"
#include "core/JsonDocument.h"
#include "core/MemoryEstimate.h"
#include "core/Project.h"

namespace nc::test::project_limits_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using nlohmann::json;
namespace fs = std::filesystem;

/// Input [shape] -> Flatten -> Linear(10) -> Output as project text, with `extra` spliced into the
/// JSON text by replacing the placeholder token "@X@" (so any literal can be written).
std::string chainText(const std::string& flattenEnd = "-1", const std::string& port = "0",
                      const std::string& inputShape = "[1, 28, 28]", const std::string& training = "{}",
                      const std::string& data = "{}", const std::string& firstId = "1") {
  return R"({"format": "neuralcanvas-project", "version": 1, "name": "t",
  "graph": {"nodes": [
    {"id": )" + firstId + R"(, "type": "Input", "name": "in", "position": [0, 0],
     "params": {"shape": )" + inputShape + R"(, "dtype": "float", "vocab_size": 256}},
    {"id": 2, "type": "Flatten", "name": "flat", "position": [1, 0], "params": {"start_dim": 1, "end_dim": )" +
         flattenEnd + R"(}},
    {"id": 3, "type": "Linear", "name": "fc", "position": [2, 0], "params": {"out_features": 10, "bias": true}},
    {"id": 4, "type": "Output", "name": "out", "position": [3, 0], "params": {}}],
   "edges": [{"from": {"node": )" + firstId + R"(, "port": 0}, "to": {"node": 2, "port": )" + port + R"(}},
             {"from": {"node": 2, "port": 0}, "to": {"node": 3, "port": 0}},
             {"from": {"node": 3, "port": 0}, "to": {"node": 4, "port": 0}}]},
  "data": )" + data + R"(, "training": )" + training + "}";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(ProjectLimits, ChainFixtureLoads) {
  ProjectLoad r = parseProject(chainText());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(analyze(r.project->graph).ok());
}

// Issue 15 item 1: 18446744073709551615 was read as -1 (a legal end_dim) and validated.
TEST(ProjectLimits, IntegersBeyondInt64AreErrorsQuotingTheNumberAsWritten) {
  struct Case {
    std::string text, path, written;
  };
  const std::vector<Case> cases = {
      {chainText("18446744073709551615"), "/graph/nodes/1/params/end_dim", "18446744073709551615"},
      {chainText("9223372036854775808"), "/graph/nodes/1/params/end_dim", "9223372036854775808"},
      {chainText("18446744073709551616"), "/graph/nodes/1/params/end_dim", "18446744073709551616"},
      {chainText("-9223372036854775809"), "/graph/nodes/1/params/end_dim", "-9223372036854775809"},
      {chainText("123456789012345678901234567890"), "/graph/nodes/1/params/end_dim", "123456789012345678901234567890"},
      {chainText("-1", "0", "[1, 18446744073709551615, 28]"), "/graph/nodes/0/params/shape/1", "18446744073709551615"},
      {chainText("-1", "0", "[1, 28, 36893488147419103232]"), "/graph/nodes/0/params/shape/2", "36893488147419103232"},
      {chainText("-1", "0", "[1, 28, 28]", R"({"epochs": 18446744073709551615})"), "/training/epochs",
       "18446744073709551615"},
      {chainText("-1", "0", "[1, 28, 28]", R"({"batch_size": 18446744073709551616})"), "/training/batch_size",
       "18446744073709551616"},
      {chainText("-1", "0", "[1, 28, 28]", "{}", R"({"seed": 99999999999999999999999})"), "/data/seed",
       "99999999999999999999999"},
      {chainText("-1", "0", "[1, 28, 28]", "{}", R"({"image_size": [32, 18446744073709551617]})"), "/data/image_size/1",
       "18446744073709551617"},
      {chainText("-1", "0", "[1, 28, 28]", "{}", "{}", "18446744073709551615"), "/graph/nodes/0/id",
       "18446744073709551615"},
      {chainText("-1", "0", "[1, 28, 28]", "{}", "{}", "18446744073709551617"), "/graph/nodes/0/id",
       "18446744073709551617"},
  };
  for (const auto& c : cases) {
    ProjectLoad r = parseProject(c.text);
    ASSERT_FALSE(r.ok()) << c.path << " was accepted";
    EXPECT_TRUE(contains(r.error, c.path)) << r.error;
    EXPECT_TRUE(contains(r.error, c.written)) << r.error;
    EXPECT_FALSE(contains(r.error, "e+")) << "quoted as a double: " << r.error;
    EXPECT_FALSE(contains(r.error, "-9223372036854775808")) << r.error;
  }
  // Reshape's shape entry is read the same way.
  const std::string reshape = R"({"format": "neuralcanvas-project", "version": 1, "graph": {"nodes": [
    {"id": 1, "type": "Reshape", "name": "r", "position": [0, 0], "params": {"shape": [2, 18446744073709551615]}}],
    "edges": []}})";
  ProjectLoad r = parseProject(reshape);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error, "/graph/nodes/0/params/shape/1")) << r.error;
  EXPECT_TRUE(contains(r.error, "18446744073709551615")) << r.error;
}

TEST(ProjectLimits, EmbeddingPaddingIdxBeyondInt64IsAnError) {
  const std::string text = R"({"format": "neuralcanvas-project", "version": 1, "graph": {"nodes": [
    {"id": 1, "type": "Embedding", "name": "e", "position": [0, 0],
     "params": {"embedding_dim": 8, "padding_idx": 18446744073709551615}}], "edges": []}})";
  ProjectLoad r = parseProject(text);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error, "/graph/nodes/0/params/padding_idx")) << r.error;
  EXPECT_TRUE(contains(r.error, "18446744073709551615")) << r.error;
}

// Issue 15 item 2: port 4294967296 was narrowed to int and taken as port 0.
TEST(ProjectLimits, OutOfRangePortsAreErrorsNamingTheEdge) {
  for (const std::string port : {"4294967296", "4294967297", "2147483648", "-1", "-4294967296",
                                 "18446744073709551616", "9223372036854775807", "1.5", "\"0\""}) {
    ProjectLoad r = parseProject(chainText("-1", port));
    ASSERT_FALSE(r.ok()) << "port " << port << " accepted";
    EXPECT_TRUE(contains(r.error, "/graph/edges/0/to/port")) << r.error;
    if (port[0] != '"') EXPECT_TRUE(contains(r.error, port)) << r.error;
  }
}

// Issue 10 item 9: Input [2^20, 2^20, 2^20] gave a "valid" CNN with 562,950,255,431,338 parameters.
TEST(ProjectLimits, SizesThatOverflowAreErrorsOnTheNode) {
  {
    GraphBuilder b;
    NodeId in = b.input({1048576, 1048576, 1048576});
    NodeId conv = b.add("Conv2d");
    NodeId flat = b.add("Flatten");
    NodeId fc = b.add("Linear", {{"out_features", int64_t{10}}});
    NodeId out = b.add("Output");
    b.link(in, conv);
    b.link(conv, flat);
    b.link(flat, fc);
    b.link(fc, out);
    GraphAnalysis a = analyze(b.graph);
    EXPECT_FALSE(a.ok());
    EXPECT_TRUE(hasIssue(a, in, "elements per sample")) << "no error on the Input";
    GraphSummary s = summarize(b.graph, a);
    EXPECT_GE(s.params, 0);
    EXPECT_LT(s.params, kMaxParameters);
  }
  {  // Flatten of four 2^20 dims gave [B, 0]
    GraphBuilder b;
    NodeId in = b.input({1048576, 1048576, 1048576, 1048576});
    NodeId flat = b.add("Flatten");
    NodeId out = b.add("Output");
    b.link(in, flat);
    b.link(flat, out);
    GraphAnalysis a = analyze(b.graph);
    EXPECT_FALSE(a.ok());
    EXPECT_TRUE(hasIssue(a, in, "more elements per sample than a 64-bit integer can count"));
    const TensorShape* s = a.shapeOf(flat);
    EXPECT_TRUE(s == nullptr || s->dims != std::vector<int64_t>{0});
  }
  {  // a tensor just under the element limit, but a Conv2d whose weights exceed 2^40
    GraphBuilder b;
    NodeId in = b.input({65536, 4096, 4096});  // 2^40 elements
    NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{65536}}, {"kernel_size", int64_t{256}}, {"padding", int64_t{0}}});
    NodeId out = b.add("Output");
    b.link(in, conv);
    b.link(conv, out);
    GraphAnalysis a = analyze(b.graph);
    EXPECT_FALSE(a.ok());
    EXPECT_TRUE(hasIssue(a, conv, "parameters, more than the limit of 2^40")) << "conv not flagged";
    MemoryEstimate m = estimateTrainingMemory(b.graph, a, TrainConfig{});
    EXPECT_GE(m.total(), 0);
    EXPECT_GE(m.activations, 0);
  }
  {  // LSTM and attention counts multiply large factors: saturate, never wrap negative
    GraphBuilder b;
    NodeId in = b.input({65536, 1 << 20});
    NodeId lstm = b.add("LSTM", {{"hidden_size", int64_t{65536}}, {"num_layers", int64_t{8}}, {"bidirectional", true}});
    NodeId out = b.add("Output");
    b.link(in, lstm);
    b.link(lstm, out);
    GraphAnalysis a = analyze(b.graph);
    EXPECT_TRUE(hasIssue(a, lstm, "more than the limit")) << "LSTM not flagged";
    EXPECT_GE(nodeParamCount(*b.graph.node(lstm), a), 0);
    EXPECT_GE(nodeFlops(*b.graph.node(lstm), a), 0);
  }
}

TEST(ProjectLimits, CheckedMathSaturates) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(satMul(int64_t(1) << 40, int64_t(1) << 40), big);
  EXPECT_EQ(satMul(-(int64_t(1) << 40), int64_t(1) << 40), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(satMul(3, 4, 5), 60);
  EXPECT_EQ(satAdd(big, 1), big);
  EXPECT_EQ(satAdd(int64_t(1), int64_t(2), int64_t(3)), 6);
  EXPECT_FALSE(checkedProduct({1 << 20, 1 << 20, 1 << 20, 1 << 20}).has_value());
  EXPECT_EQ(*checkedProduct({1 << 20, 1 << 20}), int64_t(1) << 40);
  TensorShape s{{1 << 20, 1 << 20, 1 << 20, 1 << 20}};
  EXPECT_EQ(s.numel(), big);
}

// Issue 10 item 13: node id 9223372036854775807 made nextId overflow.
TEST(ProjectLimits, NodeIdInt64MaxLoadsAndNewNodesGetFreeIds) {
  const std::string maxId = "9223372036854775807";
  ProjectLoad r = parseProject(chainText("-1", "0", "[1, 28, 28]", "{}", "{}", maxId));
  ASSERT_TRUE(r.ok()) << r.error;
  Graph& g = r.project->graph;
  ASSERT_TRUE(g.node(std::numeric_limits<NodeId>::max()));
  EXPECT_TRUE(analyze(g).ok());
  std::set<NodeId> ids;
  for (int i = 0; i < 5; ++i) {
    NodeId next = g.nextId();
    EXPECT_GT(next, 0);
    EXPECT_FALSE(g.node(next));
    auto id = g.addNode("ReLU");
    ASSERT_TRUE(id.has_value());
    EXPECT_TRUE(ids.insert(*id).second);
    EXPECT_GT(*id, 0);
  }
  // Pasting a copy next to it works too.
  std::vector<NodeId> pasted = pasteGraph(g, subgraph(g, {std::numeric_limits<NodeId>::max()}), 10, 10);
  ASSERT_EQ(pasted.size(), 1u);
  EXPECT_GT(pasted[0], 0);
  // And it saves and loads back identically.
  const std::string text = serializeProject(*r.project);
  EXPECT_TRUE(contains(text, maxId));
  ProjectLoad back = parseProject(text);
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(serializeProject(*back.project), text);
}

// Issue 10 item 14: 1e400 anywhere and a 100,000-digit number ended as "internal error".
TEST(ProjectLimits, NumbersBeyondDoubleRangeAreParseErrorsWithAPosition) {
  const std::string huge(100000, '9');
  const std::vector<std::string> texts = {
      chainText("1e400"),
      chainText("-1", "0", "[1, 28, 28]", R"({"learning_rate": 1e400})"),
      chainText("-1", "0", "[1, 28, 28]", R"({"learning_rate": -1e400})"),
      chainText(huge),
      chainText(huge + ".5"),
      chainText("-1", "0", "[1, 28, 28]", "{}", R"({"validation_fraction": )" + huge + "e10}"),
  };
  for (std::string t : texts) {
    ProjectLoad r = parseProject(t);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(contains(r.error, "malformed JSON: line ")) << r.error.substr(0, 300);
    EXPECT_LT(r.error.size(), 400u) << "the message quotes the whole number";
  }
  // A position of 1e400 is reported the same way; a finite but absurd one names its field.
  std::string text = chainText();
  std::string t = text;
  t.replace(t.find("[1, 0]"), 6, "[1e400, 0]");
  EXPECT_TRUE(contains(parseProject(t).error, "number out of range: 1e400"));
  t = text;
  t.replace(t.find("[1, 0]"), 6, "[1e300, 0]");
  EXPECT_TRUE(contains(parseProject(t).error, "/graph/nodes/1/position/0: must be within +-1e9")) << parseProject(t).error;
}

TEST(ProjectLimits, NonFinitePositionsAreRefusedByTheGraph) {
  Graph g;
  auto id = g.addNode("ReLU");
  ASSERT_TRUE(id);
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(g.move(*id, nan, 0).ok());
  EXPECT_FALSE(g.move(*id, 0, inf).ok());
  EXPECT_FALSE(g.move(*id, -inf, 0).ok());
  EXPECT_FALSE(g.move(*id, 2e9, 0).ok());
  EXPECT_TRUE(g.move(*id, 100, -100).ok());
  EXPECT_EQ(g.node(*id)->x, 100);
  Node n = *g.node(*id);
  n.id = 99;
  n.name = "other";
  n.y = nan;
  EXPECT_FALSE(g.insertNode(n).ok());
  EXPECT_FALSE(g.addNode("ReLU", inf, 0).has_value());
  // Names: invalid UTF-8 and very long names are refused, valid non-ASCII accepted.
  EXPECT_FALSE(g.rename(*id, std::string("caf\xE9")).ok());
  EXPECT_FALSE(g.rename(*id, std::string(5000, 'x')).ok());
  EXPECT_TRUE(g.rename(*id, "café ✓ 日本").ok());
  Project p;
  p.graph = g;
  ProjectLoad back = parseProject(serializeProject(p));
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.project->graph.node(*id)->name, "café ✓ 日本");
}

std::string nested(size_t levels, char open, char close, const std::string& inner = "1") {
  std::string s;
  s.reserve(levels * 2 + inner.size());
  s.append(levels, open);
  s += inner;
  s.append(levels, close);
  return s;
}

// Issue 10 item 14: JSON nested 100,000 levels deep in a parameter, a name, the data path or an
// unknown training key segfaulted.
TEST(ProjectLimits, DeepNestingIsAnErrorNamingThePath) {
  for (size_t depth : {size_t(100), size_t(100000), size_t(1000000)}) {
    const std::string arrays = nested(depth, '[', ']');
    std::string objects;
    for (size_t i = 0; i < std::min<size_t>(depth, 100000); ++i) objects += "{\"a\":";
    objects += "1";
    objects.append(std::min<size_t>(depth, 100000), '}');
    std::vector<std::string> texts = {
        chainText(arrays),
        chainText("-1", "0", "[1, 28, 28]", R"({"epochz": )" + arrays + "}"),
        chainText("-1", "0", "[1, 28, 28]", R"({"epochz": )" + objects + "}"),
        chainText("-1", "0", "[1, 28, 28]", "{}", R"({"path": )" + arrays + "}"),
    };
    std::string name = chainText();
    name.replace(name.find("\"flat\""), 6, arrays);
    texts.push_back(name);
    for (const auto& t : texts) {
      ProjectLoad r = parseProject(t);
      ASSERT_FALSE(r.ok());
      EXPECT_TRUE(contains(r.error, "nested more than 64 levels")) << r.error.substr(0, 300);
      EXPECT_EQ(r.error[0 + std::string("malformed JSON: ").size()], '/') << r.error.substr(0, 300);
      EXPECT_LT(r.error.size(), 400u);
    }
  }
  // 50 levels parse, and the error that follows describes the value instead of dumping it.
  ProjectLoad r = parseProject(chainText(nested(50, '[', ']')));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error, "/graph/nodes/1/params/end_dim: expected an integer, got a list of 1 items")) << r.error;
  r = parseProject(chainText("-1", "0", "[1, 28, 28]", R"({"optimizer": )" + nested(50, '[', ']') + "}"));
  EXPECT_TRUE(contains(r.error, "/training/optimizer: expected a string, got a list of 1 items")) << r.error;
  r = parseProject(chainText("-1", "0", "[1, 28, 28]", "{}", R"({"path": )" + nested(50, '[', ']') + "}"));
  EXPECT_TRUE(contains(r.error, "/data/path: expected a string, got a list of 1 items")) << r.error;
}

TEST(ProjectLimits, DuplicateKeysAndInvalidUtf8AreErrors) {
  std::string t = chainText();
  t.replace(t.find("\"name\": \"t\""), 11, "\"name\": \"t\", \"name\": \"u\"");
  ProjectLoad r = parseProject(t);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error, "/name: the key appears twice")) << r.error;
  t = chainText();
  t.replace(t.find("\"flat\""), 6, "\"fl\xFF\xFE\"");
  r = parseProject(t);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error, "malformed JSON: line ")) << r.error;
  EXPECT_TRUE(isValidUtf8(r.error)) << "the message repeats the raw bytes";
}

/// Input [16] -> n x ReLU -> Output, as project text.
std::string longChain(size_t n) {
  std::string nodes = R"({"id": 1, "type": "Input", "name": "in", "position": [0, 0], "params": {"shape": [16], "dtype": "float", "vocab_size": 256}})";
  std::string edges;
  for (size_t i = 0; i < n; ++i) {
    const std::string id = std::to_string(i + 2);
    nodes += R"(, {"id": )" + id + R"(, "type": "ReLU", "name": "relu)" + id + R"(", "position": [)" + id + R"(, 0], "params": {}})";
    edges += (i ? ", " : "") + std::string(R"({"from": {"node": )") + std::to_string(i + 1) + R"(, "port": 0}, "to": {"node": )" +
             id + R"(, "port": 0}})";
  }
  const std::string out = std::to_string(n + 2);
  nodes += R"(, {"id": )" + out + R"(, "type": "Output", "name": "out", "position": [0, 1], "params": {}})";
  edges += R"(, {"from": {"node": )" + std::to_string(n + 1) + R"(, "port": 0}, "to": {"node": )" + out + R"(, "port": 0}})";
  return R"({"format": "neuralcanvas-project", "version": 1, "graph": {"nodes": [)" + nodes + R"(], "edges": [)" + edges +
         "]}}";
}

// Issue 10 item 14: a 100,000-node chain took more than 20 s to validate.
TEST(ProjectLimits, HundredThousandNodeChainValidatesQuickly) {
  const std::string text = longChain(100000);
  auto start = std::chrono::steady_clock::now();
  auto lap = [last = start]() mutable {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - last).count();
    last = now;
    return s;
  };
  ProjectLoad r = parseProject(text);
  ASSERT_TRUE(r.ok()) << r.error;
  const double parseSeconds = lap();
  GraphAnalysis a = analyze(r.project->graph);
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(a.live.size(), 100002u);
  GraphSummary s = summarize(r.project->graph, a);
  EXPECT_EQ(s.params, 0);
  const double analyzeSeconds = lap();
  const std::string saved = serializeProject(*r.project);
  const double saveSeconds = lap();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ measured ] 100,000-node chain: parse " << parseSeconds << " s, analyze " << analyzeSeconds
            << " s, save " << saveSeconds << " s; total " << seconds << " s\n";
  EXPECT_LT(seconds, 60.0) << "hang check (target < 5 s on the development machine)";
  // A cycle through the whole chain is found without quadratic work.
  Graph& g = r.project->graph;
  ASSERT_TRUE(g.disconnect({2, 0}).ok());
  ASSERT_TRUE(g.connect({100001, 0}, {2, 0}).ok());
  start = std::chrono::steady_clock::now();
  a = analyze(g);
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(hasIssue(a, 50000, "part of a cycle"));
  EXPECT_LT(seconds, 60.0);
  // Layout stays near-linear too.
  start = std::chrono::steady_clock::now();
  auto positions = layeredLayout(r.project->graph);
  EXPECT_EQ(positions.size(), g.nodes().size());
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ measured ] 100,000-node layout in " << seconds << " s\n";
  EXPECT_LT(seconds, 60.0);
}

// Item 8: the CLI exits 1 or 2 with a message naming file and field, never 3 or a signal.
TEST(ProjectLimits, CliValidateRejectsHostileFilesCleanly) {
  const fs::path dir = fs::temp_directory_path() / ("nc_limits_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Case {
    std::string name, text, mention;
  };
  std::string name = chainText();
  name.replace(name.find("\"flat\""), 6, nested(1000000, '[', ']'));
  const std::vector<Case> cases = {
      {"big_end_dim.json", chainText("18446744073709551615"), "/graph/nodes/1/params/end_dim"},
      {"port.json", chainText("-1", "4294967296"), "/graph/edges/0/to/port"},
      {"e400.json", chainText("-1", "0", "[1, 28, 28]", R"({"learning_rate": 1e400})"), "line "},
      {"digits.json", chainText(std::string(100000, '7')), "line "},
      {"deep_name.json", name, "/graph/nodes/1/name"},
      {"deep_training.json", chainText("-1", "0", "[1, 28, 28]", R"({"x": )" + nested(1000000, '[', ']') + "}"),
       "/training/x"},
      {"huge_input.json", chainText("-1", "0", "[1048576, 1048576, 1048576]"), "elements per sample"},
      {"maxid.json", chainText("-1", "0", "[1, 28, 28]", "{}", "{}", "9223372036854775807"), "OK"},
  };
  for (const auto& c : cases) {
    const fs::path file = dir / c.name;
    std::ofstream(file, std::ios::binary) << c.text;
    int status = 0;
    std::string out = runCommand(std::string(NC_CLI_PATH) + " validate " + file.string(), &status);
    ASSERT_TRUE(WIFEXITED(status)) << c.name << " ended by a signal";
    const int code = WEXITSTATUS(status);
    if (c.mention == "OK") {
      EXPECT_EQ(code, 0) << c.name << ": " << out;
      continue;
    }
    EXPECT_TRUE(code == 1 || code == 2) << c.name << " exit " << code << ": " << out.substr(0, 400);
    EXPECT_TRUE(contains(out, c.mention)) << c.name << ": " << out.substr(0, 400);
    if (code == 2) EXPECT_TRUE(contains(out, file.string())) << c.name << ": the file is not named";
    EXPECT_LT(out.size(), 4000u) << c.name;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nc::test::project_limits_test

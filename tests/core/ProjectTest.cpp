#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "GraphTestUtil.h"
#include "core/Project.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

Project smallProject() {
  GraphBuilder b;
  NodeId in = b.input({1, 28, 28});
  NodeId flat = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{10}}, {"bias", false}});
  NodeId out = b.add("Output");
  b.link(in, flat);
  b.link(flat, fc);
  b.link(fc, out);
  b.graph.move(fc, 120.5, -40);
  Project p;
  p.name = "small";
  p.graph = b.graph;
  p.data.kind = "csv";
  p.data.path = "/tmp/features.csv";
  p.training.epochs = 7;
  p.training.optimizer = "sgd";
  return p;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ProjectFile, RoundTripKeepsGraphPositionsParamsAndSettings) {
  Project p = smallProject();
  std::string text = serializeProject(p);
  ProjectLoad back = parseProject(text);
  ASSERT_TRUE(back.ok()) << back.error;
  const Graph& g = back.project->graph;
  ASSERT_EQ(g.nodes().size(), 4u);
  ASSERT_EQ(g.edges(), p.graph.edges());
  for (const auto& [id, n] : p.graph.nodes()) {
    const Node* m = g.node(id);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, n.type);
    EXPECT_EQ(m->name, n.name);
    EXPECT_EQ(m->params, n.params);
    EXPECT_DOUBLE_EQ(m->x, n.x);
    EXPECT_DOUBLE_EQ(m->y, n.y);
  }
  EXPECT_EQ(back.project->name, "small");
  EXPECT_EQ(serializeProject(*back.project), text) << "serialization is stable";
  EXPECT_EQ(back.project->data, p.data);
  EXPECT_EQ(back.project->training, p.training);
  EXPECT_EQ(back.project->training.epochs, 7);
}

TEST(ProjectFile, SaveIsAtomicAndLeavesNoTemporaryFiles) {
  fs::path dir = fs::temp_directory_path() / ("nc_project_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "p.json";
  ASSERT_TRUE(saveProject(smallProject(), file.string()).ok());
  std::string first = readFile(file);
  Project changed = smallProject();
  changed.name = "changed";
  ASSERT_TRUE(saveProject(changed, file.string()).ok());
  EXPECT_NE(readFile(file), first);
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1) << "temporary file left behind";
  ProjectLoad back = loadProject(file.string());
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.project->name, "changed");
  // Saving into a folder that does not exist fails with a message and writes nothing.
  Status s = saveProject(changed, (dir / "missing" / "p.json").string());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ProjectFile, MissingFileNamesThePath) {
  ProjectLoad r = loadProject("/nonexistent/dir/model.json");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("/nonexistent/dir/model.json: cannot open"), std::string::npos);
}

struct MalformedCase {
  const char* label;
  std::string (*mutate)(std::string);  // applied to a valid file's text
  const char* expected;                // fragment of the error
};

std::string replaceOnce(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  if (pos == std::string::npos) throw std::logic_error("fixture text not found: " + from);
  return s.replace(pos, from.size(), to);
}

const MalformedCase kCases[] = {
    {"truncated", [](std::string s) { return s.substr(0, s.size() / 2); }, "malformed JSON"},
    {"not json", [](std::string) { return std::string("hello"); }, "malformed JSON"},
    {"array root", [](std::string) { return std::string("[1, 2]"); }, "/: a project file must hold a JSON object"},
    {"wrong format", [](std::string s) { return replaceOnce(s, "neuralcanvas-project", "something-else"); },
     "/format: expected \"neuralcanvas-project\""},
    {"future version", [](std::string s) { return replaceOnce(s, "\"version\": 1", "\"version\": 99"); },
     "/version: version 99 is not supported"},
    {"version string", [](std::string s) { return replaceOnce(s, "\"version\": 1", "\"version\": \"1\""); },
     "/version: expected an integer"},
    {"no graph", [](std::string s) { return replaceOnce(s, "\"graph\"", "\"grpah\""); }, "/graph: is missing"},
    {"unknown layer", [](std::string s) { return replaceOnce(s, "\"Flatten\"", "\"Flattener\""); },
     "/graph/nodes/1/type: unknown layer type 'Flattener'"},
    {"missing param", [](std::string s) { return replaceOnce(s, "\"out_features\": 10", "\"out_featurez\": 10"); },
     "/graph/nodes/2/params/out_featurez: Linear has no such parameter"},
    {"param out of range", [](std::string s) { return replaceOnce(s, "\"out_features\": 10", "\"out_features\": -3"); },
     "/graph/nodes/2/params/out_features: parameter 'out_features' = -3 is outside"},
    {"param wrong type", [](std::string s) { return replaceOnce(s, "\"out_features\": 10", "\"out_features\": \"ten\""); },
     "/graph/nodes/2/params/out_features: expected an integer, got \"ten\""},
    {"dangling edge", [](std::string s) { return replaceOnce(s, "\"node\": 4", "\"node\": 44"); },
     "/graph/edges/2/to/node: no node with id 44"},
    {"duplicate id", [](std::string s) { return replaceOnce(s, "\"id\": 2", "\"id\": 1"); },
     "/graph/nodes/1: node id 1 is already used"},
    {"bad position", [](std::string s) { return replaceOnce(s, "120.5", "\"x\""); },
     "/graph/nodes/2/position/0: expected a number"},
    {"edge into taken port", [](std::string s) {
       return replaceOnce(s, "\"edges\": [", "\"edges\": [{\"from\": {\"node\": 1, \"port\": 0}, \"to\": {\"node\": 2, \"port\": 0}},");
     },
     "/graph/edges/1: input 'in' of flatten1 is already connected"},
    {"bad training setting", [](std::string s) { return replaceOnce(s, "\"epochs\": 7", "\"epochs\": 0"); },
     "/training/epochs: must be in [1, 100000], got 0"},
    {"unknown training setting", [](std::string s) { return replaceOnce(s, "\"epochs\": 7", "\"epochz\": 7"); },
     "/training/epochz: unknown setting"},
    {"bad data kind", [](std::string s) { return replaceOnce(s, "\"kind\": \"csv\"", "\"kind\": \"xls\""); },
     "/data/kind"},
};

TEST(ProjectFile, EachMalformedFileGivesItsSpecificErrorWithoutCrashing) {
  const std::string valid = serializeProject(smallProject());
  ASSERT_TRUE(parseProject(valid).ok());
  for (const auto& c : kCases) {
    ProjectLoad r = parseProject(c.mutate(valid));
    EXPECT_FALSE(r.ok()) << c.label;
    EXPECT_NE(r.error.find(c.expected), std::string::npos) << c.label << ": got \"" << r.error << "\"";
  }
}

}  // namespace
}  // namespace nc::test

// The editor's flow direction in project files and `neuralcanvas-cli layout`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "ScratchDir.h"
#include "core/GraphEdit.h"
#include "core/Project.h"

using namespace nc::core;

namespace {

std::string templatePath(const std::string& name) {
  return std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json";
}

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The exit code and the combined output of the CLI.
std::pair<int, std::string> runCli(const std::string& args) {
  std::string cmd = std::string(NC_CLI_PATH) + " " + args + " 2>&1";
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// The smallest valid project text, with `editor` spliced in as the "editor" member (or none).
std::string projectText(const std::string& editor) {
  std::string text = R"({"format": "neuralcanvas-project", "version": 1, "graph": {"nodes": [], "edges": []})";
  if (!editor.empty()) text += R"(, "editor": )" + editor;
  return text + "}";
}

}  // namespace

TEST(ProjectFlow, NewProjectsAreTopDownAndFilesWithoutTheFieldAreLeftRight) {
  EXPECT_EQ(Project{}.flow, LayoutDirection::TopDown);
  ProjectLoad old = parseProject(projectText(""));
  ASSERT_TRUE(old.ok()) << old.error;
  EXPECT_EQ(old.project->flow, LayoutDirection::LeftRight);
  ProjectLoad noFlow = parseProject(projectText("{}"));
  ASSERT_TRUE(noFlow.ok()) << noFlow.error;
  EXPECT_EQ(noFlow.project->flow, LayoutDirection::LeftRight);
}

TEST(ProjectFlow, RoundTripsBothDirectionsAndRejectsUnknownValuesByPath) {
  for (LayoutDirection d : {LayoutDirection::TopDown, LayoutDirection::LeftRight}) {
    Project p;
    p.flow = d;
    const std::string text = serializeProject(p);
    EXPECT_NE(text.find(std::string("\"flow\": \"") + layoutDirectionName(d) + "\""), std::string::npos) << text;
    ProjectLoad back = parseProject(text);
    ASSERT_TRUE(back.ok()) << back.error;
    EXPECT_EQ(back.project->flow, d);
  }
  struct Case {
    std::string editor, path, mention;
  };
  for (const Case& c : std::vector<Case>{{R"({"flow": "diagonal"})", "/editor/flow", "diagonal"},
                                         {R"({"flow": 3})", "/editor/flow", "expected a string"},
                                         {R"({"flow": "Top-Down"})", "/editor/flow", "top-down"},
                                         {R"("top-down")", "/editor", "expected an object"}}) {
    ProjectLoad r = parseProject(projectText(c.editor));
    ASSERT_FALSE(r.ok()) << c.editor;
    EXPECT_EQ(r.error.rfind(c.path + ":", 0), 0u) << r.error;
    EXPECT_NE(r.error.find(c.mention), std::string::npos) << r.error;
  }
}

TEST(ProjectFlow, ShippedTemplatesAreLaidOutTopDownWithoutWrapping) {
  for (const char* name : {"cnn", "lstm", "transformer", "char_lstm"}) {
    ProjectLoad l = loadProject(templatePath(name));
    ASSERT_TRUE(l.ok()) << l.error;
    EXPECT_EQ(l.project->flow, LayoutDirection::TopDown) << name;
    // exactly what Auto-layout produces: re-running it moves nothing
    for (const auto& [id, xy] : layeredLayout(l.project->graph, LayoutSpacing::forDirection(LayoutDirection::TopDown))) {
      const Node* n = l.project->graph.node(id);
      EXPECT_DOUBLE_EQ(n->x, xy.first) << name << ": " << n->name;
      EXPECT_DOUBLE_EQ(n->y, xy.second) << name << ": " << n->name;
    }
  }
}

TEST(CliLayout, WritesTheLayoutAndTheDirectionAndRefusesUnknownDirections) {
  nc::test::TempDir dir("cli_layout");
  std::filesystem::create_directories(dir.path());
  const std::string file = dir.str("cnn.json");
  std::filesystem::copy_file(templatePath("cnn"), file);

  auto [code, out] = runCli("layout " + file + " --direction left-right");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("left-right"), std::string::npos) << out;
  ProjectLoad lr = loadProject(file);
  ASSERT_TRUE(lr.ok()) << lr.error;
  EXPECT_EQ(lr.project->flow, LayoutDirection::LeftRight);
  double maxX = 0;
  for (const auto& [id, n] : lr.project->graph.nodes()) {
    EXPECT_DOUBLE_EQ(n.y, 0) << n.name << ": a chain is one row, never wrapped";
    maxX = std::max(maxX, n.x);
  }
  EXPECT_DOUBLE_EQ(maxX, 14 * LayoutSpacing::forDirection(LayoutDirection::LeftRight).betweenLayers);

  // Without --direction the project's own flow is kept; with --out the input is untouched.
  const std::string before = readText(file);
  auto [code2, out2] = runCli("layout " + file + " --out " + dir.str("again.json"));
  ASSERT_EQ(code2, 0) << out2;
  EXPECT_EQ(readText(file), before);
  ProjectLoad again = loadProject(dir.str("again.json"));
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(again.project->flow, LayoutDirection::LeftRight);

  auto [code3, out3] = runCli("layout " + file + " --direction top-down");
  ASSERT_EQ(code3, 0) << out3;
  ProjectLoad td = loadProject(file);
  ASSERT_TRUE(td.ok()) << td.error;
  EXPECT_EQ(td.project->flow, LayoutDirection::TopDown);
  for (const auto& [id, n] : td.project->graph.nodes()) EXPECT_DOUBLE_EQ(n.x, 0) << n.name;

  const std::string laidOut = readText(file);
  auto [bad, badOut] = runCli("layout " + file + " --direction sideways");
  EXPECT_EQ(bad, 64) << badOut;  // a usage error
  EXPECT_NE(badOut.find("--direction"), std::string::npos) << badOut;
  EXPECT_NE(badOut.find("sideways"), std::string::npos) << badOut;
  EXPECT_EQ(readText(file), laidOut);  // a refused command writes nothing
}

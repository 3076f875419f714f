// `neuralcanvas-cli validate --json`: the per-layer table as JSON, same exit codes as the text form.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "GraphTestUtil.h"
#include "core/LayerAnalysis.h"
#include "core/MemoryEstimate.h"
#include "core/Project.h"

namespace nc::test {
namespace {

namespace fs = std::filesystem;

int exitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

std::string cli(const std::string& args, int* code, bool withStderr = false) {
  int status = -1;
  const std::string cmd = std::string(NC_CLI_PATH) + " " + args;
  std::string out = runCommand(withStderr ? cmd : "(" + cmd + " 2>/dev/null)", &status);  // stdout alone: pure JSON
  *code = exitCode(status);
  return out;
}

TEST(CliValidateJson, LayersOfEachTemplateMatchTheCoreAnalysisAndTotals) {
  for (const char* name : {"cnn", "lstm", "transformer", "char_lstm"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json";
    int code = -1;
    const std::string out = cli("validate " + path + " --json", &code);
    ASSERT_EQ(code, 0) << out;
    nlohmann::json j = nlohmann::json::parse(out);  // the whole of stdout is one JSON object
    core::ProjectLoad load = core::loadProject(path);
    ASSERT_TRUE(load.ok());
    core::GraphAnalysis a = core::analyze(load.project->graph);
    std::vector<core::LayerRow> rows = core::analyzeLayers(load.project->graph, a, load.project->training);
    EXPECT_TRUE(j["valid"].get<bool>());
    ASSERT_EQ(j["layers"].size(), rows.size());
    int64_t params = 0, flops = 0, bytes = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& l = j["layers"][i];
      EXPECT_EQ(l["id"].get<int64_t>(), rows[i].node);
      EXPECT_EQ(l["name"].get<std::string>(), rows[i].name);
      EXPECT_EQ(l["type"].get<std::string>(), rows[i].type);
      EXPECT_EQ(l["params"].get<int64_t>(), rows[i].params);
      EXPECT_EQ(l["flops"].get<int64_t>(), rows[i].flops);
      EXPECT_EQ(l["activation_bytes"].get<int64_t>(), rows[i].activationBytes);
      EXPECT_EQ(l["output"].is_null(), !rows[i].output.has_value());
      if (rows[i].output) EXPECT_EQ(l["output"].get<std::string>(), rows[i].output->str());
      params += l["params"].get<int64_t>();
      flops += l["flops"].get<int64_t>();
      bytes += l["activation_bytes"].get<int64_t>();
    }
    EXPECT_EQ(j["totals"]["params"].get<int64_t>(), params);
    EXPECT_EQ(j["totals"]["flops"].get<int64_t>(), flops);
    EXPECT_EQ(j["totals"]["activation_bytes"].get<int64_t>(), bytes);
    EXPECT_EQ(j["totals"]["training_memory_bytes"].get<int64_t>(),
              core::estimateTrainingMemory(load.project->graph, a, load.project->training).total());
    if (std::string(name) == "cnn") EXPECT_EQ(j["layers"][0]["output"].get<std::string>(), "[B, 1, 28, 28]");
  }
}

TEST(CliValidateJson, InvalidGraphExitsOneWithIssuesAndUnreadableFileExitsTwo) {
  GraphBuilder b;
  core::NodeId in = b.input({64, 7, 7});
  core::NodeId fc = b.add("Linear");
  b.link(in, fc);
  core::Project p;
  p.graph = b.graph;
  const fs::path file = fs::temp_directory_path() / ("nc_validate_json_" + std::to_string(::getpid()) + ".json");
  ASSERT_TRUE(core::saveProject(p, file.string()));
  int code = -1;
  std::string out = cli("validate --json --no-data " + file.string(), &code);  // options before the file work too
  EXPECT_EQ(code, 1) << out;
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_FALSE(j["valid"].get<bool>());
  EXPECT_EQ(j["errors"].get<int>(), 2);
  EXPECT_FALSE(j["data"]["checked"].get<bool>());
  bool linearIssue = false;
  for (const auto& issue : j["issues"])
    linearIssue = linearIssue || (issue.value("node", -1) == fc && issue["node_name"] == "linear1");
  EXPECT_TRUE(linearIssue) << out;
  EXPECT_EQ(j["layers"].size(), 2u);

  // With the data check (the project's default data, Fashion-MNIST): the Input's [64, 7, 7]
  // against the data's [1, 28, 28] is a third error, on the Input, with its fix.
  out = cli("validate --json " + file.string(), &code);
  EXPECT_EQ(code, 1) << out;
  j = nlohmann::json::parse(out);
  ASSERT_TRUE(j["data"]["checked"].get<bool>());
  ASSERT_TRUE(j["data"]["readable"].get<bool>()) << out;
  EXPECT_EQ(j["errors"].get<int>(), 3);
  bool inputIssue = false;
  for (const auto& issue : j["issues"])
    inputIssue = inputIssue || (issue.value("source", "") == "data" && issue.value("node", -1) == in &&
                                issue.value("fix", "") == "set input1.shape to [1, 28, 28]");
  EXPECT_TRUE(inputIssue) << out;
  fs::remove(file);

  out = cli("validate /no/such/file.json --json", &code, true);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(out, "error: /no/such/file.json: cannot open file\n");
  // The text form is unchanged.
  out = cli("validate " + std::string(NC_SOURCE_DIR) + "/resources/templates/cnn.json", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("OK: the model is valid"), std::string::npos);
  EXPECT_EQ(out.find("\"layers\""), std::string::npos);
}

}  // namespace
}  // namespace nc::test

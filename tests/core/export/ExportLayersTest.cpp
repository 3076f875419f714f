// Every layer type exports to TorchScript that computes what the in-app model computes: the
// archive is loaded with torch::jit::load here, and with torch.jit.load in Python by one
// script run over all cases.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "LayerExportCases.h"
#include "NoPythonLayer.h"
#include "core/GraphModule.h"
#include "core/LayerRegistry.h"
#include "core/NodeModule.h"
#include "core/Project.h"
#include "core/export/PythonExporter.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

/// This process's scratch folder, removed when the process exits.
fs::path exportDir() { return processScratchDir("export"); }

/// Exports the case with a freshly initialised model (seeded), and returns (model, archive path).
std::pair<GraphModule, std::string> exportCase(const ExportCase& c) {
  Project p = caseProject(c);
  torch::manual_seed(42);
  fs::path ckpt = exportDir() / (c.label + ".ckpt.pt");
  GraphModule model = compileGraph(p.graph);
  // Non-trivial batch-norm statistics and biases, so that eval-mode semantics are really checked.
  {
    torch::NoGradGuard guard;
    for (auto& b : model->named_buffers())
      if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
      else if (b.key().find("running_mean") != std::string::npos) b.value().normal_();
    for (auto& t : model->parameters()) t.add_(torch::randn_like(t) * 0.1);
  }
  saveCheckpoint(ckpt.string(), model, nullptr, CheckpointState{});
  fs::path out = exportDir() / (c.label + ".pt");
  ExportOptions options;
  options.checkpoint = ckpt.string();
  Status s = exportTorchScript(p, out.string(), options);
  EXPECT_TRUE(s.ok()) << c.label << ": " << s.message();
  model->eval();
  return {model, out.string()};
}

class ExportLayer : public ::testing::TestWithParam<ExportCase> {};

TEST_P(ExportLayer, JitLoadedArchiveMatchesTheInAppModel) {
  const ExportCase& c = GetParam();
  auto [model, path] = exportCase(c);
  ASSERT_TRUE(fs::exists(path));
  torch::jit::Module loaded = torch::jit::load(path);
  loaded.eval();
  torch::NoGradGuard guard;
  for (int64_t batch : {1, 3}) {
    torch::Tensor x = sampleBatch(c, batch);
    torch::Tensor expected = model->forward(x);
    torch::Tensor actual = loaded.forward({x}).toTensor();
    ASSERT_EQ(actual.sizes(), expected.sizes()) << c.label;
    EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5))
        << c.label << " batch " << batch << " max diff " << (actual - expected).abs().max().item<double>();
  }
}

INSTANTIATE_TEST_SUITE_P(AllLayers, ExportLayer, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.label; });

TEST(ExportLayerCoverage, EveryRegisteredLayerTypeHasAnExportCase) {
  std::set<std::string> covered{"Input", "Output"};
  for (const auto& c : cases()) covered.insert(c.type);
  for (const LayerType* t : LayerRegistry::instance().all())
    EXPECT_TRUE(covered.count(t->name())) << t->name() << " has no export test case";
}

TEST(ExportLayerPython, PlainPyTorchLoadsEveryArchiveWithTheSameOutputs) {
  // One Python process checks all cases: inputs and expected outputs are written with
  // torch::pickle_save, which Python's torch.load reads.
  fs::path listFile = exportDir() / "cases.txt";
  std::ofstream list(listFile);
  torch::manual_seed(3);
  for (const auto& c : cases()) {
    auto [model, path] = exportCase(c);
    torch::NoGradGuard guard;
    torch::Tensor x = sampleBatch(c, 3);
    torch::Tensor y = model->forward(x);
    std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create({x, y}));
    std::string dataPath = (exportDir() / (c.label + ".io.pt")).string();
    std::ofstream(dataPath, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    list << path << " " << dataPath << "\n";
  }
  list.close();
  std::string cmd = "/usr/bin/python3 " + std::string(NC_SOURCE_DIR) + "/tests/python/check_exports.py " +
                    listFile.string() + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_TRUE(pipe);
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("all " + std::to_string(cases().size()) + " archives match"), std::string::npos) << output;
}

}  // namespace
}  // namespace nc::test

namespace nc::test {
namespace {

TEST(ExportLayerPython, PyTorchSourceOfEveryCaseMatchesTheInAppModel) {
  // Each case's model (the same seeded weights as the TorchScript cases, from a checkpoint) is
  // exported as PyTorch source; one Python process imports them all, loads each state dict
  // strictly and compares eval() outputs for batches of 1 and 3, then runs a backward pass.
  fs::path listFile = exportDir() / "python_cases.txt";
  std::ofstream list(listFile);
  for (const auto& c : cases()) {
    auto [model, archive] = exportCase(c);
    Project p = caseProject(c);
    ExportOptions options;
    options.checkpoint = (exportDir() / (c.label + ".ckpt.pt")).string();
    fs::path source = exportDir() / ("py_" + c.label + ".py");
    Status s = exportPython(p, source.string(), options);
    ASSERT_TRUE(s.ok()) << c.label << ": " << s.message();
    ASSERT_TRUE(fs::exists(pythonStatePath(source.string()))) << c.label;
    torch::NoGradGuard guard;
    std::vector<c10::IValue> io;
    for (int64_t batch : {1, 3}) {
      torch::Tensor x = sampleBatch(c, batch);
      io.push_back(x);
      io.push_back(model->forward(x));
    }
    std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create(io));
    std::string dataPath = (exportDir() / (c.label + ".pyio.pt")).string();
    std::ofstream(dataPath, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    list << source.string() << " " << dataPath << "\n";
  }
  list.close();
  int status = 0;
  std::string output = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) +
                                      "/tests/python/check_python_exports.py " + listFile.string(), &status);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("all " + std::to_string(cases().size()) + " python exports match"), std::string::npos) << output;
}

TEST(ExportLayerPython, EveryNodeIsOneNamedStatementOfForward) {
  const ExportCase& c = cases().front();
  Project p = caseProject(c);
  std::string error;
  std::string source = generatePythonSource(p, {}, "m.py", &error);
  ASSERT_FALSE(source.empty()) << error;
  EXPECT_NE(source.find("class "), std::string::npos);
  EXPECT_NE(source.find("(nn.Module):"), std::string::npos);
  EXPECT_NE(source.find("def forward(self, x):"), std::string::npos) << source;
  for (const auto& [id, n] : p.graph.nodes()) {
    if (n.layer->isOutput()) continue;
    EXPECT_NE(source.find("        " + n.name + " = "), std::string::npos) << n.name << "\n" << source;
  }
  EXPECT_NE(source.find("nn.Conv1d("), std::string::npos) << "PyTorch's own layer class\n" << source;
}

TEST(ExportLayerPython, ALayerWithoutPythonFormIsRefusedNamingTheNode) {
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{4}}});
  NodeId tanh = b.add("Tanh");
  NodeId out = b.add("Output");
  b.link(in, tanh);
  b.link(tanh, out);
  // The registry holds only real layer types; swap this node's type for the test double.
  static const TanhWithoutPython kNoPython;
  const_cast<Node*>(b.graph.node(tanh))->layer = &kNoPython;
  Project p;
  p.name = "no python";
  p.graph = b.graph;
  const std::string name = p.graph.node(tanh)->name;
  std::vector<GraphIssue> problems = checkPythonExportable(p.graph);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].node, tanh);
  EXPECT_NE(problems[0].message.find(name + " (Tanh) cannot be exported to PyTorch source"), std::string::npos)
      << problems[0].message;
  std::string error;
  EXPECT_TRUE(generatePythonSource(p, {}, "m.py", &error).empty());
  EXPECT_NE(error.find(name), std::string::npos) << error;
  fs::path source = exportDir() / "no_python.py";
  Status s = exportPython(p, source.string());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(source));
  // The TorchScript side is unaffected: the double has no TorchScript either, and says so.
  EXPECT_FALSE(checkExportable(p.graph).empty());
}

TEST(ExportLayerPython, AnInvalidGraphIsRefusedNamingTheNodeAndWritesNothing) {
  Project p = caseProject(cases().front());
  GraphBuilder b;
  b.graph = p.graph;
  NodeId stray = b.add("Conv2d");  // unconnected input: an error on that node
  p.graph = b.graph;
  std::vector<GraphIssue> problems = checkPythonExportable(p.graph);
  ASSERT_FALSE(problems.empty());
  bool named = false;
  for (const auto& issue : problems) named = named || issue.message.find(p.graph.node(stray)->name) != std::string::npos;
  EXPECT_TRUE(named) << problems.front().message;
  fs::path source = exportDir() / "refused.py";
  EXPECT_FALSE(exportPython(p, source.string()).ok());
  EXPECT_FALSE(fs::exists(source));
  EXPECT_FALSE(fs::exists(pythonStatePath(source.string())));
}

}  // namespace
}  // namespace nc::test

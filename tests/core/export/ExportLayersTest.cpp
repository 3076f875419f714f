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

struct ExportCase {
  std::string label;            // unique, used in file names
  std::string type;
  ParamMap params;
  std::vector<int64_t> input;   // Input shape without batch
  bool tokens = false;          // Input of token ids (vocab 50)
};

std::ostream& operator<<(std::ostream& os, const ExportCase& c) { return os << c.label; }

using L = std::vector<int64_t>;
const std::vector<ExportCase>& cases() {
  static const std::vector<ExportCase> kCases = {
      {"conv1d", "Conv1d", {{"out_channels", int64_t{5}}, {"kernel_size", int64_t{3}}, {"stride", int64_t{2}}}, {3, 11}},
      {"conv1d_nobias_groups", "Conv1d", {{"out_channels", int64_t{4}}, {"groups", int64_t{2}}, {"bias", false}, {"dilation", int64_t{2}}}, {2, 12}},
      {"conv2d", "Conv2d", {{"out_channels", int64_t{4}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}}, {2, 8, 8}},
      {"conv2d_stride_nobias", "Conv2d", {{"out_channels", int64_t{6}}, {"kernel_size", int64_t{4}}, {"stride", int64_t{4}}, {"padding", int64_t{0}}, {"bias", false}}, {1, 8, 8}},
      {"maxpool1d", "MaxPool1d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{2}}, {"padding", int64_t{1}}}, {3, 10}},
      {"maxpool2d", "MaxPool2d", {{"kernel_size", int64_t{2}}}, {3, 8, 8}},
      {"maxpool2d_pad", "MaxPool2d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{1}}, {"padding", int64_t{1}}}, {2, 5, 5}},
      {"avgpool2d", "AvgPool2d", {{"kernel_size", int64_t{3}}, {"padding", int64_t{1}}}, {2, 7, 7}},
      {"adaptiveavgpool2d", "AdaptiveAvgPool2d", {{"output_size", L{2, 3}}}, {2, 7, 9}},
      {"batchnorm1d_2d", "BatchNorm1d", {}, {6}},
      {"batchnorm1d_3d", "BatchNorm1d", {{"affine", false}}, {4, 5}},
      {"batchnorm2d", "BatchNorm2d", {{"eps", 1e-3}}, {3, 4, 4}},
      {"layernorm", "LayerNorm", {}, {5, 8}},
      {"layernorm_noaffine", "LayerNorm", {{"elementwise_affine", false}}, {7}},
      {"dropout", "Dropout", {{"p", 0.5}}, {10}},
      {"flatten", "Flatten", {{"start_dim", int64_t{2}}}, {3, 4, 5}},
      {"reshape", "Reshape", {{"shape", L{4, -1}}}, {2, 3, 4}},
      {"permute", "Permute", {{"dims", L{0, 2, 1}}}, {3, 5}},
      {"linear", "Linear", {{"out_features", int64_t{7}}}, {12}},
      {"linear_seq_nobias", "Linear", {{"out_features", int64_t{3}}, {"bias", false}}, {4, 6}},
      {"relu", "ReLU", {}, {9}},
      {"leakyrelu", "LeakyReLU", {{"negative_slope", 0.2}}, {9}},
      {"gelu", "GELU", {}, {9}},
      {"gelu_tanh", "GELU", {{"approximate", std::string("tanh")}}, {9}},
      {"silu", "SiLU", {}, {9}},
      {"tanh", "Tanh", {}, {9}},
      {"sigmoid", "Sigmoid", {}, {9}},
      {"softmax", "Softmax", {{"dim", int64_t{-1}}}, {3, 4}},
      {"softmax_dim1", "Softmax", {{"dim", int64_t{1}}}, {3, 4}},
      {"embedding", "Embedding", {{"embedding_dim", int64_t{6}}}, {7}, true},
      {"embedding_padding", "Embedding", {{"embedding_dim", int64_t{4}}, {"padding_idx", int64_t{0}}}, {5}, true},
      {"rnn_tanh_seq", "RNN", {{"hidden_size", int64_t{6}}, {"output", std::string("sequence")}}, {5, 4}},
      {"rnn_relu_last_bi", "RNN", {{"hidden_size", int64_t{5}}, {"nonlinearity", std::string("relu")}, {"bidirectional", true}, {"num_layers", int64_t{2}}}, {4, 3}},
      {"lstm_last", "LSTM", {{"hidden_size", int64_t{8}}}, {6, 4}},
      {"lstm_bi_2layer_seq", "LSTM", {{"hidden_size", int64_t{5}}, {"num_layers", int64_t{2}}, {"bidirectional", true}, {"output", std::string("sequence")}, {"dropout", 0.3}}, {6, 4}},
      {"lstm_bi_last_nobias", "LSTM", {{"hidden_size", int64_t{4}}, {"bidirectional", true}, {"bias", false}}, {5, 3}},
      {"gru_seq", "GRU", {{"hidden_size", int64_t{7}}, {"output", std::string("sequence")}}, {5, 4}},
      {"gru_bi_last", "GRU", {{"hidden_size", int64_t{6}}, {"bidirectional", true}, {"num_layers", int64_t{2}}}, {5, 4}},
      {"mha", "MultiheadAttention", {{"num_heads", int64_t{2}}}, {5, 8}},
      {"mha_causal_nobias", "MultiheadAttention", {{"num_heads", int64_t{4}}, {"causal", true}, {"bias", false}}, {6, 8}},
      {"encoder_post_relu", "TransformerEncoderLayer", {{"num_heads", int64_t{2}}, {"dim_feedforward", int64_t{16}}}, {5, 8}},
      {"encoder_pre_gelu_causal", "TransformerEncoderLayer", {{"num_heads", int64_t{2}}, {"dim_feedforward", int64_t{12}}, {"activation", std::string("gelu")}, {"norm_first", true}, {"causal", true}}, {6, 8}},
      {"posenc_sin", "PositionalEncoding", {}, {7, 6}},
      {"posenc_sin_odd", "PositionalEncoding", {}, {4, 5}},
      {"posenc_learned", "PositionalEncoding", {{"kind", std::string("learned")}}, {7, 6}},
      {"seqpool_mean", "SequencePool", {{"mode", std::string("mean")}}, {5, 6}},
      {"seqpool_max", "SequencePool", {{"mode", std::string("max")}}, {5, 6}},
      {"seqpool_first", "SequencePool", {{"mode", std::string("first")}}, {5, 6}},
      {"seqpool_last", "SequencePool", {{"mode", std::string("last")}}, {5, 6}},
      {"add", "Add", {}, {3, 4}},
      {"add3", "Add", {{"num_inputs", int64_t{3}}}, {5}},
      {"multiply", "Multiply", {}, {3, 4}},
      {"concat", "Concat", {}, {3, 4}},
      {"concat_last3", "Concat", {{"num_inputs", int64_t{3}}, {"dim", int64_t{-1}}}, {2, 3}},
  };
  return kCases;
}

/// Input -> layer (every input port fed by the Input, with a Tanh in between for the second and
/// later ports so that they differ) -> Flatten -> Output.
Project caseProject(const ExportCase& c) {
  GraphBuilder b;
  ParamMap inputParams{{"shape", c.input}};
  if (c.tokens) {
    inputParams["dtype"] = std::string("tokens");
    inputParams["vocab_size"] = int64_t{50};
  }
  NodeId in = b.add("Input", inputParams);
  NodeId layer = b.add(c.type, c.params);
  int ports = b.graph.inputCount(layer);
  for (int p = 0; p < ports; ++p) {
    if (p == 0) {
      b.link(in, layer, 0);
      continue;
    }
    NodeId t = b.add("Tanh");
    b.link(in, t);
    b.link(t, layer, p);
  }
  NodeId flat = b.add("Flatten");
  NodeId out = b.add("Output");
  b.link(layer, flat);
  b.link(flat, out);
  Project project;
  project.name = c.label;
  project.graph = b.graph;
  return project;
}

torch::Tensor sampleBatch(const ExportCase& c, int64_t batch) {
  std::vector<int64_t> sizes{batch};
  sizes.insert(sizes.end(), c.input.begin(), c.input.end());
  if (c.tokens) return torch::randint(0, 50, sizes, torch::kLong);
  return torch::randn(sizes);
}

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

/// Tanh in every respect except that it has no Python form (LayerType's default emitPython).
class TanhWithoutPython final : public LayerType {
 public:
  TanhWithoutPython() : LayerType("Tanh", "Activation", "test double", {}), m_tanh(LayerRegistry::instance().find("Tanh")) {}
  ShapeResult infer(const LayerContext& ctx) const override { return m_tanh->infer(ctx); }
  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override { return m_tanh->build(ctx); }

 private:
  const LayerType* m_tanh;
};

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

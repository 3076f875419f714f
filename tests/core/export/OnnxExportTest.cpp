// ONNX export (issue 12): every per-layer case (LayerExportCases.h) and three whole models are
// exported with exportOnnxMany (one Python process per opset), then ONE run of
// tests/python/check_onnx.py checks them all: onnx.checker, opset, metadata (class names, input
// shape and dtype), dynamic batch; and OpenCV's DNN module (a runtime that is not PyTorch) must
// reproduce the in-app model's outputs (eval mode, same checkpoint) to 1e-4 for batches of 1 and 3.
//
// What OpenCV 4.6 (Debian python3-opencv) cannot run is listed in kOpenCvCannotRun below with the
// reason it gives; the test fails when that list is no longer true in either direction, so it
// stays honest. The CNN template, the residual CNN (Add + Concat) and the MLP must run in OpenCV.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/wait.h>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "LayerExportCases.h"
#include "core/GraphModule.h"
#include "core/LayerRegistry.h"
#include "core/LayerType.h"
#include "core/Project.h"
#include "core/data/Dataset.h"
#include "core/export/OnnxExporter.h"
#include "core/training/Checkpoint.h"

namespace nc::test::onnx_export_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

fs::path onnxDir() { return processScratchDir("onnx"); }

/// The cases OpenCV 4.6's DNN module cannot run (label -> what it fails with); everything else
/// must run and match.
const std::map<std::string, std::string>& openCvCannotRun() {
  // Measured with Debian's python3-opencv 4.6.0. Most are OpenCV's handling of 3-D (sequence)
  // tensors; a two-node ONNX graph Tanh -> Flatten on a [1, 3, 4] input already comes out [1, 3]
  // with wrong values there ("3-D then Flatten" below).
  const std::string wrong3d = "3-D input then Flatten: OpenCV returns [batch, 3] (wrong values), not [batch, 12]";
  const std::string permute = "Transpose of a 3-D tensor: permute_layer.cpp assertion (_numAxes == inputs[0].size())";
  const std::string axis = "an axis of a 3-D tensor: normalize_axis error (axis >= -dims && axis < dims)";
  const std::string total = "3-D shapes: shape_utils.hpp assertion in total()";
  const std::string slice = "Slice of a 3-D tensor: slice_layer.cpp assertion";
  const std::string gatherShape = "Gather over the tensor's shape (attention head split): importer error";
  static const std::map<std::string, std::string> kOpenCvCannotRun = {
      {"conv1d", "Conv1d: convolution_layer.cpp assertion on the 3-D input"},
      {"conv1d_nobias_groups", "Conv1d: convolution_layer.cpp assertion on the 3-D input"},
      {"maxpool1d", "MaxPool1d: pooling_layer.cpp getMemoryShapes error"},
      {"batchnorm1d_3d", wrong3d},
      {"layernorm", "LayerNorm: reshape_layer.cpp assertion"},
      {"layernorm_noaffine", total},
      {"permute", permute},
      {"linear_seq_nobias", axis},
      {"softmax", axis},
      {"softmax_dim1", wrong3d},
      {"embedding", "Gather on an int64 token input: importer error"},
      {"embedding_padding", "Gather on an int64 token input: importer error"},
      {"rnn_tanh_seq", "the ONNX RNN operator: no such layer"},
      {"rnn_relu_last_bi", "the ONNX RNN operator: no such layer"},
      {"lstm_last", "Gather of the last time step: importer error"},
      {"lstm_bi_2layer_seq", permute},
      {"lstm_bi_last_nobias", permute},
      {"gru_seq", "GRU's Squeeze: importer error"},
      {"gru_bi_last", "GRU's Concat: importer error"},
      {"mha", gatherShape},
      {"mha_causal_nobias", "the causal mask: Range (opset 13) / Trilu (opset 14): no such layer"},
      {"encoder_post_relu", gatherShape},
      {"encoder_pre_gelu_causal", "the causal mask: Range (opset 13) / Trilu (opset 14): no such layer"},
      {"posenc_sin", total},
      {"posenc_sin_odd", total},
      {"posenc_learned", total},
      {"seqpool_mean", permute},
      {"seqpool_max", permute},
      {"seqpool_first", slice},
      {"seqpool_last", slice},
      {"add", wrong3d},
      {"multiply", wrong3d},
      {"concat", wrong3d},
      {"concat_last3", axis},
  };
  return kOpenCvCannotRun;
}

/// A model to export and check: the project, its seeded weights as a checkpoint, the in-app module.
struct OnnxModel {
  std::string label;
  Project project;
  std::vector<int64_t> input;  // without batch
  bool tokens = false;
  bool openCvRequired = false;
  std::optional<std::vector<std::string>> classNames;  // checked when set
  torch::Tensor realInputs;  // optional third input batch (real test images)
  std::string checkpoint;
  GraphModule model{nullptr};
};

/// Compiles the project with seeded, non-trivial weights (batch-norm statistics, biases, the input
/// normalization), saves them as a checkpoint and keeps the module in eval mode.
void prepare(OnnxModel& m) {
  torch::manual_seed(42);
  m.model = compileGraph(m.project.graph);
  torch::NoGradGuard guard;
  for (auto& b : m.model->named_buffers())
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
    else if (b.key().find("running_mean") != std::string::npos) b.value().normal_();
  for (auto& t : m.model->parameters()) t.add_(torch::randn_like(t) * 0.1);
  if (!m.tokens) {
    // Normalization inside the exported graph: a mean and std per leading (channel) dimension.
    std::vector<int64_t> sizes(m.input.size(), 1);
    sizes[0] = m.input[0];
    m.model->setInputNormalization(torch::rand(sizes) * 0.5, torch::rand(sizes) + 0.5);
  }
  m.checkpoint = (onnxDir() / (m.label + ".ckpt.pt")).string();
  saveCheckpoint(m.checkpoint, m.model, nullptr, CheckpointState{});
  m.model->eval();
}

void writeRaw(const fs::path& path, const torch::Tensor& t) {
  torch::Tensor c = t.contiguous();
  std::ofstream(path, std::ios::binary)
      .write(static_cast<const char*>(c.data_ptr()), std::streamsize(c.numel() * c.element_size()));
}

std::vector<int64_t> withBatch(int64_t batch, const std::vector<int64_t>& dims) {
  std::vector<int64_t> v{batch};
  v.insert(v.end(), dims.begin(), dims.end());
  return v;
}

/// The check_onnx.py entry of an exported model, with its inputs and the in-app outputs on disk.
nlohmann::json checkEntry(OnnxModel& m, const std::string& onnxPath, int opset) {
  nlohmann::json runs = nlohmann::json::array();
  torch::NoGradGuard guard;
  for (int64_t batch : {int64_t{1}, int64_t{3}, m.realInputs.defined() ? m.realInputs.size(0) : int64_t{0}}) {
    if (batch == 0) continue;
    std::vector<int64_t> shape = withBatch(batch, m.input);
    torch::Tensor x = m.tokens ? torch::randint(0, 50, shape, torch::kLong) : torch::rand(shape);
    if (batch > 3) x = toModelInput(m.realInputs).reshape(shape).contiguous();
    torch::Tensor y = m.model->forward(x).to(torch::kFloat);
    std::string stem = (onnxDir() / (m.label + "_op" + std::to_string(opset) + "_b" + std::to_string(batch))).string();
    writeRaw(stem + ".in", x);
    writeRaw(stem + ".out", y);
    runs.push_back({{"input", stem + ".in"}, {"input_shape", shape}, {"expected", stem + ".out"}, {"output_shape", y.sizes().vec()}});
  }
  nlohmann::json entry = {{"label", m.label + (opset == 13 ? "" : "@" + std::to_string(opset))},
                          {"onnx", onnxPath},
                          {"opset", opset},
                          {"input_shape", m.input},
                          {"input_dtype", m.tokens ? "int64" : "float32"},
                          {"class_names", nullptr},
                          {"runs", runs}};
  if (m.classNames) entry["class_names"] = *m.classNames;
  return entry;
}

/// Input [3, 12, 12] -> Conv -> BatchNorm -> ReLU (a) -> Conv (b); Add(a, b) -> Concat(sum, a) on
/// channels -> MaxPool -> Flatten -> Linear -> Output.
Project residualCnn() {
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{3, 12, 12}}});
  NodeId c1 = b.add("Conv2d", {{"out_channels", int64_t{8}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
  NodeId bn = b.add("BatchNorm2d");
  NodeId relu = b.add("ReLU");
  NodeId c2 = b.add("Conv2d", {{"out_channels", int64_t{8}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
  NodeId add = b.add("Add");
  NodeId cat = b.add("Concat");
  NodeId pool = b.add("MaxPool2d", {{"kernel_size", int64_t{2}}});
  NodeId flat = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{10}}});
  NodeId out = b.add("Output");
  b.link(in, c1);
  b.link(c1, bn);
  b.link(bn, relu);
  b.link(relu, c2);
  b.link(relu, add, 0);
  b.link(c2, add, 1);
  b.link(add, cat, 0);
  b.link(relu, cat, 1);
  b.link(cat, pool);
  b.link(pool, flat);
  b.link(flat, fc);
  b.link(fc, out);
  Project p;
  p.name = "residual cnn";
  p.graph = b.graph;
  return p;
}

/// Input [20] -> Linear 32 -> ReLU -> Dropout -> Linear 16 -> GELU -> Linear 5 -> Output.
Project mlp() {
  GraphBuilder b;
  NodeId prev = b.add("Input", {{"shape", std::vector<int64_t>{20}}});
  for (auto [type, params] : std::vector<std::pair<std::string, ParamMap>>{
           {"Linear", {{"out_features", int64_t{32}}}},
           {"ReLU", {}},
           {"Dropout", {{"p", 0.3}}},
           {"Linear", {{"out_features", int64_t{16}}}},
           {"GELU", {}},
           {"Linear", {{"out_features", int64_t{5}}}},
           {"Output", {}}}) {
    NodeId n = b.add(type, params);
    b.link(prev, n);
    prev = n;
  }
  Project p;
  p.name = "mlp";
  p.graph = b.graph;
  return p;
}

/// Runs check_onnx.py over `entries`; returns label -> (status, text) and the whole output.
std::map<std::string, std::pair<std::string, std::string>> runCheck(const nlohmann::json& entries, std::string* output) {
  fs::path list = onnxDir() / "check_list.json";
  std::ofstream(list) << entries.dump(1);
  int status = 0;
  *output = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) + "/tests/python/check_onnx.py " + list.string(),
                       &status);
  EXPECT_EQ(status, 0) << *output;
  std::map<std::string, std::pair<std::string, std::string>> results;
  std::istringstream in(*output);
  for (std::string line; std::getline(in, line);) {
    size_t space = line.find(' '), colon = line.find(": ");
    if (space == std::string::npos || colon == std::string::npos || colon < space) continue;
    std::string status = line.substr(0, space);
    if (status != "OK" && status != "NO_OPENCV" && status != "OPENCV_DIFFERS" && status != "FAIL") continue;
    results[line.substr(space + 1, colon - space - 1)] = {status, line.substr(colon + 2)};
  }
  return results;
}

TEST(OnnxExport, EveryLayerCaseAndThreeModelsPassTheCheckerAndMatchInOpenCv) {
  std::vector<OnnxModel> models;
  for (const auto& c : cases()) {
    OnnxModel m;
    m.label = c.label;
    m.project = caseProject(c);
    m.input = c.input;
    m.tokens = c.tokens;
    models.push_back(std::move(m));
  }
  {
    OnnxModel cnn;
    cnn.label = "cnn_template";
    ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/cnn.json");
    ASSERT_TRUE(load.ok()) << load.error;
    cnn.project = *load.project;
    cnn.input = {1, 28, 28};
    if (fs::exists(cnn.project.data.path)) {
      // The Fashion-MNIST class names, when the data is here, and 64 real test images as a third batch.
      cnn.classNames = std::vector<std::string>{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
      DatasetLoad data = loadDataset(cnn.project.data);
      ASSERT_TRUE(data.ok()) << data.error;
      cnn.realInputs = data.dataset->testInputs.slice(0, 0, 64);
    }
    cnn.openCvRequired = true;
    models.push_back(std::move(cnn));
  }
  models.push_back({"residual_cnn_add_concat", residualCnn(), {3, 12, 12}, false, true, {}, {}, {}});
  models.push_back({"mlp", mlp(), {20}, false, true, {}, {}, {}});
  {
    // Adaptive pooling whose output sizes divide the input (ONNX AveragePool); the per-layer case
    // "adaptiveavgpool2d" covers sizes that do not (exported as averaged slices).
    ExportCase even{"adaptiveavgpool2d_even", "AdaptiveAvgPool2d", {{"output_size", L{2, 3}}}, {2, 8, 6}};
    models.push_back({even.label, caseProject(even), even.input, false, true});
  }

  // Every registered layer type is in the loop, and none is refused (checkOnnxExportable).
  std::set<std::string> covered;
  for (auto& m : models) {
    prepare(m);
    for (const auto& [id, n] : m.project.graph.nodes()) covered.insert(n.type);
    std::vector<GraphIssue> refused = checkOnnxExportable(m.project.graph);
    EXPECT_TRUE(refused.empty()) << m.label << ": " << refused.front().message;
  }
  for (const LayerType* t : LayerRegistry::instance().all())
    EXPECT_TRUE(covered.count(t->name())) << t->name() << " has no ONNX test case";

  // Opset 13 for all; opset 14 (native Trilu) for the causal attention cases and the CNN.
  nlohmann::json entries = nlohmann::json::array();
  for (int opset : {13, 14}) {
    std::vector<OnnxJob> jobs;
    std::vector<OnnxModel*> exported;
    for (auto& m : models) {
      if (opset == 14 && m.label.find("causal") == std::string::npos && m.label != "cnn_template") continue;
      jobs.push_back({&m.project, (onnxDir() / (m.label + "_op" + std::to_string(opset) + ".onnx")).string(), m.checkpoint});
      exported.push_back(&m);
    }
    OnnxOptions options;
    options.opset = opset;
    std::vector<Status> results = exportOnnxMany(jobs, options);
    ASSERT_EQ(results.size(), jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) {
      EXPECT_TRUE(results[i].ok()) << exported[i]->label << " opset " << opset << ": " << results[i].message();
      if (!results[i].ok()) continue;
      ASSERT_TRUE(fs::exists(jobs[i].outPath));
      entries.push_back(checkEntry(*exported[i], jobs[i].outPath, opset));
    }
  }
  // Nothing but the .onnx files is left beside them (no temporary files).
  for (const auto& f : fs::directory_iterator(onnxDir()))
    EXPECT_EQ(f.path().filename().string().find(".tmp-"), std::string::npos) << f.path();

  std::string output;
  auto results = runCheck(entries, &output);
  EXPECT_NE(output.find("checked " + std::to_string(entries.size()) + " models"), std::string::npos) << output;
  std::cout << output;
  std::set<std::string> openCvRequired;
  for (const auto& m : models)
    if (m.openCvRequired) openCvRequired.insert(m.label);
  for (const auto& e : entries) {
    const std::string label = e["label"];
    auto it = results.find(label);
    ASSERT_NE(it, results.end()) << label << " has no result\n" << output;
    const auto& [status, text] = it->second;
    EXPECT_NE(status, "FAIL") << label << ": " << text;
    const std::string base = label.substr(0, label.find('@'));
    bool listed = openCvCannotRun().count(base) > 0;
    if (openCvRequired.count(base)) EXPECT_EQ(status, "OK") << label << " must run in OpenCV: " << text;
    if (status == "OK") EXPECT_FALSE(listed) << label << " runs in OpenCV now: take it off kOpenCvCannotRun";
    else if (status != "FAIL") EXPECT_TRUE(listed) << label << " does not run in OpenCV (" << status << ": " << text << "): list it";
  }
}


/// ReLU in every respect except that it has no PyTorch-source form, so no ONNX form either.
class ReluWithoutPython final : public LayerType {
 public:
  ReluWithoutPython() : LayerType("ReLU", "Activation", "test double", {}), m_relu(LayerRegistry::instance().find("ReLU")) {}
  ShapeResult infer(const LayerContext& ctx) const override { return m_relu->infer(ctx); }
  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override { return m_relu->build(ctx); }

 private:
  const LayerType* m_relu;
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// No file in `dir` but `keep` (no temporary leftovers).
void expectOnly(const fs::path& dir, const std::set<std::string>& keep) {
  for (const auto& f : fs::directory_iterator(dir))
    EXPECT_TRUE(keep.count(f.path().filename().string())) << "left behind: " << f.path();
}

TEST(OnnxExport, ARefusedNodeIsNamedAndNothingIsWritten) {
  TempDir dir("onnx_refused");
  fs::create_directories(dir.path());
  const fs::path out = dir.path() / "m.onnx";
  std::ofstream(out) << "previous export";
  // A layer without a PyTorch-source form.
  Project p = mlp();
  NodeId relu = -1;
  for (const auto& [id, n] : p.graph.nodes())
    if (n.type == "ReLU") relu = id;
  ASSERT_NE(relu, -1);
  static const ReluWithoutPython kNoPython;
  const_cast<Node*>(p.graph.node(relu))->layer = &kNoPython;
  const std::string name = p.graph.node(relu)->name;
  std::vector<GraphIssue> problems = checkOnnxExportable(p.graph);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].node, relu);
  EXPECT_NE(problems[0].message.find(name + " (ReLU) cannot be exported to ONNX"), std::string::npos) << problems[0].message;
  Status s = exportOnnx(p, out.string());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
  // An invalid graph: the graph's own error names the stray node.
  Project invalid = mlp();
  GraphBuilder b;
  b.graph = invalid.graph;
  NodeId stray = b.add("Conv2d");
  invalid.graph = b.graph;
  problems = checkOnnxExportable(invalid.graph);
  bool named = false;
  for (const auto& issue : problems) named = named || issue.message.find(invalid.graph.node(stray)->name) != std::string::npos;
  EXPECT_TRUE(named) << (problems.empty() ? std::string("no problem") : problems.front().message);
  EXPECT_FALSE(exportOnnx(invalid, out.string()).ok());
  // Neither touched the previous file nor left anything beside it.
  EXPECT_EQ(readFile(out), "previous export");
  expectOnly(dir.path(), {"m.onnx"});
}

TEST(OnnxExport, PythonProblemsNameThePackageAndWriteNothing) {
  TempDir dir("onnx_python");
  fs::create_directories(dir.path() / "hide_torch");
  fs::create_directories(dir.path() / "hide_onnx");
  fs::create_directories(dir.path() / "out");
  std::ofstream(dir.path() / "hide_torch" / "torch.py") << "raise ImportError('hidden by the test')\n";
  std::ofstream(dir.path() / "hide_onnx" / "onnx.py") << "raise ImportError('hidden by the test')\n";
  // Interpreters whose torch or onnx cannot be imported: /usr/bin/python3 with a module shadowed.
  for (const std::string which : {"torch", "onnx"}) {
    fs::path wrapper = dir.path() / ("python_without_" + which);
    std::ofstream(wrapper) << "#!/bin/sh\nPYTHONPATH='" << (dir.path() / ("hide_" + which)).string()
                           << "' exec /usr/bin/python3 \"$@\"\n";
    fs::permissions(wrapper, fs::perms::owner_all);
  }
  const fs::path out = dir.path() / "out" / "m.onnx";
  std::ofstream(out) << "previous export";
  Project p = mlp();
  struct Case {
    std::string python;
    std::vector<std::string> expected;  // fragments of the message
  };
  const std::vector<Case> cases = {
      {"/bin/false", {"/bin/false", "exited with code 1", "python3-torch", "python3-onnx"}},
      {(dir.path() / "no_such_python").string(), {"cannot run the Python interpreter", "no_such_python", "python3-torch"}},
      {(dir.path() / "python_without_torch").string(), {"PyTorch is not available", "install python3-torch"}},
      {(dir.path() / "python_without_onnx").string(), {"onnx module is not available", "install python3-onnx"}},
  };
  for (const auto& c : cases) {
    OnnxOptions options;
    options.python = c.python;
    Status s = exportOnnx(p, out.string(), options);
    ASSERT_FALSE(s.ok()) << c.python;
    for (const auto& fragment : c.expected) EXPECT_NE(s.message().find(fragment), std::string::npos) << s.message();
    EXPECT_EQ(readFile(out), "previous export") << c.python;
    expectOnly(dir.path() / "out", {"m.onnx"});
  }
  // $NC_PYTHON is the default interpreter.
  ::setenv("NC_PYTHON", "/bin/false", 1);
  Status s = exportOnnx(p, out.string());
  ::unsetenv("NC_PYTHON");
  EXPECT_NE(s.message().find("/bin/false"), std::string::npos) << s.message();
  s = exportOnnx(p, (dir.path() / "no_such_folder" / "m.onnx").string());
  EXPECT_NE(s.message().find("does not exist"), std::string::npos) << s.message();
  OnnxOptions old;
  old.opset = 12;
  s = exportOnnx(p, out.string(), old);
  EXPECT_NE(s.message().find("13 or later"), std::string::npos) << s.message();
  EXPECT_EQ(readFile(out), "previous export");
}

std::string cli(const std::string& args, int* exitCode, const std::string& env = "") {
  int status = 0;
  std::string output = runCommand(env + std::string(NC_CLI_PATH) + " " + args, &status);
  *exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

TEST(OnnxExport, CliExportsRefusesAndReportsProblems) {
  TempDir dir("onnx_cli");
  fs::create_directories(dir.path());
  const std::string project = (dir.path() / "mlp.json").string();
  ASSERT_TRUE(saveProject(mlp(), project).ok());
  const std::string out = (dir.path() / "m.onnx").string();
  int code = 0;
  std::string output = cli("export " + project + " --format onnx --out " + out + " --opset 14", &code);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("exported " + out), std::string::npos) << output;
  EXPECT_TRUE(fs::exists(out));
  fs::remove(out);

  // Usage errors: no --out, a bad opset.
  output = cli("export " + project + " --format onnx", &code);
  EXPECT_EQ(code, 64) << output;
  EXPECT_NE(output.find("usage:"), std::string::npos) << output;
  output = cli("export " + project + " --format onnx --out " + out + " --opset 12", &code);
  EXPECT_EQ(code, 64) << output;
  EXPECT_NE(output.find("--opset"), std::string::npos) << output;

  // A node that cannot be exported is named; nothing is written.
  Project invalid = mlp();
  GraphBuilder b;
  b.graph = invalid.graph;
  NodeId stray = b.add("Conv2d");
  invalid.graph = b.graph;
  const std::string invalidPath = (dir.path() / "invalid.json").string();
  ASSERT_TRUE(saveProject(invalid, invalidPath).ok());
  output = cli("export " + invalidPath + " --format onnx --out " + out, &code);
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find(invalid.graph.node(stray)->name), std::string::npos) << output;
  EXPECT_NE(output.find("nothing was exported"), std::string::npos) << output;

  // A Python without torch: a clear error, nothing written.
  output = cli("export " + project + " --format onnx --out " + out, &code, "NC_PYTHON=/bin/false ");
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("/bin/false"), std::string::npos) << output;
  EXPECT_NE(output.find("python3-torch"), std::string::npos) << output;
  expectOnly(dir.path(), {"mlp.json", "invalid.json", "m.onnx"});
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace nc::test::onnx_export_test

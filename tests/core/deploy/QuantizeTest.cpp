// Dynamic int8 export (ExportOptions::quantize): Linear, LSTM and GRU nodes (and the feed-forward
// Linears of TransformerEncoderLayer) get packed int8 weights, every other node stays float. The archives load with torch::jit::load here and with
// torch.jit.load in Python (one process for all cases), compute close to the float model, and are
// smaller.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "../export/LayerExportCases.h"
#include "core/GraphModule.h"
#include "core/deploy/Quantize.h"
#include "core/export/TorchScriptExporter.h"
#include "core/layers/QuantizedScript.h"
#include "core/training/Checkpoint.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

fs::path quantizeDir() { return processScratchDir("quantize"); }

/// Layer types whose export case gets int8 weights (TransformerEncoderLayer: its feed-forward Linears).
bool int8Type(const std::string& type) {
  return type == "Linear" || type == "LSTM" || type == "GRU" || type == "TransformerEncoderLayer";
}

/// A trained-looking model: seeded initialisation with perturbed weights, saved as a checkpoint.
struct Exported {
  GraphModule model{nullptr};
  std::string floatArchive, int8Archive;
};

Exported exportBoth(const Project& project, const std::string& label) {
  torch::manual_seed(11);
  Exported e;
  e.model = compileGraph(project.graph);
  {
    torch::NoGradGuard guard;
    for (auto& t : e.model->parameters()) t.add_(torch::randn_like(t) * 0.05);
  }
  fs::path ckpt = quantizeDir() / (label + ".ckpt.pt");
  saveCheckpoint(ckpt.string(), e.model, nullptr, CheckpointState{});
  e.model->eval();
  ExportOptions options;
  options.checkpoint = ckpt.string();
  options.classNames = {"a", "b"};  // no data folder in these projects
  e.floatArchive = (quantizeDir() / (label + ".float.pt")).string();
  Status f = exportTorchScript(project, e.floatArchive, options);
  EXPECT_TRUE(f.ok()) << label << ": " << f.message();
  options.quantize = QuantizeMode::DynamicInt8;
  e.int8Archive = (quantizeDir() / (label + ".int8.pt")).string();
  Status q = exportTorchScript(project, e.int8Archive, options);
  EXPECT_TRUE(q.ok()) << label << ": " << q.message();
  return e;
}

nlohmann::json archiveMeta(const std::string& path) {
  torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", ""}};
  torch::jit::load(path, torch::kCPU, extra);
  return nlohmann::json::parse(extra["neuralcanvas/meta.json"]);
}

/// Max |a - b| relative to the reference's scale (1 + max |b|).
double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / (1.0 + b.abs().max().item<double>());
}

Project chain(const std::string& name, std::vector<int64_t> input,
              const std::vector<std::pair<std::string, ParamMap>>& layers) {
  GraphBuilder b;
  NodeId prev = b.add("Input", {{"shape", input}});
  for (const auto& [type, params] : layers) {
    NodeId n = b.add(type, params);
    b.link(prev, n);
    prev = n;
  }
  b.link(prev, b.add("Output"));
  Project p;
  p.name = name;
  p.graph = b.graph;
  return p;
}

Project mlpProject() {
  return chain("mlp", {784}, {{"Linear", {{"out_features", int64_t{512}}}}, {"ReLU", {}},
                              {"Linear", {{"out_features", int64_t{10}}}}});
}

Project lstmProject() {
  return chain("lstm", {12, 16},
               {{"LSTM", {{"hidden_size", int64_t{32}}, {"num_layers", int64_t{2}}, {"bidirectional", true}}},
                {"Linear", {{"out_features", int64_t{5}}}}});
}

Project gruProject() {
  return chain("gru", {10, 8},
               {{"GRU", {{"hidden_size", int64_t{24}}, {"output", std::string("sequence")}}},
                {"SequencePool", {{"mode", std::string("mean")}}},
                {"LayerNorm", {}},
                {"Linear", {{"out_features", int64_t{4}}}}});
}

/// Argmax agreement and error of the int8 archive against the float model on random inputs.
void expectClose(Exported e, const std::vector<int64_t>& inputShape, const std::string& label,
                 double maxRelative, double minAgreement) {
  torch::jit::Module loaded = torch::jit::load(e.int8Archive);
  loaded.eval();
  torch::NoGradGuard guard;
  torch::manual_seed(5);
  std::vector<int64_t> sizes{200};
  sizes.insert(sizes.end(), inputShape.begin(), inputShape.end());
  torch::Tensor x = torch::rand(sizes);
  torch::Tensor expected = e.model->forward(x);
  torch::Tensor actual = loaded.forward({x}).toTensor();
  ASSERT_EQ(actual.sizes(), expected.sizes()) << label;
  double err = relativeError(actual, expected);
  double agreement = actual.argmax(1).eq(expected.argmax(1)).to(torch::kFloat).mean().item<double>();
  std::cout << "[quantize] " << label << ": max relative error " << err << ", argmax agreement " << agreement
            << "\n";
  EXPECT_LE(err, maxRelative) << label;
  EXPECT_GE(agreement, minAgreement) << label;
}

TEST(QuantizeMode, NamesRoundTripAndUnknownTextIsRefused) {
  for (QuantizeMode m : {QuantizeMode::None, QuantizeMode::DynamicInt8}) {
    auto parsed = parseQuantizeMode(quantizeModeName(m));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_EQ(quantizeModeName(QuantizeMode::DynamicInt8), "dynamic-int8");
  for (const char* bad : {"", "int8", "Dynamic-Int8", "dynamic_int8", "none ", "static-int8"})
    EXPECT_FALSE(parseQuantizeMode(bad).has_value()) << bad;
}

TEST(QuantizeMode, FastEngineIsOneDnnAndIdempotent) {
  useFastQuantizedEngine();
  useFastQuantizedEngine();
  EXPECT_TRUE(quantizedEngineAvailable());
  // Debian's LibTorch 1.13 on x86 ships oneDNN and QNNPACK; oneDNN is the fast one.
  EXPECT_EQ(currentQuantizedEngineName(), "onednn");
}

TEST(QuantizeExport, MlpIsInt8SmallerAndAgreesWithTheFloatModel) {
  Exported e = exportBoth(mlpProject(), "mlp");
  auto floatSize = fs::file_size(e.floatArchive), int8Size = fs::file_size(e.int8Archive);
  std::cout << "[quantize] mlp 784-512-10: float " << floatSize << " bytes, int8 " << int8Size << " bytes ("
            << double(int8Size) / double(floatSize) << "x)\n";
  EXPECT_LT(double(int8Size), 0.5 * double(floatSize));
  expectClose(e, {784}, "mlp", 0.05, 0.95);

  nlohmann::json meta = archiveMeta(e.int8Archive);
  EXPECT_EQ(meta.value("quantization", ""), "dynamic-int8");
  EXPECT_EQ(meta.value("parameters", int64_t{0}), 784 * 512 + 512 + 512 * 10 + 10);
  ASSERT_TRUE(meta.contains("quantized"));
  EXPECT_EQ(meta["quantized"]["int8"].size(), 2u) << meta["quantized"];
  EXPECT_EQ(meta["quantized"]["float"].size(), 0u) << meta["quantized"];
  nlohmann::json floatMeta = archiveMeta(e.floatArchive);
  EXPECT_EQ(floatMeta.value("quantization", ""), "none");
  EXPECT_EQ(floatMeta.value("parameters", int64_t{0}), meta.value("parameters", int64_t{-1}));
  // The checksums and the loaders accept the quantized archive.
  EXPECT_TRUE(verifyArchive(e.int8Archive).ok()) << verifyArchive(e.int8Archive).message();

  // Rough latency at batch 64 (reported, never asserted).
  torch::NoGradGuard guard;
  torch::Tensor x = torch::rand({64, 784});
  for (const std::string& path : {e.floatArchive, e.int8Archive}) {
    torch::jit::Module m = torch::jit::load(path);
    m.eval();
    for (int i = 0; i < 20; ++i) m.forward({x});
    const int runs = 200;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < runs; ++i) m.forward({x});
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / runs;
    std::cout << "[quantize] mlp batch 64 " << (path == e.int8Archive ? "int8 (" + currentQuantizedEngineName() + ")" : "float")
              << ": " << us << " us per batch (" << torch::get_num_threads() << " threads)\n";
  }
}

TEST(QuantizeExport, LstmAndGruModelsAgreeWithTheFloatModel) {
  Exported lstm = exportBoth(lstmProject(), "lstm");
  expectClose(lstm, {12, 16}, "lstm", 0.06, 0.9);
  nlohmann::json meta = archiveMeta(lstm.int8Archive);
  EXPECT_EQ(meta["quantized"]["int8"].size(), 2u) << meta["quantized"];  // LSTM + Linear
  EXPECT_LT(fs::file_size(lstm.int8Archive), fs::file_size(lstm.floatArchive));
  // The weights digest reads the packed recurrent cells back the same after loading.
  EXPECT_TRUE(verifyArchive(lstm.int8Archive).ok()) << verifyArchive(lstm.int8Archive).message();

  Exported gru = exportBoth(gruProject(), "gru");
  expectClose(gru, {10, 8}, "gru", 0.06, 0.9);
  meta = archiveMeta(gru.int8Archive);
  EXPECT_EQ(meta["quantized"]["int8"].size(), 2u) << meta["quantized"];  // GRU + Linear
  ASSERT_EQ(meta["quantized"]["float"].size(), 1u) << meta["quantized"];
  EXPECT_EQ(meta["quantized"]["float"][0].value("type", ""), "LayerNorm");
  EXPECT_TRUE(verifyArchive(gru.int8Archive).ok()) << verifyArchive(gru.int8Archive).message();
}

TEST(QuantizeExport, EveryLayerCaseExportsQuantizedAndOnlyLinearLstmGruEncoderChange) {
  // Every layer type's export case: quantized export succeeds; int8 types stay close to the float
  // model, every other type computes exactly what it computed before.
  for (const ExportCase& c : cases()) {
    Project p = caseProject(c);
    Exported e = exportBoth(p, "case_" + c.label);
    torch::jit::Module loaded = torch::jit::load(e.int8Archive);
    loaded.eval();
    torch::NoGradGuard guard;
    torch::manual_seed(9);
    torch::Tensor x = sampleBatch(c, 4);
    torch::Tensor expected = e.model->forward(x);
    torch::Tensor actual = loaded.forward({x}).toTensor();
    ASSERT_EQ(actual.sizes(), expected.sizes()) << c.label;
    nlohmann::json meta = archiveMeta(e.int8Archive);
    if (int8Type(c.type)) {
      EXPECT_LE(relativeError(actual, expected), 0.06) << c.label;
      EXPECT_EQ(meta["quantized"]["int8"].size(), 1u) << c.label << " " << meta["quantized"];
    } else {
      EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5))
          << c.label << " max diff " << (actual - expected).abs().max().item<double>();
      EXPECT_EQ(meta["quantized"]["int8"].size(), 0u) << c.label << " " << meta["quantized"];
    }
  }
}

TEST(QuantizeExport, PlainPyTorchRunsTheQuantizedArchivesWithTheSameOutputs) {
  // One Python process for all archives: input, the C++ int8 output and the float output are
  // written with torch::pickle_save, which Python's torch.load reads.
  fs::path listFile = quantizeDir() / "quantized_cases.txt";
  std::ofstream list(listFile);
  auto addCase = [&](Exported e, torch::Tensor x, const std::string& label) {
    torch::jit::Module loaded = torch::jit::load(e.int8Archive);
    loaded.eval();
    torch::NoGradGuard guard;
    torch::Tensor yInt8 = loaded.forward({x}).toTensor();
    torch::Tensor yFloat = e.model->forward(x);
    std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create({x, yInt8, yFloat}));
    std::string dataPath = (quantizeDir() / (label + ".qio.pt")).string();
    std::ofstream(dataPath, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    list << e.int8Archive << " " << dataPath << "\n";
  };
  torch::manual_seed(21);
  addCase(exportBoth(mlpProject(), "py_mlp"), torch::rand({16, 784}), "py_mlp");
  addCase(exportBoth(lstmProject(), "py_lstm"), torch::rand({5, 12, 16}), "py_lstm");
  addCase(exportBoth(gruProject(), "py_gru"), torch::rand({5, 10, 8}), "py_gru");
  int count = 3;
  for (const ExportCase& c : cases()) {
    if (!int8Type(c.type)) continue;
    addCase(exportBoth(caseProject(c), "py_" + c.label), sampleBatch(c, 3), "py_" + c.label);
    ++count;
  }
  list.close();
  int status = 0;
  std::string output = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) +
                                      "/tests/python/check_quantized.py " + listFile.string(),
                                  &status);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("all " + std::to_string(count) + " quantized archives match"), std::string::npos) << output;
}

TEST(QuantizeExport, VerifyAndImportAcceptAQuantizedArchive) {
  // What predict and the editor's import do first (checksum, engine choice, load) on an int8 archive.
  Exported e = exportBoth(chain("small", {6}, {{"Linear", {{"out_features", int64_t{2}}}}}), "verify");
  Status v = verifyArchive(e.int8Archive);
  EXPECT_TRUE(v.ok()) << v.message();
  ProjectLoad embedded = importProjectFromArchive(e.int8Archive);
  EXPECT_TRUE(embedded.ok()) << embedded.error;
}

TEST(QuantizeExport, WeightsDigestCoversThePackedInt8Weights) {
  // meta.json's weights_sha256 covers the packed int8 weights too: an archive re-saved unchanged
  // passes verifyArchive, one whose packed Linear weights were replaced is reported damaged.
  Exported e = exportBoth(mlpProject(), "digest");
  torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", ""}, {"neuralcanvas/project.json", ""}};
  torch::jit::Module m = torch::jit::load(e.int8Archive, torch::kCPU, extra);
  fs::path same = quantizeDir() / "digest_same.pt", changed = quantizeDir() / "digest_changed.pt";
  m.save(same.string(), extra);
  EXPECT_TRUE(verifyArchive(same.string()).ok()) << verifyArchive(same.string()).message();
  std::string packedName;
  for (const auto& a : m.named_attributes(/*recurse=*/false))
    if (a.value.isObject() && packedName.empty()) packedName = a.name;
  ASSERT_FALSE(packedName.empty());
  torch::manual_seed(1);
  c10::IValue other = layers::packLinearInt8(torch::randn({512, 784}) * 0.05, torch::zeros({512}));
  m.setattr(packedName, other);
  m.save(changed.string(), extra);
  Status v = verifyArchive(changed.string());
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.message().find("damaged"), std::string::npos) << v.message();
}

TEST(QuantizeExport, SummaryCountsInt8AndFloatNodesByType) {
  Exported gru = exportBoth(gruProject(), "summary_gru");
  EXPECT_EQ(quantizationSummary(gru.int8Archive), "int8: 1 GRU, 1 Linear; float: 1 LayerNorm");
  Exported mlp = exportBoth(mlpProject(), "summary_mlp");
  EXPECT_EQ(quantizationSummary(mlp.int8Archive), "int8: 2 Linear; float: none");
  EXPECT_EQ(quantizationSummary(mlp.floatArchive), "");  // not quantized
  EXPECT_EQ(quantizationSummary((quantizeDir() / "missing.pt").string()), "");
}

TEST(QuantizeCli, ExportQuantizeOptionIsCheckedAndWritesAnInt8Archive) {
  fs::path project = quantizeDir() / "cli_lstm.json";
  ASSERT_TRUE(saveProject(lstmProject(), project.string()).ok());
  auto run = [&](const std::string& extra, int* code) {
    int status = 0;
    std::string out = runCommand(std::string(NC_CLI_PATH) + " export " + project.string() + " " + extra, &status);
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  };
  int code = 0;
  fs::path archive = quantizeDir() / "cli_lstm.int8.pt";
  std::string out = run("--out " + archive.string() + " --quantize dynamic-int8", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("int8: 1 LSTM, 1 Linear; float: none"), std::string::npos) << out;
  EXPECT_NE(out.find("onednn"), std::string::npos) << out;
  ASSERT_TRUE(fs::exists(archive));
  EXPECT_EQ(archiveMeta(archive.string()).value("quantization", ""), "dynamic-int8");

  out = run("--out " + (quantizeDir() / "cli_bad.pt").string() + " --quantize foo", &code);
  EXPECT_EQ(code, 64) << out;
  EXPECT_NE(out.find("unknown --quantize 'foo'"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(quantizeDir() / "cli_bad.pt"));

  out = run("--out " + (quantizeDir() / "cli_py.py").string() + " --format python --quantize dynamic-int8", &code);
  EXPECT_EQ(code, 64) << out;
  EXPECT_NE(out.find("not supported with --format python"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(quantizeDir() / "cli_py.py"));

  out = run("--out " + (quantizeDir() / "cli_none.pt").string() + " --quantize none", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(archiveMeta((quantizeDir() / "cli_none.pt").string()).value("quantization", ""), "none");
}

}  // namespace
}  // namespace nc::test

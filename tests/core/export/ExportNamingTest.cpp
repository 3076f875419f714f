// The exporters' one naming scope and one escaping helper (issue 10, items 2 and 3): hostile node
// names, project names and file names never make two generated names collide, never overwrite a
// weight, never break the generated code and never run as code. Graphs with MultiheadAttention,
// TransformerEncoderLayer, LSTM and GRU named against the exporters' own generated names export to
// TorchScript and to PyTorch source that compute exactly what the app computes.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/LayerType.h"
#include "core/Project.h"
#include "core/Sha256.h"
#include "core/export/ExportCommon.h"
#include "core/export/PythonExporter.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

fs::path scratchDir() { return processScratchDir("naming"); }

std::string hexOf(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += digits[static_cast<unsigned char>(c) >> 4];
    out += digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

bool isIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

/// A file whose existence proves that injected code ran.
std::string markerPath() { return (scratchDir() / "INJECTED").string(); }

/// Texts that break naive code generation.
std::vector<std::string> hostileTexts() {
  const std::string marker = markerPath();
  return {"plain",
          "",
          "with \"double\" and 'single' quotes",
          "\"\"\"; import os; os.system('touch " + marker + "') #",
          "'''; import os; os.system(\"touch " + marker + "\") #",
          "\"; __import__('os').system('touch " + marker + "'); x = \"",
          "back\\slash \\N{BULLET} \\x41 \\u0041 \\",
          "line1\nimport os; os.system('touch " + marker + "')\r\n\ttab",
          std::string("nul\0byte", 8),
          "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80",
          "invalid \xFF\xFE \xC3",
          "\x7f\x01\x1b[31m",
          "\\",
          "\\\"",
          "ends with a backslash \\"};
}

// ---------------------------------------------------------------------------------------------
// NameScope

TEST(ExportNaming, SanitizeMakesAnIdentifierOfAnyBytes) {
  EXPECT_EQ(NameScope::sanitize("conv 1"), "conv_1");
  EXPECT_EQ(NameScope::sanitize("a-b"), "a_b");
  EXPECT_EQ(NameScope::sanitize("1x1"), "n1x1");
  EXPECT_EQ(NameScope::sanitize("caf\xC3\xA9"), "caf");
  EXPECT_EQ(NameScope::sanitize(""), "node");
  EXPECT_EQ(NameScope::sanitize("!!!"), "node");
  EXPECT_EQ(NameScope::sanitize("\xE6\x97\xA5\xE6\x9C\xAC"), "node");
  EXPECT_EQ(NameScope::sanitize("__init__"), "init");
  EXPECT_EQ(NameScope::sanitize("_parameters"), "parameters");
  for (const auto& t : hostileTexts()) EXPECT_TRUE(isIdentifier(NameScope::sanitize(t))) << hexOf(t);
}

TEST(ExportNaming, FreshNamesAreUniqueAndNeverReserved) {
  NameScope scope;
  scope.reserve("my_temp");
  std::set<std::string> seen;
  std::vector<std::string> hints = {"training", "forward", "input_mean", "load", "self", "class", "torch", "nn",
                                    "F", "x", "state_dict", "None", "print", "code", "graph", "my_temp", "a-b",
                                    "a_b", "a b", "a__b", "", "!!!", "node", "node_2", "1x1", "n1x1"};
  for (const auto& t : hostileTexts()) hints.push_back(t);
  for (int round = 0; round < 3; ++round)
    for (const auto& hint : hints) {
      std::string name = scope.fresh(hint);
      EXPECT_TRUE(isIdentifier(name)) << name;
      EXPECT_TRUE(seen.insert(name).second) << "handed out twice: " << name;
    }
  for (const char* reserved : {"training", "forward", "input_mean", "load", "self", "class", "torch", "nn", "F", "x",
                               "state_dict", "None", "print", "code", "graph", "my_temp"})
    EXPECT_FALSE(seen.count(reserved)) << reserved;
  EXPECT_EQ(NameScope().fresh("conv1"), "conv1");  // an ordinary name stays as written
}

// ---------------------------------------------------------------------------------------------
// Escaping

TEST(ExportEscaping, EscapedTextIsPrintableAsciiInBothLanguages) {
  for (const auto& t : hostileTexts())
    for (CodeLanguage lang : {CodeLanguage::Python, CodeLanguage::TorchScript}) {
      std::string e = escapeCodeText(t, lang);
      for (char c : e) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << hexOf(t) << " -> " << e;
      // No quote can end the literal: every quote is preceded by an odd run of backslashes.
      for (size_t i = 0; i < e.size(); ++i) {
        if (e[i] != '"' && e[i] != '\'') continue;
        size_t slashes = 0;
        while (slashes < i && e[i - 1 - slashes] == '\\') ++slashes;
        EXPECT_EQ(slashes % 2, 1u) << e;
      }
    }
  EXPECT_EQ(codeComment("a\nb"), "# a\\nb");
  EXPECT_EQ(codeStringLiteral("tanh", CodeLanguage::TorchScript), "\"tanh\"");
}

TEST(ExportEscaping, PythonReadsEveryLiteralBackAsTheTextAndRunsNoInjectedCode) {
  // One generated Python file: each text as a "..." literal, inside a """...""" string and in a
  // comment; Python compares each with the text's UTF-8 bytes (invalid bytes read as Latin-1).
  fs::remove(markerPath());
  std::string src = "\"\"\"" + escapeCodeText(hostileTexts()[3], CodeLanguage::Python) + "\"\"\"\nCASES = []\n";
  for (const auto& t : hostileTexts()) {
    src += codeComment(t) + "\n";
    src += "CASES.append((" + codeStringLiteral(t, CodeLanguage::Python) + ", \"\"\"" +
           escapeCodeText(t, CodeLanguage::Python) + "\"\"\", '''" + escapeCodeText(t, CodeLanguage::Python) +
           "''', \"" + hexOf(toUtf8(t)) + "\"))  " + codeComment(t) + "\n";
  }
  src +=
      "bad = [h for lit, tri, tri1, h in CASES if lit.encode('utf-8').hex() != h or tri != lit or tri1 != lit]\n"
      "print('mismatches:', bad)\n"
      "print('all %d texts round-trip' % len(CASES) if not bad else 'FAILED')\n";
  fs::path file = scratchDir() / "literals.py";
  std::ofstream(file, std::ios::binary) << src;
  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + file.string(), &status);
  EXPECT_EQ(status, 0) << out << "\n" << src;
  EXPECT_NE(out.find("all " + std::to_string(hostileTexts().size()) + " texts round-trip"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(markerPath())) << "injected code ran";
}

TEST(ExportEscaping, TorchScriptReadsEveryLiteralBackAsTheText) {
  std::string src = "def texts(self) -> List[str]:\n";
  std::vector<std::string> literals;
  for (const auto& t : hostileTexts()) {
    src += "    " + codeComment(t) + "\n";
    literals.push_back(codeStringLiteral(t, CodeLanguage::TorchScript));
  }
  src += "    return [";
  for (size_t i = 0; i < literals.size(); ++i) src += (i ? ", " : "") + literals[i];
  src += "]\n";
  torch::jit::Module m("Texts");
  ASSERT_NO_THROW(m.define(src)) << src;
  c10::IValue result = m.get_method("texts")({});
  auto list = result.toListRef();
  ASSERT_EQ(list.size(), hostileTexts().size());
  for (size_t i = 0; i < list.size(); ++i)
    EXPECT_EQ(hexOf(list[i].toStringRef()), hexOf(toUtf8(hostileTexts()[i]))) << literals[i];
}

// ---------------------------------------------------------------------------------------------
// Whole models with adversarial node names

/// Names that are reserved, generated elsewhere, or otherwise awkward, for a chain of Dropout nodes.
std::vector<std::string> awkwardNodeNames() {
  std::vector<std::string> names = {"load", "self", "class", "torch", "nn", "F", "x", "caf\xC3\xA9",
                                    "\xE6\x97\xA5\xE6\x9C\xAC", "!!!", "1x1", "__init__", "_parameters",
                                    "state_dict", "None", "print", "enc_sa_q", "enc_x", "att_qkv", "att_mask",
                                    "input_std", "STATE_FILE", "Path", "code", "graph", "zero_grad", "node",
                                    "with \"quotes\" and 'quotes'", "back\\slash \\N{BULLET}", "return"};
  names.push_back("line1\nimport os; os.system('touch " + markerPath() + "')");
  names.push_back("\"\"\"; import os; os.system('touch " + markerPath() + "') #");
  return names;
}

struct Adversarial {
  Project project;
  std::vector<int64_t> input;  // shape without batch
};

/// Input -> Linear "att_out_proj" -> MultiheadAttention "att" (causal) -> TransformerEncoderLayer
/// "enc" -> Linear "enc_linear1" -> {Tanh "a-b", ReLU "a_b"} -> Add "att_q" -> LSTM "training"
/// -> GRU "forward" (bidirectional) -> Linear "training_h0" -> GELU "forward_h0" -> Dropout chain
/// (awkwardNodeNames) -> LSTM "lstm" (last) -> Linear "lstm_h0" -> Linear "lstm_result" -> Output.
/// Under the old naming, "att"'s attribute att_out_proj_weight was also "att_out_proj"'s, "enc"'s
/// enc_linear1_weight was "enc_linear1"'s, and the temporaries att_q, lstm_h0, ... were node variables.
Adversarial adversarialProject() {
  GraphBuilder b;
  auto named = [&](const std::string& type, const std::string& name, const ParamMap& params = {}) {
    NodeId id = b.add(type, params);
    Status s = b.graph.rename(id, name);
    EXPECT_TRUE(s.ok()) << s.message();
    return id;
  };
  Adversarial a;
  a.input = {6, 8};
  NodeId in = named("Input", "input_mean", {{"shape", a.input}});
  NodeId proj = named("Linear", "att_out_proj", {{"out_features", int64_t{8}}});
  NodeId att = named("MultiheadAttention", "att", {{"num_heads", int64_t{2}}, {"causal", true}});
  NodeId enc = named("TransformerEncoderLayer", "enc", {{"num_heads", int64_t{2}}, {"dim_feedforward", int64_t{16}}});
  NodeId lin1 = named("Linear", "enc_linear1", {{"out_features", int64_t{8}}});
  NodeId dash = named("Tanh", "a-b");
  NodeId under = named("ReLU", "a_b");
  NodeId add = named("Add", "att_q");
  NodeId lstm1 = named("LSTM", "training", {{"hidden_size", int64_t{8}}, {"output", std::string("sequence")}});
  NodeId gru = named("GRU", "forward",
                     {{"hidden_size", int64_t{4}}, {"output", std::string("sequence")}, {"bidirectional", true}});
  NodeId lin2 = named("Linear", "training_h0", {{"out_features", int64_t{8}}});
  NodeId gelu = named("GELU", "forward_h0");
  b.link(in, proj);
  b.link(proj, att);
  b.link(att, enc);
  b.link(enc, lin1);
  b.link(lin1, dash);
  b.link(lin1, under);
  b.link(dash, add, 0);
  b.link(under, add, 1);
  b.link(add, lstm1);
  b.link(lstm1, gru);
  b.link(gru, lin2);
  b.link(lin2, gelu);
  NodeId prev = gelu;
  for (const auto& name : awkwardNodeNames()) {
    NodeId d = named("Dropout", name, {{"p", 0.1}});
    b.link(prev, d);
    prev = d;
  }
  NodeId lstm2 = named("LSTM", "lstm", {{"hidden_size", int64_t{6}}});
  NodeId h0 = named("Linear", "lstm_h0", {{"out_features", int64_t{6}}});
  NodeId result = named("Linear", "lstm_result", {{"out_features", int64_t{3}}});
  NodeId out = named("Output", "output");
  b.link(prev, lstm2);
  b.link(lstm2, h0);
  b.link(h0, result);
  b.link(result, out);
  a.project.name = "adversarial \"\"\"; import os; os.system('touch " + markerPath() + "') # \\N caf\xC3\xA9";
  a.project.graph = b.graph;
  return a;
}

/// A seeded model of the project with every parameter perturbed, saved as a checkpoint.
GraphModule checkpointedModel(const Project& p, const fs::path& ckpt) {
  torch::manual_seed(7);
  GraphModule model = compileGraph(p.graph);
  {
    torch::NoGradGuard guard;
    for (auto& t : model->parameters()) t.add_(torch::randn_like(t) * 0.1);
  }
  saveCheckpoint(ckpt.string(), model, nullptr, CheckpointState{});
  model->eval();
  return model;
}

TEST(ExportNaming, AdversariallyNamedGraphExportsToTorchScriptThatMatchesTheApp) {
  fs::remove(markerPath());
  Adversarial a = adversarialProject();
  ASSERT_TRUE(analyze(a.project.graph).ok());
  fs::path ckpt = scratchDir() / "adv.ckpt.pt";
  GraphModule model = checkpointedModel(a.project, ckpt);
  fs::path archive = scratchDir() / "adv.pt";
  ExportOptions options;
  options.checkpoint = ckpt.string();
  options.classNames = {"a", "b", "c"};
  Status s = exportTorchScript(a.project, archive.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();

  torch::jit::Module loaded = torch::jit::load(archive.string());
  loaded.eval();
  // Nothing overwritten: the archive holds as many parameters as the model.
  EXPECT_EQ(loaded.named_parameters(false).size(), model->parameters().size());
  torch::NoGradGuard guard;
  torch::manual_seed(1);
  for (int64_t batch : {1, 3}) {
    std::vector<int64_t> sizes{batch};
    sizes.insert(sizes.end(), a.input.begin(), a.input.end());
    torch::Tensor x = torch::randn(sizes);
    torch::Tensor expected = model->forward(x);
    torch::Tensor actual = loaded.forward({x}).toTensor();
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5)) << (actual - expected).abs().max().item<double>();
  }
  // Every node is named in a comment, escaped: the source still parses (above) and names them.
  std::string code = generateTorchScript(a.project.graph);
  EXPECT_NE(code.find("# with \\\"quotes\\\" and \\'quotes\\' (Dropout)"), std::string::npos) << code;
  EXPECT_NE(code.find("# line1\\nimport os"), std::string::npos) << code;

  // Plain PyTorch too.
  std::vector<char> bytes;
  {
    torch::Tensor x = torch::randn({2, 6, 8});
    bytes = torch::pickle_save(c10::ivalue::Tuple::create({x, model->forward(x)}));
  }
  fs::path io = scratchDir() / "adv.io.pt";
  std::ofstream(io, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  fs::path list = scratchDir() / "adv_list.txt";
  std::ofstream(list) << archive.string() << " " << io.string() << "\n";
  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) + "/tests/python/check_exports.py " +
                                   list.string(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("all 1 archives match"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(markerPath())) << "injected code ran";
}

TEST(ExportNaming, CollidingFlatNamesOfTheIssueNoLongerOverwriteWeights) {
  // The two cases of issue 10 on their own: equal shapes (silently wrong before) and different
  // shapes (a run-time shape error before).
  for (bool encoder : {false, true}) {
    GraphBuilder b;
    NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{5, 8}}});
    NodeId big = encoder ? b.add("TransformerEncoderLayer", {{"num_heads", int64_t{2}}, {"dim_feedforward", int64_t{16}}})
                         : b.add("MultiheadAttention", {{"num_heads", int64_t{2}}});
    ASSERT_TRUE(b.graph.rename(big, encoder ? "enc" : "att").ok());
    NodeId lin = b.add("Linear", {{"out_features", int64_t{8}}});
    ASSERT_TRUE(b.graph.rename(lin, encoder ? "enc_linear1" : "att_out_proj").ok());
    NodeId flat = b.add("Flatten");
    NodeId out = b.add("Output");
    b.link(in, big);
    b.link(big, lin);
    b.link(lin, flat);
    b.link(flat, out);
    Project p;
    p.name = encoder ? "enc" : "att";
    p.graph = b.graph;
    fs::path ckpt = scratchDir() / (p.name + ".ckpt.pt");
    GraphModule model = checkpointedModel(p, ckpt);
    fs::path archive = scratchDir() / (p.name + ".pt");
    ExportOptions options;
    options.checkpoint = ckpt.string();
    options.classNames = {"a"};
    Status s = exportTorchScript(p, archive.string(), options);
    ASSERT_TRUE(s.ok()) << s.message();
    torch::jit::Module loaded = torch::jit::load(archive.string());
    EXPECT_EQ(loaded.named_parameters(false).size(), model->parameters().size()) << p.name;
    torch::NoGradGuard guard;
    torch::Tensor x = torch::randn({2, 5, 8});
    torch::Tensor expected = model->forward(x);
    torch::Tensor actual;
    ASSERT_NO_THROW(actual = loaded.forward({x}).toTensor()) << p.name;
    EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5)) << p.name;
  }
}

TEST(ExportNaming, AdversariallyNamedGraphExportsToPythonThatLoadsAndMatchesTheApp) {
  fs::remove(markerPath());
  Adversarial a = adversarialProject();
  fs::path ckpt = scratchDir() / "advpy.ckpt.pt";
  GraphModule model = checkpointedModel(a.project, ckpt);
  ExportOptions options;
  options.checkpoint = ckpt.string();
  // A file name with quotes and backslashes (no whitespace: the check script's list splits on it).
  fs::path source = scratchDir() / "adv\"q'uote\\N{x}.py";
  Status s = exportPython(a.project, source.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<c10::IValue> tensors;
  {
    torch::NoGradGuard guard;
    torch::manual_seed(2);
    for (int64_t batch : {1, 3}) {
      torch::Tensor x = torch::randn({batch, 6, 8});
      tensors.push_back(x);
      tensors.push_back(model->forward(x));
    }
  }
  std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create(tensors));
  fs::path io = scratchDir() / "advpy.io.pt";
  std::ofstream(io, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  fs::path list = scratchDir() / "advpy_list.txt";
  std::ofstream(list) << source.string() << " " << io.string() << "\n";
  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) +
                                   "/tests/python/check_python_exports.py " + list.string(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("all 1 python exports match"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(markerPath())) << "injected code ran on import";
  // The project name is text in the docstring: the module's __doc__ starts with it.
  fs::path probe = scratchDir() / "probe.py";
  std::ofstream(probe) << "import importlib.util, sys\n"
                          "path = open(sys.argv[1]).read().split()[0]\n"
                          "spec = importlib.util.spec_from_file_location('m', path)\n"
                          "m = importlib.util.module_from_spec(spec)\n"
                          "spec.loader.exec_module(m)\n"
                          "print('doc ok' if m.__doc__.encode('utf-8').hex().startswith(sys.argv[2]) else 'doc differs')\n"
                          "print('state ok' if m.STATE_FILE.encode('utf-8').hex() == sys.argv[3] else 'state differs')\n";
  std::string stateName = fs::path(pythonStatePath(source.string())).filename().string();
  out = runCommand("/usr/bin/python3 " + probe.string() + " " + list.string() + " " +
                       hexOf(toUtf8(a.project.name) + ": a PyTorch model") + " " + hexOf(stateName),
                   &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("doc ok"), std::string::npos) << out;
  EXPECT_NE(out.find("state ok"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(markerPath())) << "injected code ran on import";
}

TEST(ExportNaming, PythonSourceCompilesForHostileProjectNames) {
  // Every hostile text as the project name (invalid UTF-8, NUL, \N, quotes included): the source
  // compiles and its docstring holds the name; one Python process checks them all.
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{4}}});
  NodeId lin = b.add("Linear", {{"out_features", int64_t{2}}});
  NodeId out = b.add("Output");
  b.link(in, lin);
  b.link(lin, out);
  fs::remove(markerPath());
  std::string checker = "import sys\nfailures = 0\n";
  int i = 0;
  for (const auto& name : hostileTexts()) {
    Project p;
    p.name = name;
    p.graph = b.graph;
    std::string error;
    std::string src = generatePythonSource(p, {}, "model.py", &error);
    ASSERT_FALSE(src.empty()) << error;
    fs::path file = scratchDir() / ("hostile_" + std::to_string(i++) + ".py");
    std::ofstream(file, std::ios::binary) << src;
    checker += "ns = {'__file__': " + codeStringLiteral(file.string(), CodeLanguage::Python) + "}\n";
    checker += "exec(compile(open(ns['__file__'], encoding='utf-8').read(), ns['__file__'], 'exec'), ns)\n";
    checker += "if not ns['__doc__'].encode('utf-8').hex().startswith('" + hexOf(toUtf8(name)) +
               "'): failures += 1; print('docstring differs', ns['__file__'])\n";
  }
  checker += "print('all compiled' if failures == 0 else 'FAILED')\n";
  fs::path checkFile = scratchDir() / "hostile_check.py";
  std::ofstream(checkFile) << checker;
  int status = 0;
  std::string output = runCommand("/usr/bin/python3 " + checkFile.string(), &status);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("all compiled"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(markerPath())) << "injected code ran";
}

// ---------------------------------------------------------------------------------------------
// Export -> import gives back the same graph (issue 10, property tests)

TEST(ExportImport, AdversarialGraphComesBackIdenticalThroughTheLibraryAndTheCli) {
  Adversarial a = adversarialProject();
  fs::path archive = scratchDir() / "roundtrip.pt";
  ExportOptions options;
  options.classNames = {"a"};
  ASSERT_TRUE(exportTorchScript(a.project, archive.string(), options).ok());
  ProjectLoad back = importProjectFromArchive(archive.string());
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(serializeProject(*back.project), serializeProject(a.project));

  fs::path projectFile = scratchDir() / "roundtrip.json";
  int status = 0;
  std::string out = runCommand(std::string(NC_CLI_PATH) + " import " + archive.string() + " --out " +
                                   projectFile.string(), &status);
  ASSERT_EQ(status, 0) << out;
  ProjectLoad cli = loadProject(projectFile.string());
  ASSERT_TRUE(cli.ok()) << cli.error;
  EXPECT_EQ(serializeProject(*cli.project), serializeProject(a.project));
}

TEST(ExportImport, EveryTemplateComesBackIdentical) {
  for (const char* name : {"cnn", "lstm", "transformer", "char_lstm"}) {
    ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json");
    ASSERT_TRUE(load.ok()) << load.error;
    fs::path archive = scratchDir() / (std::string("tpl_") + name + ".pt");
    ExportOptions options;
    options.classNames = {"a", "b"};
    ASSERT_TRUE(exportTorchScript(*load.project, archive.string(), options).ok()) << name;
    fs::path projectFile = scratchDir() / (std::string("tpl_") + name + ".json");
    int status = 0;
    std::string out = runCommand(std::string(NC_CLI_PATH) + " import " + archive.string() + " --out " +
                                     projectFile.string(), &status);
    ASSERT_EQ(status, 0) << name << ": " << out;
    ProjectLoad back = loadProject(projectFile.string());
    ASSERT_TRUE(back.ok()) << back.error;
    EXPECT_EQ(serializeProject(*back.project), serializeProject(*load.project)) << name;
    // save -> load -> save of the imported project is byte-identical too.
    EXPECT_EQ(serializeProject(*parseProject(serializeProject(*back.project)).project),
              serializeProject(*back.project)) << name;
  }
}

}  // namespace
}  // namespace nc::test

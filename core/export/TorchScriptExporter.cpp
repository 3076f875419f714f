#include "core/export/TorchScriptExporter.h"

#include <torch/script.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

#include "core/GraphModule.h"
#include "core/LayerType.h"
#include "core/NodeModule.h"
#include "core/export/ExportCommon.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"

namespace nc::core {

namespace {

/// "m.weight" of node var "conv1" -> "conv1_weight"; "rnn.weight_ih_l0" -> "lstm_rnn_weight_ih_l0".
std::string flatAttribute(const std::string& var, const std::string& local) {
  std::string rest = local.rfind("m.", 0) == 0 ? local.substr(2) : local;
  for (char& c : rest)
    if (c == '.') c = '_';
  return var + "_" + rest;
}

/// Everything the exporter derives from a valid graph: variable names, attribute tensors, code.
struct Script {
  std::string source;
  std::vector<std::pair<std::string, torch::Tensor>> parameters, buffers;
  std::vector<GraphIssue> issues;
};

Script buildScript(const Graph& graph, const GraphAnalysis& a, GraphModule& model) {
  Script s;
  std::map<NodeId, std::string> vars = nodeIdentifiers(graph, a.live);
  std::vector<std::string> lines;
  s.buffers.emplace_back("input_mean", model->inputMean());
  s.buffers.emplace_back("input_std", model->inputStd());
  for (NodeId id : a.live) {
    const Node& n = *graph.node(id);
    const std::string& var = vars[id];
    if (n.layer->isInput()) {
      const TensorShape* shape = a.shapeOf(id);
      lines.push_back(var + (shape->dtype == DType::Float32 ? " = (x - self.input_mean) / self.input_std" : " = x"));
      continue;
    }
    std::vector<std::string> inputs;
    for (int p = 0; p < graph.inputCount(id); ++p) inputs.push_back(vars[graph.edgeInto({id, p})->from.node]);
    if (n.layer->isOutput()) {
      lines.push_back("return " + inputs.at(0));
      continue;
    }
    std::shared_ptr<NodeModule> module = model->nodeModule(id);
    std::set<std::string> locals;
    for (const auto& p : module->named_parameters()) {
      locals.insert(p.key());
      s.parameters.emplace_back(flatAttribute(var, p.key()), p.value());
    }
    for (const auto& b : module->named_buffers()) {
      locals.insert(b.key());
      s.buffers.emplace_back(flatAttribute(var, b.key()), b.value());
    }
    Params params(n.params);
    ScriptContext ctx{params, a.inputShapes.at(id), inputs, var,
                      [var](const std::string& local) { return "self." + flatAttribute(var, local); },
                      [locals](const std::string& local) { return locals.count(local) > 0; }};
    std::optional<std::string> code = n.layer->emitScript(ctx);
    if (!code) {
      s.issues.push_back({id, Severity::Error, n.name + " (" + n.type + ") cannot be exported to TorchScript yet"});
      continue;
    }
    size_t start = 0;
    while (start <= code->size()) {
      size_t end = code->find('\n', start);
      std::string line = code->substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!line.empty()) lines.push_back(line);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  s.source = "def forward(self, x: Tensor) -> Tensor:\n";
  for (const auto& l : lines) s.source += "    " + l + "\n";
  return s;
}

std::string metadataJson(const Project& project, const GraphAnalysis& a, const std::vector<std::string>& classes) {
  const TensorShape& in = *a.shapeOf(a.inputNode);
  nlohmann::json input = {{"shape", in.dims}, {"dtype", dtypeName(in.dtype)}};
  if (in.dtype == DType::Int64) input["vocab_size"] = in.vocab;
  else input["range"] = {0.0, 1.0};
  nlohmann::json meta = {{"format", "neuralcanvas-model"},
                         {"version", 1},
                         {"neuralcanvas_version", NC_VERSION},
                         {"name", project.name},
                         {"input", input},
                         {"output", {{"shape", a.modelOutput()->dims}}},
                         {"class_names", classes}};
  return meta.dump(2);
}

}  // namespace

std::vector<GraphIssue> checkExportable(const Graph& graph) {
  GraphAnalysis a = analyze(graph);
  if (!a.ok()) return analysisErrors(a);
  GraphModule model(graph, a);
  return buildScript(graph, a, model).issues;
}

std::string generateTorchScript(const Graph& graph, std::string* error) {
  GraphAnalysis a = analyze(graph);
  if (!a.ok()) {
    if (error) *error = "the model has errors; run validate for details";
    return {};
  }
  GraphModule model(graph, a);
  Script s = buildScript(graph, a, model);
  if (!s.issues.empty() && error) *error = s.issues.front().message;
  return s.issues.empty() ? s.source : std::string();
}

Status exportTorchScript(const Project& project, const std::string& outPath, const ExportOptions& options) {
  try {
    GraphAnalysis a = analyze(project.graph);
    if (!a.ok()) return Status::error("the model has errors; run validate for details");
    GraphModule model(project.graph, a);
    if (!options.checkpoint.empty()) loadCheckpoint(options.checkpoint, model, nullptr, /*restoreRng=*/false);
    model->eval();
    Script s = buildScript(project.graph, a, model);
    if (!s.issues.empty()) {
      std::string msg = "cannot export:";
      for (const auto& i : s.issues) msg += " " + i.message + ";";
      return Status::error(msg);
    }
    torch::NoGradGuard guard;
    torch::jit::Module m("NeuralCanvasModel");
    for (const auto& [name, t] : s.parameters) m.register_parameter(name, t.detach().clone(), /*is_buffer=*/false);
    for (const auto& [name, t] : s.buffers) m.register_buffer(name, t.detach().clone());
    m.define(s.source);
    m.eval();
    std::vector<std::string> classes = options.classNames;
    if (classes.empty()) {
      // The class names come with the data; without readable data the archive simply lacks them.
      DatasetLoad data = loadDataset(project.data);
      if (data.ok()) classes = data.dataset->classNames;
    }
    torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", metadataJson(project, a, classes)},
                                    {"neuralcanvas/project.json", serializeProject(project)}};
    std::string tmp = outPath + ".tmp-" + std::to_string(::getpid());
    try {
      m.save(tmp, extra);
    } catch (const std::exception& e) {
      std::remove(tmp.c_str());
      return Status::error(outPath + ": cannot write (" + std::string(e.what()).substr(0, 200) + ")");
    }
    if (std::rename(tmp.c_str(), outPath.c_str()) != 0) {
      std::remove(tmp.c_str());
      return Status::error(outPath + ": cannot replace file");
    }
    return {};
  } catch (const c10::Error& e) {
    return Status::error("export failed: " + std::string(e.what_without_backtrace()).substr(0, 600));
  } catch (const std::exception& e) {
    return Status::error(std::string("export failed: ") + e.what());
  }
}

ProjectLoad importProjectFromArchive(const std::string& archivePath) {
  try {
    torch::jit::ExtraFilesMap extra{{"neuralcanvas/project.json", ""}};
    torch::jit::load(archivePath, torch::kCPU, extra);
    const std::string& text = extra["neuralcanvas/project.json"];
    if (text.empty()) return {std::nullopt, archivePath + ": not exported by NeuralCanvas (no neuralcanvas/project.json)"};
    ProjectLoad r = parseProject(text);
    if (!r.ok()) r.error = archivePath + ": embedded project: " + r.error;
    return r;
  } catch (const c10::Error& e) {
    return {std::nullopt, archivePath + ": not a TorchScript archive (" +
                              std::string(e.what_without_backtrace()).substr(0, 200) + ")"};
  }
}

}  // namespace nc::core

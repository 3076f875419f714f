#include "core/export/PythonExporter.h"

#include <torch/script.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/LayerType.h"
#include "core/NodeModule.h"
#include "core/export/ExportCommon.h"
#include "core/training/Checkpoint.h"

namespace nc::core {

namespace {

const char* const kIndent = "    ";

/// Everything the exporter derives from a valid graph: the source and the state dict entries.
struct PythonModel {
  std::string source;
  std::vector<std::pair<std::string, torch::Tensor>> state;
  std::vector<GraphIssue> issues;
  std::string error;  // set by buildProject(): why there is no usable source
};

/// The project name as a class name hint: "CNN (Fashion-MNIST)" -> "CNNFashionMNIST", "char lstm" ->
/// "CharLstm" (the scope makes it a fresh identifier).
std::string classNameHint(const std::string& projectName) {
  std::string out;
  bool wordStart = true;
  for (char c : projectName) {
    auto u = static_cast<unsigned char>(c);
    bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
    if (!alnum) {
      wordStart = true;
      continue;
    }
    out += wordStart ? char(std::toupper(u)) : c;
    wordStart = false;
  }
  if (out.empty()) return "NeuralCanvasModel";
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out = "Model" + out;
  return out;
}

std::string baseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// "1, 28, 28".
std::string joinedDims(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s;
}

/// A node-local state name through the layer's PythonCode::state rules, or nullopt when none matches.
std::optional<std::string> mapState(const std::string& local,
                                    const std::vector<std::pair<std::string, std::string>>& rules) {
  for (const auto& [from, to] : rules) {
    bool matches = from.empty() || local == from || (from.back() == '.' && local.rfind(from, 0) == 0);
    if (matches) return to + local.substr(from.size());
  }
  return std::nullopt;
}

/// The module docstring, imports, class, load() helper and example, around the nodes' statements.
std::string assembleSource(const std::string& projectName, const std::string& cls, const std::string& stateFile,
                           const TensorShape& in, const TensorShape& out, const std::vector<std::string>& init,
                           const std::vector<std::string>& forward) {
  bool tokens = in.dtype == DType::Int64;
  std::string inputDoc = tokens ? "token ids (int64) [batch, " + joinedDims(in.dims) + "], vocabulary " +
                                      std::to_string(in.vocab)
                                : "float [batch, " + joinedDims(in.dims) +
                                      "] (images in [0, 1]; normalized inside forward)";
  // The project and file names are user text: only ever emitted through escapeCodeText.
  std::string s;
  s += "\"\"\"" + escapeCodeText(projectName, CodeLanguage::Python) + ": a PyTorch model exported by NeuralCanvas " +
       NC_VERSION + ".\n\n";
  s += "forward(x) takes " + inputDoc + "\nand returns [batch, " + joinedDims(out.dims) + "] (logits).\n";
  s += "The weights are in " + escapeCodeText(stateFile, CodeLanguage::Python) +
       " beside this file; load() reads them.\n\"\"\"\n";
  s += "from pathlib import Path\n\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n";
  s += "STATE_FILE = " + codeStringLiteral(stateFile, CodeLanguage::Python) + "\n\n\n";
  s += "class " + cls + "(nn.Module):\n";
  s += std::string(kIndent) + "def __init__(self):\n";
  s += std::string(kIndent) + kIndent + "super().__init__()\n";
  for (const auto& l : init) s += std::string(kIndent) + kIndent + l + "\n";
  s += "\n" + std::string(kIndent) + "def forward(self, x):\n";
  for (const auto& l : forward) s += std::string(kIndent) + kIndent + l + "\n";
  s += "\n\ndef load(path=None, map_location=\"cpu\"):\n";
  s += std::string(kIndent) + "\"\"\"A " + cls +
       " with the exported weights (by default STATE_FILE beside this file), in eval mode.\"\"\"\n";
  s += std::string(kIndent) + "model = " + cls + "()\n";
  s += std::string(kIndent) + "state = torch.load(path or Path(__file__).with_name(STATE_FILE), map_location=map_location)\n";
  s += std::string(kIndent) + "model.load_state_dict(state)\n";
  s += std::string(kIndent) + "return model.eval()\n";
  s += "\n\nif __name__ == \"__main__\":\n";
  s += std::string(kIndent) + "model = load()\n";
  s += std::string(kIndent) + "x = " +
       (tokens ? "torch.randint(0, " + std::to_string(in.vocab) + ", (2, " + joinedDims(in.dims) + "))"
               : "torch.rand(2, " + joinedDims(in.dims) + ")") +
       "\n";
  s += std::string(kIndent) + "with torch.no_grad():\n";
  s += std::string(kIndent) + kIndent + "print(model(x).shape)\n";
  return s;
}

PythonModel buildPython(const Graph& graph, const std::string& projectName, const GraphAnalysis& a, GraphModule& model,
                        const std::string& stateFile) {
  PythonModel m;
  // One scope for every name of the file: the class, then the node variables (each also the
  // node's attribute on self), then the temporaries and extra attributes the layers ask for.
  NameScope scope;
  const std::string cls = scope.fresh(classNameHint(projectName));
  std::vector<NodeId> named;
  for (NodeId id : a.live)
    if (!graph.node(id)->layer->isOutput()) named.push_back(id);
  std::map<NodeId, std::string> vars = nodeIdentifiers(graph, named, scope);
  std::vector<std::string> init, forward;
  std::set<std::string> keys;
  auto addState = [&](const Node& n, const std::string& key, const torch::Tensor& t) {
    if (!keys.insert(key).second)
      m.issues.push_back({n.id, Severity::Error,
                          n.name + " (" + n.type + "): its PyTorch state name '" + key +
                              "' clashes with another node's; rename the node"});
    m.state.emplace_back(key, t);
  };
  const TensorShape& in = *a.shapeOf(a.inputNode);
  if (in.dtype == DType::Float32) {
    // Identity until the state dict is loaded; shapes as in the model (they broadcast over a sample).
    init.push_back("self.register_buffer(\"input_mean\", torch.zeros(" + joinedDims(model->inputMean().sizes().vec()) +
                   "))");
    init.push_back("self.register_buffer(\"input_std\", torch.ones(" + joinedDims(model->inputStd().sizes().vec()) +
                   "))");
    m.state.emplace_back("input_mean", model->inputMean());
    m.state.emplace_back("input_std", model->inputStd());
    keys = {"input_mean", "input_std"};
  }
  for (NodeId id : a.live) {
    const Node& n = *graph.node(id);
    forward.push_back(codeComment(n.name + " (" + n.type + ")"));
    if (n.layer->isOutput()) {
      forward.push_back("return " + vars.at(graph.edgeInto({id, 0})->from.node));
      continue;
    }
    const std::string var = vars.at(id);
    if (n.layer->isInput()) {
      forward.push_back(var + (in.dtype == DType::Float32 ? " = (x - self.input_mean) / self.input_std" : " = x"));
      continue;
    }
    std::vector<std::string> inputs;
    for (int p = 0; p < graph.inputCount(id); ++p) inputs.push_back(vars.at(graph.edgeInto({id, p})->from.node));
    std::shared_ptr<NodeModule> module = model->nodeModule(id);
    std::vector<std::pair<std::string, torch::Tensor>> locals;
    for (const auto& p : module->named_parameters()) locals.emplace_back(p.key(), p.value());
    for (const auto& b : module->named_buffers()) locals.emplace_back(b.key(), b.value());
    std::set<std::string> localNames;
    for (const auto& l : locals) localNames.insert(l.first);
    Params params(n.params);
    auto temps = std::make_shared<std::map<std::string, std::string>>();
    auto temp = [temps, var, &scope](const std::string& hint) {
      auto it = temps->find(hint);
      if (it == temps->end()) it = temps->emplace(hint, scope.fresh(var + "_" + hint)).first;
      return it->second;
    };
    PythonContext ctx{params, a.inputShapes.at(id), inputs, var, var,
                      [localNames](const std::string& local) { return localNames.count(local) > 0; }, temp};
    std::optional<PythonCode> code = n.layer->emitPython(ctx);
    if (!code) {
      m.issues.push_back({id, Severity::Error,
                          n.name + " (" + n.type + ") cannot be exported to PyTorch source: " + n.type +
                              " has no Python form"});
      continue;
    }
    for (const auto& [local, t] : locals) {
      std::optional<std::string> key = mapState(local, code->state);
      if (!key) {
        m.issues.push_back({id, Severity::Error,
                            n.name + " (" + n.type + ") cannot be exported to PyTorch source: its state '" + local +
                                "' has no Python name"});
        continue;
      }
      addState(n, *key, t);
    }
    init.insert(init.end(), code->init.begin(), code->init.end());
    forward.insert(forward.end(), code->forward.begin(), code->forward.end());
  }
  m.source = assembleSource(projectName, cls, stateFile, in, *a.modelOutput(), init, forward);
  return m;
}

/// The whole export short of writing: analysis, checkpoint, generation. Failures (the graph's errors,
/// nodes that cannot export, an unreadable checkpoint) come back in `error`, never as exceptions.
PythonModel buildProject(const Project& project, const ExportOptions& options, const std::string& stateFile) {
  PythonModel m;
  try {
    GraphAnalysis a = analyze(project.graph);
    if (!a.ok()) {
      m.error = "the model has errors; run validate for details";
      return m;
    }
    GraphModule model(project.graph, a);
    if (!options.checkpoint.empty()) loadCheckpoint(options.checkpoint, model, nullptr, /*restoreRng=*/false);
    m = buildPython(project.graph, project.name, a, model, stateFile);
    if (!m.issues.empty()) {
      m.error = "cannot export to PyTorch source:";
      for (const auto& i : m.issues) m.error += " " + i.message + ";";
    }
  } catch (const c10::Error& e) {
    m.error = "export failed: " + std::string(e.what_without_backtrace()).substr(0, 600);
  } catch (const std::exception& e) {
    m.error = std::string("export failed: ") + e.what();
  }
  return m;
}

}  // namespace

std::vector<GraphIssue> checkPythonExportable(const Graph& graph) {
  GraphAnalysis a = analyze(graph);
  if (!a.ok()) return analysisErrors(a);
  GraphModule model(graph, a);
  return buildPython(graph, "model", a, model, "model.state.pt").issues;
}

std::string pythonStatePath(const std::string& sourcePath) {
  const std::string ext = ".py";
  bool isPy = sourcePath.size() > ext.size() && sourcePath.compare(sourcePath.size() - ext.size(), ext.size(), ext) == 0;
  return (isPy ? sourcePath.substr(0, sourcePath.size() - ext.size()) : sourcePath) + ".state.pt";
}

std::string generatePythonSource(const Project& project, const ExportOptions& options, const std::string& sourcePath,
                                 std::string* error) {
  PythonModel m = buildProject(project, options, baseName(pythonStatePath(sourcePath)));
  if (error) *error = m.error;
  return m.error.empty() ? m.source : std::string();
}

Status exportPython(const Project& project, const std::string& sourcePath, const ExportOptions& options) {
  const std::string statePath = pythonStatePath(sourcePath);
  PythonModel m = buildProject(project, options, baseName(statePath));
  if (!m.error.empty()) return Status::error(m.error);
  try {
    // A plain dict of tensors in torch.save's pickle format: Python's torch.load returns a dict.
    c10::Dict<std::string, at::Tensor> state;
    for (const auto& [key, t] : m.state) state.insert(key, t.detach().to(torch::kCPU).clone());
    std::vector<char> bytes = torch::pickle_save(c10::IValue(state));
    if (Status s = writeFileAtomic(statePath, std::string(bytes.begin(), bytes.end())); !s) return s;
    return writeFileAtomic(sourcePath, m.source);
  } catch (const c10::Error& e) {
    return Status::error("export failed: " + std::string(e.what_without_backtrace()).substr(0, 600));
  }
}

}  // namespace nc::core

namespace nc::core {

namespace {

std::string shapeText(const torch::Tensor& t) { return "[" + joinedDims(t.sizes().vec()) + "]"; }

/// "a, b, c" (at most `most` of them, then "and N more").
std::string someKeys(const std::vector<std::string>& keys, size_t most = 6) {
  std::string s;
  for (size_t i = 0; i < keys.size() && i < most; ++i) s += (i ? ", " : "") + keys[i];
  if (keys.size() > most) s += " and " + std::to_string(keys.size() - most) + " more";
  return s;
}

/// The {key: tensor} dict in a torch.save / pickle_save file; throws std::runtime_error naming
/// what is wrong (the caller adds the file name).
std::map<std::string, torch::Tensor> readStateDict(const std::string& stateFile) {
  std::ifstream in(stateFile, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the file (missing or not readable)");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) throw std::runtime_error("the file is empty");
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    throw std::runtime_error("cannot be read as a dict of tensors written by torch.save (an OrderedDict such as "
                             "model.state_dict() itself cannot be read here: save it with "
                             "torch.save(dict(model.state_dict()), path)): " + what.substr(0, what.find('\n')).substr(0, 200));
  }
  if (!value.isGenericDict())
    throw std::runtime_error("holds a " + value.tagKind() +
                             ", not a dict of tensors (save it with torch.save(dict(model.state_dict()), path))");
  std::map<std::string, torch::Tensor> out;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString())
      throw std::runtime_error("a key of the dict is a " + entry.key().tagKind() + ", not text");
    const std::string key = entry.key().toStringRef();
    if (!entry.value().isTensor())
      throw std::runtime_error("'" + toUtf8(key) + "' is a " + entry.value().tagKind() + ", not a tensor");
    out[key] = entry.value().toTensor();
  }
  return out;
}

}  // namespace

Status loadPythonState(const Project& project, const std::string& stateFile, GraphModule& model) {
  try {
    GraphAnalysis a = analyze(project.graph);
    if (!a.ok()) return Status::error("the model has errors; run validate for details");
    // The same naming code as the export: key -> the model's own tensor.
    PythonModel m = buildPython(project.graph, project.name, a, model, "model.state.pt");
    if (!m.issues.empty()) {
      std::string why;
      for (const auto& i : m.issues) why += " " + i.message + ";";
      return Status::error(stateFile + ": the model has no PyTorch-source form:" + why);
    }
    std::map<std::string, torch::Tensor> loaded;
    try {
      loaded = readStateDict(stateFile);
    } catch (const std::exception& e) {
      return Status::error(stateFile + ": " + e.what());
    }
    std::vector<std::string> missing, unexpected, problems;
    std::set<std::string> expected;
    for (const auto& [key, t] : m.state) {
      expected.insert(key);
      auto it = loaded.find(key);
      if (it == loaded.end()) {
        missing.push_back(key);
        continue;
      }
      const torch::Tensor& v = it->second;
      bool normalization = key == "input_mean" || key == "input_std";
      if (!normalization && v.sizes() != t.sizes())
        problems.push_back("'" + key + "' is " + shapeText(v) + " in the file but " + shapeText(t) + " in the model");
      else if (v.is_floating_point() != t.is_floating_point() || v.is_complex())
        problems.push_back("'" + key + "' holds " + std::string(c10::toString(v.scalar_type())) + " values, the model " +
                           std::string(c10::toString(t.scalar_type())));
      else if (normalization && (!v.is_floating_point() || v.dim() > 8))
        problems.push_back("'" + key + "' is not a floating tensor of at most 8 dimensions");
    }
    for (const auto& [key, t] : loaded)
      if (!expected.count(key)) unexpected.push_back(toUtf8(key));
    if (!missing.empty()) problems.insert(problems.begin(), "missing keys: " + someKeys(missing));
    if (!unexpected.empty()) problems.push_back("unexpected keys: " + someKeys(unexpected));
    if (!problems.empty()) {
      std::string text;
      for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
      return Status::error(stateFile + ": the weights do not fit the model of project '" + toUtf8(project.name) +
                           "' (" + text + ")");
    }
    torch::NoGradGuard guard;
    for (const auto& [key, t] : m.state) {
      if (key == "input_mean" || key == "input_std") continue;
      torch::Tensor target = t;  // the model's own tensor
      target.copy_(loaded.at(key).to(torch::kCPU));
    }
    if (loaded.count("input_mean"))
      model->setInputNormalization(loaded.at("input_mean").to(torch::kCPU, torch::kFloat32).clone(),
                                   loaded.at("input_std").to(torch::kCPU, torch::kFloat32).clone());
    return {};
  } catch (const c10::Error& e) {
    return Status::error(stateFile + ": cannot load the weights: " +
                         std::string(e.what_without_backtrace()).substr(0, 400));
  } catch (const std::exception& e) {
    return Status::error(stateFile + ": cannot load the weights: " + std::string(e.what()).substr(0, 400));
  }
}

}  // namespace nc::core

#include "core/export/TorchScriptExporter.h"

#include <torch/script.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/FileIO.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/LayerType.h"
#include "core/Sha256.h"
#include "core/NodeModule.h"
#include "core/export/ExportCommon.h"
#include "core/layers/QuantizedScript.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"

namespace nc::core {

namespace {

/// A node-local state name as the suffix of its flattened attribute: "m.weight" -> "weight",
/// "rnn.weight_ih_l0" -> "rnn_weight_ih_l0" (the scope sanitizes the rest).
std::string flatSuffix(const std::string& local) { return local.rfind("m.", 0) == 0 ? local.substr(2) : local; }

/// Everything the exporter derives from a valid graph: attribute tensors and code.
struct Script {
  std::string source;
  std::vector<std::pair<std::string, torch::Tensor>> parameters, buffers;
  std::vector<std::pair<std::string, c10::IValue>> packed;  // int8 weights (quantized export)
  std::vector<NodeId> int8Nodes;                             // nodes emitted with int8 weights
  std::set<NodeId> nodesWithParameters;                      // nodes whose module has parameters
  std::vector<GraphIssue> issues;
};

Script buildScript(const Graph& graph, const GraphAnalysis& a, GraphModule& model, QuantizeMode quantize = QuantizeMode::None) {
  Script s;
  // One scope for every name of the module: node variables first (so they read as the node
  // names), then each node's flattened attributes and temporaries.
  NameScope scope;
  std::vector<NodeId> named;
  for (NodeId id : a.live)
    if (!graph.node(id)->layer->isOutput()) named.push_back(id);
  std::map<NodeId, std::string> vars = nodeIdentifiers(graph, named, scope);
  std::vector<std::string> lines;
  s.buffers.emplace_back("input_mean", model->inputMean());
  s.buffers.emplace_back("input_std", model->inputStd());
  for (NodeId id : a.live) {
    const Node& n = *graph.node(id);
    lines.push_back(codeComment(n.name + " (" + n.type + ")"));
    if (n.layer->isOutput()) {
      lines.push_back("return " + vars.at(graph.edgeInto({id, 0})->from.node));
      continue;
    }
    const std::string var = vars.at(id);
    if (n.layer->isInput()) {
      const TensorShape* shape = a.shapeOf(id);
      lines.push_back(var + (shape->dtype == DType::Float32 ? " = (x - self.input_mean) / self.input_std" : " = x"));
      continue;
    }
    std::vector<std::string> inputs;
    for (int p = 0; p < graph.inputCount(id); ++p) inputs.push_back(vars.at(graph.edgeInto({id, p})->from.node));
    std::shared_ptr<NodeModule> module = model->nodeModule(id);
    auto attrs = std::make_shared<std::map<std::string, std::string>>();  // local state name -> attribute
    auto used = std::make_shared<std::set<std::string>>();                  // locals the code reads
    std::set<std::string> locals;
    std::vector<std::pair<std::string, torch::Tensor>> nodeParameters, nodeBuffers;  // (local, tensor)
    for (const auto& p : module->named_parameters()) {
      locals.insert(p.key());
      (*attrs)[p.key()] = scope.fresh(var + "_" + flatSuffix(p.key()));
      nodeParameters.emplace_back(p.key(), p.value());
    }
    if (!nodeParameters.empty()) s.nodesWithParameters.insert(id);
    for (const auto& b : module->named_buffers()) {
      locals.insert(b.key());
      (*attrs)[b.key()] = scope.fresh(var + "_" + flatSuffix(b.key()));
      nodeBuffers.emplace_back(b.key(), b.value());
    }
    auto temps = std::make_shared<std::map<std::string, std::string>>();
    auto attr = [attrs, used, var, &scope](const std::string& local) {
      used->insert(local);
      // A state the module lacks (only asked for by mistake) still gets a name of its own, so the
      // mistake surfaces as a missing attribute, never as another node's weights.
      auto it = attrs->find(local);
      if (it == attrs->end()) it = attrs->emplace(local, scope.fresh(var + "_" + flatSuffix(local))).first;
      return "self." + it->second;
    };
    auto hasAttr = [locals](const std::string& local) { return locals.count(local) > 0; };
    auto temp = [temps, var, &scope](const std::string& hint) {
      auto it = temps->find(hint);
      if (it == temps->end()) it = temps->emplace(hint, scope.fresh(var + "_" + hint)).first;
      return it->second;
    };
    Params params(n.params);
    ScriptContext ctx{params, a.inputShapes.at(id), inputs, var, attr, hasAttr, temp};
    std::optional<std::string> code;
    // Dynamic int8: the node's own quantized emitter, if its type has one; only the float states
    // its code reads go into the archive, next to the packed weights it created.
    const layers::QuantizedEmitter* emitter =
        quantize == QuantizeMode::DynamicInt8 ? layers::findQuantizedEmitter(n.type) : nullptr;
    if (emitter) {
      std::vector<std::pair<std::string, c10::IValue>> packed;
      auto state = [module](const std::string& local) -> torch::Tensor {
        for (const auto& p : module->named_parameters())
          if (p.key() == local) return p.value();
        for (const auto& b : module->named_buffers())
          if (b.key() == local) return b.value();
        return {};
      };
      auto addPacked = [&packed, &scope, var](const std::string& hint, const c10::IValue& value) {
        packed.emplace_back(scope.fresh(var + "_" + hint), value);
        return "self." + packed.back().first;
      };
      layers::QuantizedScriptContext qctx{ctx, state, addPacked};
      code = (*emitter)(qctx);
      if (code) {
        for (auto& p : packed) s.packed.push_back(std::move(p));
        for (const auto& [local, t] : nodeParameters)
          if (used->count(local)) s.parameters.emplace_back(attrs->at(local), t);
        for (const auto& [local, t] : nodeBuffers)
          if (used->count(local)) s.buffers.emplace_back(attrs->at(local), t);
        s.int8Nodes.push_back(id);
      }
    }
    if (!code) {
      for (const auto& [local, t] : nodeParameters) s.parameters.emplace_back(attrs->at(local), t);
      for (const auto& [local, t] : nodeBuffers) s.buffers.emplace_back(attrs->at(local), t);
      code = n.layer->emitScript(ctx);
    }
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

/// SHA-256 over named tensors in name order: for each, its name, dtype, sizes and raw bytes.
std::string weightsDigest(std::vector<std::pair<std::string, torch::Tensor>> named) {
  std::sort(named.begin(), named.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  Sha256 h;
  for (const auto& [name, tensor] : named) {
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    std::string header = name + '\0' + std::string(c10::toString(t.scalar_type())) + '\0';
    for (int64_t d : t.sizes()) header += std::to_string(d) + ",";
    header += '\0';
    h.update(header);
    h.update(t.data_ptr(), t.numel() * t.element_size());
  }
  return h.hexDigest();
}

/// Hashes a packed-weights state (what its __getstate__ returns: tuples, lists, int8 tensors with
/// their scales, numbers, strings, nested packed objects) into `h`, with a tag per value.
void hashPackedState(Sha256& h, const c10::IValue& v, int depth = 0) {
  if (depth > 16) throw std::runtime_error("packed weights nested too deeply");
  auto tensor = [&h](const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    std::string header = "T" + std::string(c10::toString(c.scalar_type())) + ":";
    for (int64_t d : c.sizes()) header += std::to_string(d) + ",";
    h.update(header);
    h.update(c.data_ptr(), c.numel() * c.element_size());
  };
  if (v.isTensor()) {
    torch::Tensor t = v.toTensor();
    if (!t.defined()) {
      h.update("U");
    } else if (t.is_quantized()) {
      tensor(t.int_repr());
      if (t.qscheme() == at::kPerChannelAffine || t.qscheme() == at::kPerChannelSymmetric) {
        tensor(t.q_per_channel_scales());
        tensor(t.q_per_channel_zero_points());
      } else {
        double scale = t.q_scale();
        h.update("S");
        h.update(&scale, sizeof scale);
        h.update(std::to_string(t.q_zero_point()));
      }
    } else {
      tensor(t);
    }
  } else if (v.isTuple()) {
    h.update("(");
    for (const auto& e : v.toTupleRef().elements()) hashPackedState(h, e, depth + 1);
    h.update(")");
  } else if (v.isList()) {
    h.update("[");
    for (const auto& e : v.toListRef()) hashPackedState(h, e, depth + 1);
    h.update("]");
  } else if (v.isObject()) {
    torch::jit::Function* getState = v.toObjectRef().type()->findMethod("__getstate__");
    if (!getState) throw std::runtime_error("packed weights of type " + v.type()->str() + " cannot be read");
    h.update("O" + v.type()->str() + ":");
    hashPackedState(h, (*getState)({v}), depth + 1);
  } else if (v.isDouble()) {
    double d = v.toDouble();
    h.update("D");
    h.update(&d, sizeof d);
  } else if (v.isInt() || v.isBool() || v.isString() || v.isNone()) {
    h.update("V" + v.tagKind() + ":" + (v.isString() ? v.toStringRef() : v.isNone() ? "" : v.isBool() ? std::to_string(v.toBool()) : std::to_string(v.toInt())) + ";");
  } else {
    throw std::runtime_error("packed weights hold a " + v.tagKind() + " that cannot be checked");
  }
}

/// The archive's weights as verifyArchive() and the exporter hash them: every parameter and buffer
/// (weightsDigest), and for quantized exports also every packed-weights attribute (by name: its
/// int8 weights, scales and float biases as its __getstate__ gives them). Float archives hash as
/// they always did.
std::string moduleWeightsDigest(const torch::jit::Module& m) {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : m.named_parameters(/*recurse=*/false)) named.emplace_back(p.name, p.value);
  for (const auto& b : m.named_buffers(/*recurse=*/false)) named.emplace_back(b.name, b.value);
  std::string digest = weightsDigest(std::move(named));
  std::vector<std::pair<std::string, c10::IValue>> packed;
  for (const auto& a : m.named_attributes(/*recurse=*/false))
    if (a.value.isObject() && a.value.type()->str().rfind("__torch__.torch.classes.", 0) == 0)
      packed.emplace_back(a.name, a.value);
  if (packed.empty()) return digest;
  std::sort(packed.begin(), packed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  Sha256 h;
  h.update(digest);
  for (const auto& [name, value] : packed) {
    h.update(name + '\0');
    hashPackedState(h, value);
  }
  return h.hexDigest();
}

/// The byte a byte-level vocabulary entry stands for: the raw byte, or that byte read as Latin-1
/// in UTF-8 ("\xC3\xA9" for 0xE9); -1 for anything else.
int tokenByte(const std::string& name) {
  if (name.size() == 1) return static_cast<unsigned char>(name[0]);
  auto lead = static_cast<unsigned char>(name.size() == 2 ? name[0] : 0);
  auto trail = static_cast<unsigned char>(name.size() == 2 ? name[1] : 0);
  if ((lead != 0xC2 && lead != 0xC3) || (trail & 0xC0) != 0x80) return -1;
  return ((lead & 0x03) << 6) | (trail & 0x3F);
}

std::string metadataJson(const Project& project, const GraphAnalysis& a, const std::vector<std::string>& classes,
                         const std::string& weightsSha256, QuantizeMode quantize, int64_t parameterCount,
                         const nlohmann::json& quantizedNodes) {
  const TensorShape& in = *a.shapeOf(a.inputNode);
  nlohmann::json input = {{"shape", in.dims}, {"dtype", dtypeName(in.dtype)}};
  if (in.dtype == DType::Int64) input["vocab_size"] = in.vocab;
  else input["range"] = {0.0, 1.0};
  nlohmann::json names = nlohmann::json::array();
  nlohmann::json bytes = nlohmann::json::array();
  bool byteTokens = !classes.empty();
  for (const auto& c : classes) {
    names.push_back(toUtf8(c));
    int b = tokenByte(c);
    byteTokens = byteTokens && b >= 0;
    bytes.push_back(b);
  }
  nlohmann::json meta = {{"format", "neuralcanvas-model"},
                         {"version", 1},
                         {"neuralcanvas_version", NC_VERSION},
                         {"name", toUtf8(project.name)},
                         {"input", input},
                         {"output", {{"shape", a.modelOutput()->dims}}},
                         {"class_names", names},
                         {"weights_sha256", weightsSha256},
                         {"quantization", quantizeModeName(quantize)},
                         {"parameters", parameterCount}};
  // Byte-level text models: the byte each token id stands for, exactly (class_names are text).
  if (in.dtype == DType::Int64 && byteTokens) meta["vocabulary_bytes"] = bytes;
  if (quantize != QuantizeMode::None) meta["quantized"] = quantizedNodes;
  return dumpJson(meta, 2);
}

/// For a quantized export: {"int8": [{"name", "type"}...], "float": [...]}: the nodes with weights
/// (parameters) and whether they were emitted with int8 weights or stayed float.
nlohmann::json nodeSummary(const Graph& graph, const GraphAnalysis& a, const Script& s) {
  nlohmann::json int8 = nlohmann::json::array(), floats = nlohmann::json::array();
  std::set<NodeId> quantized(s.int8Nodes.begin(), s.int8Nodes.end());
  for (NodeId id : a.live) {
    const Node& n = *graph.node(id);
    nlohmann::json entry = {{"name", toUtf8(n.name)}, {"type", n.type}};
    if (quantized.count(id)) int8.push_back(entry);
    else if (s.nodesWithParameters.count(id)) floats.push_back(entry);
  }
  return {{"int8", int8}, {"float", floats}};
}

/// The float model's trainable parameters (also for quantized exports, whose packed weights are
/// no longer parameters of the archive).
int64_t trainableParameterCount(GraphModule& model) {
  int64_t count = 0;
  for (const auto& p : model->parameters())
    if (p.requires_grad()) count += p.numel();
  return count;
}

std::string baseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
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

std::string archiveChecksumPath(const std::string& archivePath) { return archivePath + ".sha256"; }

Status exportTorchScript(const Project& project, const std::string& outPath, const ExportOptions& options) {
  try {
    GraphAnalysis a = analyze(project.graph);
    if (!a.ok()) return Status::error("the model has errors; run validate for details");
    GraphModule model(project.graph, a);
    if (!options.checkpoint.empty()) loadCheckpoint(options.checkpoint, model, nullptr, /*restoreRng=*/false);
    model->eval();
    if (options.quantize == QuantizeMode::DynamicInt8 && !quantizedEngineAvailable())
      return Status::error("cannot quantize: this LibTorch build has no quantized engine (oneDNN, FBGEMM or QNNPACK)");
    Script s = buildScript(project.graph, a, model, options.quantize);
    if (!s.issues.empty()) {
      std::string msg = "cannot export:";
      for (const auto& i : s.issues) msg += " " + i.message + ";";
      return Status::error(msg);
    }
    torch::NoGradGuard guard;
    torch::jit::Module m("NeuralCanvasModel");
    // The naming scope makes every attribute name unique; registering one twice would silently
    // replace the first tensor, so it is checked rather than trusted.
    std::set<std::string> registered;
    auto add = [&](const std::string& name, const torch::Tensor& t, bool buffer) {
      if (!registered.insert(name).second || m.hasattr(name))
        throw std::logic_error("attribute '" + name + "' would be registered twice (this is a bug in NeuralCanvas)");
      if (buffer) m.register_buffer(name, t.detach().clone());
      else m.register_parameter(name, t.detach().clone(), /*is_buffer=*/false);
    };
    for (const auto& [name, t] : s.parameters) add(name, t, false);
    for (const auto& [name, t] : s.buffers) add(name, t, true);
    for (const auto& [name, value] : s.packed) {
      if (!registered.insert(name).second || m.hasattr(name))
        throw std::logic_error("attribute '" + name + "' would be registered twice (this is a bug in NeuralCanvas)");
      m.register_attribute(name, value.type(), value);
    }
    // Quantized code calls torch.ops.quantized.*, which the native resolver does not know.
    if (s.packed.empty()) m.define(s.source);
    else m.define(s.source, layers::quantizedOpsResolver());
    m.eval();
    std::vector<std::string> classes = options.classNames;
    if (classes.empty()) {
      // The class names come with the data; without readable data the archive simply lacks them.
      DatasetLoad data = loadDataset(project.data);
      if (data.ok()) classes = data.dataset->classNames;
    }
    torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", metadataJson(project, a, classes, moduleWeightsDigest(m), options.quantize,
                                                                                    trainableParameterCount(model),
                                                                                    nodeSummary(project.graph, a, s))},
                                    {"neuralcanvas/project.json", serializeProject(project)}};
    std::string tmp = tempPathFor(outPath);
    try {
      m.save(tmp, extra);
    } catch (const std::exception& e) {
      std::remove(tmp.c_str());
      return Status::error(outPath + ": cannot write (" + std::string(e.what()).substr(0, 200) + ")");
    }
    std::string digest = sha256File(tmp);
    if (digest.empty()) {
      std::remove(tmp.c_str());
      return Status::error(outPath + ": cannot read back the archive just written");
    }
    // A checksum of the previous archive must not outlive it: removed first, a crash before the
    // new one is written leaves an archive that is still checked by its weights digest.
    std::remove(archiveChecksumPath(outPath).c_str());
    if (Status c = commitTempFile(tmp, outPath); !c) return c;
    // sha256sum's format, so that `sha256sum -c model.pt.sha256` checks it too.
    return writeFileAtomic(archiveChecksumPath(outPath), digest + "  " + baseName(outPath) + "\n");
  } catch (const c10::Error& e) {
    return Status::error("export failed: " + std::string(e.what_without_backtrace()).substr(0, 600));
  } catch (const std::exception& e) {
    return Status::error(std::string("export failed: ") + e.what());
  }
}

Status verifyArchive(const std::string& archivePath) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(archivePath, ec)) return Status::error(archivePath + ": file not found");
  const std::string sidecar = archiveChecksumPath(archivePath);
  if (std::filesystem::exists(sidecar, ec)) {
    std::ifstream in(sidecar, std::ios::binary);
    std::string recorded;
    in >> recorded;
    bool hex = recorded.size() == 64 &&
               std::all_of(recorded.begin(), recorded.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (!hex) return Status::error(archivePath + ": its checksum file " + baseName(sidecar) + " holds no SHA-256 digest");
    std::string actual = sha256File(archivePath);
    if (actual.empty()) return Status::error(archivePath + ": cannot read the file");
    std::transform(recorded.begin(), recorded.end(), recorded.begin(), [](char c) { return char(std::tolower(c)); });
    if (actual != recorded)
      return Status::error(archivePath + ": the archive is damaged: its SHA-256 is " + actual.substr(0, 16) +
                           "..., not the " + recorded.substr(0, 16) + "... recorded in " + baseName(sidecar) +
                           " when it was exported (the file was changed or corrupted); export it again");
  }
  try {
    useFastQuantizedEngine();  // a quantized archive's packed weights are repacked while loading
    torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", ""}};
    torch::jit::Module m = torch::jit::load(archivePath, torch::kCPU, extra);
    const std::string& text = extra["neuralcanvas/meta.json"];
    if (text.empty()) return {};  // not a NeuralCanvas export: nothing recorded to compare with
    JsonParse meta = parseJson(text);
    if (!meta.ok() || !meta.value.is_object())
      return Status::error(archivePath + ": the archive is damaged: neuralcanvas/meta.json is not valid JSON");
    auto it = meta.value.find("weights_sha256");
    if (it == meta.value.end()) return {};  // exported before checksums were recorded
    if (!it->is_string())
      return Status::error(archivePath + ": the archive is damaged: meta.json's weights_sha256 is not a string");
    std::string actual = moduleWeightsDigest(m);
    if (actual != it->get<std::string>())
      return Status::error(archivePath + ": the archive is damaged: its weights' SHA-256 is " + actual.substr(0, 16) +
                           "..., not the " + it->get<std::string>().substr(0, 16) +
                           "... recorded when it was exported (the weights were changed or corrupted)");
    return {};
  } catch (const c10::Error& e) {
    return Status::error(archivePath + ": not a TorchScript archive (" +
                         std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  } catch (const std::exception& e) {
    return Status::error(archivePath + ": not a TorchScript archive (" + std::string(e.what()).substr(0, 200) +
                         ")");
  }
}

ProjectLoad importProjectFromArchive(const std::string& archivePath) {
  if (Status v = verifyArchive(archivePath); !v) return {std::nullopt, v.message()};
  try {
    useFastQuantizedEngine();
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

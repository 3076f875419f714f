#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/Params.h"
#include "core/TensorShape.h"

namespace nc::core {

class NodeModule;  // core/NodeModule.h (LibTorch); kept out of this header on purpose.

/// What a layer sees when it infers shapes or builds its module: its own parameters
/// (complete and validated) and the shapes arriving on its input ports.
struct LayerContext {
  const Params& params;
  const std::vector<TensorShape>& inputs;
  const TensorShape& in(size_t i = 0) const { return inputs.at(i); }
};

/// Result of shape inference for one node: its output shape, or a message for the user.
struct ShapeResult {
  std::optional<TensorShape> output;  // empty for Output nodes and on error
  std::string error;

  static ShapeResult of(TensorShape s) { return {std::move(s), {}}; }
  static ShapeResult none() { return {}; }
  static ShapeResult fail(std::string message) { return {std::nullopt, std::move(message)}; }
  bool ok() const { return error.empty(); }
};

/// What the TorchScript exporter hands a layer. The exported module is evaluation-only (dropout off,
/// batch norm on running statistics) and has the node's parameters and buffers registered as flat
/// attributes: attr("m.weight") names the attribute holding this node's "m.weight" (the name
/// within the node's NodeModule, as in its named_parameters() / named_buffers()), e.g.
/// "self.conv1_weight".
struct ScriptContext {
  const Params& params;
  const std::vector<TensorShape>& inputs;  // shapes without batch, as in infer()
  std::vector<std::string> inputVars;       // variables holding the inputs, e.g. {"pool1"}
  std::string outputVar;                    // variable to assign, e.g. "conv2"
  std::function<std::string(const std::string&)> attr;
  /// Whether the node's module has that parameter or buffer (e.g. "m.bias" with bias=false: no).
  std::function<bool(const std::string&)> hasAttr;
  /// The variable for a temporary of this node, e.g. temp("q") -> "att_q": unique in the whole
  /// generated module (never another node's variable, attribute or temporary); the same name for
  /// the same hint within the node. Every name a layer emits besides outputVar must come from here.
  std::function<std::string(const std::string&)> temp;
};

/// What the PyTorch source exporter hands a layer. The generated file holds one nn.Module whose
/// __init__ declares the node's state as attributes named from `attr` (e.g. self.conv1 =
/// nn.Conv2d(...)) and whose forward computes the node with training semantics intact (dropout and
/// batch norm as modules, so model.train() / model.eval() behave as in PyTorch).
struct PythonContext {
  const Params& params;
  const std::vector<TensorShape>& inputs;  // shapes without batch, as in infer()
  std::vector<std::string> inputVars;       // forward's variables holding the inputs, e.g. {"pool1"}
  std::string outputVar;                    // forward variable to assign, e.g. "conv2"
  std::string attr;                         // the node's attribute name on self, e.g. "conv2" (unique)
  /// Whether the node's module has that parameter or buffer (e.g. "m.bias" with bias=false: no).
  std::function<bool(const std::string&)> hasState;
  /// A name for a temporary of this node (a forward or __init__ local, or an extra attribute on
  /// self such as a dropout module), as ScriptContext::temp: unique in the whole generated module,
  /// the same name for the same hint within the node.
  std::function<std::string(const std::string&)> temp;
};

/// A layer's contribution to the PyTorch source (see LayerType::emitPython).
struct PythonCode {
  /// Statements of __init__ (no indentation), e.g. "self.conv2 = nn.Conv2d(32, 64, 3, padding=1)";
  /// empty for stateless nodes computed by functions in forward.
  std::vector<std::string> init;
  /// Statements of forward (no indentation); the last one assigns ctx.outputVar.
  std::vector<std::string> forward;
  /// How the node's state names (as in its NodeModule's named_parameters() / named_buffers(), e.g.
  /// "m.weight") become keys of the Python module's state_dict: each pair replaces a leading
  /// {from, to}, e.g. {"m.", "conv2."}; `from` is a whole name or ends with '.' (or is empty: all).
  /// The first matching pair applies; every state name must match one.
  std::vector<std::pair<std::string, std::string>> state;
};

/// One layer type: everything the program needs to know about it lives in the subclass,
/// defined once in its own file under core/layers/ and registered with NC_REGISTER_LAYER.
class LayerType {
 public:
  LayerType(std::string name, std::string category, std::string doc, std::vector<ParamSpec> params);
  virtual ~LayerType() = default;

  const std::string& name() const { return m_name; }
  const std::string& category() const { return m_category; }
  const std::string& doc() const { return m_doc; }
  const std::vector<ParamSpec>& params() const { return m_params; }
  const ParamSpec* paramSpec(const std::string& name) const;
  ParamMap defaults() const;
  /// Every parameter present, of its kind and in range; messages name the parameter.
  Status validateParams(const ParamMap& params) const;

  /// Names of the input ports (may depend on parameters, e.g. Concat's number of inputs).
  virtual std::vector<std::string> inputPorts(const Params&) const { return {"in"}; }
  /// 1 for every layer except Output.
  virtual int outputCount() const { return 1; }
  virtual bool isInput() const { return false; }
  virtual bool isOutput() const { return false; }

  /// Input shapes + parameters -> output shape, or a message a person understands.
  virtual ShapeResult infer(const LayerContext& ctx) const = 0;
  /// The LibTorch module computing this node. Only called after infer() succeeded.
  virtual std::shared_ptr<NodeModule> build(const LayerContext& ctx) const = 0;
  /// Number of trainable parameters (must equal the built module's parameters()).
  virtual int64_t paramCount(const LayerContext&) const { return 0; }
  /// Estimated floating point operations per sample for a forward pass.
  virtual int64_t flops(const LayerContext&, const TensorShape& /*output*/) const { return 0; }

  /// TorchScript emission for the exporter: statement(s) of `forward` (TorchScript, one per line,
  /// no indentation) that assign ctx.outputVar from ctx.inputVars using only torch.* operators and
  /// ctx.attr(...) attributes, computing exactly what build()'s module computes in eval() mode.
  /// nullopt when this layer cannot be exported (the exporter then says so by name).
  virtual std::optional<std::string> emitScript(const ScriptContext&) const { return std::nullopt; }

  /// PyTorch source emission for the Python exporter: the node as nn.Module attributes and forward
  /// statement(s) that, in eval(), compute exactly what build()'s module computes in eval() and, in
  /// train(), train the same way. nullopt when this layer cannot be exported to Python (the exporter
  /// then says so by name).
  virtual std::optional<PythonCode> emitPython(const PythonContext&) const { return std::nullopt; }

 private:
  std::string m_name, m_category, m_doc;
  std::vector<ParamSpec> m_params;
};

/// Palette categories, in display order.
const std::vector<std::string>& layerCategories();

}  // namespace nc::core

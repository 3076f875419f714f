#pragma once
// Shared by the merge layers (Add, Multiply, Concat): a parameter-chosen number of input ports
// named "a", "b", "c", ... and, for elementwise merges, the same-shape check.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {

constexpr int64_t kMinMergeInputs = 2;
constexpr int64_t kMaxMergeInputs = 8;

inline ParamSpec numInputsSpec() {
  return ParamSpec::integer("num_inputs", 2, kMinMergeInputs, kMaxMergeInputs, "Number of input ports");
}

/// "a", "b", ... for port i.
inline std::string mergePortName(size_t i) { return std::string(1, char('a' + i)); }

/// Port names for the layer's num_inputs (clamped to the valid range).
inline std::vector<std::string> mergePorts(const Params& p) {
  int64_t n = std::clamp(p.i("num_inputs"), kMinMergeInputs, kMaxMergeInputs);
  std::vector<std::string> ports;
  for (size_t i = 0; i < size_t(n); ++i) ports.push_back(mergePortName(i));
  return ports;
}

/// TorchScript for a left-to-right elementwise merge: "out = a op b op c".
inline std::string mergeScript(const ScriptContext& ctx, const std::string& op) {
  return script::assign(ctx, script::joined(ctx.inputVars, op));
}

/// Python for a left-to-right elementwise merge: "out = a op b op c".
inline PythonCode mergePython(const PythonContext& ctx, const std::string& op) {
  return python::expression(ctx, script::joined(ctx.inputVars, op));
}

/// Fails unless exactly num_inputs shapes arrive.
inline std::optional<ShapeResult> requireInputCount(const LayerContext& ctx, const std::string& layer) {
  size_t n = size_t(ctx.params.i("num_inputs"));
  if (ctx.inputs.size() == n) return std::nullopt;
  return ShapeResult::fail(layer + " expects " + std::to_string(n) + " inputs but receives " +
                           std::to_string(ctx.inputs.size()));
}

/// A merge of equally shaped float inputs into one of the same shape (Add, Multiply).
class ElementwiseMergeLayer : public LayerType {
 public:
  ElementwiseMergeLayer(std::string name, std::string doc)
      : LayerType(std::move(name), "Merge", std::move(doc), {numInputsSpec()}) {}

  std::vector<std::string> inputPorts(const Params& p) const override { return mergePorts(p); }

  ShapeResult infer(const LayerContext& ctx) const override {
    if (auto e = requireInputCount(ctx, name())) return *e;
    for (size_t i = 0; i < ctx.inputs.size(); ++i)
      if (auto e = requireFloat(ctx.in(i), name() + " input '" + mergePortName(i) + "'")) return *e;
    const TensorShape& first = ctx.in(0);
    for (size_t i = 1; i < ctx.inputs.size(); ++i)
      if (ctx.in(i).dims != first.dims)
        return ShapeResult::fail(name() + " needs inputs of the same shape but receives " + first.str() + " on 'a' and " +
                                 ctx.in(i).str() + " on '" + mergePortName(i) +
                                 "': use Concat to join different sizes, or a Linear/Conv2d to match them");
    TensorShape out;
    out.dims = first.dims;
    return ShapeResult::of(out);
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    return int64_t(ctx.inputs.size() - 1) * out.numel();
  }
};

}  // namespace nc::core::layers

// Linear: fully connected layer on the last dimension.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/QuantizedScript.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Linear final : public LayerType {
 public:
  Linear()
      : LayerType("Linear", "Dense",
                  "Fully connected layer y = xW^T + b on the last dimension: [batch, features] or "
                  "[batch, length, features]. in_features follows from the input.",
                  {ParamSpec::integer("out_features", 128, 1, 1 << 20, "Output features"),
                   ParamSpec::boolean("bias", true, "Learn an additive bias")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRankBetween(in, 2, 3, name(), "[batch, features] or [batch, length, features]",
                                    "insert a Flatten"))
      return *e;
    TensorShape out = in;
    out.dims.back() = ctx.params.i("out_features");
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    return wrapModule(torch::nn::Linear(
        torch::nn::LinearOptions(ctx.in().dims.back(), ctx.params.i("out_features")).bias(ctx.params.b("bias"))));
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    int64_t out = ctx.params.i("out_features");
    return satAdd(satMul(ctx.in().dims.back(), out), ctx.params.b("bias") ? out : 0);
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    return satMul(2, out.numel(), ctx.in().dims.back());
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return script::call(ctx, "torch.linear", ctx.attr("m.weight") + ", " + script::optionalAttr(ctx, "m.bias"));
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    using namespace python;
    return module(ctx, "nn.Linear(" +
                           args({intLiteral(ctx.inputs.at(0).dims.back()), intLiteral(ctx.params.i("out_features")),
                                 kwarg("bias", "False", ctx.params.b("bias"))}) +
                           ")");
  }
};
NC_REGISTER_LAYER(Linear);

// Dynamic int8 export: the weight as packed int8 (per output channel), the bias float inside the
// packed object, activations quantized per call; any leading dimensions, like torch.linear.
std::optional<std::string> quantizedLinear(const QuantizedScriptContext& q) {
  using namespace script;
  torch::Tensor weight = q.state("m.weight");
  if (!weight.defined()) return std::nullopt;
  std::string packed = q.addPacked("packed", packLinearInt8(weight, q.state("m.bias")));
  return call(q.script, "torch.ops.quantized.linear_dynamic", packed + ", " + boolLiteral(kReduceRange));
}
NC_REGISTER_QUANTIZED_EMITTER(Linear, quantizedLinear);

}  // namespace
}  // namespace nc::core::layers

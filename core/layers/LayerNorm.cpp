// LayerNorm: normalizes each sample over its last dimension.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class LayerNorm final : public LayerType {
 public:
  LayerNorm()
      : LayerType("LayerNorm", "Normalization",
                  "Normalizes each position over its last dimension (the features) to zero mean and unit "
                  "variance, then scales and shifts it. Independent of the batch; normalized_shape follows "
                  "from the input.",
                  {ParamSpec::real("eps", 1e-5, 0.0, 1.0, "Added to the variance for numerical stability"),
                   ParamSpec::boolean("elementwise_affine", true, "Learn a per-feature scale and shift")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (in.dims.empty())
      return ShapeResult::fail("LayerNorm expects an input with features [batch, ..., features] but receives " +
                               in.str() + ": there is no dimension to normalize");
    return ShapeResult::of(in);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(torch::nn::LayerNorm(torch::nn::LayerNormOptions({ctx.in().dims.back()})
                                               .eps(p.f("eps"))
                                               .elementwise_affine(p.b("elementwise_affine"))));
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    return ctx.params.b("elementwise_affine") ? 2 * ctx.in().dims.back() : 0;
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    // Mean (1), variance (3) and normalization (2) per element, plus scale and shift when affine.
    return (ctx.params.b("elementwise_affine") ? 8 : 6) * out.numel();
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // Over the last dimension; weight and bias only with elementwise_affine.
    return script::call(ctx, "torch.layer_norm",
                        script::intList({ctx.inputs.at(0).dims.back()}) + ", " + script::optionalAttr(ctx, "m.weight") +
                            ", " + script::optionalAttr(ctx, "m.bias") + ", " +
                            script::floatLiteral(ctx.params.f("eps")) + ", False");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    using namespace python;
    const Params& p = ctx.params;
    return module(ctx, "nn.LayerNorm(" +
                           args({intLiteral(ctx.inputs.at(0).dims.back()),
                                 kwarg("eps", floatLiteral(p.f("eps")), p.f("eps") == 1e-5),
                                 kwarg("elementwise_affine", "False", p.b("elementwise_affine"))}) +
                           ")");
  }
};
NC_REGISTER_LAYER(LayerNorm);

}  // namespace
}  // namespace nc::core::layers

// BatchNorm1d: batch normalization of features [batch, features] or sequences [batch, channels, length].
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class BatchNorm1d final : public LayerType {
 public:
  BatchNorm1d()
      : LayerType("BatchNorm1d", "Normalization",
                  "Normalizes each channel over the batch (and length) to zero mean and unit variance, then "
                  "scales and shifts it. Input [batch, features] or [batch, channels, length]; uses running "
                  "statistics in evaluation.",
                  {ParamSpec::real("eps", 1e-5, 0.0, 1.0, "Added to the variance for numerical stability"),
                   ParamSpec::real("momentum", 0.1, 0.0, 1.0, "Weight of each new batch in the running statistics"),
                   ParamSpec::boolean("affine", true, "Learn a per-channel scale and shift")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRankBetween(in, 2, 3, name(), "[batch, features] or [batch, channels, length]",
                                    in.rank() == 4 ? "use BatchNorm2d for images" : ""))
      return *e;
    return ShapeResult::of(in);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(torch::nn::BatchNorm1d(
        torch::nn::BatchNorm1dOptions(ctx.in().dims[0]).eps(p.f("eps")).momentum(p.f("momentum")).affine(p.b("affine"))));
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    return ctx.params.b("affine") ? 2 * ctx.in().dims[0] : 0;
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    // Subtract the mean and divide by the deviation, plus scale and shift when affine.
    return (ctx.params.b("affine") ? 4 : 2) * out.numel();
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // Evaluation: normalize with the running statistics (training=False); weight and bias only when affine.
    if (!ctx.hasAttr("m.running_mean") || !ctx.hasAttr("m.running_var")) return std::nullopt;
    const Params& p = ctx.params;
    return script::call(ctx, "torch.batch_norm",
                        script::optionalAttr(ctx, "m.weight") + ", " + script::optionalAttr(ctx, "m.bias") + ", " +
                            ctx.attr("m.running_mean") + ", " + ctx.attr("m.running_var") + ", False, " +
                            script::floatLiteral(p.f("momentum")) + ", " + script::floatLiteral(p.f("eps")) +
                            ", False");
  }
};
NC_REGISTER_LAYER(BatchNorm1d);

}  // namespace
}  // namespace nc::core::layers

#pragma once
// Shared by BatchNorm1d and BatchNorm2d: parameters, counts and the evaluation-mode TorchScript.
// The two differ only in the input rank they accept and the LibTorch module they build.
// LibTorch-facing: include from layer .cpp files only.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {

class BatchNormLayer : public LayerType {
 public:
  BatchNormLayer(std::string name, std::string doc)
      : LayerType(std::move(name), "Normalization", std::move(doc),
                  {ParamSpec::real("eps", 1e-5, 0.0, 1.0, "Added to the variance for numerical stability"),
                   ParamSpec::real("momentum", 0.1, 0.0, 1.0, "Weight of each new batch in the running statistics"),
                   ParamSpec::boolean("affine", true, "Learn a per-channel scale and shift")}) {}

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

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    // nn.BatchNorm1d / nn.BatchNorm2d (same name as the layer type): batch statistics in train(),
    // running statistics in eval(), num_batches_tracked included in the state.
    using namespace python;
    const Params& p = ctx.params;
    return module(ctx, "nn." + name() + "(" +
                           args({intLiteral(ctx.inputs.at(0).dims[0]), kwarg("eps", floatLiteral(p.f("eps")), p.f("eps") == 1e-5),
                                 kwarg("momentum", floatLiteral(p.f("momentum")), p.f("momentum") == 0.1),
                                 kwarg("affine", "False", p.b("affine"))}) +
                           ")");
  }

 protected:
  /// The LibTorch module (torch::nn::BatchNorm1d or 2d holder and its options type).
  template <class Holder, class Options>
  static std::shared_ptr<NodeModule> buildNorm(const LayerContext& ctx) {
    const Params& p = ctx.params;
    return wrapModule(Holder(Options(ctx.in().dims[0]).eps(p.f("eps")).momentum(p.f("momentum")).affine(p.b("affine"))));
  }
};

}  // namespace nc::core::layers

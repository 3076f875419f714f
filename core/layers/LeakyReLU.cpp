// LeakyReLU: x for x >= 0, negative_slope * x below, elementwise.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class LeakyReLU final : public ElementwiseLayer {
 public:
  LeakyReLU()
      : ElementwiseLayer("LeakyReLU", "Activation",
                         "Leaky rectified linear unit: x for x >= 0, negative_slope * x otherwise, elementwise.",
                         {ParamSpec::real("negative_slope", 0.01, 0.0, 1.0, "Slope for negative inputs")}) {}
  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    double slope = ctx.params.f("negative_slope");
    return unaryNode([slope](const torch::Tensor& x) { return torch::leaky_relu(x, slope); });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return script::call(ctx, "torch.leaky_relu", script::floatLiteral(ctx.params.f("negative_slope")));
  }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return python::call(ctx, "F.leaky_relu", python::floatLiteral(ctx.params.f("negative_slope")));
  }
};
NC_REGISTER_LAYER(LeakyReLU);

}  // namespace
}  // namespace nc::core::layers

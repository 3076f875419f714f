// GELU: Gaussian error linear unit x * Phi(x), elementwise.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class GELU final : public ElementwiseLayer {
 public:
  GELU()
      : ElementwiseLayer("GELU", "Activation",
                         "Gaussian error linear unit x * Phi(x), elementwise; the usual activation in transformers.",
                         {ParamSpec::choice("approximate", "none", {"none", "tanh"},
                                            "Exact (none) or the faster tanh approximation")}) {}
  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    std::string approximate = ctx.params.s("approximate");
    return unaryNode([approximate](const torch::Tensor& x) { return torch::gelu(x, approximate); });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    const std::string& approximate = ctx.params.s("approximate");
    if (approximate == "none") return script::call(ctx, "torch.gelu");
    return script::call(ctx, "torch.gelu", "approximate=" + script::stringLiteral(approximate));
  }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    const std::string& approximate = ctx.params.s("approximate");
    return python::call(ctx, "F.gelu", python::kwarg("approximate", python::stringLiteral(approximate), approximate == "none"));
  }
  int64_t flops(const LayerContext& ctx, const TensorShape&) const override { return 8 * ctx.in().numel(); }
};
NC_REGISTER_LAYER(GELU);

}  // namespace
}  // namespace nc::core::layers

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
    if (approximate != "none")
      return unaryNode([approximate](const torch::Tensor& x) { return torch::gelu(x, approximate); });
    // PyTorch 1.13's exact gelu_backward is wrong when the incoming gradient is not contiguous
    // (e.g. a Permute follows): two identical backward passes differ by up to 1e13. A hook hands
    // gelu_backward a contiguous copy of that gradient; the forward value is untouched.
    return unaryNode([](const torch::Tensor& x) {
      torch::Tensor y = torch::gelu(x);
      if (y.requires_grad()) y.register_hook([](torch::Tensor grad) { return grad.contiguous(); });
      return y;
    });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    const std::string& approximate = ctx.params.s("approximate");
    if (approximate == "none") return script::call(ctx, "torch.gelu");
    return script::call(ctx, "torch.gelu", "approximate=" + script::stringLiteral(approximate));
  }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    const std::string& approximate = ctx.params.s("approximate");
    PythonCode code =
        python::call(ctx, "F.gelu", python::kwarg("approximate", python::stringLiteral(approximate), approximate == "none"));
    if (approximate == "none") {
      // The same guard as build(): exact GELU's backward needs a contiguous incoming gradient in PyTorch 1.13.
      code.forward.push_back("# exact GELU's gradient is wrong for a non-contiguous incoming gradient in PyTorch 1.13");
      code.forward.push_back("if " + ctx.outputVar + ".requires_grad:");
      code.forward.push_back("    " + ctx.outputVar + ".register_hook(torch.Tensor.contiguous)");
    }
    return code;
  }
  int64_t flops(const LayerContext& ctx, const TensorShape&) const override { return 8 * ctx.in().numel(); }
};
NC_REGISTER_LAYER(GELU);

}  // namespace
}  // namespace nc::core::layers

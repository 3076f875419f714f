// Tanh: hyperbolic tangent, elementwise.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Tanh final : public ElementwiseLayer {
 public:
  Tanh() : ElementwiseLayer("Tanh", "Activation", "Hyperbolic tangent, elementwise: squashes values into (-1, 1).", {}) {}
  std::shared_ptr<NodeModule> build(const LayerContext&) const override {
    return unaryNode([](const torch::Tensor& x) { return torch::tanh(x); });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return script::call(ctx, "torch.tanh");
  }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return python::call(ctx, "torch.tanh");
  }
  int64_t flops(const LayerContext& ctx, const TensorShape&) const override { return 4 * ctx.in().numel(); }
};
NC_REGISTER_LAYER(Tanh);

}  // namespace
}  // namespace nc::core::layers

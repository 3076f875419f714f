// SiLU (swish): x * sigmoid(x), elementwise.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class SiLU final : public ElementwiseLayer {
 public:
  SiLU() : ElementwiseLayer("SiLU", "Activation", "Sigmoid linear unit (swish): x * sigmoid(x), elementwise.", {}) {}
  std::shared_ptr<NodeModule> build(const LayerContext&) const override {
    return unaryNode([](const torch::Tensor& x) { return torch::silu(x); });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return script::call(ctx, "torch.silu");
  }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return python::call(ctx, "F.silu");
  }
  int64_t flops(const LayerContext& ctx, const TensorShape&) const override { return 5 * ctx.in().numel(); }
};
NC_REGISTER_LAYER(SiLU);

}  // namespace
}  // namespace nc::core::layers

// Sigmoid: 1 / (1 + exp(-x)), elementwise.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Sigmoid final : public ElementwiseLayer {
 public:
  Sigmoid()
      : ElementwiseLayer("Sigmoid", "Activation", "Logistic sigmoid 1 / (1 + exp(-x)), elementwise: values in (0, 1).",
                         {}) {}
  std::shared_ptr<NodeModule> build(const LayerContext&) const override {
    return unaryNode([](const torch::Tensor& x) { return torch::sigmoid(x); });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return script::call(ctx, "torch.sigmoid");
  }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return python::call(ctx, "torch.sigmoid");
  }
  int64_t flops(const LayerContext& ctx, const TensorShape&) const override { return 4 * ctx.in().numel(); }
};
NC_REGISTER_LAYER(Sigmoid);

}  // namespace
}  // namespace nc::core::layers

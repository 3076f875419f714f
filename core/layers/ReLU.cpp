// ReLU: max(0, x), elementwise.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class ReLU final : public ElementwiseLayer {
 public:
  ReLU() : ElementwiseLayer("ReLU", "Activation", "Rectified linear unit: max(0, x), elementwise.", {}) {}
  std::shared_ptr<NodeModule> build(const LayerContext&) const override {
    return unaryNode([](const torch::Tensor& x) { return torch::relu(x); });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return script::call(ctx, "torch.relu");
  }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return python::call(ctx, "torch.relu");
  }
};
NC_REGISTER_LAYER(ReLU);

}  // namespace
}  // namespace nc::core::layers

// Multiply: elementwise product of equally shaped inputs (gating).
#include "core/NodeModule.h"
#include "core/layers/MergeUtil.h"

namespace nc::core::layers {
namespace {

class Multiply final : public ElementwiseMergeLayer {
 public:
  Multiply()
      : ElementwiseMergeLayer("Multiply",
                              "Elementwise product of num_inputs tensors of the same shape, e.g. a sigmoid gate.") {}
  std::shared_ptr<NodeModule> build(const LayerContext&) const override {
    return functionNode([](const std::vector<torch::Tensor>& in) {
      torch::Tensor product = in.at(0);
      for (size_t i = 1; i < in.size(); ++i) product = product * in[i];
      return product;
    });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override { return mergeScript(ctx, "*"); }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override { return mergePython(ctx, "*"); }
};
NC_REGISTER_LAYER(Multiply);

}  // namespace
}  // namespace nc::core::layers

// Add: elementwise sum of equally shaped inputs (residual connections).
#include "core/NodeModule.h"
#include "core/layers/MergeUtil.h"

namespace nc::core::layers {
namespace {

class Add final : public ElementwiseMergeLayer {
 public:
  Add()
      : ElementwiseMergeLayer("Add",
                              "Elementwise sum of num_inputs tensors of the same shape, e.g. a residual connection.") {}
  std::shared_ptr<NodeModule> build(const LayerContext&) const override {
    return functionNode([](const std::vector<torch::Tensor>& in) {
      torch::Tensor sum = in.at(0);
      for (size_t i = 1; i < in.size(); ++i) sum = sum + in[i];
      return sum;
    });
  }
  std::optional<std::string> emitScript(const ScriptContext& ctx) const override { return mergeScript(ctx, "+"); }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override { return mergePython(ctx, "+"); }
};
NC_REGISTER_LAYER(Add);

}  // namespace
}  // namespace nc::core::layers

// Output: marks the tensor the model returns (logits for classification).
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"

namespace nc::core::layers {
namespace {

class Output final : public LayerType {
 public:
  Output()
      : LayerType("Output", "Input/Output",
                  "The model's output: logits [batch, classes] for classification, or "
                  "[batch, length, vocabulary] for next-token prediction.",
                  {}) {}

  int outputCount() const override { return 0; }
  bool isOutput() const override { return true; }

  ShapeResult infer(const LayerContext& ctx) const override {
    if (auto e = requireFloat(ctx.in(), name())) return *e;
    if (auto e = requireRankBetween(ctx.in(), 2, 3, name(), "[batch, classes] or [batch, length, classes]",
                                    "end the model with a Linear layer (insert a Flatten or SequencePool before it)"))
      return *e;
    return ShapeResult::none();
  }
  std::shared_ptr<NodeModule> build(const LayerContext&) const override { return nullptr; }
};
NC_REGISTER_LAYER(Output);

}  // namespace
}  // namespace nc::core::layers

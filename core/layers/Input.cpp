// Input: where samples enter the model. Shape excludes the batch dimension.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"

namespace nc::core::layers {
namespace {

class Input final : public LayerType {
 public:
  Input()
      : LayerType("Input", "Input/Output",
                  "The model's input, one sample's shape without the batch dimension: images as "
                  "[channels, height, width] floats in [0, 1], feature vectors as [features], or "
                  "token id sequences as [length] with a vocabulary size.",
                  {ParamSpec::intList("shape", {1, 28, 28}, 1, 4, 1, 1 << 20, "Sample shape without batch"),
                   ParamSpec::choice("dtype", "float", {"float", "tokens"},
                                     "float features/images, or integer token ids"),
                   ParamSpec::integer("vocab_size", 256, 2, 10'000'000, "Number of distinct token ids (tokens only)")}) {}

  std::vector<std::string> inputPorts(const Params&) const override { return {}; }
  bool isInput() const override { return true; }

  ShapeResult infer(const LayerContext& ctx) const override {
    TensorShape s;
    s.dims = ctx.params.list("shape");
    s.dtype = ctx.params.s("dtype") == "tokens" ? DType::Int64 : DType::Float32;
    if (s.dtype == DType::Int64) s.vocab = ctx.params.i("vocab_size");
    if (s.dtype == DType::Int64 && s.dims.size() != 1)
      return ShapeResult::fail("Input of tokens takes a 1-D shape [length], not " + formatDims(s.dims));
    return ShapeResult::of(s);
  }
  std::shared_ptr<NodeModule> build(const LayerContext&) const override { return nullptr; }
};
NC_REGISTER_LAYER(Input);

}  // namespace
}  // namespace nc::core::layers

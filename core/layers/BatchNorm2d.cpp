// BatchNorm2d: batch normalization of images [batch, channels, height, width].
#include "core/layers/NormUtil.h"

namespace nc::core::layers {
namespace {

class BatchNorm2d final : public BatchNormLayer {
 public:
  BatchNorm2d()
      : BatchNormLayer("BatchNorm2d",
                       "Normalizes each channel of an image [batch, channels, height, width] over the batch and "
                       "pixels to zero mean and unit variance, then scales and shifts it. Uses running statistics "
                       "in evaluation.") {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRank(in, 4, name(), "[batch, channels, height, width]",
                             in.rank() == 2 || in.rank() == 3
                                 ? "use BatchNorm1d for [batch, features] or [batch, channels, length]"
                                 : ""))
      return *e;
    return ShapeResult::of(in);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    return buildNorm<torch::nn::BatchNorm2d, torch::nn::BatchNorm2dOptions>(ctx);
  }
};
NC_REGISTER_LAYER(BatchNorm2d);

}  // namespace
}  // namespace nc::core::layers

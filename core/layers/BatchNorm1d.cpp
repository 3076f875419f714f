// BatchNorm1d: batch normalization of features [batch, features] or sequences [batch, channels, length].
#include "core/layers/NormUtil.h"

namespace nc::core::layers {
namespace {

class BatchNorm1d final : public BatchNormLayer {
 public:
  BatchNorm1d()
      : BatchNormLayer("BatchNorm1d",
                       "Normalizes each channel over the batch (and length) to zero mean and unit variance, then "
                       "scales and shifts it. Input [batch, features] or [batch, channels, length]; uses running "
                       "statistics in evaluation.") {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRankBetween(in, 2, 3, name(), "[batch, features] or [batch, channels, length]",
                                    in.rank() == 4 ? "use BatchNorm2d for images" : ""))
      return *e;
    return ShapeResult::of(in);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    return buildNorm<torch::nn::BatchNorm1d, torch::nn::BatchNorm1dOptions>(ctx);
  }
};
NC_REGISTER_LAYER(BatchNorm1d);

}  // namespace
}  // namespace nc::core::layers

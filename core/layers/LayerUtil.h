#pragma once
// Helpers shared by the layer files: shape checks with messages a person understands.
#include <optional>
#include <string>

#include "core/CheckedMath.h"
#include "core/LayerRegistry.h"
#include "core/LayerType.h"

namespace nc::core::layers {

/// "Linear expects a 2-D input [batch, features] but receives [B, 64, 7, 7]" + hint.
/// rank counts the batch dimension. Returns an error result when the rank differs.
std::optional<ShapeResult> requireRank(const TensorShape& in, size_t rank, const std::string& layer,
                                       const std::string& form, const std::string& hint = {});
/// Same, accepting any rank in [minRank, maxRank].
std::optional<ShapeResult> requireRankBetween(const TensorShape& in, size_t minRank, size_t maxRank,
                                              const std::string& layer, const std::string& form,
                                              const std::string& hint = {});
/// Rejects integer (token id) tensors where float features are needed.
std::optional<ShapeResult> requireFloat(const TensorShape& in, const std::string& layer);

/// Output length of a convolution or pooling window; <= 0 means the window does not fit.
int64_t slidingOutput(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation = 1);

/// An elementwise layer: output shape = input shape (float), about one FLOP per element.
class ElementwiseLayer : public LayerType {
 public:
  using LayerType::LayerType;
  ShapeResult infer(const LayerContext& ctx) const override;
  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override;
};

}  // namespace nc::core::layers

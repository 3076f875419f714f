#include "core/layers/LayerUtil.h"

namespace nc::core::layers {

std::optional<ShapeResult> requireRankBetween(const TensorShape& in, size_t minRank, size_t maxRank,
                                              const std::string& layer, const std::string& form,
                                              const std::string& hint) {
  if (in.rank() >= minRank && in.rank() <= maxRank) return std::nullopt;
  std::string ranks = minRank == maxRank ? std::to_string(minRank) + "-D"
                                         : std::to_string(minRank) + "-D to " + std::to_string(maxRank) + "-D";
  std::string msg = layer + " expects a " + ranks + " input " + form + " but receives " + in.str();
  if (!hint.empty()) msg += ": " + hint;
  return ShapeResult::fail(msg);
}

std::optional<ShapeResult> requireRank(const TensorShape& in, size_t rank, const std::string& layer,
                                       const std::string& form, const std::string& hint) {
  return requireRankBetween(in, rank, rank, layer, form, hint);
}

std::optional<ShapeResult> requireFloat(const TensorShape& in, const std::string& layer) {
  if (in.dtype == DType::Float32) return std::nullopt;
  return ShapeResult::fail(layer + " needs float features but receives token ids " + in.str() +
                           ": insert an Embedding first");
}

int64_t slidingOutput(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = in + 2 * padding - span;
  if (room < 0) return 0;
  return room / stride + 1;
}

ShapeResult ElementwiseLayer::infer(const LayerContext& ctx) const {
  if (auto e = requireFloat(ctx.in(), name())) return *e;
  return ShapeResult::of(ctx.in());
}

int64_t ElementwiseLayer::flops(const LayerContext& ctx, const TensorShape&) const { return ctx.in().numel(); }

}  // namespace nc::core::layers

#include "core/layers/AttentionUtil.h"

#include <limits>

#include "core/layers/LayerUtil.h"

namespace nc::core::layers {

std::optional<ShapeResult> requireSequence(const TensorShape& in, const std::string& layer) {
  if (auto e = requireFloat(in, layer)) return e;
  std::string hint;
  if (in.rank() == 4)
    hint = "insert a Flatten(start_dim=2) and a Permute [0, 2, 1] to turn channels x positions into tokens";
  else if (in.rank() == 2)
    hint = "reshape the features into [length, embed] tokens first";
  else if (in.rank() > 4)
    hint = "flatten the positions into one length dimension first";
  return requireRank(in, 3, layer, "[batch, length, embed]", hint);
}

std::optional<ShapeResult> requireHeadsDivide(int64_t embed, int64_t heads, const std::string& layer) {
  if (heads > 0 && embed % heads == 0) return std::nullopt;
  return ShapeResult::fail(layer + ": embed dim " + std::to_string(embed) + " is not divisible by num_heads " +
                           std::to_string(heads) +
                           " (each head gets embed / num_heads features; change num_heads or the embedding size)");
}

torch::Tensor causalMask(int64_t length, const torch::TensorOptions& options) {
  return torch::full({length, length}, -std::numeric_limits<float>::infinity(), options).triu(1);
}

torch::Tensor batchFirstSelfAttention(torch::nn::MultiheadAttention& attention, const torch::Tensor& x, bool causal) {
  torch::Tensor seq = x.transpose(0, 1);  // [length, batch, embed]
  torch::Tensor mask = causal ? causalMask(seq.size(0), seq.options()) : torch::Tensor();
  torch::Tensor out = std::get<0>(attention->forward(seq, seq, seq, /*key_padding_mask=*/{},
                                                     /*need_weights=*/false, mask));
  return out.transpose(0, 1);
}

int64_t attentionParamCount(int64_t embed, bool bias) { return 4 * embed * embed + (bias ? 4 * embed : 0); }

int64_t attentionFlops(int64_t length, int64_t embed, int64_t heads) {
  return 8 * length * embed * embed + 4 * length * length * embed + 5 * heads * length * length;
}

}  // namespace nc::core::layers

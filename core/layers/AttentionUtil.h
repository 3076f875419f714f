#pragma once
// Helpers shared by the attention layers (MultiheadAttention, TransformerEncoderLayer,
// PositionalEncoding): sequence shape checks and batch-first self-attention on top of
// LibTorch 1.13's sequence-first torch::nn::MultiheadAttention. Include only from .cpp files.
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/LayerType.h"

namespace nc::core::layers {

/// Float input of shape [batch, length, embed]; otherwise a message with a hint on how to get there.
std::optional<ShapeResult> requireSequence(const TensorShape& in, const std::string& layer);

/// "TransformerEncoderLayer: embed dim 30 is not divisible by num_heads 4 (...)" when heads do not divide embed.
std::optional<ShapeResult> requireHeadsDivide(int64_t embed, int64_t heads, const std::string& layer);

/// Additive [length, length] mask: 0 where query i may attend key j (j <= i), -inf above the diagonal.
torch::Tensor causalMask(int64_t length, const torch::TensorOptions& options);

/// Self-attention (query = key = value = x) of a batch-first x [batch, length, embed]; returns
/// [batch, length, embed]. LibTorch 1.13's module works sequence-first, hence the transposes.
torch::Tensor batchFirstSelfAttention(torch::nn::MultiheadAttention& attention, const torch::Tensor& x, bool causal);

/// TorchScript statements computing batchFirstSelfAttention() of the variable `x` into the variable
/// `out` (for LayerType::emitScript), with the torch::nn::MultiheadAttention registered in the node
/// as `module` ("m" -> attributes "m.in_proj_weight", ...; biases used when present). Temporaries
/// are ctx.temp(tempPrefix + "q") etc. Eval mode: no dropout on the attention weights.
std::string selfAttentionScript(const ScriptContext& ctx, const std::string& module, const std::string& x,
                                const std::string& out, int64_t embed, int64_t heads, bool causal,
                                const std::string& tempPrefix = "");

/// A Python expression for causalMask() over the length of the batch-first sequence `x`:
/// "torch.triu(torch.full((x.size(1), x.size(1)), float('-inf'), device=x.device), 1)".
std::string causalMaskPython(const std::string& x);

/// Trainable parameters of torch::nn::MultiheadAttention(embed, heads) with packed in_proj:
/// in_proj_weight [3E, E] (+ in_proj_bias [3E]) and out_proj [E, E] (+ bias [E]).
int64_t attentionParamCount(int64_t embed, bool bias);

/// Rough forward FLOPs per sample of self-attention over `length` tokens of width `embed`:
/// projections (8 L E^2), scores and weighted sum (4 L^2 E), softmax (~5 H L^2).
int64_t attentionFlops(int64_t length, int64_t embed, int64_t heads);

}  // namespace nc::core::layers

#include "core/layers/AttentionUtil.h"

#include <cmath>
#include <limits>

#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

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

std::string selfAttentionScript(const ScriptContext& ctx, const std::string& module, const std::string& x,
                                const std::string& out, int64_t embed, int64_t heads, bool causal,
                                const std::string& tempPrefix) {
  using namespace script;
  auto optional = [&](const std::string& local) { return ctx.hasAttr(local) ? ctx.attr(local) : std::string("None"); };
  auto tmp = [&](const std::string& hint) { return ctx.temp(tempPrefix + hint); };
  const std::string b = tmp("b"), l = tmp("l"), qkv = tmp("qkv"), q = tmp("q"), k = tmp("k"), v = tmp("v"),
                    w = tmp("w"), o = tmp("o");
  int64_t headDim = embed / heads;
  // torch::nn::functional::multi_head_attention_forward: packed input projection chunked into q, k, v;
  // q scaled by 1 / sqrt(head_dim); per head softmax(q k^T + mask) v; heads concatenated; out_proj.
  std::string heads4 = "[" + b + ", " + l + ", " + intLiteral(heads) + ", " + intLiteral(headDim) + "]";
  std::string code;
  code += b + " = " + x + ".size(0)\n";
  code += l + " = " + x + ".size(1)\n";
  code += qkv + " = torch.linear(" + x + ", " + ctx.attr(module + ".in_proj_weight") + ", " +
          optional(module + ".in_proj_bias") + ").chunk(3, -1)\n";
  const std::string* const names[] = {&q, &k, &v};
  for (int i = 0; i < 3; ++i)
    code += *names[i] + " = " + qkv + "[" + intLiteral(i) + "].reshape(" + heads4 + ").transpose(1, 2)\n";
  code += w + " = torch.matmul(" + q + " * " + floatLiteral(1 / std::sqrt(double(headDim))) + ", " + k +
          ".transpose(-2, -1))\n";
  if (causal)  // causalMask(): -inf above the diagonal, 0 elsewhere, added to the scores
    code += w + " = " + w + " + torch.triu(torch.full([" + l + ", " + l + "], float('-inf'), dtype=" + w +
            ".dtype, device=" + w + ".device), 1)\n";
  code += w + " = torch.softmax(" + w + ", -1)\n";
  code += o + " = torch.matmul(" + w + ", " + v + ").transpose(1, 2).reshape([" + b + ", " + l + ", " +
          intLiteral(embed) + "])\n";
  code += out + " = torch.linear(" + o + ", " + ctx.attr(module + ".out_proj.weight") + ", " +
          optional(module + ".out_proj.bias") + ")";
  return code;
}

std::string causalMaskPython(const std::string& x) {
  const std::string length = x + ".size(1)";
  return "torch.triu(torch.full((" + length + ", " + length + "), float('-inf'), dtype=" + x + ".dtype, device=" + x +
         ".device), 1)";
}

int64_t attentionParamCount(int64_t embed, bool bias) {
  return satAdd(satMul(4, embed, embed), bias ? satMul(4, embed) : 0);  // saturating: see CheckedMath.h
}

int64_t attentionFlops(int64_t length, int64_t embed, int64_t heads) {
  return satAdd(satMul(8, length, embed, embed), satMul(4, length, length, embed), satMul(5, heads, length, length));
}

}  // namespace nc::core::layers

// TransformerEncoderLayer: self-attention + feed-forward block with residuals and LayerNorm,
// batch-first, post-norm (PyTorch's default) or pre-norm (norm_first).
#include <functional>

#include "core/NodeModule.h"
#include "core/layers/AttentionUtil.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/QuantizedScript.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

struct EncoderConfig {
  int64_t embed = 0, heads = 1, feedforward = 1;
  double dropout = 0.0;
  bool gelu = false, normFirst = false, causal = false;
};

/// Same submodule names as PyTorch's nn.TransformerEncoderLayer, so its state_dict maps onto this
/// node: self_attn.{in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias}, linear1, linear2,
/// norm1, norm2 (dropout, dropout1, dropout2 hold no parameters).
class EncoderLayerNode final : public NodeModule {
 public:
  explicit EncoderLayerNode(const EncoderConfig& c)
      : m_config(c),
        m_selfAttn(register_module(
            "self_attn", torch::nn::MultiheadAttention(
                             torch::nn::MultiheadAttentionOptions(c.embed, c.heads).dropout(c.dropout)))),
        m_linear1(register_module("linear1", torch::nn::Linear(c.embed, c.feedforward))),
        m_dropout(register_module("dropout", torch::nn::Dropout(c.dropout))),
        m_linear2(register_module("linear2", torch::nn::Linear(c.feedforward, c.embed))),
        m_norm1(register_module(
            "norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.embed}).eps(1e-5)))),
        m_norm2(register_module(
            "norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.embed}).eps(1e-5)))),
        m_dropout1(register_module("dropout1", torch::nn::Dropout(c.dropout))),
        m_dropout2(register_module("dropout2", torch::nn::Dropout(c.dropout))) {}

  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    torch::Tensor x = in.at(0);
    if (m_config.normFirst) {
      x = x + selfAttentionBlock(m_norm1(x));
      x = x + feedForwardBlock(m_norm2(x));
    } else {
      x = m_norm1(x + selfAttentionBlock(x));
      x = m_norm2(x + feedForwardBlock(x));
    }
    return x;
  }

 private:
  torch::Tensor selfAttentionBlock(const torch::Tensor& x) {
    return m_dropout1(batchFirstSelfAttention(m_selfAttn, x, m_config.causal));
  }
  torch::Tensor feedForwardBlock(const torch::Tensor& x) {
    torch::Tensor h = m_linear1(x);
    h = m_config.gelu ? torch::gelu(h) : torch::relu(h);
    return m_dropout2(m_linear2(m_dropout(h)));
  }

  EncoderConfig m_config;
  torch::nn::MultiheadAttention m_selfAttn;
  torch::nn::Linear m_linear1;
  torch::nn::Dropout m_dropout;
  torch::nn::Linear m_linear2;
  torch::nn::LayerNorm m_norm1, m_norm2;
  torch::nn::Dropout m_dropout1, m_dropout2;
};

/// The node in eval mode as TorchScript; `linear`(name, input) writes the feed-forward Linear
/// "linear1" / "linear2" applied to an expression (float, or int8 for the quantized export).
std::string encoderScript(const ScriptContext& ctx,
                          const std::function<std::string(const std::string&, const std::string&)>& linear) {
  using namespace script;
  const Params& p = ctx.params;
  const std::string& x = ctx.inputVars.at(0);
  const std::string sa = ctx.temp("sa"), ff = ctx.temp("ff"), n1 = ctx.temp("n1"), n2 = ctx.temp("n2"),
                    xs = ctx.temp("x");
  int64_t embed = ctx.inputs.at(0).dims[1];
  auto norm = [&](const std::string& name, const std::string& v) {
    return "torch.layer_norm(" + v + ", " + intList({embed}) + ", " + ctx.attr(name + ".weight") + ", " +
           ctx.attr(name + ".bias") + ", " + floatLiteral(1e-5) + ", False)";
  };
  auto attention = [&](const std::string& v) {
    return selfAttentionScript(ctx, "self_attn", v, sa, embed, p.i("num_heads"), p.b("causal"), "sa_") + "\n";
  };
  auto feedForward = [&](const std::string& v) {
    return ff + " = " + linear("linear2", std::string(p.s("activation") == "gelu" ? "torch.gelu(" : "torch.relu(") +
                                               linear("linear1", v) + ")") + "\n";
  };
  // EncoderLayerNode::forward in eval mode (the dropouts are identities).
  std::string code;
  if (p.b("norm_first")) {
    code += n1 + " = " + norm("norm1", x) + "\n";
    code += attention(n1);
    code += xs + " = " + x + " + " + sa + "\n";
    code += n2 + " = " + norm("norm2", xs) + "\n";
    code += feedForward(n2);
    code += assign(ctx, xs + " + " + ff);
  } else {
    code += attention(x);
    code += xs + " = " + norm("norm1", x + " + " + sa) + "\n";
    code += feedForward(xs);
    code += assign(ctx, norm("norm2", xs + " + " + ff));
  }
  return code;
}

class TransformerEncoderLayer final : public LayerType {
 public:
  TransformerEncoderLayer()
      : LayerType("TransformerEncoderLayer", "Attention",
                  "Transformer encoder block on [batch, length, embed]: multi-head self-attention then a "
                  "two-layer feed-forward network, each with a residual connection and LayerNorm. "
                  "d_model follows from the input.",
                  {ParamSpec::integer("num_heads", 4, 1, 1024, "Parallel attention heads (must divide d_model)"),
                   ParamSpec::integer("dim_feedforward", 256, 1, 1 << 20, "Hidden width of the feed-forward network"),
                   ParamSpec::real("dropout", 0.1, 0.0, 1.0, "Dropout on attention weights and both sublayers"),
                   ParamSpec::choice("activation", "relu", {"relu", "gelu"}, "Feed-forward activation"),
                   ParamSpec::boolean("norm_first", false,
                                      "Pre-norm: LayerNorm before each sublayer instead of after the residual"),
                   ParamSpec::boolean("causal", false, "Position i attends only to positions <= i")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireSequence(in, name())) return *e;
    if (auto e = requireHeadsDivide(in.dims[1], ctx.params.i("num_heads"), name())) return *e;
    return ShapeResult::of(in);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    EncoderConfig c;
    c.embed = ctx.in().dims[1];
    c.heads = p.i("num_heads");
    c.feedforward = p.i("dim_feedforward");
    c.dropout = p.f("dropout");
    c.gelu = p.s("activation") == "gelu";
    c.normFirst = p.b("norm_first");
    c.causal = p.b("causal");
    return std::make_shared<EncoderLayerNode>(c);
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return encoderScript(ctx, [&](const std::string& name, const std::string& v) {
      return "torch.linear(" + v + ", " + ctx.attr(name + ".weight") + ", " + ctx.attr(name + ".bias") + ")";
    });
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    // nn.TransformerEncoderLayer(batch_first=True): EncoderLayerNode uses its submodule names, so the
    // whole state maps under the attribute. layer_norm_eps 1e-5 is the default, as in the node.
    using namespace python;
    const Params& p = ctx.params;
    PythonCode code = module(
        ctx,
        "nn.TransformerEncoderLayer(" +
            args({intLiteral(ctx.inputs.at(0).dims[1]), intLiteral(p.i("num_heads")),
                  kwarg("dim_feedforward", intLiteral(p.i("dim_feedforward"))),
                  kwarg("dropout", floatLiteral(p.f("dropout"))),
                  kwarg("activation", stringLiteral(p.s("activation")), p.s("activation") == "relu"),
                  "batch_first=True", kwarg("norm_first", "True", !p.b("norm_first"))}) +
            ")",
        /*local=*/"");
    if (p.b("causal")) {
      const std::string& x = ctx.inputVars.at(0);
      code.forward = {ctx.outputVar + " = self." + ctx.attr + "(" + x + ", src_mask=" + causalMaskPython(x) + ")"};
    }
    return code;
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    int64_t e = ctx.in().dims[1];
    int64_t f = ctx.params.i("dim_feedforward");
    return satAdd(attentionParamCount(e, true), satAdd(satMul(e, f), f), satAdd(satMul(f, e), e), satMul(4, e));
  }

  int64_t flops(const LayerContext& ctx, const TensorShape&) const override {
    int64_t l = ctx.in().dims[0], e = ctx.in().dims[1];
    int64_t f = ctx.params.i("dim_feedforward");
    // attention + feed-forward matmuls + activation + two residual adds + two LayerNorms (~5 per element)
    return satAdd(attentionFlops(l, e, ctx.params.i("num_heads")), satMul(4, l, e, f), satMul(l, f), satMul(12, l, e));
  }
};
NC_REGISTER_LAYER(TransformerEncoderLayer);

// Dynamic int8 export: the two feed-forward Linears get packed int8 weights (as PyTorch's
// quantize_dynamic does); attention projections and LayerNorms stay float.
NC_REGISTER_QUANTIZED_EMITTER(TransformerEncoderLayer, [](const QuantizedScriptContext& q) -> std::optional<std::string> {
  for (const char* name : {"linear1", "linear2"})
    if (!q.state(std::string(name) + ".weight").defined()) return std::nullopt;
  return encoderScript(q.script, [&](const std::string& name, const std::string& v) {
    std::string packed = q.addPacked(name + "_packed", packLinearInt8(q.state(name + ".weight"), q.state(name + ".bias")));
    return "torch.ops.quantized.linear_dynamic(" + v + ", " + packed + ", " + script::boolLiteral(kReduceRange) + ")";
  });
});

}  // namespace
}  // namespace nc::core::layers

// MultiheadAttention: self-attention over a batch-first sequence [batch, length, embed].
#include "core/NodeModule.h"
#include "core/layers/AttentionUtil.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

/// torch::nn::MultiheadAttention registered as "m" like WrappedNode's (keys "m.in_proj_weight",
/// "m.in_proj_bias", "m.out_proj.weight", "m.out_proj.bias", as in PyTorch's nn.MultiheadAttention),
/// applied as self-attention to a batch-first input.
class SelfAttentionNode final : public NodeModule {
 public:
  SelfAttentionNode(torch::nn::MultiheadAttention m, bool causal)
      : m_attention(register_module("m", std::move(m))), m_causal(causal) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return batchFirstSelfAttention(m_attention, in.at(0), m_causal);
  }

 private:
  torch::nn::MultiheadAttention m_attention;
  bool m_causal;
};

class MultiheadAttention final : public LayerType {
 public:
  MultiheadAttention()
      : LayerType("MultiheadAttention", "Attention",
                  "Multi-head self-attention over a sequence [batch, length, embed]: every position mixes in "
                  "the others, weighted by query-key similarity. embed follows from the input.",
                  {ParamSpec::integer("num_heads", 4, 1, 1024, "Parallel attention heads (must divide embed)"),
                   ParamSpec::real("dropout", 0.0, 0.0, 1.0, "Dropout on the attention weights while training"),
                   ParamSpec::boolean("bias", true, "Learn biases in the input and output projections"),
                   ParamSpec::boolean("causal", false, "Position i attends only to positions <= i")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireSequence(in, name())) return *e;
    if (auto e = requireHeadsDivide(in.dims[1], ctx.params.i("num_heads"), name())) return *e;
    return ShapeResult::of(in);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    torch::nn::MultiheadAttention m(torch::nn::MultiheadAttentionOptions(ctx.in().dims[1], p.i("num_heads"))
                                        .dropout(p.f("dropout"))
                                        .bias(p.b("bias")));
    return std::make_shared<SelfAttentionNode>(std::move(m), p.b("causal"));
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return selfAttentionScript(ctx, "m", ctx.inputVars.at(0), ctx.outputVar, ctx.inputs.at(0).dims[1],
                               ctx.params.i("num_heads"), ctx.params.b("causal"));
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    // nn.MultiheadAttention(batch_first=True) as self-attention; its state names ("in_proj_weight",
    // "out_proj.weight", ...) are LibTorch's, held as "m".
    using namespace python;
    const Params& p = ctx.params;
    PythonCode code = module(
        ctx, "nn.MultiheadAttention(" +
                 args({intLiteral(ctx.inputs.at(0).dims[1]), intLiteral(p.i("num_heads")),
                       kwarg("dropout", floatLiteral(p.f("dropout")), p.f("dropout") == 0.0),
                       kwarg("bias", "False", p.b("bias")), "batch_first=True"}) +
                 ")");
    const std::string& x = ctx.inputVars.at(0);
    std::string mask;
    code.forward.clear();
    if (p.b("causal")) {
      mask = ctx.temp("mask");
      code.forward.push_back(mask + " = " + causalMaskPython(x));
    }
    code.forward.push_back(ctx.outputVar + ", _ = self." + ctx.attr + "(" +
                           args({x, x, x, "need_weights=False", kwarg("attn_mask", mask, mask.empty())}) + ")");
    return code;
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    return attentionParamCount(ctx.in().dims[1], ctx.params.b("bias"));
  }

  int64_t flops(const LayerContext& ctx, const TensorShape&) const override {
    return attentionFlops(ctx.in().dims[0], ctx.in().dims[1], ctx.params.i("num_heads"));
  }
};
NC_REGISTER_LAYER(MultiheadAttention);

}  // namespace
}  // namespace nc::core::layers

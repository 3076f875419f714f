// PositionalEncoding: adds a position table [length, embed] to a sequence [batch, length, embed].
#include <cmath>

#include "core/NodeModule.h"
#include "core/layers/AttentionUtil.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

/// The standard sinusoidal table: pe[pos, 2i] = sin(pos / 10000^(2i/E)), pe[pos, 2i+1] = cos(same angle).
/// Computed in double, returned as float. Odd E: the last column is a sine.
torch::Tensor sinusoidalTable(int64_t length, int64_t embed) {
  auto dbl = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor position = torch::arange(length, dbl).unsqueeze(1);                                  // [L, 1]
  torch::Tensor inverseFreq = torch::exp(torch::arange(0, embed, 2, dbl) * (-std::log(10000.0) / embed));  // [ceil(E/2)]
  torch::Tensor angle = position * inverseFreq;                                                     // [L, ceil(E/2)]
  torch::Tensor pe = torch::zeros({length, embed}, dbl);
  using torch::indexing::None;
  using torch::indexing::Slice;
  pe.index_put_({Slice(), Slice(0, None, 2)}, torch::sin(angle));
  pe.index_put_({Slice(), Slice(1, None, 2)}, torch::cos(angle.index({Slice(), Slice(0, embed / 2)})));
  return pe.to(torch::kFloat32);
}

/// Holds "pe" (a buffer for sinusoidal, a parameter for learned) directly on the node.
class PositionalEncodingNode final : public NodeModule {
 public:
  PositionalEncodingNode(int64_t length, int64_t embed, bool learned, double dropout)
      : m_dropout(register_module("dropout", torch::nn::Dropout(dropout))) {
    if (learned)
      m_pe = register_parameter("pe", torch::randn({length, embed}) * 0.02);
    else
      m_pe = register_buffer("pe", sinusoidalTable(length, embed));
  }

  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    const torch::Tensor& x = in.at(0);
    TORCH_CHECK(x.dim() == 3 && x.size(1) <= m_pe.size(0) && x.size(2) == m_pe.size(1),
                "PositionalEncoding was built for up to ", m_pe.size(0), " positions of width ", m_pe.size(1),
                " but receives ", x.sizes());
    return m_dropout(x + m_pe.slice(0, 0, x.size(1)));
  }

 private:
  torch::nn::Dropout m_dropout;
  torch::Tensor m_pe;
};

class PositionalEncoding final : public LayerType {
 public:
  PositionalEncoding()
      : LayerType("PositionalEncoding", "Embedding",
                  "Adds a position table to a sequence [batch, length, embed] so that attention can tell "
                  "positions apart: fixed sine/cosine waves, or learned vectors.",
                  {ParamSpec::choice("kind", "sinusoidal", {"sinusoidal", "learned"},
                                     "Fixed sine/cosine table, or one trainable vector per position"),
                   ParamSpec::real("dropout", 0.0, 0.0, 1.0, "Dropout after adding the table while training")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    if (auto e = requireSequence(ctx.in(), name())) return *e;
    return ShapeResult::of(ctx.in());
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    return std::make_shared<PositionalEncodingNode>(ctx.in().dims[0], ctx.in().dims[1],
                                                    ctx.params.s("kind") == "learned", ctx.params.f("dropout"));
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // The table's first length rows (a buffer for sinusoidal, a parameter for learned); eval: no dropout.
    const std::string& x = ctx.inputVars.at(0);
    return script::assign(ctx, x + " + " + ctx.attr("pe") + "[0:" + x + ".size(1)]");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    // The table itself is the attribute: an nn.Parameter when learned, else a buffer holding
    // sinusoidalTable() computed the same way (float64, then float32); dropout as a module.
    using namespace python;
    const std::string table = "self." + ctx.attr;
    int64_t length = ctx.inputs.at(0).dims[0], embed = ctx.inputs.at(0).dims[1];
    PythonCode code;
    code.state = {{"pe", ctx.attr}};
    if (ctx.params.s("kind") == "learned") {
      code.init.push_back(table + " = nn.Parameter(0.02 * torch.randn(" + intLiteral(length) + ", " +
                          intLiteral(embed) + "))");
    } else {
      const std::string angle = ctx.temp("angle"), pe = ctx.temp("table");
      code.init.push_back(angle + " = torch.arange(" + intLiteral(length) +
                          ", dtype=torch.float64).unsqueeze(1) * torch.exp(torch.arange(0, " + intLiteral(embed) +
                          ", 2, dtype=torch.float64) * " + floatLiteral(-std::log(10000.0) / double(embed)) + ")");
      code.init.push_back(pe + " = torch.zeros(" + intLiteral(length) + ", " + intLiteral(embed) +
                          ", dtype=torch.float64)");
      code.init.push_back(pe + "[:, 0::2] = torch.sin(" + angle + ")");
      code.init.push_back(pe + "[:, 1::2] = torch.cos(" + angle + "[:, :" + intLiteral(embed / 2) + "])");
      code.init.push_back("self.register_buffer(" + stringLiteral(ctx.attr) + ", " + pe + ".float())");
    }
    const std::string& x = ctx.inputVars.at(0);
    std::string sum = x + " + " + table + "[:" + x + ".size(1)]";
    double dropout = ctx.params.f("dropout");
    if (dropout > 0) {
      const std::string dropoutModule = "self." + ctx.temp("dropout");
      code.init.push_back(dropoutModule + " = nn.Dropout(" + floatLiteral(dropout) + ")");
      sum = dropoutModule + "(" + sum + ")";
    }
    code.forward = {assign(ctx, sum)};
    return code;
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    return ctx.params.s("kind") == "learned" ? ctx.in().dims[0] * ctx.in().dims[1] : 0;
  }

  int64_t flops(const LayerContext& ctx, const TensorShape&) const override { return ctx.in().numel(); }
};
NC_REGISTER_LAYER(PositionalEncoding);

}  // namespace
}  // namespace nc::core::layers

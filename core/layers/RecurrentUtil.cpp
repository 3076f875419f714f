#include "core/layers/RecurrentUtil.h"

#include "core/layers/QuantizedScript.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

const char* const kForm = "[batch, length, features]";

std::vector<ParamSpec> recurrentParams(std::vector<ParamSpec> extra) {
  std::vector<ParamSpec> p{
      ParamSpec::integer("hidden_size", 128, 1, 65536, "Features of the hidden state (per direction)"),
      ParamSpec::integer("num_layers", 1, 1, 8, "Stacked recurrent layers, each reading the previous one's outputs")};
  for (auto& e : extra) p.push_back(std::move(e));
  p.push_back(ParamSpec::boolean("bias", true, "Learn the input and hidden biases"));
  p.push_back(ParamSpec::real("dropout", 0.0, 0.0, 1.0,
                              "Dropout probability between stacked layers (training only; needs num_layers > 1)"));
  p.push_back(ParamSpec::boolean("bidirectional", false,
                                 "Also run backwards over the sequence; doubles the output features"));
  p.push_back(ParamSpec::choice("output", "last", {"sequence", "last"},
                                "sequence: [B, length, H*dirs] for every step; last: final hidden state [B, H*dirs]"));
  return p;
}

/// How to turn a non-sequence input into [length, features], for the error message.
std::string rankHint(const TensorShape& in) {
  if (in.rank() < 3) {
    int64_t f = in.dims.empty() ? 1 : in.dims[0];
    return "insert a Reshape to [" + std::to_string(f) + ", 1] (one feature per time step) or [1, " +
           std::to_string(f) + "] (a single time step)";
  }
  // Rank > 3: skip leading dimensions of size 1, take the next as time, merge the rest into features.
  size_t t = 0;
  while (t + 1 < in.dims.size() && in.dims[t] == 1) ++t;
  int64_t features = 1;
  for (size_t i = t + 1; i < in.dims.size(); ++i) features *= in.dims[i];
  std::string what;
  if (in.dims.size() == 3) {
    static const char* const names[] = {"channels", "rows", "columns"};
    what = names[t];
  } else {
    what = "dimension " + std::to_string(t + 1);
  }
  return "insert a Reshape to [" + std::to_string(in.dims[t]) + ", " + std::to_string(features) + "] (" + what +
         " as time steps)";
}

}  // namespace

RecurrentLayer::RecurrentLayer(std::string name, std::string doc, RecurrentCell cell, std::vector<ParamSpec> extra)
    : LayerType(std::move(name), "Recurrent", std::move(doc), recurrentParams(std::move(extra))), m_cell(cell) {}

ShapeResult RecurrentLayer::infer(const LayerContext& ctx) const {
  const TensorShape& in = ctx.in();
  if (auto e = requireFloat(in, name())) return *e;
  if (in.rank() != 3) return *requireRank(in, 3, name(), kForm, rankHint(in));
  const Params& p = ctx.params;
  int64_t width = p.i("hidden_size") * (p.b("bidirectional") ? 2 : 1);
  if (p.s("output") == "sequence") return ShapeResult::of({{in.dims[0], width}});
  return ShapeResult::of({{width}});
}

int64_t RecurrentLayer::paramCount(const LayerContext& ctx) const {
  const Params& p = ctx.params;
  int64_t h = p.i("hidden_size");
  int64_t dirs = p.b("bidirectional") ? 2 : 1;
  int64_t gh = m_cell.gates * h;
  int64_t total = 0;
  for (int64_t layer = 0; layer < p.i("num_layers"); ++layer) {
    int64_t input = layer == 0 ? ctx.in().dims.back() : h * dirs;
    total = satAdd(total, satMul(dirs, satAdd(satMul(gh, satAdd(input, h)), p.b("bias") ? 2 * gh : 0)));
  }
  return total;
}

int64_t RecurrentLayer::flops(const LayerContext& ctx, const TensorShape&) const {
  // Per step, direction and layer: the two matrix products, the bias additions and the gate arithmetic.
  const Params& p = ctx.params;
  int64_t h = p.i("hidden_size");
  int64_t dirs = p.b("bidirectional") ? 2 : 1;
  int64_t gh = m_cell.gates * h;
  int64_t perStep = 0;
  for (int64_t layer = 0; layer < p.i("num_layers"); ++layer) {
    int64_t input = layer == 0 ? ctx.in().dims.back() : h * dirs;
    perStep = satAdd(perStep, satMul(dirs, satAdd(satMul(2, gh, satAdd(input, h)), p.b("bias") ? 2 * gh : 0,
                                                  satMul(m_cell.elementwisePerUnit, h))));
  }
  return satMul(ctx.in().dims[0], perStep);
}

torch::Tensor lastLayerHidden(const torch::Tensor& hn, int64_t directions) {
  // hn: [num_layers * directions, batch, hidden], the last layer's directions at the end.
  torch::Tensor last = hn.slice(0, hn.size(0) - directions, hn.size(0));  // [directions, batch, hidden]
  return last.transpose(0, 1).reshape({hn.size(1), directions * hn.size(2)});
}

namespace {
std::string recurrentCall(const ScriptContext& ctx, const std::string& op, bool lstm, const std::string& weights,
                          bool biases, const std::string& extraArgs);
}  // namespace

std::string recurrentScript(const ScriptContext& ctx, const std::string& op, bool lstm) {
  using namespace script;
  const Params& p = ctx.params;
  int64_t layers = p.i("num_layers");
  int64_t dirs = p.b("bidirectional") ? 2 : 1;
  bool biases = ctx.hasAttr("rnn.bias_ih_l0");
  // The module's flat weights: per layer, per direction: w_ih, w_hh (, b_ih, b_hh).
  std::vector<std::string> weights;
  for (int64_t layer = 0; layer < layers; ++layer)
    for (int64_t d = 0; d < dirs; ++d) {
      std::string suffix = "_l" + std::to_string(layer) + (d ? "_reverse" : "");
      weights.push_back(ctx.attr("rnn.weight_ih" + suffix));
      weights.push_back(ctx.attr("rnn.weight_hh" + suffix));
      if (biases) {
        weights.push_back(ctx.attr("rnn.bias_ih" + suffix));
        weights.push_back(ctx.attr("rnn.bias_hh" + suffix));
      }
    }
  return recurrentCall(ctx, op, lstm, listLiteral(weights), biases, "");
}

namespace {

/// Zero initial state, `op`(x, state, weights, has_biases, layers, dropout 0.0, train False,
/// bidirectional, batch_first True `extraArgs`), then the output RecurrentNode::forward selects.
std::string recurrentCall(const ScriptContext& ctx, const std::string& op, bool lstm, const std::string& weights,
                          bool biases, const std::string& extraArgs) {
  using namespace script;
  const Params& p = ctx.params;
  const std::string& x = ctx.inputVars.at(0);
  int64_t layers = p.i("num_layers");
  int64_t dirs = p.b("bidirectional") ? 2 : 1;
  int64_t hidden = p.i("hidden_size");
  const std::string h0 = ctx.temp("h0");
  const std::string result = ctx.temp("result");
  std::string code = h0 + " = torch.zeros([" + intLiteral(layers * dirs) + ", " + x + ".size(0), " +
                     intLiteral(hidden) + "], dtype=" + x + ".dtype, device=" + x + ".device)\n";
  std::string state = lstm ? listLiteral({h0, h0}) : h0;
  // dropout 0.0 and train False: the export is evaluation-only; batch_first as configured.
  code += result + " = " + op + "(" + x + ", " + state + ", " + weights + ", " + boolLiteral(biases) + ", " +
          intLiteral(layers) + ", " + floatLiteral(0.0) + ", False, " + boolLiteral(dirs == 2) + ", True" + extraArgs +
          ")\n";
  if (p.s("output") == "sequence") return code + assign(ctx, result + "[0]");
  // lastLayerHidden: h_n[-dirs:] [dirs, batch, hidden] -> [batch, dirs * hidden].
  int64_t n = layers * dirs;
  return code + assign(ctx, result + "[1][" + intLiteral(n - dirs) + ":" + intLiteral(n) + "].transpose(0, 1).reshape([" +
                                x + ".size(0), " + intLiteral(dirs * hidden) + "])");
}

}  // namespace

std::optional<std::string> recurrentQuantizedScript(const QuantizedScriptContext& q, bool lstm) {
  const ScriptContext& ctx = q.script;
  const Params& p = ctx.params;
  int64_t layers = p.i("num_layers");
  int64_t dirs = p.b("bidirectional") ? 2 : 1;
  // One packed cell per layer and direction, in the order of the flat weights; a layer without
  // biases gets zero biases (the quantized cells always add them).
  std::vector<std::string> cells;
  for (int64_t layer = 0; layer < layers; ++layer)
    for (int64_t d = 0; d < dirs; ++d) {
      std::string suffix = "_l" + std::to_string(layer) + (d ? "_reverse" : "");
      torch::Tensor wIh = q.state("rnn.weight_ih" + suffix), wHh = q.state("rnn.weight_hh" + suffix);
      if (!wIh.defined() || !wHh.defined()) return std::nullopt;
      cells.push_back(q.addPacked("cell" + suffix, packRecurrentCellInt8(wIh, wHh, q.state("rnn.bias_ih" + suffix),
                                                                          q.state("rnn.bias_hh" + suffix))));
    }
  // dtype 12 is torch.qint8 (ScalarType::QInt8): int8 weights, activations quantized per call.
  if (lstm)
    return recurrentCall(ctx, "torch.quantized_lstm", true, script::listLiteral(cells), true,
                         ", dtype=12, use_dynamic=True");
  return recurrentCall(ctx, "torch.quantized_gru", false, script::listLiteral(cells), true, "");
}

PythonCode recurrentPython(const PythonContext& ctx, const std::string& cls, bool lstm, const std::string& extraArgs) {
  using namespace python;
  const Params& p = ctx.params;
  int64_t layers = p.i("num_layers");
  int64_t dirs = p.b("bidirectional") ? 2 : 1;
  int64_t hidden = p.i("hidden_size");
  double dropout = layers > 1 ? p.f("dropout") : 0.0;  // as configure(): between layers only
  std::string constructor =
      cls + "(" +
      args({intLiteral(ctx.inputs.at(0).dims.back()), intLiteral(hidden),
            kwarg("num_layers", intLiteral(layers), layers == 1), extraArgs, kwarg("bias", "False", p.b("bias")),
            "batch_first=True", kwarg("dropout", floatLiteral(dropout), dropout == 0.0),
            kwarg("bidirectional", "True", dirs == 1)}) +
      ")";
  PythonCode code = module(ctx, constructor, "rnn.");
  const std::string& x = ctx.inputVars.at(0);
  const std::string call = "self." + ctx.attr + "(" + x + ")";
  if (p.s("output") == "sequence") {
    code.forward = {ctx.outputVar + ", _ = " + call};
    return code;
  }
  // lastLayerHidden: h_n[-dirs:] [dirs, batch, hidden] -> [batch, dirs * hidden], forward direction first.
  const std::string h = ctx.temp("h");
  code.forward = {"_, " + (lstm ? "(" + h + ", _)" : h) + " = " + call};
  if (dirs == 1)
    code.forward.push_back(assign(ctx, h + "[-1]"));
  else
    code.forward.push_back(assign(ctx, h + "[-" + intLiteral(dirs) + ":].transpose(0, 1).reshape(" + x + ".size(0), " +
                                           intLiteral(dirs * hidden) + ")"));
  return code;
}

}  // namespace nc::core::layers

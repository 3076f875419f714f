// GRU: gated recurrent unit over [batch, length, features].
#include "core/layers/QuantizedScript.h"
#include "core/layers/RecurrentUtil.h"

namespace nc::core::layers {
namespace {

class GRU final : public RecurrentLayer {
 public:
  GRU()
      : RecurrentLayer("GRU",
                       "Gated recurrent unit over [batch, length, features]: a lighter gated alternative to "
                       "the LSTM; outputs every step's hidden state or the final one. input_size follows "
                       "from the input.",
                       RecurrentCell{3, 8}) {}

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return recurrentNode(
        torch::nn::GRU(configure(torch::nn::GRUOptions(ctx.in().dims.back(), p.i("hidden_size")), p)), p);
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return recurrentScript(ctx, "torch.gru", /*lstm=*/false);
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return recurrentPython(ctx, "nn.GRU", /*lstm=*/false);
  }
};
NC_REGISTER_LAYER(GRU);
// Dynamic int8 export: packed int8 weights per layer and direction (torch.quantized_gru).
NC_REGISTER_QUANTIZED_EMITTER(GRU, [](const QuantizedScriptContext& q) { return recurrentQuantizedScript(q, /*lstm=*/false); });

}  // namespace
}  // namespace nc::core::layers

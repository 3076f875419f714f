// LSTM: long short-term memory over [batch, length, features].
#include "core/layers/QuantizedScript.h"
#include "core/layers/RecurrentUtil.h"

namespace nc::core::layers {
namespace {

class LSTM final : public RecurrentLayer {
 public:
  LSTM()
      : RecurrentLayer("LSTM",
                       "Long short-term memory over [batch, length, features]: a gated recurrent layer "
                       "that keeps long-range context; outputs every step's hidden state or the final one. "
                       "input_size follows from the input.",
                       RecurrentCell{4, 9}) {}

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return recurrentNode(
        torch::nn::LSTM(configure(torch::nn::LSTMOptions(ctx.in().dims.back(), p.i("hidden_size")), p)), p);
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return recurrentScript(ctx, "torch.lstm", /*lstm=*/true);
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return recurrentPython(ctx, "nn.LSTM", /*lstm=*/true);
  }
};
NC_REGISTER_LAYER(LSTM);
// Dynamic int8 export: packed int8 weights per layer and direction (torch.quantized_lstm).
NC_REGISTER_QUANTIZED_EMITTER(LSTM, [](const QuantizedScriptContext& q) { return recurrentQuantizedScript(q, /*lstm=*/true); });

}  // namespace
}  // namespace nc::core::layers

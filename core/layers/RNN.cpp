// RNN: Elman recurrent layer over [batch, length, features].
#include "core/layers/RecurrentUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class RNN final : public RecurrentLayer {
 public:
  RNN()
      : RecurrentLayer("RNN",
                       "Simple (Elman) recurrent layer h_t = tanh(W x_t + U h_t-1 + b) over [batch, length, "
                       "features]; outputs every step's hidden state or the final one. input_size follows "
                       "from the input.",
                       RecurrentCell{1, 2},
                       {ParamSpec::choice("nonlinearity", "tanh", {"tanh", "relu"},
                                          "Activation of the hidden state")}) {}

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    auto options = configure(torch::nn::RNNOptions(ctx.in().dims.back(), p.i("hidden_size")), p);
    if (p.s("nonlinearity") == "relu")
      options.nonlinearity(torch::kReLU);
    else
      options.nonlinearity(torch::kTanh);
    return recurrentNode(torch::nn::RNN(options), p);
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return recurrentScript(ctx, ctx.params.s("nonlinearity") == "relu" ? "torch.rnn_relu" : "torch.rnn_tanh",
                           /*lstm=*/false);
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    const std::string& nonlinearity = ctx.params.s("nonlinearity");
    return recurrentPython(ctx, "nn.RNN", /*lstm=*/false,
                           python::kwarg("nonlinearity", python::stringLiteral(nonlinearity), nonlinearity == "tanh"));
  }
};
NC_REGISTER_LAYER(RNN);

}  // namespace
}  // namespace nc::core::layers

#pragma once
// Shared by the recurrent layers (RNN.cpp, LSTM.cpp, GRU.cpp): parameters, shape inference,
// parameter/FLOP counts and the node module selecting the "sequence" or "last" output.
// Includes LibTorch (NodeModule.h): include only from layer .cpp files.
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"

namespace nc::core::layers {

struct QuantizedScriptContext;  // core/layers/QuantizedScript.h

/// What distinguishes the recurrent cells for counting: the number of gate blocks in the
/// weight matrices (RNN 1, GRU 3, LSTM 4) and the elementwise work per hidden unit and step.
struct RecurrentCell {
  int64_t gates;
  int64_t elementwisePerUnit;
};

/// Base of RNN, LSTM and GRU: input [batch, length, features] (batch first), input_size taken
/// from the last dimension. Subclasses only build their torch module (see recurrentNode()).
class RecurrentLayer : public LayerType {
 public:
  /// `extra` parameters (e.g. RNN's nonlinearity) are inserted after num_layers, as in PyTorch.
  RecurrentLayer(std::string name, std::string doc, RecurrentCell cell, std::vector<ParamSpec> extra = {});

  ShapeResult infer(const LayerContext& ctx) const override;
  int64_t paramCount(const LayerContext& ctx) const override;
  int64_t flops(const LayerContext& ctx, const TensorShape& output) const override;

 protected:
  /// The common torch options: sizes, num_layers, bias, dropout, bidirectional, batch_first.
  template <class Options>
  static Options configure(Options options, const Params& p) {
    int64_t layers = p.i("num_layers");
    // Dropout acts between layers only; torch warns when given it with one layer, so pass 0 then.
    return options.num_layers(layers)
        .bias(p.b("bias"))
        .batch_first(true)
        .dropout(layers > 1 ? p.f("dropout") : 0.0)
        .bidirectional(p.b("bidirectional"));
  }

 private:
  RecurrentCell m_cell;
};

/// The final hidden state of the last layer from h_n [num_layers * directions, batch, hidden]:
/// [batch, directions * hidden], forward direction first, then backward.
torch::Tensor lastLayerHidden(const torch::Tensor& hn, int64_t directions);

/// TorchScript for a recurrent node (LayerType::emitScript): zero initial state(s), then `op`
/// ("torch.lstm", "torch.gru", "torch.rnn_tanh" or "torch.rnn_relu") over the node's flat weights
/// "rnn.weight_ih_l0", ... (batch first, eval mode), then the sequence or the last layer's final
/// hidden state as RecurrentNode::forward selects it. `lstm`: the state is [h0, c0].
std::string recurrentScript(const ScriptContext& ctx, const std::string& op, bool lstm);

/// The dynamic int8 form of recurrentScript() for LSTM (`lstm`) and GRU (a QuantizedEmitter):
/// torch.quantized_lstm / torch.quantized_gru over one packed int8 cell per layer and direction,
/// with the same state, batch_first and output selection. nullopt when a weight is missing.
std::optional<std::string> recurrentQuantizedScript(const QuantizedScriptContext& q, bool lstm);

/// PyTorch source for a recurrent node (LayerType::emitPython): `cls` ("nn.RNN", "nn.LSTM", "nn.GRU")
/// built batch-first as configure() builds the LibTorch module (`extraArgs`, e.g. RNN's
/// "nonlinearity='relu'", appended), and the sequence or the last layer's final hidden state as
/// RecurrentNode::forward selects it. State "rnn.weight_ih_l0" -> "<attr>.weight_ih_l0".
PythonCode recurrentPython(const PythonContext& ctx, const std::string& cls, bool lstm,
                           const std::string& extraArgs = {});

inline const torch::Tensor& finalHidden(const torch::Tensor& hn) { return hn; }
inline const torch::Tensor& finalHidden(const std::tuple<torch::Tensor, torch::Tensor>& hnCn) {
  return std::get<0>(hnCn);
}

/// Node wrapping a torch::nn::RNN/LSTM/GRU registered as "rnn", so that checkpoint keys read
/// "n<id>.rnn.weight_ih_l0" like a PyTorch nn.LSTM(batch_first=True) attribute named rnn.
template <class Holder>
class RecurrentNode final : public NodeModule {
 public:
  RecurrentNode(Holder rnn, bool lastOnly, int64_t directions)
      : m_rnn(register_module("rnn", std::move(rnn))), m_lastOnly(lastOnly), m_directions(directions) {}

  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    auto result = m_rnn->forward(in.at(0));
    if (!m_lastOnly) return std::get<0>(result);
    return lastLayerHidden(finalHidden(std::get<1>(result)), m_directions);
  }

 private:
  Holder m_rnn;
  bool m_lastOnly;
  int64_t m_directions;
};

/// The node for a built torch recurrent module, honouring the "output" and "bidirectional" params.
template <class Holder>
std::shared_ptr<NodeModule> recurrentNode(Holder rnn, const Params& p) {
  return std::make_shared<RecurrentNode<Holder>>(std::move(rnn), p.s("output") == "last",
                                                 p.b("bidirectional") ? 2 : 1);
}

}  // namespace nc::core::layers

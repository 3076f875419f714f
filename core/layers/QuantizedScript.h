#pragma once
// Dynamic int8 quantization of the TorchScript export (ExportOptions::quantize): a layer type that
// can run with int8 weights registers, from its own file, an emitter that writes its quantized
// forward statements and creates its packed weights. The exporter asks findQuantizedEmitter() per
// node; nodes without one export as float (what dynamic quantization does).
// Includes LibTorch: include only from .cpp files (layers, exporter).
#include <torch/script.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/LayerType.h"

namespace torch::jit {
struct Resolver;
}

namespace nc::core::layers {

/// What the exporter hands a quantized emitter.
struct QuantizedScriptContext {
  /// As for LayerType::emitScript: params, input shapes and variables, outputVar, attr(), temp().
  /// Only the float states asked for through script.attr() go into the archive.
  const ScriptContext& script;
  /// The node's float state by local name ("m.weight", "rnn.bias_ih_l0"); an undefined tensor
  /// when the node has none (bias=false).
  std::function<torch::Tensor(const std::string&)> state;
  /// Registers `value` (packed weights) as an attribute of the exported module under a fresh name
  /// derived from the node and `hint`; returns the expression that reads it ("self.fc1_packed").
  std::function<std::string(const std::string& hint, const c10::IValue& value)> addPacked;
};

/// The node's forward statements with int8 weights (the last assigns script.outputVar), or
/// nullopt when this node's configuration cannot be quantized (it is then exported as float).
using QuantizedEmitter = std::function<std::optional<std::string>(const QuantizedScriptContext&)>;

/// Registers the emitter for a layer type name (from the layer's own file, at static init).
bool registerQuantizedEmitter(const std::string& layerType, QuantizedEmitter emitter);

/// The emitter for a layer type, or nullptr.
const QuantizedEmitter* findQuantizedEmitter(const std::string& layerType);

/// The layer type names that have an emitter, sorted.
std::vector<std::string> quantizedLayerTypes();

/// int8 weights for quantized::linear_dynamic: `weight` [out, in] quantized symmetrically per
/// output channel to qint8 (scale = max|w| / 127.5 per row, zero point 0, as PyTorch's symmetric
/// weight observers), packed with `bias` (undefined = none) by quantized::linear_prepack for the
/// current quantized engine. The result serialises in the archive
/// (__torch__.torch.classes.quantized.LinearPackedParamsBase).
c10::IValue packLinearInt8(const torch::Tensor& weight, const torch::Tensor& bias);

/// One layer and direction of a dynamic int8 LSTM/GRU for torch.quantized_lstm / quantized_gru:
/// quantized::make_quantized_cell_params_dynamic over the packed input and hidden weights
/// (__torch__.torch.classes.rnn.CellParamsBase). Undefined biases are passed as zeros.
c10::IValue packRecurrentCellInt8(const torch::Tensor& wIh, const torch::Tensor& wHh, const torch::Tensor& bIh,
                                  const torch::Tensor& bHh);

/// The resolver for Module::define of code with quantized ops: "torch.foo" as the native
/// resolver, plus "torch.ops.<namespace>.<op>" (e.g. torch.ops.quantized.linear_dynamic).
std::shared_ptr<torch::jit::Resolver> quantizedOpsResolver();

/// reduce_range for quantized::linear_dynamic and the recurrent cells, as PyTorch's dynamic
/// quantized modules pass it: activations use 7 bits, which avoids int16 accumulation overflow.
inline constexpr bool kReduceRange = true;

}  // namespace nc::core::layers

/// Registers `emitter` (a QuantizedEmitter) for the layer type `typeName` at static initialisation.
#define NC_REGISTER_QUANTIZED_EMITTER(typeName, emitter)                                                   \
  [[maybe_unused]] static const bool nc_quantized_registered_##typeName =                                   \
      ::nc::core::layers::registerQuantizedEmitter(#typeName, emitter)

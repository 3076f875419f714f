#pragma once
// Dynamic int8 quantization of exported models (issue 12): the mode names the CLI and GUI use, and
// the choice of LibTorch's quantized engine. No torch in this header.
#include <optional>
#include <string>

namespace nc::core {

enum class QuantizeMode { None, DynamicInt8 };

/// "none" / "dynamic-int8" -> mode; nullopt for anything else.
std::optional<QuantizeMode> parseQuantizeMode(const std::string& text);

/// "none" / "dynamic-int8".
std::string quantizeModeName(QuantizeMode mode);

/// Selects LibTorch's oneDNN quantized engine (QNNPACK is ~15x slower than float on x86 in Debian's
/// 1.13; oneDNN ~1.4x faster). Idempotent, cheap, thread-safe; call before loading or running any
/// quantized archive. Falls back to whatever is supported, never throws.
void useFastQuantizedEngine();

/// True when LibTorch has a quantized engine that can run dynamic int8 Linear/LSTM/GRU here
/// (oneDNN, FBGEMM or QNNPACK). useFastQuantizedEngine() is called first.
bool quantizedEngineAvailable();

/// The quantized engine currently selected ("onednn", "fbgemm", "qnnpack", "none").
std::string currentQuantizedEngineName();

/// What a dynamic-int8 export quantized, from the archive's neuralcanvas/meta.json (read from the
/// zip without loading the model): "int8: 2 Linear, 1 LSTM; float: 1 Conv2d, 1 LayerNorm" (node
/// counts per type; the float part lists nodes with weights left float, "float: none" when there
/// are none). Empty when the archive is not a quantized NeuralCanvas export or cannot be read.
std::string quantizationSummary(const std::string& archivePath);

}  // namespace nc::core

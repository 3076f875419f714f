// Quantize mode names and the quantized-engine choice (see Quantize.h).
#include "core/deploy/Quantize.h"

#include <ATen/Context.h>

#include <algorithm>
#include <mutex>

namespace nc::core {

std::optional<QuantizeMode> parseQuantizeMode(const std::string& text) {
  if (text == "none") return QuantizeMode::None;
  if (text == "dynamic-int8") return QuantizeMode::DynamicInt8;
  return std::nullopt;
}

std::string quantizeModeName(QuantizeMode mode) {
  switch (mode) {
    case QuantizeMode::None: return "none";
    case QuantizeMode::DynamicInt8: return "dynamic-int8";
  }
  return "none";
}

namespace {

bool engineSupported(at::QEngine engine) {
  const auto& engines = at::globalContext().supportedQEngines();
  return std::find(engines.begin(), engines.end(), engine) != engines.end();
}

}  // namespace

void useFastQuantizedEngine() {
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      for (at::QEngine engine : {at::QEngine::ONEDNN, at::QEngine::FBGEMM, at::QEngine::QNNPACK}) {
        if (engineSupported(engine)) {
          at::globalContext().setQEngine(engine);
          return;
        }
      }
    } catch (...) {
      // Keep whatever engine LibTorch chose.
    }
  });
}

bool quantizedEngineAvailable() {
  useFastQuantizedEngine();
  try {
    return at::globalContext().qEngine() != at::QEngine::NoQEngine;
  } catch (...) {
    return false;
  }
}

std::string currentQuantizedEngineName() {
  try {
    switch (at::globalContext().qEngine()) {
      case at::QEngine::ONEDNN: return "onednn";
      case at::QEngine::FBGEMM: return "fbgemm";
      case at::QEngine::QNNPACK: return "qnnpack";
      default: return "none";
    }
  } catch (...) {
    return "none";
  }
}

}  // namespace nc::core

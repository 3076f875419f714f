// Quantize mode names and the quantized-engine choice (see Quantize.h).
#include "core/deploy/Quantize.h"

#include <ATen/Context.h>
#include <caffe2/serialize/inline_container.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/JsonUtil.h"

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

namespace {

/// "2 Linear, 1 LSTM" from [{"name", "type"}...] (types in first-seen order); "none" when empty.
std::string countByType(const nlohmann::json& nodes) {
  std::vector<std::string> order;
  std::map<std::string, int> counts;
  if (nodes.is_array())
    for (const auto& n : nodes) {
      if (!n.is_object() || !n.contains("type") || !n["type"].is_string()) continue;
      std::string type = n["type"].get<std::string>();
      if (counts[type]++ == 0) order.push_back(type);
    }
  if (order.empty()) return "none";
  std::string text;
  for (const auto& type : order) text += (text.empty() ? "" : ", ") + std::to_string(counts[type]) + " " + type;
  return text;
}

}  // namespace

std::string quantizationSummary(const std::string& archivePath) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(archivePath);
    const std::string record = "extra/neuralcanvas/meta.json";
    if (!reader.hasRecord(record)) return {};
    auto [data, size] = reader.getRecord(record);
    JsonParse meta = parseJson(std::string(static_cast<const char*>(data.get()), size));
    if (!meta.ok() || !meta.value.is_object()) return {};
    auto it = meta.value.find("quantized");
    if (it == meta.value.end() || !it->is_object()) return {};
    return "int8: " + countByType(it->value("int8", nlohmann::json::array())) +
           "; float: " + countByType(it->value("float", nlohmann::json::array()));
  } catch (...) {
    return {};
  }
}

}  // namespace nc::core

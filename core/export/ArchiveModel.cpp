#include "core/export/ArchiveModel.h"

#include <nlohmann/json.hpp>

#include "core/JsonUtil.h"
#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"
#include "core/deploy/Quantize.h"
#include "core/export/TorchScriptExporter.h"

namespace nc::core {

namespace {

std::string loadFailure(const std::string& archive, const std::string& why) {
  return archive + ": cannot load a NeuralCanvas model (the file is damaged, truncated or not an exported model): " +
         why.substr(0, 300);
}

}  // namespace

std::string loadArchiveModel(const std::string& archive, ArchiveModel& out) {
  std::vector<int> recordedBytes;
  useFastQuantizedEngine();  // packed int8 weights are repacked at load time for the current engine
  if (Status v = verifyArchive(archive); !v) return v.message();  // checksum file and weights digest
  try {
    torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", ""}};
    out.module = torch::jit::load(archive, torch::kCPU, extra);
    out.module.eval();
    JsonParse parsed = parseJson(extra["neuralcanvas/meta.json"]);
    if (!parsed.ok()) throw std::runtime_error("neuralcanvas/meta.json is missing or unreadable: " + parsed.error);
    const nlohmann::json& meta = parsed.value;
    out.inputShape = meta.at("input").at("shape").get<std::vector<int64_t>>();
    out.tokens = meta.at("input").at("dtype") == "int64";
    if (meta.contains("output") && meta["output"].is_object() && meta["output"].contains("shape"))
      out.outputShape = meta["output"]["shape"].get<std::vector<int64_t>>();
    out.classes = meta.value("class_names", std::vector<std::string>{});
    if (meta.contains("vocabulary_bytes") && meta["vocabulary_bytes"].is_array())
      for (const nlohmann::json& b : meta["vocabulary_bytes"])
        recordedBytes.push_back(b.is_number_integer() && b.get<int64_t>() >= 0 && b.get<int64_t>() < 256 ? b.get<int>() : -1);
  } catch (const c10::Error& e) {  // never e.what(): it carries a C++ stack trace
    return loadFailure(archive, e.what_without_backtrace());
  } catch (const std::exception& e) {
    return loadFailure(archive, e.what());
  }
  out.idOfByte.fill(-1);
  out.vocabularyBytes.clear();
  if (out.tokens) {
    if (!recordedBytes.empty()) {
      out.vocabularyBytes = recordedBytes;  // exact for byte-level text models
    } else {
      for (const std::string& name : out.classes) {  // older exports: the names of the bytes
        uint8_t byte = 0;
        out.vocabularyBytes.push_back(byteOfTokenName(name, byte) ? int(byte) : -1);
      }
    }
    for (size_t id = 0; id < out.vocabularyBytes.size(); ++id) {
      const int b = out.vocabularyBytes[id];
      if (b >= 0 && out.idOfByte[size_t(b)] < 0) out.idOfByte[size_t(b)] = int64_t(id);
    }
  }
  return {};
}

std::vector<int64_t> tokenIdsOfText(const ArchiveModel& model, const std::string& text) {
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const int64_t id = model.idOfByte[uint8_t(text[i])];
    if (id >= 0) {
      ids.push_back(id);
      continue;
    }
    // Named as the user typed it: the whole UTF-8 character when the byte starts one, else as hex.
    const uint8_t lead = uint8_t(text[i]);
    const size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    std::string shown;
    if (length == 1) {
      shown = "'" + readutil::printable(text.substr(i, 1)) + "'";
    } else if (length > 1 && i + length <= text.size() && isValidUtf8(text.substr(i, length))) {
      shown = "'" + text.substr(i, length) + "'";
    } else {
      static const char* kHex = "0123456789ABCDEF";
      shown = std::string("byte 0x") + kHex[lead >> 4] + kHex[lead & 0xF];
    }
    throw std::runtime_error("character " + shown + " (at byte " + std::to_string(i) +
                             ") is not in the model's vocabulary");
  }
  return ids;
}

}  // namespace nc::core

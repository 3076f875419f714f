#include "core/training/Misclassified.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/JsonUtil.h"

namespace nc::core {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool isInteger(const nlohmann::json& j) { return j.is_number_integer(); }

}  // namespace

std::string base64Encode(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 | uint8_t(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16 | (rest == 2 ? uint32_t(uint8_t(bytes[i + 1])) << 8 : 0);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += rest == 2 ? kAlphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

bool base64Decode(const std::string& text, std::string& bytes) {
  bytes.clear();
  if (text.size() % 4 != 0) return false;
  bytes.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + size_t(k)];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return false;  // a character after '='
      v[k] = base64Value(c);
      if (v[k] < 0) return false;
    }
    uint32_t word = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | uint32_t(v[3]);
    bytes += char(word >> 16 & 255);
    if (padding < 2) bytes += char(word >> 8 & 255);
    if (padding < 1) bytes += char(word & 255);
  }
  return true;
}

std::string misclassifiedJson(const MisclassifiedSet& set) {
  using nlohmann::json;
  std::vector<std::string> names;
  for (const auto& n : set.classNames) names.push_back(toUtf8(n));
  json samples = json::array();
  for (const MisclassifiedSample& s : set.samples) {
    json top = json::array();
    for (const auto& [cls, p] : s.top) top.push_back({cls, p});
    json j = {{"index", s.index},         {"dataset_index", s.datasetIndex}, {"true", s.trueClass},
              {"predicted", s.predicted}, {"confidence", s.confidence},       {"top", top}};
    if (!s.shape.empty()) {
      j["shape"] = s.shape;
      j["pixels"] = base64Encode(s.pixels);
    }
    samples.push_back(std::move(j));
  }
  json j = {{"format", "neuralcanvas-misclassified"},
            {"version", 1},
            {"split", set.split},
            {"epoch", set.epoch},
            {"class_names", names},
            {"confusion", set.confusion},
            {"evaluated", set.evaluated},
            {"misclassified", set.misclassified},
            {"cap", set.cap},
            {"capped", set.capped},
            {"samples", samples}};
  return dumpJson(j) + "\n";
}

MisclassifiedLoad readMisclassified(const std::string& path) {
  MisclassifiedLoad load;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    load.error = path + ": cannot be read (the run has not finished a validation pass yet?)";
    return load;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  JsonParse parse = parseJson(buf.str());
  if (!parse.ok()) {
    load.error = path + ": not valid JSON (" + parse.error + ")";
    return load;
  }
  const nlohmann::json& j = parse.value;
  if (!j.is_object() || j.value("format", std::string()) != "neuralcanvas-misclassified") {
    load.error = path + ": not a misclassified-samples file (\"format\" is not \"neuralcanvas-misclassified\")";
    return load;
  }
  MisclassifiedSet& set = load.set;
  auto integer = [&](const char* key, int64_t fallback) {
    auto it = j.find(key);
    return it != j.end() && isInteger(*it) ? it->get<int64_t>() : fallback;
  };
  set.epoch = integer("epoch", 0);
  set.evaluated = integer("evaluated", 0);
  set.cap = integer("cap", 0);
  if (auto it = j.find("split"); it != j.end() && it->is_string()) set.split = it->get<std::string>();
  if (auto it = j.find("capped"); it != j.end() && it->is_boolean()) set.capped = it->get<bool>();
  if (auto it = j.find("class_names"); it != j.end() && it->is_array())
    for (const auto& n : *it) set.classNames.push_back(n.is_string() ? n.get<std::string>() : std::string());
  if (auto it = j.find("confusion"); it != j.end() && it->is_array())
    for (const auto& row : *it) {
      std::vector<int64_t> r;
      if (row.is_array())
        for (const auto& c : row) r.push_back(isInteger(c) ? c.get<int64_t>() : 0);
      set.confusion.push_back(std::move(r));
    }
  const int64_t classes = int64_t(std::max(set.classNames.size(), set.confusion.size()));
  auto samples = j.find("samples");
  if (samples == j.end() || !samples->is_array()) {
    load.error = path + ": \"samples\" is missing or not a list";
    return load;
  }
  set.samples.reserve(samples->size());
  for (size_t i = 0; i < samples->size(); ++i) {
    const nlohmann::json& s = (*samples)[i];
    std::string where = path + ": samples[" + std::to_string(i) + "]";
    auto field = [&](const char* key) -> const nlohmann::json* {
      auto it = s.is_object() ? s.find(key) : s.end();
      return s.is_object() && it != s.end() ? &*it : nullptr;
    };
    MisclassifiedSample m;
    const nlohmann::json *index = field("index"), *truth = field("true"), *predicted = field("predicted");
    if (!index || !isInteger(*index) || !truth || !isInteger(*truth) || !predicted || !isInteger(*predicted)) {
      load.error = where + ": needs integer \"index\", \"true\" and \"predicted\"";
      return load;
    }
    m.index = index->get<int64_t>();
    m.trueClass = truth->get<int64_t>();
    m.predicted = predicted->get<int64_t>();
    if (m.trueClass < 0 || m.predicted < 0 || (classes > 0 && (m.trueClass >= classes || m.predicted >= classes))) {
      load.error = where + ": class " + std::to_string(m.trueClass < 0 || m.trueClass >= classes ? m.trueClass
                                                                                                   : m.predicted) +
                   " is out of range (" + std::to_string(classes) + " classes)";
      return load;
    }
    if (const auto* d = field("dataset_index"); d && isInteger(*d)) m.datasetIndex = d->get<int64_t>();
    if (const auto* c = field("confidence"); c && c->is_number()) m.confidence = c->get<double>();
    if (const auto* top = field("top"); top && top->is_array())
      for (const auto& t : *top)
        if (t.is_array() && t.size() == 2 && isInteger(t[0]) && t[1].is_number())
          m.top.emplace_back(t[0].get<int64_t>(), t[1].get<double>());
    const nlohmann::json *shape = field("shape"), *pixels = field("pixels");
    if (shape && pixels) {
      int64_t count = 1;
      bool good = shape->is_array() && shape->size() == 3 && pixels->is_string();
      for (size_t k = 0; good && k < 3; ++k) {
        good = isInteger((*shape)[k]) && (*shape)[k].get<int64_t>() > 0 && (*shape)[k].get<int64_t>() <= 4096;
        if (good) {
          m.shape.push_back((*shape)[k].get<int64_t>());
          count *= m.shape.back();
        }
      }
      if (!good || !base64Decode(pixels->get<std::string>(), m.pixels) || int64_t(m.pixels.size()) != count) {
        load.error = where + ": \"pixels\" is not base64 of shape[0]*shape[1]*shape[2] bytes";
        return load;
      }
    }
    set.samples.push_back(std::move(m));
  }
  set.misclassified = integer("misclassified", int64_t(set.samples.size()));
  load.ok = true;
  return load;
}

}  // namespace nc::core

#include "core/data/DataConfig.h"

#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nc::core {

using nlohmann::json;
using ojson = nlohmann::ordered_json;  // keeps the written keys in declaration order

bool DataConfig::operator==(const DataConfig& o) const {
  return kind == o.kind && path == o.path && validationFraction == o.validationFraction && seed == o.seed &&
         limit == o.limit && cropPadding == o.cropPadding && horizontalFlip == o.horizontalFlip &&
         labelColumn == o.labelColumn && imageSize == o.imageSize && channels == o.channels &&
         sequenceLength == o.sequenceLength;
}

namespace {

/// One setting: its JSON key, how to read it (returns an error message or "") and how to write it.
struct Field {
  const char* key;
  std::function<std::string(const json&, DataConfig&)> read;
  std::function<ojson(const DataConfig&)> write;
};

constexpr int64_t kMaxSeed = int64_t(1) << 53;  // exactly representable in every JSON reader
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

std::string range(double lo, double hi, double v) {
  std::ostringstream os;
  os << "must be in [" << lo << ", " << hi << "], got " << v;
  return os.str();
}

std::string intRange(int64_t lo, int64_t hi, int64_t v) {
  if (hi == kNoLimit) return "must be >= " + std::to_string(lo) + ", got " + std::to_string(v);
  return "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v);
}

bool tooLarge(const json& v) {
  return v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max());
}

/// An integer that fits int64, or an error message in `err`.
bool readInt(const json& v, int64_t& x, std::string& err) {
  if (!v.is_number_integer()) {
    err = "expected an integer, got " + v.dump();
    return false;
  }
  if (tooLarge(v)) {
    err = "too large: " + v.dump();
    return false;
  }
  x = v.get<int64_t>();
  return true;
}

Field intField(const char* key, int64_t DataConfig::*member, int64_t lo, int64_t hi) {
  return {key,
          [=](const json& v, DataConfig& c) -> std::string {
            int64_t x = 0;
            std::string err;
            if (!readInt(v, x, err)) return err;
            if (x < lo || x > hi) return intRange(lo, hi, x);
            c.*member = x;
            return {};
          },
          [=](const DataConfig& c) { return ojson(c.*member); }};
}

Field fractionField(const char* key, double DataConfig::*member, double lo, double hi) {
  return {key,
          [=](const json& v, DataConfig& c) -> std::string {
            if (!v.is_number()) return "expected a number, got " + v.dump();
            double x = v.get<double>();
            if (!(x >= lo && x <= hi)) return range(lo, hi, x);
            c.*member = x;
            return {};
          },
          [=](const DataConfig& c) { return ojson(c.*member); }};
}

Field boolField(const char* key, bool DataConfig::*member) {
  return {key,
          [=](const json& v, DataConfig& c) -> std::string {
            if (!v.is_boolean()) return "expected true or false, got " + v.dump();
            c.*member = v.get<bool>();
            return {};
          },
          [=](const DataConfig& c) { return ojson(c.*member); }};
}

Field stringField(const char* key, std::string DataConfig::*member) {
  return {key,
          [=](const json& v, DataConfig& c) -> std::string {
            if (!v.is_string()) return "expected a string, got " + v.dump();
            c.*member = v.get<std::string>();
            return {};
          },
          [=](const DataConfig& c) { return ojson(c.*member); }};
}

Field choiceField(const char* key, std::string DataConfig::*member, std::vector<std::string> choices) {
  return {key,
          [=](const json& v, DataConfig& c) -> std::string {
            if (!v.is_string()) return "expected a string, got " + v.dump();
            std::string s = v.get<std::string>(), all;
            for (const auto& choice : choices) {
              if (choice == s) {
                c.*member = s;
                return {};
              }
              all += (all.empty() ? "" : ", ") + choice;
            }
            return "'" + s + "' is not one of: " + all;
          },
          [=](const DataConfig& c) { return ojson(c.*member); }};
}

/// label_column: a header name, or a 0-based column index (written as a string).
std::string readLabelColumn(const json& v, DataConfig& c) {
  if (v.is_number_integer() && !tooLarge(v)) {
    if (v.get<int64_t>() < 0) return "a column index must be >= 0, got " + v.dump();
    c.labelColumn = std::to_string(v.get<int64_t>());
    return {};
  }
  if (!v.is_string()) return "expected a column name or index, got " + v.dump();
  if (v.get<std::string>().empty()) return "must not be empty";
  c.labelColumn = v.get<std::string>();
  return {};
}

/// image_size: [height, width], both positive.
std::string readImageSize(const json& v, DataConfig& c) {
  if (!v.is_array() || v.size() != 2) return "expected [height, width], got " + v.dump();
  std::vector<int64_t> size;
  for (size_t i = 0; i < 2; ++i) {
    int64_t x = 0;
    std::string err;
    if (!readInt(v[i], x, err) || x < 1 || x > 65536)
      return "expected two integers in [1, 65536], got " + v.dump();
    size.push_back(x);
  }
  c.imageSize = size;
  return {};
}

std::string readChannels(const json& v, DataConfig& c) {
  int64_t x = 0;
  std::string err;
  if (!readInt(v, x, err)) return err;
  if (x != 1 && x != 3) return "must be 1 (grey) or 3 (RGB), got " + v.dump();
  c.channels = x;
  return {};
}

/// The settings in the order they are written.
const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      choiceField("kind", &DataConfig::kind, {"idx", "cifar10", "csv", "image-folder", "text"}),
      stringField("path", &DataConfig::path),
      fractionField("validation_fraction", &DataConfig::validationFraction, 0.0, 0.9),
      intField("seed", &DataConfig::seed, 0, kMaxSeed),
      intField("limit", &DataConfig::limit, 0, kNoLimit),
      intField("crop_padding", &DataConfig::cropPadding, 0, 16),
      boolField("horizontal_flip", &DataConfig::horizontalFlip),
      {"label_column", readLabelColumn, [](const DataConfig& c) { return ojson(c.labelColumn); }},
      {"image_size", readImageSize, [](const DataConfig& c) { return ojson(c.imageSize); }},
      {"channels", readChannels, [](const DataConfig& c) { return ojson(c.channels); }},
      intField("sequence_length", &DataConfig::sequenceLength, 2, 1 << 20),
  };
  return kFields;
}

const Field* findField(const std::string& key) {
  for (const auto& f : fields())
    if (key == f.key) return &f;
  return nullptr;
}

}  // namespace

Status dataConfigFromJson(const std::string& text, DataConfig& out, const std::string& pathPrefix) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    auto pos = what.find("] ");
    return Status::error(pathPrefix + ": malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
  if (!root.is_object()) return Status::error(pathPrefix + ": expected an object, got " + root.dump());
  DataConfig c = out;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const Field* f = findField(it.key());
    if (!f) return Status::error(pathPrefix + "/" + it.key() + ": unknown setting");
    if (std::string err = f->read(it.value(), c); !err.empty())
      return Status::error(pathPrefix + "/" + it.key() + ": " + err);
  }
  out = c;
  return {};
}

std::string dataConfigToJson(const DataConfig& config) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const auto& f : fields()) root[f.key] = f.write(config);
  return root.dump();
}

}  // namespace nc::core

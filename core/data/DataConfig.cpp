#include "core/data/DataConfig.h"

#include "core/ConfigFields.h"
#include "core/SettingsJson.h"

namespace nc::core {

bool DataConfig::operator==(const DataConfig& o) const {
  return kind == o.kind && path == o.path && validationFraction == o.validationFraction && seed == o.seed &&
         limit == o.limit && cropPadding == o.cropPadding && horizontalFlip == o.horizontalFlip &&
         labelColumn == o.labelColumn && imageSize == o.imageSize && channels == o.channels &&
         sequenceLength == o.sequenceLength;
}

namespace {

using namespace config;
using Field = config::Field<DataConfig>;

constexpr int64_t kMaxSeed = int64_t(1) << 53;  // exactly representable in every JSON reader

bool tooLarge(const Json& v) { return v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(kNoLimit); }

/// label_column: a header name, or a 0-based column index (written as a string).
std::string readLabelColumn(const Json& v, DataConfig& c) {
  if (v.is_number_integer() && !tooLarge(v)) {
    if (v.get<int64_t>() < 0) return "a column index must be >= 0, got " + quoteJson(v);
    c.labelColumn = std::to_string(v.get<int64_t>());
    return {};
  }
  if (!v.is_string()) return "expected a column name or index, got " + quoteJson(v);
  if (v.get<std::string>().empty()) return "must not be empty";
  c.labelColumn = v.get<std::string>();
  return {};
}

/// image_size: [height, width], both positive.
std::string readImageSize(const Json& v, DataConfig& c) {
  if (!v.is_array() || v.size() != 2) return "expected [height, width], got " + quoteJson(v);
  std::vector<int64_t> size;
  for (size_t i = 0; i < 2; ++i) {
    int64_t x = 0;
    std::string err;
    if (!readInt(v[i], x, err) || x < 1 || x > 65536)
      return "expected two integers in [1, 65536], got " + quoteJson(v);
    size.push_back(x);
  }
  c.imageSize = size;
  return {};
}

std::string readChannels(const Json& v, DataConfig& c) {
  int64_t x = 0;
  std::string err;
  if (!readInt(v, x, err)) return err;
  if (x != 1 && x != 3) return "must be 1 (grey) or 3 (RGB), got " + quoteJson(v);
  c.channels = x;
  return {};
}

/// The settings in the order they are written.
const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      choiceField("kind", &DataConfig::kind, {"idx", "cifar10", "csv", "image-folder", "text"}),
      stringField("path", &DataConfig::path),
      realField("validation_fraction", &DataConfig::validationFraction, 0.0, 0.9),
      intField("seed", &DataConfig::seed, 0, kMaxSeed),
      intField("limit", &DataConfig::limit, 0, kNoLimit),
      intField("crop_padding", &DataConfig::cropPadding, 0, 16),
      boolField("horizontal_flip", &DataConfig::horizontalFlip),
      {"label_column", readLabelColumn, [](const DataConfig& c) { return OrderedJson(c.labelColumn); }},
      {"image_size", readImageSize, [](const DataConfig& c) { return OrderedJson(c.imageSize); }},
      {"channels", readChannels, [](const DataConfig& c) { return OrderedJson(c.channels); }},
      intField("sequence_length", &DataConfig::sequenceLength, 2, 1 << 20),
  };
  return kFields;
}

}  // namespace

Status dataConfigFromJson(const std::string& text, DataConfig& out, const std::string& pathPrefix) {
  return config::parse(text, out, pathPrefix, fields());
}

Status dataConfigFromJsonValue(const nlohmann::json& value, DataConfig& out, const std::string& pathPrefix,
                               const BigNumbers* numbers) {
  return config::parse(value, out, pathPrefix, fields(), numbers);
}

std::string dataConfigToJson(const DataConfig& c) { return config::write(c, fields()); }

}  // namespace nc::core

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/data/DataConfig.h"

namespace nc::test {
namespace {

using namespace nc::core;

/// One change away from the defaults per field, so that each field is checked on its own.
const std::vector<std::pair<const char*, std::function<void(DataConfig&)>>>& fieldChanges() {
  static const std::vector<std::pair<const char*, std::function<void(DataConfig&)>>> kChanges = {
      {"kind", [](DataConfig& c) { c.kind = "csv"; }},
      {"path", [](DataConfig& c) { c.path = "/tmp/some data/file.csv"; }},
      {"validation_fraction", [](DataConfig& c) { c.validationFraction = 0.25; }},
      {"seed", [](DataConfig& c) { c.seed = 1234567; }},
      {"limit", [](DataConfig& c) { c.limit = 500; }},
      {"crop_padding", [](DataConfig& c) { c.cropPadding = 4; }},
      {"horizontal_flip", [](DataConfig& c) { c.horizontalFlip = true; }},
      {"label_column", [](DataConfig& c) { c.labelColumn = "species"; }},
      {"image_size", [](DataConfig& c) { c.imageSize = {64, 48}; }},
      {"channels", [](DataConfig& c) { c.channels = 1; }},
      {"sequence_length", [](DataConfig& c) { c.sequenceLength = 128; }},
  };
  return kChanges;
}

/// The error message for `json`, or "" when it parses.
std::string errorFor(const std::string& json) {
  DataConfig c;
  return dataConfigFromJson(json, c).message();
}

TEST(DataConfigJson, EveryChangedFieldSurvivesARoundTrip) {
  for (const auto& [key, change] : fieldChanges()) {
    DataConfig changed;
    change(changed);
    ASSERT_FALSE(changed == DataConfig{}) << key << ": operator== ignores it";
    DataConfig back;
    Status s = dataConfigFromJson(dataConfigToJson(changed), back);
    ASSERT_TRUE(s.ok()) << key << ": " << s.message();
    EXPECT_TRUE(back == changed) << key << " lost in " << dataConfigToJson(changed);
  }
}

TEST(DataConfigJson, AllFieldsChangedAtOnceSurviveARoundTrip) {
  DataConfig changed;
  for (const auto& entry : fieldChanges()) entry.second(changed);
  DataConfig back;
  ASSERT_TRUE(dataConfigFromJson(dataConfigToJson(changed), back).ok());
  EXPECT_TRUE(back == changed);
}

TEST(DataConfigJson, WritesEveryKeyInAStableOrder) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(dataConfigToJson(DataConfig{}));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  std::vector<std::string> expected;
  for (const auto& entry : fieldChanges()) expected.push_back(entry.first);
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(dataConfigToJson(DataConfig{}), dataConfigToJson(DataConfig{}));
}

TEST(DataConfigJson, WritesSnakeCaseValues) {
  DataConfig c;
  c.imageSize = {28, 30};
  c.horizontalFlip = true;
  nlohmann::json j = nlohmann::json::parse(dataConfigToJson(c));
  EXPECT_EQ(j["kind"], "idx");
  EXPECT_EQ(j["validation_fraction"], 0.1);
  EXPECT_EQ(j["image_size"], nlohmann::json({28, 30}));
  EXPECT_EQ(j["horizontal_flip"], true);
  EXPECT_EQ(j["sequence_length"], 64);
}

TEST(DataConfigJson, MissingKeysKeepTheirDefaults) {
  DataConfig c;
  ASSERT_TRUE(dataConfigFromJson("{}", c).ok());
  EXPECT_TRUE(c == DataConfig{});
  ASSERT_TRUE(dataConfigFromJson(R"({"seed": 7, "crop_padding": 2})", c).ok());
  DataConfig expected;
  expected.seed = 7;
  expected.cropPadding = 2;
  EXPECT_TRUE(c == expected);
}

TEST(DataConfigJson, LabelColumnAcceptsAColumnIndex) {
  DataConfig c;
  ASSERT_TRUE(dataConfigFromJson(R"({"label_column": 3})", c).ok());
  EXPECT_EQ(c.labelColumn, "3");
}

TEST(DataConfigJson, AcceptsTheEdgesOfEveryRange) {
  DataConfig c;
  Status s = dataConfigFromJson(R"({"validation_fraction": 0.9, "crop_padding": 16, "limit": 0, "channels": 3,
                                   "sequence_length": 2, "image_size": [1, 1], "seed": 0})",
                                c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.validationFraction, 0.9);
  EXPECT_EQ(c.cropPadding, 16);
  EXPECT_EQ(c.sequenceLength, 2);
  ASSERT_TRUE(dataConfigFromJson(R"({"validation_fraction": 0})", c).ok());
  EXPECT_EQ(c.validationFraction, 0.0);
}

TEST(DataConfigJson, EachKindIsAccepted) {
  for (const char* kind : {"idx", "cifar10", "csv", "image-folder", "text"}) {
    DataConfig c;
    ASSERT_TRUE(dataConfigFromJson(std::string(R"({"kind": ")") + kind + "\"}", c).ok()) << kind;
    EXPECT_EQ(c.kind, kind);
  }
}

TEST(DataConfigJson, ErrorsNameTheJsonPathAndTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"foo": 1})", "/data/foo: unknown setting"},
      {R"({"validation_fraction": 1.5})", "/data/validation_fraction: must be in [0, 0.9], got 1.5"},
      {R"({"validation_fraction": -0.1})", "/data/validation_fraction: must be in [0, 0.9], got -0.1"},
      {R"({"validation_fraction": "0.1"})", "/data/validation_fraction: expected a number, got \"0.1\""},
      {R"({"kind": "mnist"})", "/data/kind: 'mnist' is not one of: idx, cifar10, csv, image-folder, text"},
      {R"({"kind": 3})", "/data/kind: expected a string, got 3"},
      {R"({"path": null})", "/data/path: expected a string, got null"},
      {R"({"seed": 1.5})", "/data/seed: expected an integer, got 1.5"},
      {R"({"seed": -1})", "/data/seed: must be in [0, 9007199254740992], got -1"},
      {R"({"limit": -1})", "/data/limit: must be >= 0, got -1"},
      {R"({"crop_padding": 17})", "/data/crop_padding: must be in [0, 16], got 17"},
      {R"({"crop_padding": -1})", "/data/crop_padding: must be in [0, 16], got -1"},
      {R"({"horizontal_flip": 1})", "/data/horizontal_flip: expected true or false, got 1"},
      {R"({"label_column": ""})", "/data/label_column: must not be empty"},
      {R"({"label_column": -2})", "/data/label_column: a column index must be >= 0, got -2"},
      {R"({"label_column": [1]})", "/data/label_column: expected a column name or index, got [1]"},
      {R"({"image_size": [32]})", "/data/image_size: expected [height, width], got [32]"},
      {R"({"image_size": 32})", "/data/image_size: expected [height, width], got 32"},
      {R"({"image_size": [32, 0]})", "/data/image_size: expected two integers in [1, 65536], got [32,0]"},
      {R"({"image_size": [32, 2.5]})", "/data/image_size: expected two integers in [1, 65536], got [32,2.5]"},
      {R"({"channels": 2})", "/data/channels: must be 1 (grey) or 3 (RGB), got 2"},
      {R"({"channels": "3"})", "/data/channels: expected an integer, got \"3\""},
      {R"({"sequence_length": 1})", "/data/sequence_length: must be in [2, 1048576], got 1"},
      {R"([1, 2])", "/data: expected an object, got [1,2]"},
  };
  for (const auto& [json, expected] : cases) EXPECT_EQ(errorFor(json), expected) << json;
}

TEST(DataConfigJson, MalformedJsonIsAnErrorWithItsPosition) {
  std::string err = errorFor(R"({"seed": 4,)");
  EXPECT_EQ(err.rfind("/data: malformed JSON: ", 0), 0u) << err;
  EXPECT_NE(err.find("line 1"), std::string::npos) << err;
  EXPECT_FALSE(errorFor("").empty());
}

TEST(DataConfigJson, ErrorsUseTheGivenPathPrefix) {
  DataConfig c;
  EXPECT_EQ(dataConfigFromJson(R"({"channels": 4})", c, "/project/data").message(),
            "/project/data/channels: must be 1 (grey) or 3 (RGB), got 4");
}

TEST(DataConfigJson, AnErrorLeavesTheConfigUnchanged) {
  DataConfig c;
  c.seed = 99;
  EXPECT_FALSE(dataConfigFromJson(R"({"seed": 5, "channels": 7})", c).ok());
  EXPECT_EQ(c.seed, 99);
}

TEST(DataConfigEquality, ComparesEveryField) {
  DataConfig a, b;
  EXPECT_TRUE(a == b);
  for (const auto& [key, change] : fieldChanges()) {
    DataConfig changed;
    change(changed);
    EXPECT_FALSE(changed == a) << key;
    EXPECT_FALSE(a == changed) << key;
  }
}

}  // namespace
}  // namespace nc::test

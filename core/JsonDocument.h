#pragma once
// Reading user-supplied JSON (project files, pasted fragments, settings) so that nothing is read
// silently wrong: nesting is bounded (no recursion at all while parsing), duplicate keys are
// errors, and integers too large for 64 bits (which nlohmann would turn into doubles) are kept as
// written, so a message can quote "18446744073709551616" instead of "1.8446744073709552e+19".
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/JsonUtil.h"

namespace nc::core {

/// Integer literals that do not fit 64 bits, by JSON path ("/graph/nodes/0/params/end_dim";
/// object keys are not escaped), exactly as written (cut after 60 characters).
using BigNumbers = std::map<std::string, std::string>;

struct JsonDocument {
  nlohmann::json value;
  BigNumbers bigNumbers;
  std::string error;  // empty on success: "line 3, column 5: ...", names the JSON path where it can
  bool ok() const { return error.empty(); }
};

/// Parses `text` iteratively: never throws, never recurses, nesting limited to `maxDepth`,
/// numbers beyond double range (1e400) and duplicate keys are errors with a position or path.
JsonDocument parseJsonDocument(const std::string& text, int maxDepth = kMaxJsonDepth);

/// The integer literal at `path` if it was too large for 64 bits, else nullptr.
const std::string* bigNumberAt(const BigNumbers* numbers, const std::string& path);

/// A value for an error message: scalars and flat lists or objects of scalars as compact JSON
/// when short ("[32,2.5]"), anything else through describeJson ("a list of 300 items"). Looks
/// one level deep at most, so deep values cannot overflow the stack.
std::string quoteJson(const nlohmann::json& v);

/// `v` for an error message: a too-large integer as written (from `numbers` at `path`), anything
/// else through describeJson (short, never recursive).
std::string describeValue(const nlohmann::json& v, const std::string& path, const BigNumbers* numbers);

/// At most `max` bytes of `s` made safe for a terminal and a message: control characters and
/// bytes that are not UTF-8 as \xNN, "..." when cut.
std::string printableExcerpt(std::string_view s, size_t max = 60);

}  // namespace nc::core

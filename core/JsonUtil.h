#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace nc::core {

/// JSON helpers that every reader and writer of JSON in NeuralCanvas uses, so that no bytes a
/// user supplies (a Latin-1 CSV label, a byte-level vocabulary, a hostile project file) can make
/// a write throw or a read crash.

/// Maximum nesting depth accepted when parsing (projects are at most ~6 levels deep).
constexpr int kMaxJsonDepth = 64;

/// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view s);

/// `s` unchanged if it is valid UTF-8; otherwise every byte that is not part of a valid UTF-8
/// sequence is read as Latin-1 (so "caf\xE9" becomes "café"). Deterministic, never throws.
std::string toUtf8(std::string_view s);

/// Serializes without ever throwing on invalid UTF-8 (invalid bytes are replaced by U+FFFD as a
/// last resort; writers should pass text through toUtf8 first so nothing is replaced).
std::string dumpJson(const nlohmann::json& j, int indent = -1);

/// A short, safe description of a value for error messages: scalars as written (strings cut to
/// 60 characters), arrays and objects as "a list of N items" / "an object with N keys". Never
/// recurses, so arbitrarily deep values cannot overflow the stack.
std::string describeJson(const nlohmann::json& j);

struct JsonParse {
  nlohmann::json value;
  std::string error;  // empty on success: "line 3, column 5: ..." or "nested more than 64 levels"
  bool ok() const { return error.empty(); }
};

/// Parses text with a depth limit and without letting any nlohmann exception escape
/// (malformed text, numbers beyond double range such as 1e400, too-deep nesting).
JsonParse parseJson(const std::string& text, int maxDepth = kMaxJsonDepth);

}  // namespace nc::core

#include "core/JsonUtil.h"

namespace nc::core {

using nlohmann::json;

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if none starts there.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
  else return 0;
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

}  // namespace

bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string toUtf8(std::string_view s) {
  if (isValidUtf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8SequenceLength(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {  // Latin-1: the byte is the code point (U+0080..U+00FF), two bytes in UTF-8
      const unsigned char c = static_cast<unsigned char>(s[i++]);
      out.push_back(char(0xC0 | (c >> 6)));
      out.push_back(char(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string dumpJson(const json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

std::string describeJson(const json& j) {
  switch (j.type()) {
    case json::value_t::array:
      return j.empty() ? "an empty list" : "a list of " + std::to_string(j.size()) + " items";
    case json::value_t::object:
      return j.empty() ? "an empty object" : "an object with " + std::to_string(j.size()) + " keys";
    case json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      if (s.size() <= 60) return dumpJson(j);
      size_t cut = 57;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole characters
      return dumpJson(json(s.substr(0, cut) + "...")) + " (" + std::to_string(s.size()) + " bytes)";
    }
    default: return dumpJson(j);
  }
}

JsonParse parseJson(const std::string& text, int maxDepth) {
  JsonParse r;
  bool tooDeep = false;
  json::parser_callback_t limit = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= maxDepth) {
      tooDeep = true;
      throw std::length_error("too deep");
    }
    return true;
  };
  try {
    r.value = json::parse(text, limit);
  } catch (const std::length_error&) {
    r.value = json();
  } catch (const json::exception& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    auto pos = what.find("] ");
    r.error = pos == std::string::npos ? what : what.substr(pos + 2);
    if (r.error.empty()) r.error = "malformed JSON";
    r.value = json();
  }
  if (tooDeep) r.error = "JSON nested more than " + std::to_string(maxDepth) + " levels deep";
  return r;
}

}  // namespace nc::core

#include "core/JsonDocument.h"

#include <vector>

namespace nc::core {

using nlohmann::json;

std::string printableExcerpt(std::string_view s, size_t max) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  size_t i = 0;
  for (; i < s.size() && out.size() < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(char(c));
      continue;
    }
    if (c >= 0x80) {  // keep whole valid UTF-8 characters
      size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
      if (len && i + len <= s.size() && isValidUtf8(s.substr(i, len))) {
        out.append(s.substr(i, len));
        i += len - 1;
        continue;
      }
    }
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  if (i < s.size()) out += "...";
  return out;
}

namespace {

/// Builds the DOM from SAX events with an explicit stack (nlohmann's own parser recurses only in
/// the DOM builder's destructor, which a bounded depth keeps shallow).
class Builder final : public nlohmann::json_sax<json> {
 public:
  Builder(JsonDocument& doc, int maxDepth) : m_doc(doc), m_maxDepth(maxDepth) {}

  bool null() override { return put(json()); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t& lexeme) override {
    // nlohmann reads an integer literal that fits neither int64 nor uint64 as a double: remember
    // how it was written, so that messages quote it exactly.
    if (lexeme.find_first_of(".eE") == std::string::npos) {
      std::string written = lexeme.size() > 60 ? lexeme.substr(0, 57) + "... (" + std::to_string(lexeme.size()) + " digits)"
                                               : lexeme;
      m_doc.bigNumbers[currentPath()] = written;
    }
    return put(json(v));
  }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t& v) override { return put(json::binary(std::move(v))); }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& f = m_stack.back();
    if (f.container->contains(k)) {
      m_doc.error = pathOf(m_stack.size()) + "/" + printableExcerpt(k) + ": the key appears twice";
      return false;
    }
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& lastToken, const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    std::string detail;
    if (ex.id == 406) {
      detail = "number out of range: " + printableExcerpt(lastToken, 40);
    } else {
      // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error while
      // parsing value - invalid literal; last read: '...'": keep the description, re-quote the
      // input safely (it may hold any bytes).
      auto colon = what.find(": ");
      detail = colon == std::string::npos ? what : what.substr(colon + 2);
      auto lastRead = detail.find("; last read:");
      if (lastRead != std::string::npos) detail.resize(lastRead);
      detail = printableExcerpt(detail, 200);
      if (!lastToken.empty()) detail += " near '" + printableExcerpt(lastToken, 40) + "'";
    }
    m_doc.error = locate(position) + ": " + (detail.empty() ? "malformed JSON" : detail);
    return false;
  }

  void setText(const std::string* text) { m_text = text; }

 private:
  struct Frame {
    json* container;
    std::string key;  // objects: the key whose value comes next
  };

  /// Line and column of a byte offset of the text.
  std::string locate(size_t position) const {
    size_t line = 1, column = 0;
    const size_t end = m_text ? std::min(position, m_text->size()) : 0;
    for (size_t i = 0; i < end; ++i) {
      if ((*m_text)[i] == '\n') {
        ++line;
        column = 0;
      } else {
        ++column;
      }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
  }

  /// JSON path of the container at stack depth `depth` (the first `depth` frames).
  std::string pathOf(size_t depth) const {
    std::string path;
    for (size_t i = 1; i < depth; ++i) path += "/" + slotName(m_stack[i - 1], true);
    return path;
  }

  /// The key or index within `f` of its open child (`open`) or of the next value put into it.
  static std::string slotName(const Frame& f, bool open) {
    if (!f.container->is_array()) return f.key;
    return std::to_string(f.container->size() - (open ? 1 : 0));
  }

  /// Path of the value about to be put.
  std::string currentPath() const {
    std::string path;
    for (size_t i = 0; i < m_stack.size(); ++i) path += "/" + slotName(m_stack[i], i + 1 < m_stack.size());
    return path;
  }

  json* putRaw(json&& v) {
    if (m_stack.empty()) {
      m_doc.value = std::move(v);
      return &m_doc.value;
    }
    Frame& f = m_stack.back();
    if (f.container->is_array()) {
      f.container->push_back(std::move(v));
      return &f.container->back();
    }
    json& slot = (*f.container)[f.key];
    slot = std::move(v);
    return &slot;
  }

  bool put(json&& v) {
    putRaw(std::move(v));
    return true;
  }

  bool open(json&& empty) {
    if (int(m_stack.size()) >= m_maxDepth) {
      std::string path = currentPath();
      m_doc.error = (path.empty() ? std::string("/") : printableExcerpt(path, 120)) + ": JSON nested more than " +
                    std::to_string(m_maxDepth) + " levels deep";
      return false;
    }
    json* slot = putRaw(std::move(empty));
    m_stack.push_back({slot, {}});
    return true;
  }

  bool close() {
    m_stack.pop_back();
    return true;
  }

  JsonDocument& m_doc;
  int m_maxDepth;
  std::vector<Frame> m_stack;
  const std::string* m_text = nullptr;
};

}  // namespace

JsonDocument parseJsonDocument(const std::string& text, int maxDepth) {
  JsonDocument doc;
  Builder builder(doc, maxDepth);
  builder.setText(&text);
  bool ok = false;
  try {
    ok = json::sax_parse(text, &builder);
  } catch (const std::exception& e) {  // not expected from the SAX parser; never let it escape
    doc.error = std::string("malformed JSON: ") + printableExcerpt(e.what(), 200);
  }
  if (!ok && doc.error.empty()) doc.error = "malformed JSON";
  if (!doc.ok()) {
    doc.value = json();
    doc.bigNumbers.clear();
  }
  return doc;
}

const std::string* bigNumberAt(const BigNumbers* numbers, const std::string& path) {
  if (!numbers) return nullptr;
  auto it = numbers->find(path);
  return it == numbers->end() ? nullptr : &it->second;
}

std::string quoteJson(const json& v) {
  if (v.is_array() || v.is_object()) {
    if (v.empty() || v.size() > 8) return describeJson(v);
    for (const auto& item : v)
      if (item.is_structured() || (item.is_string() && item.get_ref<const std::string&>().size() > 20))
        return describeJson(v);
    return dumpJson(v);  // flat and short: safe to write out
  }
  return describeJson(v);
}

std::string describeValue(const json& v, const std::string& path, const BigNumbers* numbers) {
  if (v.is_number_float())
    if (const std::string* written = bigNumberAt(numbers, path)) return *written;
  return quoteJson(v);
}

}  // namespace nc::core

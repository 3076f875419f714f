#pragma once
// Settings structs <-> JSON objects, described as a table of fields (DataConfig, TrainConfig).
// Each field reads one JSON value into the struct (returning an error message, or "" when fine)
// and writes it back; the parser names the JSON path of whatever is wrong.
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/JsonDocument.h"
#include "core/JsonUtil.h"
#include "core/Status.h"

namespace nc::core::config {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;  // keeps the written keys in table order

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

template <class Config>
struct Field {
  const char* key;
  std::function<std::string(const Json&, Config&)> read;
  std::function<OrderedJson(const Config&)> write;
};

inline std::string realRange(double lo, double hi, double v) {
  std::ostringstream os;
  os << "must be in [" << lo << ", " << hi << "], got " << v;
  return os.str();
}

inline std::string intRange(int64_t lo, int64_t hi, int64_t v) {
  if (hi == kNoLimit) return "must be >= " + std::to_string(lo) + ", got " + std::to_string(v);
  return "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v);
}

/// An integer that fits int64, or an error message in `err`.
inline bool readInt(const Json& v, int64_t& x, std::string& err) {
  if (!v.is_number_integer()) {
    err = "expected an integer, got " + quoteJson(v);
    return false;
  }
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(kNoLimit)) {
    err = quoteJson(v) + " is out of range (larger than " + std::to_string(kNoLimit) + ")";
    return false;
  }
  x = v.get<int64_t>();
  return true;
}

template <class Config>
Field<Config> intField(const char* key, int64_t Config::*member, int64_t lo, int64_t hi) {
  return {key,
          [=](const Json& v, Config& c) -> std::string {
            int64_t x = 0;
            std::string err;
            if (!readInt(v, x, err)) return err;
            if (x < lo || x > hi) return intRange(lo, hi, x);
            c.*member = x;
            return {};
          },
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

template <class Config>
Field<Config> realField(const char* key, double Config::*member, double lo, double hi) {
  return {key,
          [=](const Json& v, Config& c) -> std::string {
            if (!v.is_number()) return "expected a number, got " + quoteJson(v);
            double x = v.get<double>();
            if (!(x >= lo && x <= hi)) return realRange(lo, hi, x);
            c.*member = x;
            return {};
          },
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

template <class Config>
Field<Config> boolField(const char* key, bool Config::*member) {
  return {key,
          [=](const Json& v, Config& c) -> std::string {
            if (!v.is_boolean()) return "expected true or false, got " + quoteJson(v);
            c.*member = v.get<bool>();
            return {};
          },
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

template <class Config>
Field<Config> stringField(const char* key, std::string Config::*member) {
  return {key,
          [=](const Json& v, Config& c) -> std::string {
            if (!v.is_string()) return "expected a string, got " + quoteJson(v);
            c.*member = v.get<std::string>();
            return {};
          },
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

template <class Config>
Field<Config> choiceField(const char* key, std::string Config::*member, std::vector<std::string> choices) {
  return {key,
          [=](const Json& v, Config& c) -> std::string {
            if (!v.is_string()) return "expected a string, got " + quoteJson(v);
            std::string s = v.get<std::string>(), all;
            for (const auto& choice : choices) {
              if (choice == s) {
                c.*member = s;
                return {};
              }
              all += (all.empty() ? "" : ", ") + choice;
            }
            return "'" + printableExcerpt(s) + "' is not one of: " + all;
          },
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

/// Applies a parsed JSON object to `out`: keys not given keep their value; on any error `out` is
/// left unchanged and the message names the JSON path under `prefix`. `numbers` (from
/// parseJsonDocument, paths including `prefix`) lets messages quote too-large integers as written.
template <class Config>
Status parse(const Json& root, Config& out, const std::string& prefix, const std::vector<Field<Config>>& fields,
             const BigNumbers* numbers) {
  if (!root.is_object()) return Status::error(prefix + ": expected an object, got " + quoteJson(root));
  Config c = out;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string path = prefix + "/" + it.key();
    const Field<Config>* f = nullptr;
    for (const auto& candidate : fields)
      if (it.key() == candidate.key) f = &candidate;
    if (!f) return Status::error(printableExcerpt(path, 120) + ": unknown setting");  // any bytes: shown escaped
    // An integer beyond 64 bits anywhere in the value (it reads as a double) fits no setting.
    if (numbers)
      for (auto n = numbers->lower_bound(path); n != numbers->end() && n->first.compare(0, path.size(), path) == 0; ++n)
        if (n->first.size() == path.size() || n->first[path.size()] == '/')
          return Status::error(n->first + ": " + n->second + " is out of range");
    if (std::string err = f->read(it.value(), c); !err.empty()) return Status::error(path + ": " + err);
  }
  out = c;
  return {};
}

/// The same from JSON text (parsed with a depth limit; never throws).
template <class Config>
Status parse(const std::string& text, Config& out, const std::string& prefix, const std::vector<Field<Config>>& fields) {
  JsonDocument doc = parseJsonDocument(text);
  if (!doc.ok()) return Status::error(prefix + ": malformed JSON: " + doc.error);
  // Paths in the document start at its root; settings messages start at `prefix`.
  BigNumbers numbers;
  for (const auto& [path, written] : doc.bigNumbers) numbers[prefix + path] = written;
  return parse(doc.value, out, prefix, fields, &numbers);
}

/// Every field, in table order, as compact JSON.
template <class Config>
std::string write(const Config& c, const std::vector<Field<Config>>& fields) {
  OrderedJson root = OrderedJson::object();
  for (const auto& f : fields) root[f.key] = f.write(c);
  return root.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);  // never throws on bad UTF-8
}

}  // namespace nc::core::config

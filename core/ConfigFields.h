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
    err = "expected an integer, got " + v.dump();
    return false;
  }
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(kNoLimit)) {
    err = "too large: " + v.dump();
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
            if (!v.is_number()) return "expected a number, got " + v.dump();
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
            if (!v.is_boolean()) return "expected true or false, got " + v.dump();
            c.*member = v.get<bool>();
            return {};
          },
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

template <class Config>
Field<Config> stringField(const char* key, std::string Config::*member) {
  return {key,
          [=](const Json& v, Config& c) -> std::string {
            if (!v.is_string()) return "expected a string, got " + v.dump();
            c.*member = v.get<std::string>();
            return {};
          },
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

template <class Config>
Field<Config> choiceField(const char* key, std::string Config::*member, std::vector<std::string> choices) {
  return {key,
          [=](const Json& v, Config& c) -> std::string {
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
          [=](const Config& c) { return OrderedJson(c.*member); }};
}

/// Applies a JSON object to `out`: keys not given keep their value; on any error `out` is left
/// unchanged and the message names the JSON path under `prefix`.
template <class Config>
Status parse(const std::string& text, Config& out, const std::string& prefix, const std::vector<Field<Config>>& fields) {
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    auto pos = what.find("] ");
    return Status::error(prefix + ": malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
  if (!root.is_object()) return Status::error(prefix + ": expected an object, got " + root.dump());
  Config c = out;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const Field<Config>* f = nullptr;
    for (const auto& candidate : fields)
      if (it.key() == candidate.key) f = &candidate;
    if (!f) return Status::error(prefix + "/" + it.key() + ": unknown setting");
    if (std::string err = f->read(it.value(), c); !err.empty()) return Status::error(prefix + "/" + it.key() + ": " + err);
  }
  out = c;
  return {};
}

/// Every field, in table order, as compact JSON.
template <class Config>
std::string write(const Config& c, const std::vector<Field<Config>>& fields) {
  OrderedJson root = OrderedJson::object();
  for (const auto& f : fields) root[f.key] = f.write(c);
  return root.dump();
}

}  // namespace nc::core::config

#include "core/Params.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/JsonDocument.h"

namespace nc::core {

std::string paramKindName(ParamKind k) {
  switch (k) {
    case ParamKind::Int: return "integer";
    case ParamKind::Float: return "number";
    case ParamKind::Bool: return "boolean";
    case ParamKind::Choice: return "choice";
    case ParamKind::IntList: return "list of integers";
  }
  return "?";
}

std::string formatParamValue(const ParamValue& v) {
  std::ostringstream os;
  if (auto p = std::get_if<int64_t>(&v)) os << *p;
  else if (auto d = std::get_if<double>(&v)) os << *d;
  else if (auto b = std::get_if<bool>(&v)) os << (*b ? "true" : "false");
  else if (auto s = std::get_if<std::string>(&v)) os << *s;
  else {
    const auto& l = std::get<std::vector<int64_t>>(v);
    os << "[";
    for (size_t i = 0; i < l.size(); ++i) os << (i ? ", " : "") << l[i];
    os << "]";
  }
  return os.str();
}

ParamSpec ParamSpec::integer(std::string name, int64_t def, int64_t min, int64_t max, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = ParamKind::Int;
  s.defaultValue = def;
  s.minValue = double(min);
  s.maxValue = double(max);
  s.doc = std::move(doc);
  return s;
}

ParamSpec ParamSpec::real(std::string name, double def, double min, double max, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = ParamKind::Float;
  s.defaultValue = def;
  s.minValue = min;
  s.maxValue = max;
  s.doc = std::move(doc);
  return s;
}

ParamSpec ParamSpec::boolean(std::string name, bool def, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = ParamKind::Bool;
  s.defaultValue = def;
  s.doc = std::move(doc);
  return s;
}

ParamSpec ParamSpec::choice(std::string name, std::string def, std::vector<std::string> choices,
                            std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = ParamKind::Choice;
  s.defaultValue = std::move(def);
  s.choices = std::move(choices);
  s.doc = std::move(doc);
  return s;
}

ParamSpec ParamSpec::intList(std::string name, std::vector<int64_t> def, size_t minLen, size_t maxLen,
                             int64_t minElem, int64_t maxElem, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.kind = ParamKind::IntList;
  s.defaultValue = std::move(def);
  s.minLength = minLen;
  s.maxLength = maxLen;
  s.minValue = double(minElem);
  s.maxValue = double(maxElem);
  s.doc = std::move(doc);
  return s;
}

namespace {
std::string rangeText(double lo, double hi) {
  std::ostringstream os;
  os << "[" << lo << ", " << hi << "]";
  return os.str();
}
}  // namespace

Status ParamSpec::validate(const ParamValue& v) const {
  const std::string where = "parameter '" + name + "'";
  switch (kind) {
    case ParamKind::Int: {
      auto p = std::get_if<int64_t>(&v);
      if (!p) return Status::error(where + " must be an integer");
      if (double(*p) < minValue || double(*p) > maxValue)
        return Status::error(where + " = " + std::to_string(*p) + " is outside " + rangeText(minValue, maxValue));
      return {};
    }
    case ParamKind::Float: {
      auto p = std::get_if<double>(&v);
      if (!p) return Status::error(where + " must be a number");
      if (!std::isfinite(*p) || *p < minValue || *p > maxValue)
        return Status::error(where + " = " + formatParamValue(v) + " is outside " + rangeText(minValue, maxValue));
      return {};
    }
    case ParamKind::Bool:
      if (!std::holds_alternative<bool>(v)) return Status::error(where + " must be true or false");
      return {};
    case ParamKind::Choice: {
      auto p = std::get_if<std::string>(&v);
      if (!p) return Status::error(where + " must be a string");
      for (const auto& c : choices)
        if (c == *p) return {};
      std::string list;
      for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
      return Status::error(where + " = '" + printableExcerpt(*p) + "' is not one of: " + list);
    }
    case ParamKind::IntList: {
      auto p = std::get_if<std::vector<int64_t>>(&v);
      if (!p) return Status::error(where + " must be a list of integers");
      if (p->size() < minLength || p->size() > maxLength)
        return Status::error(where + " must have between " + std::to_string(minLength) + " and " +
                             std::to_string(maxLength) + " entries, has " + std::to_string(p->size()));
      for (int64_t e : *p)
        if (double(e) < minValue || double(e) > maxValue)
          return Status::error(where + " entry " + std::to_string(e) + " is outside " + rangeText(minValue, maxValue));
      return {};
    }
  }
  return Status::error(where + " has an unknown kind");
}

const ParamValue& Params::get(const std::string& name) const {
  auto it = m_map.find(name);
  if (it == m_map.end()) throw std::logic_error("missing parameter '" + name + "'");
  return it->second;
}

int64_t Params::i(const std::string& name) const { return std::get<int64_t>(get(name)); }
double Params::f(const std::string& name) const { return std::get<double>(get(name)); }
bool Params::b(const std::string& name) const { return std::get<bool>(get(name)); }
const std::string& Params::s(const std::string& name) const { return std::get<std::string>(get(name)); }
const std::vector<int64_t>& Params::list(const std::string& name) const {
  return std::get<std::vector<int64_t>>(get(name));
}

}  // namespace nc::core

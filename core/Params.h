#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/Status.h"

namespace nc::core {

/// A layer parameter's value. The schema (ParamSpec) says which alternative is used.
using ParamValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>>;
using ParamMap = std::map<std::string, ParamValue>;

enum class ParamKind { Int, Float, Bool, Choice, IntList };

std::string paramKindName(ParamKind k);
std::string formatParamValue(const ParamValue& v);

/// One entry of a layer's parameter schema. The inspector form, validation and the
/// project file format are all derived from it.
struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::Int;
  ParamValue defaultValue = int64_t{0};
  double minValue = -std::numeric_limits<double>::infinity();  // Int, Float, IntList elements
  double maxValue = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices;                           // Choice
  size_t minLength = 0, maxLength = 8;                        // IntList
  std::string doc;

  static ParamSpec integer(std::string name, int64_t def, int64_t min, int64_t max, std::string doc);
  static ParamSpec real(std::string name, double def, double min, double max, std::string doc);
  static ParamSpec boolean(std::string name, bool def, std::string doc);
  static ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc);
  static ParamSpec intList(std::string name, std::vector<int64_t> def, size_t minLen, size_t maxLen,
                           int64_t minElem, int64_t maxElem, std::string doc);

  /// Checks type and range; the message names the parameter.
  Status validate(const ParamValue& v) const;
};

/// Typed read access to a complete, validated ParamMap.
class Params {
 public:
  explicit Params(const ParamMap& map) : m_map(map) {}
  int64_t i(const std::string& name) const;
  double f(const std::string& name) const;
  bool b(const std::string& name) const;
  const std::string& s(const std::string& name) const;
  const std::vector<int64_t>& list(const std::string& name) const;
  const ParamMap& map() const { return m_map; }

 private:
  const ParamValue& get(const std::string& name) const;
  const ParamMap& m_map;
};

}  // namespace nc::core

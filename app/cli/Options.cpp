#include "app/cli/Options.h"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace nc::app {

Options::Options(const std::vector<std::string>& args, const std::vector<std::string>& valueOptions) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      m_help = true;
    } else if (a.rfind("--", 0) == 0) {
      std::string name = a, value;
      bool inline_ = false;
      if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_ = true;
      }
      if (std::find(valueOptions.begin(), valueOptions.end(), name) == valueOptions.end()) {
        if (m_error.empty()) m_error = "unknown option " + name;
        continue;
      }
      if (!inline_) {
        if (i + 1 >= args.size()) {
          if (m_error.empty()) m_error = name + " needs a value";
          continue;
        }
        value = args[++i];
      }
      m_values.emplace_back(name, value);
    } else {
      m_positional.push_back(a);
    }
  }
}

bool Options::has(const std::string& name) const {
  return std::any_of(m_values.begin(), m_values.end(), [&](const auto& p) { return p.first == name; });
}

std::string Options::get(const std::string& name) const {
  std::string v;
  for (const auto& [k, value] : m_values)
    if (k == name) v = value;  // the last one wins
  return v;
}

std::vector<std::string> Options::all(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, value] : m_values)
    if (k == name) out.push_back(value);
  return out;
}

int64_t Options::integer(const std::string& name, int64_t min, int64_t max) const {
  std::string v = get(name);
  size_t used = 0;
  int64_t x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size()) throw std::invalid_argument(name + " expects an integer, got '" + v + "'");
  if (x < min || x > max)
    throw std::invalid_argument(name + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  return x;
}

double Options::real(const std::string& name, double min, double max) const {
  std::string v = get(name);
  size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size()) throw std::invalid_argument(name + " expects a number, got '" + v + "'");
  if (!(x >= min && x <= max)) throw std::invalid_argument(name + " is out of range: " + v);
  return x;
}

std::string Options::choice(const std::string& name, const std::vector<std::string>& choices) const {
  std::string v = get(name);
  if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
  std::string all;
  for (const auto& c : choices) all += (all.empty() ? "" : ", ") + c;
  throw std::invalid_argument(name + " must be one of " + all + ", got '" + v + "'");
}

std::optional<int> Options::helpOrUsageError(const std::string& usage, bool argumentsOk) const {
  if (m_help) {
    std::cout << usage;
    return 0;
  }
  if (m_error.empty() && argumentsOk) return std::nullopt;
  if (!m_error.empty()) std::cerr << "error: " << m_error << "\n";
  std::cerr << usage;
  return 64;
}

}  // namespace nc::app

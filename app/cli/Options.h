#pragma once
// A small command-line option parser shared by the CLI commands: --name VALUE pairs from a
// known list, --help, and positional arguments.
#include <optional>
#include <string>
#include <vector>

namespace nc::app {

class Options {
 public:
  Options(const std::vector<std::string>& args, const std::vector<std::string>& valueOptions);
  bool help() const { return m_help; }
  const std::string& error() const { return m_error; }  // unknown option or missing value
  const std::vector<std::string>& positional() const { return m_positional; }
  bool has(const std::string& name) const;
  std::string get(const std::string& name) const;
  /// Every value of a repeatable option, in the order given (e.g. sweep's --param).
  std::vector<std::string> all(const std::string& name) const;
  /// Typed access; throw std::invalid_argument naming the option when the value is bad.
  int64_t integer(const std::string& name, int64_t min, int64_t max) const;
  double real(const std::string& name, double min, double max) const;
  std::string choice(const std::string& name, const std::vector<std::string>& choices) const;

  /// What every command does first: with --help prints `usage` and returns 0; with an unknown
  /// option, a missing value or !argumentsOk prints the problem and `usage` to stderr and returns
  /// 64; otherwise nullopt (go on).
  std::optional<int> helpOrUsageError(const std::string& usage, bool argumentsOk) const;

 private:
  std::vector<std::pair<std::string, std::string>> m_values;
  std::vector<std::string> m_positional;
  bool m_help = false;
  std::string m_error;
};

}  // namespace nc::app

#pragma once
#include <string>
#include <utility>

namespace nc::core {

/// Outcome of an operation that a user's mistake can make fail. Empty message = success.
class Status {
 public:
  Status() = default;
  static Status error(std::string message) { return Status(std::move(message)); }
  bool ok() const { return m_message.empty(); }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return m_message; }

 private:
  explicit Status(std::string message) : m_message(std::move(message)) {
    if (m_message.empty()) m_message = "unknown error";
  }
  std::string m_message;
};

}  // namespace nc::core

#pragma once
// Small text formatting shared by the core's messages and the CLI (no Qt, no torch).
#include <cstdint>
#include <string>

namespace nc::core {

/// A count with thousands separators: 60000 -> "60,000", -1234 -> "-1,234".
inline std::string groupThousands(int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace nc::core

#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nc::core {

/// SHA-256 (FIPS 180-4), used to detect corrupted checkpoints and exported archives.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  /// Lower-case hex digest. The object must not be updated afterwards.
  std::string hexDigest();

 private:
  void block(const uint8_t* p);
  uint32_t m_h[8];
  uint8_t m_buf[64];
  size_t m_bufLen = 0;
  uint64_t m_totalBytes = 0;
};

std::string sha256Hex(std::string_view data);
/// Hex digest of a file's bytes, or "" if it cannot be read.
std::string sha256File(const std::string& path);

}  // namespace nc::core

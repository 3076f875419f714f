#pragma once
// Helpers for the dataset reader tests: temporary folders and small files in each format.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/data/Dataset.h"

namespace nc::test::readers {

namespace fs = std::filesystem;
using ByteVector = std::vector<uint8_t>;

/// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "data") {
    static std::atomic<int> counter{0};
    m_path = fs::temp_directory_path() /
             ("nc-readers-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(m_path);
    fs::create_directories(m_path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return m_path; }
  std::string str() const { return m_path.string(); }
  fs::path operator/(const std::string& name) const { return m_path / name; }

 private:
  fs::path m_path;
};

inline void writeBytes(const fs::path& file, const ByteVector& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  ASSERT_TRUE(out.good()) << file;
}

inline void writeText(const fs::path& file, const std::string& text) {
  writeBytes(file, ByteVector(text.begin(), text.end()));
}

inline void writeGzip(const fs::path& file, const ByteVector& bytes) {
  fs::create_directories(file.parent_path());
  gzFile f = gzopen(file.string().c_str(), "wb");
  ASSERT_TRUE(f) << file;
  ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

inline ByteVector readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return ByteVector(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void appendBigEndian32(ByteVector& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

/// IDX images file: magic 2051 (or `magic`), n x rows x cols, pixel (i, k) = (i * 31 + k) % 256.
inline ByteVector idxImages(uint32_t n, uint32_t rows, uint32_t cols, uint32_t magic = 2051) {
  ByteVector b;
  for (uint32_t v : {magic, n, rows, cols}) appendBigEndian32(b, v);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t k = 0; k < rows * cols; ++k) b.push_back(uint8_t((i * 31 + k) % 256));
  return b;
}

inline ByteVector idxLabels(const std::vector<uint8_t>& labels, uint32_t magic = 2049) {
  ByteVector b;
  appendBigEndian32(b, magic);
  appendBigEndian32(b, uint32_t(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

inline void appendChunk(ByteVector& png, const std::string& type, const ByteVector& data) {
  appendBigEndian32(png, uint32_t(data.size()));
  ByteVector typed(type.begin(), type.end());
  typed.insert(typed.end(), data.begin(), data.end());
  png.insert(png.end(), typed.begin(), typed.end());
  appendBigEndian32(png, uint32_t(crc32(0, typed.data(), uInt(typed.size()))));
}

/// A PNG (8-bit grey for channels 1, RGB for 3) from row-major interleaved pixels.
inline ByteVector makePng(int width, int height, int channels, const ByteVector& pixels) {
  ByteVector png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  ByteVector header;
  appendBigEndian32(header, uint32_t(width));
  appendBigEndian32(header, uint32_t(height));
  header.insert(header.end(), {8, uint8_t(channels == 3 ? 2 : 0), 0, 0, 0});
  appendChunk(png, "IHDR", header);
  ByteVector raw;
  size_t stride = size_t(width) * size_t(channels);
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), pixels.begin() + long(y * stride), pixels.begin() + long((y + 1) * stride));
  }
  uLongf size = compressBound(uLong(raw.size()));
  ByteVector packed(size);
  compress(packed.data(), &size, raw.data(), uLong(raw.size()));
  packed.resize(size);
  appendChunk(png, "IDAT", packed);
  appendChunk(png, "IEND", {});
  return png;
}

/// A PNG of one colour.
inline ByteVector solidPng(int width, int height, const std::vector<uint8_t>& colour) {
  ByteVector pixels(size_t(width * height) * colour.size());
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = colour[i % colour.size()];
  return makePng(width, height, int(colour.size()), pixels);
}

inline bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

/// The load failed with an error containing every fragment.
inline void expectError(const core::DatasetLoad& load, std::initializer_list<std::string> fragments) {
  ASSERT_FALSE(load.ok()) << "expected an error containing '" << *fragments.begin() << "'";
  for (const std::string& fragment : fragments)
    EXPECT_TRUE(contains(load.error, fragment)) << "'" << fragment << "' is not in: " << load.error;
}

}  // namespace nc::test::readers

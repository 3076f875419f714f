#pragma once
// Helpers shared by the dataset readers (internal to core/data and the predictor; include from
// .cpp files only).
#include <cstdint>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/JsonUtil.h"
#include "core/data/Dataset.h"

namespace nc::core::readutil {

// Limits. Every size read from a file (a header's counts, a gzip stream, an image's declared
// dimensions) is checked against what the header allows and against one of these, before any
// memory is allocated for it.
constexpr uint64_t kMiB = uint64_t(1) << 20;
constexpr uint64_t kGiB = uint64_t(1) << 30;
constexpr uint64_t kMaxFileBytes = 4 * kGiB;      // one data file (IDX, CIFAR batch), after decompression
constexpr uint64_t kMaxCsvBytes = 1 * kGiB;       // a CSV file (its cells take several times that in memory)
constexpr uint64_t kMaxTextBytes = 256 * kMiB;    // a text file (16 bytes of tokens per character in memory)
constexpr uint64_t kMaxImageFileBytes = 256 * kMiB;
constexpr uint64_t kMaxImagePixels = uint64_t(1) << 26;  // 64 megapixels (8192 x 8192) per decoded image
constexpr uint64_t kMaxDatasetBytes = 8 * kGiB;  // a whole decoded image dataset in memory
constexpr size_t kMaxCsvColumns = 1000000;

/// `limit`, or less while a test has lowered the limits (ScopedReadLimit).
uint64_t effectiveLimit(uint64_t limit);

/// Lowers every read limit to `limit` bytes while alive (tests: a fuzz corpus can then prove that
/// a gzip bomb is stopped without allocating gigabytes). Not thread-safe against running readers.
class ScopedReadLimit {
 public:
  explicit ScopedReadLimit(uint64_t limit);
  ~ScopedReadLimit();
  ScopedReadLimit(const ScopedReadLimit&) = delete;
  ScopedReadLimit& operator=(const ScopedReadLimit&) = delete;

 private:
  uint64_t m_previous;
};

/// a * b, or false when it does not fit 64 bits.
inline bool checkedMul(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
inline bool checkedAdd(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }

/// "123 bytes", "4.0 MiB", "8.0 GiB".
std::string formatBytes(uint64_t bytes);

/// Text for an error message: valid UTF-8 (other bytes read as Latin-1), control characters
/// escaped (\n, \t, \xNN), cut to about maxChars characters with "..." and the full length.
std::string printable(std::string_view text, size_t maxChars = 60);

/// A whole file's bytes, or an error naming the file.
struct Bytes {
  std::vector<uint8_t> data;
  std::string error;
  bool overLimit = false;  // the error is "more than maxBytes" (data is empty then)
  bool gzip = false;       // the file was gzip-compressed
  bool ok() const { return error.empty(); }
};

/// Reads a whole regular file in one go. Files starting with the gzip magic (1f 8b) are
/// decompressed, anything else is returned as it is. Missing, unreadable, not-regular (FIFOs,
/// devices) or truncated gzip files are errors. More than `maxBytes` of content (after
/// decompression; checked while decompressing, so a gzip bomb stops there) is an error with
/// overLimit set. maxBytes 0 means kMaxFileBytes.
Bytes readWholeFile(const std::string& path, uint64_t maxBytes = 0);

/// At most the first `count` bytes of a file's content (decompressed when gzip), for headers.
Bytes readFileHead(const std::string& path, size_t count);

/// The 32-bit big-endian unsigned integer at p.
inline uint32_t bigEndian32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

/// An IDX header: magic, `rank` big-endian 32-bit dimensions.
struct IdxHeader {
  std::vector<int64_t> dims;
  uint64_t headerSize = 0;  // 4 + 4 * rank
  uint64_t totalBytes = 0;  // header + product of dims (one byte per item), checked
  std::string error;        // names the file
};

/// Checks the magic number and computes the file size the header declares with checked
/// arithmetic; more than `limit` bytes (0: kMaxFileBytes) is an error. `bytes` may hold only the
/// header. `what` names the kind of file in the wrong-magic message ("IDX images").
IdxHeader parseIdxHeader(const uint8_t* bytes, size_t size, const std::string& path, uint32_t magic, size_t rank,
                         const char* what, uint64_t limit = 0);

/// One decoded image, `channels` interleaved per pixel (HWC).
struct Image {
  std::vector<uint8_t> pixels;
  int width = 0, height = 0;
  std::string error;  // names the file
};

/// Reads and decodes a PNG/JPEG/BMP/GIF with `channels` 1 or 3. Reads the dimensions first and
/// refuses images of more than kMaxImagePixels before decoding them.
Image decodeImage(const std::string& path, int channels);

inline DatasetLoad failure(std::string message) {
  DatasetLoad load;
  load.error = std::move(message);
  return load;
}

inline DatasetLoad success(Dataset data) {
  DatasetLoad load;
  load.dataset = std::move(data);
  return load;
}

bool isDirectory(const std::filesystem::path& p);
bool isFile(const std::filesystem::path& p);
std::string toLower(std::string s);
/// Strips spaces, tabs and line-end characters from both ends.
std::string trim(const std::string& s);
/// One CSV line split at `sep`; double quotes group a cell ("" inside quotes is a quote); cells
/// trimmed. The reader and the dataset peek (DatasetInfo) both use it, so they see the same cells.
std::vector<std::string> splitCsvCells(std::string_view line, char sep);

/// "<name> (<kind>): 60000 train, 10000 test, 10 classes". With fullTrainCount > train size:
/// "1000 of 60000 train". Text data says "vocabulary of V characters" instead of classes.
std::string describe(const Dataset& data, const std::string& name, const std::string& kind,
                     int64_t fullTrainCount = 0);
/// The name shown in a description: "Fashion-MNIST", "MNIST", "CIFAR-10", else the file or
/// folder name.
std::string displayName(const std::string& kind, const std::string& path);

/// The error for an empty data path.
std::string emptyPathError();

/// Runs a reader, turning any exception (torch, filesystem, allocation) into an error value.
/// An empty path is refused before the reader runs.
template <class Read>
DatasetLoad guarded(const std::string& path, Read&& read) {
  if (trim(path).empty()) return failure(emptyPathError());
  try {
    DatasetLoad load = read();
    if (!load.ok()) load.error = toUtf8(load.error);  // messages may be written to JSON: paths need not be UTF-8
    return load;
  } catch (const c10::Error& e) {
    return failure(toUtf8(path) + ": " + printable(e.what_without_backtrace(), 300));
  } catch (const std::bad_alloc&) {
    return failure(toUtf8(path) + ": not enough memory to load this data");
  } catch (const std::exception& e) {
    return failure(toUtf8(path) + ": " + printable(e.what(), 300));
  }
}

}  // namespace nc::core::readutil

#include "core/data/ReadUtil.h"

#include "core/Cancellation.h"

#include <stb/stb_image.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdio>
#include <fstream>

#include "core/JsonUtil.h"

namespace nc::core::readutil {
namespace {

namespace fs = std::filesystem;

std::atomic<uint64_t> g_testLimit{UINT64_MAX};

Bytes errorBytes(std::string message) {
  Bytes b;
  b.error = std::move(message);
  return b;
}

Bytes overLimitBytes(const std::string& path, uint64_t maxBytes, bool gzip) {
  Bytes b = errorBytes(path + ": more than " + formatBytes(maxBytes) + " of data" +
                       (gzip ? " after decompression" : "") + ", the most this reader accepts for one file");
  b.overLimit = true;
  b.gzip = gzip;
  return b;
}

/// The uncompressed size a gzip file records in its last four bytes (mod 2^32), as a hint for
/// the buffer size. Implausible values (a truncated file ends in deflate data) fall back to a guess.
size_t gzipSizeHint(std::ifstream& in, size_t fileSize) {
  size_t guess = 4 * fileSize;
  if (fileSize < 18) return guess;
  unsigned char tail[4];
  in.seekg(std::streamoff(fileSize - 4));
  if (!in.read(reinterpret_cast<char*>(tail), 4)) return guess;
  size_t hint = size_t(tail[0]) | (size_t(tail[1]) << 8) | (size_t(tail[2]) << 16) | (size_t(tail[3]) << 24);
  bool plausible = hint + 64 >= fileSize && hint / 64 <= fileSize && hint <= (size_t(1) << 30);
  return plausible ? hint : guess;
}

/// Decompresses at most maxBytes (+1 to notice more); the buffer never grows past that.
Bytes readGzip(const std::string& path, size_t sizeHint, uint64_t maxBytes) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return errorBytes(path + ": cannot open file");
  gzbuffer(f, 1 << 17);
  const size_t cap = size_t(std::min<uint64_t>(maxBytes, uint64_t(SIZE_MAX) - 1) + 1);
  Bytes b;
  b.gzip = true;
  b.data.resize(std::min(std::max<size_t>(sizeHint, 1 << 16) + 1, cap));  // +1: reaching it means "maybe more"
  size_t used = 0;
  bool over = false;
  while (true) {
    if (used == b.data.size()) {
      if (b.data.size() >= cap) {
        over = true;
        break;
      }
      b.data.resize(std::min(b.data.size() * 2, cap));
    }
    if (cancellationRequested()) {
      gzclose(f);
      return errorBytes(path + ": reading stopped (the run was asked to stop)");
    }
    unsigned chunk = unsigned(std::min<size_t>(b.data.size() - used, 1u << 24));  // 16 MiB: stop within ~0.1 s
    int n = gzread(f, b.data.data() + used, chunk);
    if (n <= 0) break;
    used += size_t(n);
  }
  int code = Z_OK;
  std::string message = over ? "" : gzerror(f, &code);
  gzclose(f);
  if (over) return overLimitBytes(path, maxBytes, true);
  if (code == Z_BUF_ERROR) return errorBytes(path + ": truncated gzip data (the file ends in the middle of the stream)");
  if (code != Z_OK) return errorBytes(path + ": corrupt gzip data (" + printable(message) + ")");
  b.data.resize(used);
  if (used < b.data.capacity() / 2) b.data.shrink_to_fit();
  return b;
}

/// "" when path names a regular file, else the error.
std::string checkRegularFile(const std::string& path) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return path + ": file not found";
  if (fs::is_directory(status)) return path + ": is a folder, expected a file";
  if (!fs::is_regular_file(status)) return path + ": not a regular file (a device, pipe or socket)";
  return "";
}

}  // namespace

uint64_t effectiveLimit(uint64_t limit) { return std::min(limit, g_testLimit.load()); }

ScopedReadLimit::ScopedReadLimit(uint64_t limit) : m_previous(g_testLimit.exchange(limit)) {}
ScopedReadLimit::~ScopedReadLimit() { g_testLimit.store(m_previous); }

std::string formatBytes(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = double(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  return text;
}

std::string printable(std::string_view raw, size_t maxChars) {
  std::string text = toUtf8(raw);
  std::string out;
  size_t chars = 0, i = 0;
  for (; i < text.size() && chars < maxChars; ++chars) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    char escaped[8];
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
    } else if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      std::snprintf(escaped, sizeof escaped, "\\u%04X", static_cast<unsigned char>(text[i + 1]) & 0xFF);
      out += escaped;  // C1 control character (U+0080..U+009F)
      i += 2;
      continue;
    } else {
      size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;  // text is valid UTF-8
      out.append(text, i, len);
      i += len;
      continue;
    }
    ++i;
  }
  if (i < text.size()) out += "... (" + std::to_string(raw.size()) + " bytes)";
  return out;
}

Bytes readWholeFile(const std::string& path, uint64_t maxBytes) {
  maxBytes = effectiveLimit(maxBytes == 0 ? kMaxFileBytes : maxBytes);
  if (std::string e = checkRegularFile(path); !e.empty()) return errorBytes(e);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return errorBytes(path + ": cannot open file");
  std::streamoff end = in.tellg();
  if (end < 0) return errorBytes(path + ": cannot read file size");
  size_t size = size_t(end);
  unsigned char magic[2] = {0, 0};
  in.seekg(0);
  if (size >= 2 && in.read(reinterpret_cast<char*>(magic), 2) && magic[0] == 0x1f && magic[1] == 0x8b) {
    size_t hint = gzipSizeHint(in, size);
    in.close();
    return readGzip(path, hint, maxBytes);
  }
  if (uint64_t(size) > maxBytes) return overLimitBytes(path, maxBytes, false);
  Bytes b;
  b.data.resize(size);
  in.clear();
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(b.data.data()), std::streamsize(size)))
    return errorBytes(path + ": read error");
  return b;
}

Bytes readFileHead(const std::string& path, size_t count) {
  if (std::string e = checkRegularFile(path); !e.empty()) return errorBytes(e);
  std::ifstream in(path, std::ios::binary);
  if (!in) return errorBytes(path + ": cannot open file");
  Bytes b;
  b.data.resize(count);
  in.read(reinterpret_cast<char*>(b.data.data()), std::streamsize(count));
  size_t got = size_t(in.gcount());
  if (got >= 2 && b.data[0] == 0x1f && b.data[1] == 0x8b) {
    in.close();
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) return errorBytes(path + ": cannot open file");
    int n = gzread(f, b.data.data(), unsigned(count));
    gzclose(f);
    got = n < 0 ? 0 : size_t(n);
    b.gzip = true;
  }
  b.data.resize(got);
  return b;
}

IdxHeader parseIdxHeader(const uint8_t* bytes, size_t size, const std::string& path, uint32_t magic, size_t rank,
                         const char* what, uint64_t limit) {
  IdxHeader h;
  h.headerSize = 4 + 4 * uint64_t(rank);
  auto truncated = [&] {
    return path + ": truncated file: expected " + std::to_string(h.headerSize) + " bytes, got " +
           std::to_string(size) + " (the header is incomplete)";
  };
  if (size < 4) {
    h.error = truncated();
    return h;
  }
  uint32_t found = bigEndian32(bytes);
  if (found != magic) {
    h.error = path + ": wrong magic number " + std::to_string(found) + ", expected " + std::to_string(magic) + " (" +
              what + ")";
    return h;
  }
  if (size < h.headerSize) {
    h.error = truncated();
    return h;
  }
  uint64_t items = 1;
  bool overflow = false;
  std::string declared;
  for (size_t i = 0; i < rank; ++i) {
    uint32_t d = bigEndian32(bytes + 4 + 4 * i);
    h.dims.push_back(int64_t(d));
    declared += (i ? " x " : "") + std::to_string(d);
    overflow = overflow || !checkedMul(items, d, items);
  }
  overflow = overflow || !checkedAdd(items, h.headerSize, h.totalBytes);
  uint64_t max = effectiveLimit(limit == 0 ? kMaxFileBytes : limit);
  if (overflow || h.totalBytes > max)
    h.error = path + ": the header declares " + declared + " items" +
              (overflow ? ", a size that does not fit 64 bits" : " (" + formatBytes(h.totalBytes) + ")") +
              ", more than the " + formatBytes(max) + " this reader accepts (corrupt header?)";
  return h;
}

Image decodeImage(const std::string& path, int channels) {
  Image image;
  Bytes bytes = readWholeFile(path, kMaxImageFileBytes);
  if (!bytes.ok()) {
    image.error = bytes.error;
    return image;
  }
  if (bytes.data.size() > size_t(INT_MAX)) {
    image.error = path + ": image file too large";
    return image;
  }
  int w = 0, h = 0, channelsInFile = 0;
  const int size = int(bytes.data.size());
  if (!stbi_info_from_memory(bytes.data.data(), size, &w, &h, &channelsInFile)) {
    image.error = path + ": cannot decode image (" + std::string(stbi_failure_reason()) + ")";
    return image;
  }
  uint64_t pixels = 0;
  if (w <= 0 || h <= 0 || !checkedMul(uint64_t(w), uint64_t(h), pixels) || pixels > kMaxImagePixels) {
    image.error = path + ": the image declares " + std::to_string(w) + " x " + std::to_string(h) +
                  " pixels, more than the " + std::to_string(kMaxImagePixels >> 20) + " megapixels accepted";
    return image;
  }
  int dw = 0, dh = 0;
  uint8_t* decoded = stbi_load_from_memory(bytes.data.data(), size, &dw, &dh, &channelsInFile, channels);
  if (!decoded) {
    image.error = path + ": cannot decode image (" + std::string(stbi_failure_reason()) + ")";
    return image;
  }
  if (dw != w || dh != h) {  // cannot happen for well-formed files; never trust it
    stbi_image_free(decoded);
    image.error = path + ": cannot decode image (its size changed while decoding)";
    return image;
  }
  image.width = w;
  image.height = h;
  image.pixels.assign(decoded, decoded + size_t(w) * size_t(h) * size_t(channels));
  stbi_image_free(decoded);
  return image;
}

bool isDirectory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool isFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::string toLower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const char* space = " \t\r\n";
  size_t first = s.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

std::string describe(const Dataset& data, const std::string& name, const std::string& kind,
                     int64_t fullTrainCount) {
  int64_t train = data.trainInputs.defined() ? data.trainInputs.size(0) : 0;
  std::string text = name + " (" + kind + "): " + std::to_string(train);
  if (fullTrainCount > train) text += " of " + std::to_string(fullTrainCount);
  text += " train, ";
  text += data.testInputs.defined() ? std::to_string(data.testInputs.size(0)) + " test, " : "no test split, ";
  if (data.task == Task::NextToken) return text + "vocabulary of " + std::to_string(data.numClasses()) + " characters";
  return text + std::to_string(data.numClasses()) + " classes";
}

std::string displayName(const std::string& kind, const std::string& path) {
  std::string lower = toLower(path);
  if (kind == "idx" && lower.find("fashion") != std::string::npos) return "Fashion-MNIST";
  if (kind == "idx" && lower.find("mnist") != std::string::npos) return "MNIST";
  if (kind == "cifar10") return "CIFAR-10";
  fs::path p(path);
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();  // "folder/" has an empty filename
  return toUtf8(name.empty() ? path : name);  // descriptions are written to JSON
}

std::string emptyPathError() {
  return "the data path is empty: set data.path in the project (a folder for idx, cifar10 and image-folder "
         "data, a file for csv and text data)";
}

std::vector<std::string> splitCsvCells(std::string_view line, char sep) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == sep && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  for (std::string& cell : cells) cell = trim(cell);
  return cells;
}

}  // namespace nc::core::readutil

#include "core/data/ReadUtil.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace nc::core::readutil {
namespace {

namespace fs = std::filesystem;

Bytes errorBytes(std::string message) {
  Bytes b;
  b.error = std::move(message);
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

Bytes readGzip(const std::string& path, size_t sizeHint) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return errorBytes(path + ": cannot open file");
  gzbuffer(f, 1 << 20);
  Bytes b;
  b.data.resize(std::max<size_t>(sizeHint, 1 << 16) + 1);  // +1: reaching it means "maybe more"
  size_t used = 0;
  while (true) {
    if (used == b.data.size()) b.data.resize(b.data.size() * 2);
    unsigned chunk = unsigned(std::min<size_t>(b.data.size() - used, 1u << 30));
    int n = gzread(f, b.data.data() + used, chunk);
    if (n <= 0) break;
    used += size_t(n);
  }
  int code = Z_OK;
  std::string message = gzerror(f, &code);
  gzclose(f);
  if (code == Z_BUF_ERROR) return errorBytes(path + ": truncated gzip data (the file ends in the middle of the stream)");
  if (code != Z_OK) return errorBytes(path + ": corrupt gzip data (" + message + ")");
  b.data.resize(used);
  if (used < b.data.capacity() / 2) b.data.shrink_to_fit();
  return b;
}

}  // namespace

Bytes readWholeFile(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return errorBytes(path + ": file not found");
  if (fs::is_directory(path, ec)) return errorBytes(path + ": is a folder, expected a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return errorBytes(path + ": cannot open file");
  size_t size = size_t(in.tellg());
  unsigned char magic[2] = {0, 0};
  in.seekg(0);
  if (size >= 2 && in.read(reinterpret_cast<char*>(magic), 2) && magic[0] == 0x1f && magic[1] == 0x8b) {
    size_t hint = gzipSizeHint(in, size);
    in.close();
    return readGzip(path, hint);
  }
  Bytes b;
  b.data.resize(size);
  in.clear();
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(b.data.data()), std::streamsize(size)))
    return errorBytes(path + ": read error");
  return b;
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
  return name.empty() ? path : name;
}

}  // namespace nc::core::readutil

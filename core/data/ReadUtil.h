#pragma once
// Helpers shared by the dataset readers (internal to core/data; include from .cpp files only).
#include <cstdint>
#include <exception>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/data/Dataset.h"

namespace nc::core::readutil {

/// A whole file's bytes, or an error naming the file.
struct Bytes {
  std::vector<uint8_t> data;
  std::string error;
  bool ok() const { return error.empty(); }
};

/// Reads a whole file in one go. Files starting with the gzip magic (1f 8b) are decompressed,
/// anything else is returned as it is. Missing, unreadable or truncated gzip files are errors.
Bytes readWholeFile(const std::string& path);

/// The 32-bit big-endian unsigned integer at p.
inline uint32_t bigEndian32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

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

/// "<name> (<kind>): 60000 train, 10000 test, 10 classes". With fullTrainCount > train size:
/// "1000 of 60000 train". Text data says "vocabulary of V characters" instead of classes.
std::string describe(const Dataset& data, const std::string& name, const std::string& kind,
                     int64_t fullTrainCount = 0);
/// The name shown in a description: "Fashion-MNIST", "MNIST", "CIFAR-10", else the file or
/// folder name.
std::string displayName(const std::string& kind, const std::string& path);

/// Runs a reader, turning any exception (torch, filesystem, allocation) into an error value.
template <class Read>
DatasetLoad guarded(const std::string& path, Read&& read) {
  try {
    return read();
  } catch (const c10::Error& e) {
    return failure(path + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return failure(path + ": " + e.what());
  }
}

}  // namespace nc::core::readutil

// Character-level text (bytes): non-overlapping windows with next-character targets.
#include <array>

#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::core {
namespace {

using namespace readutil;

/// The vocabulary (sorted distinct bytes) and the text as ids into it.
struct Encoded {
  std::vector<std::string> vocabulary;
  torch::Tensor ids;  // int64 [T]
};

Encoded encode(const std::vector<uint8_t>& text) {
  std::array<int64_t, 256> idOf{};
  for (uint8_t byte : text) idOf[byte] = 1;
  Encoded e;
  for (int byte = 0; byte < 256; ++byte) {
    if (!idOf[size_t(byte)]) continue;
    idOf[size_t(byte)] = int64_t(e.vocabulary.size());
    e.vocabulary.push_back(byteTokenName(uint8_t(byte)));
  }
  e.ids = torch::empty({int64_t(text.size())}, torch::kInt64);
  int64_t* ids = e.ids.data_ptr<int64_t>();
  for (size_t i = 0; i < text.size(); ++i) ids[i] = idOf[text[i]];
  return e;
}

DatasetLoad readText(const std::string& file, int64_t length) {
  if (length <= 0) return failure(file + ": sequence length must be positive, got " + std::to_string(length));
  Bytes bytes = readWholeFile(file, kMaxTextBytes);
  if (bytes.overLimit)
    return failure(bytes.error + " (text data takes 16 bytes per character in memory; use a shorter text)");
  if (!bytes.ok()) return failure(bytes.error);
  int64_t size = int64_t(bytes.data.size());
  if (size < length + 1)
    return failure(file + ": text too short: " + std::to_string(size) + " characters, need at least " +
                   std::to_string(length + 1) + " for one window of " + std::to_string(length) +
                   " plus its next character");
  Encoded e = encode(bytes.data);
  int64_t windows = (size - 1) / length;  // stride = length: windows do not overlap
  Dataset d;
  d.trainInputs = e.ids.narrow(0, 0, windows * length).view({windows, length}).clone();
  d.trainTargets = e.ids.narrow(0, 1, windows * length).view({windows, length}).clone();
  d.classNames = std::move(e.vocabulary);
  d.sampleShape = TensorShape{{length}, DType::Int64, d.numClasses()};
  d.task = Task::NextToken;
  d.description = describe(d, displayName("text", file), "text");
  return success(std::move(d));
}

}  // namespace

std::string byteTokenName(uint8_t byte) {
  if (byte < 0x80) return std::string(1, char(byte));
  return {char(0xC0 | (byte >> 6)), char(0x80 | (byte & 0x3F))};
}

bool byteOfTokenName(const std::string& name, uint8_t& byte) {
  if (name.size() == 1) {
    byte = uint8_t(name[0]);
    return true;
  }
  if (name.size() != 2) return false;
  uint8_t lead = uint8_t(name[0]), trail = uint8_t(name[1]);
  if ((lead != 0xC2 && lead != 0xC3) || (trail & 0xC0) != 0x80) return false;
  byte = uint8_t(((lead & 0x03) << 6) | (trail & 0x3F));
  return true;
}

DatasetLoad readTextFile(const std::string& file, int64_t length) {
  return guarded(file, [&] { return readText(file, length); });
}

}  // namespace nc::core

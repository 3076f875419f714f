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
    e.vocabulary.push_back(std::string(1, char(byte)));
  }
  e.ids = torch::empty({int64_t(text.size())}, torch::kInt64);
  int64_t* ids = e.ids.data_ptr<int64_t>();
  for (size_t i = 0; i < text.size(); ++i) ids[i] = idOf[text[i]];
  return e;
}

DatasetLoad readText(const std::string& file, int64_t length) {
  if (length <= 0) return failure(file + ": sequence length must be positive, got " + std::to_string(length));
  Bytes bytes = readWholeFile(file);
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

DatasetLoad readTextFile(const std::string& file, int64_t length) {
  return guarded(file, [&] { return readText(file, length); });
}

}  // namespace nc::core

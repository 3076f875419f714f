// CIFAR-10 binary version: records of 1 label byte + 3072 pixel bytes (3 x 32 x 32, CHW).
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/JsonUtil.h"
#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::core {
namespace {

namespace fs = std::filesystem;
using namespace readutil;

constexpr size_t kPixels = 3 * 32 * 32;
constexpr size_t kRecord = 1 + kPixels;

const std::vector<std::string> kStandardClasses = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                   "dog",      "frog",       "horse", "ship", "truck"};

/// Records of several batch files, concatenated.
struct Records {
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  std::string error;
};

/// Appends one batch file's records; labels must be below numClasses.
std::string appendBatch(const std::string& path, size_t numClasses, Records& out) {
  Bytes b = readWholeFile(path);
  if (!b.ok()) return b.error;
  size_t size = b.data.size();
  if (size == 0) return path + ": empty file";
  if (size % kRecord != 0)
    return path + ": truncated file: " + std::to_string(size) + " bytes is not a whole number of " +
           std::to_string(kRecord) + "-byte records (expected " + std::to_string((size / kRecord + 1) * kRecord) +
           " bytes)";
  size_t count = size / kRecord;
  size_t firstPixel = out.pixels.size();
  if (uint64_t(firstPixel) + uint64_t(count) * kPixels > effectiveLimit(kMaxDatasetBytes))
    return path + ": the batches hold more than " + formatBytes(effectiveLimit(kMaxDatasetBytes)) +
           " of images, more than this reader accepts";
  out.pixels.resize(firstPixel + count * kPixels);
  for (size_t r = 0; r < count; ++r) {
    const uint8_t* record = b.data.data() + r * kRecord;
    if (record[0] >= numClasses)
      return path + ": label " + std::to_string(record[0]) + " of record " + std::to_string(r) +
             " is out of range for " + std::to_string(numClasses) + " classes";
    out.labels.push_back(record[0]);
    std::memcpy(out.pixels.data() + firstPixel + r * kPixels, record + 1, kPixels);
  }
  return "";
}

Records readBatches(const std::vector<std::string>& paths, size_t numClasses) {
  Records records;
  for (const std::string& path : paths) {
    records.error = appendBatch(path, numClasses, records);
    if (!records.error.empty()) break;
  }
  return records;
}

/// inputs uint8 [N, 3, 32, 32], targets int64 [N].
std::pair<torch::Tensor, torch::Tensor> toTensors(const Records& r) {
  int64_t n = int64_t(r.labels.size());
  torch::Tensor inputs = torch::empty({n, 3, 32, 32}, torch::kUInt8);
  if (!r.pixels.empty()) std::memcpy(inputs.data_ptr<uint8_t>(), r.pixels.data(), r.pixels.size());
  torch::Tensor targets = torch::empty({n}, torch::kInt64);
  if (!r.labels.empty()) std::memcpy(targets.data_ptr<int64_t>(), r.labels.data(), r.labels.size() * sizeof(int64_t));
  return {inputs, targets};
}

/// Class names from batches.meta.txt (one per line, blank lines skipped, made valid UTF-8), else
/// the standard ten. Labels are single bytes, so more than 256 names is an error.
std::vector<std::string> readClassNames(const fs::path& folder, std::string& error) {
  std::string path = (folder / "batches.meta.txt").string();
  if (!isFile(path)) return kStandardClasses;
  Bytes meta = readWholeFile(path, kMiB);
  if (!meta.ok()) {
    error = meta.error;
    return {};
  }
  std::vector<std::string> names;
  std::istringstream lines(std::string(meta.data.begin(), meta.data.end()));
  for (std::string line; std::getline(lines, line);)
    if (std::string name = trim(line); !name.empty()) names.push_back(toUtf8(name));
  if (names.size() > 256)
    error = path + ": lists " + std::to_string(names.size()) +
            " class names; CIFAR labels are single bytes, so at most 256";
  return names.empty() ? kStandardClasses : names;
}

/// The folder holding the batches: `folder` itself or its cifar-10-batches-bin subfolder.
fs::path batchFolder(const fs::path& folder) {
  if (!isFile(folder / "data_batch_1.bin") && isDirectory(folder / "cifar-10-batches-bin"))
    return folder / "cifar-10-batches-bin";
  return folder;
}

DatasetLoad readCifar(const std::string& folderName) {
  if (!isDirectory(folderName)) return failure(folderName + ": folder not found");
  fs::path folder = batchFolder(folderName);
  std::vector<std::string> trainFiles;
  for (int i = 1; i <= 5; ++i)
    if (fs::path p = folder / ("data_batch_" + std::to_string(i) + ".bin"); isFile(p)) trainFiles.push_back(p.string());
  if (trainFiles.empty()) return failure((folder / "data_batch_1.bin").string() + ": file not found");
  Dataset d;
  std::string metaError;
  d.classNames = readClassNames(folder, metaError);
  if (!metaError.empty()) return failure(metaError);
  Records train = readBatches(trainFiles, d.classNames.size());
  if (!train.error.empty()) return failure(train.error);
  std::tie(d.trainInputs, d.trainTargets) = toTensors(train);
  train = {};  // free before reading the test batch
  if (fs::path testFile = folder / "test_batch.bin"; isFile(testFile)) {
    Records test = readBatches({testFile.string()}, d.classNames.size());
    if (!test.error.empty()) return failure(test.error);
    std::tie(d.testInputs, d.testTargets) = toTensors(test);
  }
  d.sampleShape.dims = {3, 32, 32};
  d.description = describe(d, displayName("cifar10", folderName), "cifar10");
  return success(std::move(d));
}

}  // namespace

DatasetLoad readCifar10(const std::string& folder) {
  return guarded(folder, [&] { return readCifar(folder); });
}

}  // namespace nc::core

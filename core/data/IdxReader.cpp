// IDX files (MNIST, Fashion-MNIST): big-endian header, then the items as bytes.
#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::core {
namespace {

namespace fs = std::filesystem;
using namespace readutil;

constexpr uint32_t kImagesMagic = 2051;  // 0x0803: unsigned bytes, 3 dimensions
constexpr uint32_t kLabelsMagic = 2049;  // 0x0801: unsigned bytes, 1 dimension

const std::vector<std::string> kFashionClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/// One IDX file: its bytes (header included) and the sizes its header declares.
struct IdxFile {
  std::string path;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> dims;
  size_t headerSize = 0;
  std::string error;
};

/// The existing one of `name`.gz and `name` in folder, or "" when neither exists.
std::string findIdxFile(const fs::path& folder, const std::string& name) {
  for (const std::string& candidate : {name + ".gz", name})
    if (isFile(folder / candidate)) return (folder / candidate).string();
  return "";
}

std::string truncatedMessage(const std::string& path, uint64_t expected, uint64_t actual) {
  return path + ": truncated file: expected " + std::to_string(expected) + " bytes, got " + std::to_string(actual);
}

/// Extra bytes past the declared end are tolerated only this far while reading: beyond it the
/// read stops (a gzip bomb with a small header never expands further).
constexpr uint64_t kReadSlack = 1 << 20;

/// Reads the header first, then at most the bytes it declares (plus a little, to report extra
/// data); every size is checked arithmetic (see readutil::parseIdxHeader).
IdxFile readIdx(const std::string& path, uint32_t magic, size_t rank, const char* what) {
  IdxFile f;
  f.path = path;
  Bytes head = readFileHead(path, 4 + 4 * rank);
  if (!head.ok()) {
    f.error = head.error;
    return f;
  }
  IdxHeader header = parseIdxHeader(head.data.data(), head.data.size(), path, magic, rank, what);
  if (!header.error.empty()) {
    f.error = header.error;
    return f;
  }
  Bytes b = readWholeFile(path, header.totalBytes + kReadSlack);
  if (b.overLimit) {
    f.error = path + ": more than " + std::to_string(header.totalBytes + kReadSlack) + " bytes" +
              (b.gzip ? " after decompression" : "") + ", expected " + std::to_string(header.totalBytes) +
              " (extra data after the last item)";
    return f;
  }
  if (!b.ok()) {
    f.error = b.error;
    return f;
  }
  f.bytes = std::move(b.data);
  f.headerSize = size_t(header.headerSize);
  f.dims = header.dims;
  uint64_t expected = header.totalBytes;
  if (f.bytes.size() < expected) f.error = truncatedMessage(f.path, expected, f.bytes.size());
  else if (f.bytes.size() > expected)
    f.error = f.path + ": " + std::to_string(f.bytes.size()) + " bytes, expected " + std::to_string(expected) +
              " (extra data after the last item)";
  else if (rank == 3 && (f.dims[1] == 0 || f.dims[2] == 0))
    f.error = f.path + ": the header declares images of " + std::to_string(f.dims[1]) + " x " +
              std::to_string(f.dims[2]) + " pixels";
  return f;
}

/// Images and labels of one split, as read (labels not yet checked against the classes).
struct IdxSplit {
  torch::Tensor images, labels;
  std::string imagesPath, labelPath;
  int64_t maxLabel = -1;
  std::string error;
};

IdxSplit splitError(std::string message) {
  IdxSplit s;
  s.error = std::move(message);
  return s;
}

IdxSplit makeSplit(const IdxFile& images, const IdxFile& labels) {
  IdxSplit s;
  int64_t n = images.dims[0], labelCount = labels.dims[0];
  if (n != labelCount)
    return splitError(labels.path + " has " + std::to_string(labelCount) + " labels but " + images.path + " has " +
                      std::to_string(n) + " images");
  s.images = torch::empty({n, 1, images.dims[1], images.dims[2]}, torch::kUInt8);
  // An empty tensor has no storage (data_ptr is null): memcpy with a null pointer is undefined even for 0 bytes.
  if (s.images.numel() > 0)
    std::memcpy(s.images.data_ptr<uint8_t>(), images.bytes.data() + images.headerSize, size_t(s.images.numel()));
  const uint8_t* first = labels.bytes.data() + labels.headerSize;
  s.labels = torch::empty({n}, torch::kInt64);
  int64_t* out = s.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    out[i] = first[i];
    s.maxLabel = std::max<int64_t>(s.maxLabel, first[i]);
  }
  s.imagesPath = images.path;
  s.labelPath = labels.path;
  return s;
}

/// Reads <prefix>-images-idx3-ubyte[.gz] and <prefix>-labels-idx1-ubyte[.gz].
/// `required` = false: both missing gives an empty split (no error).
IdxSplit readSplit(const fs::path& folder, const std::string& prefix, bool required) {
  std::string imagesName = prefix + "-images-idx3-ubyte", labelsName = prefix + "-labels-idx1-ubyte";
  std::string imagesPath = findIdxFile(folder, imagesName), labelsPath = findIdxFile(folder, labelsName);
  if (!required && imagesPath.empty() && labelsPath.empty()) return {};
  if (imagesPath.empty()) return splitError((folder / imagesName).string() + "[.gz]: file not found");
  if (labelsPath.empty()) return splitError((folder / labelsName).string() + "[.gz]: file not found");
  IdxFile images = readIdx(imagesPath, kImagesMagic, 3, "IDX images");
  if (!images.error.empty()) return splitError(images.error);
  IdxFile labels = readIdx(labelsPath, kLabelsMagic, 1, "IDX labels");
  if (!labels.error.empty()) return splitError(labels.error);
  return makeSplit(images, labels);
}

/// Error naming the labels file when a label is not below numClasses, else "".
std::string checkLabels(const IdxSplit& s, int64_t numClasses) {
  if (!s.labels.defined() || s.maxLabel < numClasses) return "";
  const int64_t* labels = s.labels.data_ptr<int64_t>();
  int64_t i = 0;
  while (labels[i] < numClasses) ++i;
  return s.labelPath + ": label " + std::to_string(labels[i]) + " of item " + std::to_string(i) +
         " is out of range for " + std::to_string(numClasses) + " classes";
}

std::vector<std::string> classNamesFor(const std::string& folder, int64_t maxTrainLabel) {
  if (toLower(folder).find("fashion") != std::string::npos) return kFashionClasses;
  std::vector<std::string> names;
  for (int64_t c = 0; c < std::max<int64_t>(10, maxTrainLabel + 1); ++c) names.push_back(std::to_string(c));
  return names;
}

DatasetLoad readIdxData(const std::string& folder) {
  if (!isDirectory(folder)) return failure(folder + ": folder not found");
  IdxSplit train = readSplit(folder, "train", true);
  if (!train.error.empty()) return failure(train.error);
  if (train.images.size(0) == 0) return failure(train.imagesPath + ": contains no images");
  IdxSplit test = readSplit(folder, "t10k", false);
  if (!test.error.empty()) return failure(test.error);
  if (test.images.defined() && test.images.sizes().slice(1) != train.images.sizes().slice(1))
    return failure(test.imagesPath + ": test images are " + formatDims(test.images.sizes().slice(1).vec()) +
                   " but training images are " + formatDims(train.images.sizes().slice(1).vec()));
  Dataset d;
  d.classNames = classNamesFor(folder, train.maxLabel);
  for (const IdxSplit* s : {&train, &test})
    if (std::string e = checkLabels(*s, d.numClasses()); !e.empty()) return failure(e);
  d.trainInputs = train.images;
  d.trainTargets = train.labels;
  d.testInputs = test.images;
  d.testTargets = test.labels;
  d.sampleShape.dims = d.trainInputs.sizes().slice(1).vec();
  d.description = describe(d, displayName("idx", folder), "idx");
  return success(std::move(d));
}

}  // namespace

DatasetLoad readIdxFolder(const std::string& folder) {
  return guarded(folder, [&] { return readIdxData(folder); });
}

}  // namespace nc::core

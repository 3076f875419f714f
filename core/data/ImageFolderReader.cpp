// Image folders: one subfolder per class (optionally under train/ and test/), decoded by stb_image.
#include <stb/stb_image_resize.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <filesystem>
#include <map>

#include "core/Cancellation.h"
#include "core/JsonUtil.h"
#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::core {
namespace {

namespace fs = std::filesystem;
using namespace readutil;

/// Where the images go: height, width, channels.
struct Geometry {
  int h = 0, w = 0, c = 0;
  size_t bytes() const { return size_t(h) * size_t(w) * size_t(c); }
};

bool isHidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

bool isImageFile(const fs::path& p) {
  static const std::vector<std::string> extensions = {".png", ".jpg", ".jpeg", ".bmp", ".gif"};
  std::string ext = toLower(p.extension().string());
  return isFile(p) && !isHidden(p) && std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

/// Sorted entries of `folder` that pass `keep`.
template <class Keep>
std::vector<fs::path> sortedEntries(const fs::path& folder, Keep&& keep) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec))
    if (keep(e.path())) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::vector<fs::path> classFolders(const fs::path& folder) {
  return sortedEntries(folder, [](const fs::path& p) { return isDirectory(p) && !isHidden(p); });
}

/// Image files and their class indices, in class then file-name order.
struct FileList {
  std::vector<fs::path> files;
  std::vector<int64_t> labels;
  std::string error;
};

/// Lists the images of a split. Classes named in `classes`; with `addClasses` new subfolders add
/// classes (the training split), otherwise an unknown subfolder is an error.
FileList listImages(const fs::path& split, std::vector<std::string>& classes, bool addClasses) {
  FileList list;
  std::vector<fs::path> folders = classFolders(split);
  if (folders.empty()) list.error = split.string() + ": no class subfolders (expected one subfolder per class)";
  for (const fs::path& folder : folders) {
    // Class names end up in JSON (results, exports): valid UTF-8 whatever the file system holds
    // (a Latin-1 folder name reads as Latin-1, so it is the same class as its UTF-8 spelling).
    std::string name = toUtf8(folder.filename().string());
    auto known = std::find(classes.begin(), classes.end(), name);
    if (known == classes.end() && !addClasses) {
      list.error = folder.string() + ": class '" + printable(name) + "' does not exist in the training images";
      return list;
    }
    int64_t label = known - classes.begin();
    if (known == classes.end()) classes.push_back(name);
    for (const fs::path& file : sortedEntries(folder, isImageFile)) {
      list.files.push_back(file);
      list.labels.push_back(label);
    }
  }
  if (list.error.empty() && list.files.empty())
    list.error = split.string() + ": no images (PNG, JPEG, BMP or GIF) in the class subfolders";
  return list;
}

/// Error naming a training class folder without images, or "".
std::string findEmptyClass(const fs::path& split, const std::vector<std::string>& classes, const FileList& list) {
  std::vector<bool> seen(classes.size());
  for (int64_t label : list.labels) seen[size_t(label)] = true;
  for (size_t c = 0; c < classes.size(); ++c)
    if (!seen[c]) return (split / printable(classes[c])).string() + ": class folder has no images";
  return "";
}

/// Decodes one image into out (HWC, g.c channels, resized to g.h x g.w); returns an error or "".
std::string decodeInto(const fs::path& file, const Geometry& g, uint8_t* out) {
  Image image = decodeImage(file.string(), g.c);
  if (!image.error.empty()) return image.error;
  if (image.width == g.w && image.height == g.h) {
    std::memcpy(out, image.pixels.data(), g.bytes());
    return "";
  }
  bool ok = stbir_resize_uint8(image.pixels.data(), image.width, image.height, 0, out, g.w, g.h, 0, g.c) == 1;
  return ok ? "" : file.string() + ": cannot resize image";
}

/// All images of a list as uint8 [N, C, H, W]; error names the first file that failed.
std::pair<torch::Tensor, std::string> decodeAll(const FileList& list, const Geometry& g) {
  int64_t n = int64_t(list.files.size());
  uint64_t total = 0;
  uint64_t limit = effectiveLimit(kMaxDatasetBytes);
  if (!checkedMul(uint64_t(n), g.bytes(), total) || total > limit)
    return {torch::Tensor(), std::to_string(n) + " images of " + std::to_string(g.h) + " x " + std::to_string(g.w) +
                                 " x " + std::to_string(g.c) + " would take more than " + formatBytes(limit) +
                                 " in memory: lower data.image_size or use fewer images"};
  torch::Tensor nhwc = torch::empty({n, g.h, g.w, g.c}, torch::kUInt8);
  uint8_t* base = nhwc.data_ptr<uint8_t>();
  std::vector<std::string> errors(static_cast<size_t>(n));
  // Blocks of images, so that a stop request (asked on this thread) is seen between blocks.
  constexpr int64_t kBlock = 256;
  for (int64_t start = 0; start < n; start += kBlock) {
    if (cancellationRequested()) return {torch::Tensor(), "reading images stopped (the run was asked to stop)"};
    at::parallel_for(start, std::min(n, start + kBlock), 8, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        errors[size_t(i)] = decodeInto(list.files[size_t(i)], g, base + size_t(i) * g.bytes());
    });
  }
  for (const std::string& e : errors)
    if (!e.empty()) return {torch::Tensor(), e};
  return {nhwc.permute({0, 3, 1, 2}).contiguous(), ""};
}

/// The training and (optional) test folders: `folder`/train and `folder`/test when both hold
/// class subfolders, else `folder` alone.
std::pair<fs::path, fs::path> splitFolders(const fs::path& folder) {
  fs::path train = folder / "train", test = folder / "test";
  if (isDirectory(train) && isDirectory(test) && !classFolders(train).empty() && !classFolders(test).empty())
    return {train, test};
  return {folder, fs::path()};
}

std::string checkGeometry(const std::vector<int64_t>& size, int64_t channels) {
  if (size.size() != 2 || size[0] <= 0 || size[1] <= 0 || size[0] > 16384 || size[1] > 16384)
    return "image size must be [height, width] with positive values, got " + formatDims(size);
  if (channels != 1 && channels != 3) return "channels must be 1 or 3, got " + std::to_string(channels);
  return "";
}

/// Reads one split into inputs/targets; returns an error or "".
std::string readSplit(const fs::path& split, std::vector<std::string>& classes, bool training, const Geometry& g,
                      torch::Tensor& inputs, torch::Tensor& targets) {
  FileList list = listImages(split, classes, training);
  if (list.error.empty() && training) list.error = findEmptyClass(split, classes, list);
  if (!list.error.empty()) return list.error;
  std::string error;
  std::tie(inputs, error) = decodeAll(list, g);
  targets = torch::tensor(list.labels, torch::kInt64);
  return error.empty() || error.rfind(split.string(), 0) == 0 ? error : split.string() + ": " + error;
}

DatasetLoad readImages(const std::string& folderName, const std::vector<int64_t>& size, int64_t channels) {
  if (std::string e = checkGeometry(size, channels); !e.empty()) return failure(folderName + ": " + e);
  if (!isDirectory(folderName)) return failure(folderName + ": folder not found");
  Geometry g{int(size[0]), int(size[1]), int(channels)};
  auto [train, test] = splitFolders(folderName);
  Dataset d;
  if (std::string e = readSplit(train, d.classNames, true, g, d.trainInputs, d.trainTargets); !e.empty())
    return failure(e);
  if (!test.empty())
    if (std::string e = readSplit(test, d.classNames, false, g, d.testInputs, d.testTargets); !e.empty())
      return failure(e);
  d.sampleShape.dims = {channels, size[0], size[1]};
  d.description = describe(d, displayName("image-folder", folderName), "image-folder");
  return success(std::move(d));
}

}  // namespace

DatasetLoad readImageFolder(const std::string& folder, const std::vector<int64_t>& size, int64_t channels) {
  return guarded(folder, [&] { return readImages(folder, size, channels); });
}

}  // namespace nc::core

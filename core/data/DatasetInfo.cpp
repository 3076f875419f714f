// peekDataset: a dataset's sample shape and classes from headers and folder names, cached;
// checkAgainstDataset: the graph's Input and output against them.
#include "core/data/DatasetInfo.h"

#include "core/TextFormat.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "core/LayerType.h"
#include "core/data/DataPath.h"
#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::core {
namespace {

namespace fs = std::filesystem;
using namespace readutil;

// ---- what was looked at, to tell when the cached answer is stale -----------------------------

/// One file or folder as it was when read: a later stat that differs means "read again".
struct Stamp {
  std::string path;
  bool exists = false;
  uint64_t size = 0, inode = 0;
  int64_t mtimeNs = 0;
  bool operator==(const Stamp& o) const {
    return exists == o.exists && size == o.size && inode == o.inode && mtimeNs == o.mtimeNs;
  }
};

Stamp stampOf(const std::string& path) {
  Stamp s;
  s.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return s;
  s.exists = true;
  s.size = S_ISDIR(st.st_mode) ? 0 : uint64_t(st.st_size);
  s.inode = uint64_t(st.st_ino);
  s.mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000 + int64_t(st.st_mtim.tv_nsec);
  return s;
}

/// Records every path a peek consults, present or not (a file that appears later matters too).
class Looked {
 public:
  Stamp at(const std::string& path) {
    m_stamps.push_back(stampOf(path));
    return m_stamps.back();
  }
  bool isDir(const fs::path& p) {
    at(p.string());
    return isDirectory(p);
  }
  bool isRegular(const fs::path& p) {
    at(p.string());
    return isFile(p);
  }
  std::vector<Stamp> take() { return std::move(m_stamps); }

 private:
  std::vector<Stamp> m_stamps;
};

DatasetInfo fail(std::string message) {
  DatasetInfo info;
  info.error = toUtf8(message);
  return info;
}

std::string countText(int64_t n, const char* one, const char* many) {
  // Thousands grouped ("60,000 training samples") so that two counts never read as one number.
  return groupThousands(n) + " " + (n == 1 ? one : many);
}

void finish(DatasetInfo& info, const std::string& kind, const std::string& path) {
  info.ok = true;
  info.summary = displayName(kind, path) + ": " + formatDims(info.sampleShape);
  if (info.dtype == DType::Int64) info.summary += " token ids, vocabulary of " + std::to_string(info.vocab);
  else if (info.classes > 0) info.summary += ", " + countText(info.classes, "class", "classes");
  if (info.trainSamples >= 0) info.summary += "; " + countText(info.trainSamples, "training sample", "training samples");
}

// ---- IDX ----------------------------------------------------------------------------------------

constexpr uint32_t kIdxImagesMagic = 2051;
constexpr uint32_t kIdxLabelsMagic = 2049;

/// The names the IDX reader gives Fashion-MNIST's classes.
const std::vector<std::string>& fashionClassNames() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

std::string findIdx(Looked& looked, const fs::path& folder, const std::string& name) {
  for (const std::string& candidate : {name + ".gz", name})
    if (looked.isRegular(folder / candidate)) return (folder / candidate).string();
  return "";
}

DatasetInfo peekIdx(const std::string& folder, Looked& looked) {
  if (!looked.isDir(folder)) return fail(folder + ": folder not found");
  const std::string imagesName = "train-images-idx3-ubyte", labelsName = "train-labels-idx1-ubyte";
  const std::string imagesPath = findIdx(looked, folder, imagesName), labelsPath = findIdx(looked, folder, labelsName);
  if (imagesPath.empty()) return fail((fs::path(folder) / imagesName).string() + "[.gz]: file not found");
  if (labelsPath.empty()) return fail((fs::path(folder) / labelsName).string() + "[.gz]: file not found");

  Bytes head = readFileHead(imagesPath, 16);
  if (!head.ok()) return fail(head.error);
  IdxHeader images = parseIdxHeader(head.data.data(), head.data.size(), imagesPath, kIdxImagesMagic, 3, "IDX images");
  if (!images.error.empty()) return fail(images.error);
  if (images.dims[1] == 0 || images.dims[2] == 0)
    return fail(imagesPath + ": the header declares images of " + std::to_string(images.dims[1]) + " x " +
                std::to_string(images.dims[2]) + " pixels");
  if (images.dims[0] == 0) return fail(imagesPath + ": contains no images");

  // The labels file is one byte per image: small enough to scan for the largest label.
  Bytes labelHead = readFileHead(labelsPath, 8);
  if (!labelHead.ok()) return fail(labelHead.error);
  IdxHeader labels =
      parseIdxHeader(labelHead.data.data(), labelHead.data.size(), labelsPath, kIdxLabelsMagic, 1, "IDX labels");
  if (!labels.error.empty()) return fail(labels.error);
  if (labels.dims[0] != images.dims[0])
    return fail(labelsPath + " has " + std::to_string(labels.dims[0]) + " labels but " + imagesPath + " has " +
                std::to_string(images.dims[0]) + " images");
  Bytes all = readWholeFile(labelsPath, labels.totalBytes);
  if (!all.ok()) return fail(all.error);
  if (all.data.size() < labels.totalBytes)
    return fail(labelsPath + ": truncated file: expected " + std::to_string(labels.totalBytes) + " bytes, got " +
                std::to_string(all.data.size()));
  int64_t maxLabel = -1;
  for (size_t i = size_t(labels.headerSize); i < all.data.size(); ++i) maxLabel = std::max<int64_t>(maxLabel, all.data[i]);

  DatasetInfo info;
  info.sampleShape = {1, images.dims[1], images.dims[2]};
  info.trainSamples = images.dims[0];
  // The optional test split: same image size, labels within the training classes (checked below).
  int64_t maxTestLabel = -1;
  std::string testLabelsPath;
  const std::string testImages = findIdx(looked, folder, "t10k-images-idx3-ubyte");
  testLabelsPath = findIdx(looked, folder, "t10k-labels-idx1-ubyte");
  if (!testImages.empty() && !testLabelsPath.empty()) {
    Bytes testHead = readFileHead(testImages, 16);
    if (!testHead.ok()) return fail(testHead.error);
    IdxHeader t = parseIdxHeader(testHead.data.data(), testHead.data.size(), testImages, kIdxImagesMagic, 3, "IDX images");
    if (!t.error.empty()) return fail(t.error);
    if (t.dims[1] != images.dims[1] || t.dims[2] != images.dims[2])
      return fail(testImages + ": test images are " + formatDims({1, t.dims[1], t.dims[2]}) +
                  " but training images are " + formatDims(info.sampleShape));
    Bytes testLabels = readWholeFile(testLabelsPath, kMaxFileBytes);
    if (!testLabels.ok()) return fail(testLabels.error);
    for (size_t i = 8; i < testLabels.data.size(); ++i) maxTestLabel = std::max<int64_t>(maxTestLabel, testLabels.data[i]);
  }
  if (toLower(folder).find("fashion") != std::string::npos) {
    info.classNames = fashionClassNames();
    if (maxLabel >= int64_t(info.classNames.size()))
      return fail(labelsPath + ": label " + std::to_string(maxLabel) + " is out of range for " +
                  std::to_string(info.classNames.size()) + " classes");
  } else {
    for (int64_t c = 0; c < std::max<int64_t>(10, maxLabel + 1); ++c) info.classNames.push_back(std::to_string(c));
  }
  info.classes = int64_t(info.classNames.size());
  if (maxTestLabel >= info.classes)
    return fail(testLabelsPath + ": label " + std::to_string(maxTestLabel) + " is out of range for " +
                std::to_string(info.classes) + " classes");
  finish(info, "idx", folder);
  return info;
}

// ---- CIFAR-10 -------------------------------------------------------------------------------------

DatasetInfo peekCifar(const std::string& folderName, Looked& looked) {
  if (!looked.isDir(folderName)) return fail(folderName + ": folder not found");
  fs::path folder = folderName;
  if (!looked.isRegular(folder / "data_batch_1.bin") && looked.isDir(folder / "cifar-10-batches-bin"))
    folder /= "cifar-10-batches-bin";
  constexpr uint64_t kRecord = 1 + 3 * 32 * 32;
  int64_t records = 0;
  bool counted = true, any = false;
  for (int i = 1; i <= 5; ++i) {
    fs::path p = folder / ("data_batch_" + std::to_string(i) + ".bin");
    const Stamp s = looked.at(p.string());
    if (!isFile(p)) continue;
    any = true;
    if (s.size % kRecord != 0) counted = false;  // compressed, or truncated (training says which)
    records += int64_t(s.size / kRecord);
  }
  if (!any) return fail((folder / "data_batch_1.bin").string() + ": file not found");

  DatasetInfo info;
  const fs::path meta = folder / "batches.meta.txt";
  if (looked.isRegular(meta)) {
    Bytes text = readWholeFile(meta.string(), kMiB);
    if (!text.ok()) return fail(text.error);
    std::string all(text.data.begin(), text.data.end());
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = std::min(all.find('\n', start), all.size());
      if (std::string name = trim(all.substr(start, end - start)); !name.empty()) info.classNames.push_back(toUtf8(name));
      start = end + 1;
    }
    if (info.classNames.size() > 256)
      return fail(meta.string() + ": lists " + std::to_string(info.classNames.size()) +
                  " class names; CIFAR labels are single bytes, so at most 256");
  }
  if (info.classNames.empty())
    info.classNames = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  info.classes = int64_t(info.classNames.size());
  info.sampleShape = {3, 32, 32};
  info.trainSamples = counted ? records : -1;
  finish(info, "cifar10", folderName);
  return info;
}

// ---- CSV ------------------------------------------------------------------------------------------

/// A whole cell is a finite number ("+1", "2.5e3"; not "1e400", not "nan").
bool isNumber(const std::string& cell, double& value) {
  const char* first = cell.data();
  const char* last = cell.data() + cell.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, value);
  return first != last && ec == std::errc() && end == last && std::isfinite(value);
}


/// The non-blank lines of a text, with their 1-based line numbers.
class Lines {
 public:
  explicit Lines(std::string_view text) : m_text(text) {}
  bool next(std::string_view& line, int64_t& number) {
    while (m_pos < m_text.size()) {
      size_t end = std::min(m_text.find('\n', m_pos), m_text.size());
      line = m_text.substr(m_pos, end - m_pos);
      m_pos = end + 1;
      number = ++m_line;
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) return true;
    }
    return false;
  }

 private:
  std::string_view m_text;
  size_t m_pos = 0;
  int64_t m_line = 0;
};

char separatorOf(std::string_view firstLine) {
  for (char c : {',', ';', '\t'})
    if (firstLine.find(c) != std::string_view::npos) return c;
  return ',';
}

bool featureNotNumeric(const std::vector<std::string>& cells, size_t labelIndex) {
  double v = 0;
  for (size_t c = 0; c < cells.size(); ++c)
    if (c != labelIndex && !isNumber(cells[c], v)) return true;
  return false;
}

DatasetInfo peekCsv(const std::string& file, const std::string& labelColumnRaw, Looked& looked) {
  const Stamp stamp = looked.at(file);
  const bool scanAll = stamp.exists && stamp.size <= kPeekCsvBytes;
  Bytes bytes = scanAll ? readWholeFile(file, kPeekCsvBytes) : readFileHead(file, 1 << 20);
  bool complete = scanAll;
  if (bytes.overLimit) {  // a gzip file that expands past the cap: look at its head only
    bytes = readFileHead(file, 1 << 20);
    complete = false;
  }
  if (!bytes.ok()) return fail(bytes.error);
  std::string_view text(reinterpret_cast<const char*>(bytes.data.data()), bytes.data.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Lines lines(text);
  std::string_view line;
  int64_t number = 0;
  if (!lines.next(line, number)) return fail(file + ": empty file");
  const char sep = separatorOf(line);
  const std::vector<std::string> first = splitCsvCells(line, sep);
  const std::string labelColumn = trim(labelColumnRaw);

  // Where the label is and whether the first line is a header (as the CSV reader decides it).
  size_t labelIndex = 0;
  bool header = false;
  auto [end, ec] = std::from_chars(labelColumn.data(), labelColumn.data() + labelColumn.size(), labelIndex);
  const bool byIndex = !labelColumn.empty() && ec == std::errc() && end == labelColumn.data() + labelColumn.size();
  auto named = std::find(first.begin(), first.end(), labelColumn);
  if (byIndex) {
    if (labelIndex >= first.size())
      return fail(file + ": label column " + printable(labelColumn) + " is out of range (" +
                  std::to_string(first.size()) + " columns, counted from 0)");
    header = featureNotNumeric(first, labelIndex);
  } else if (named != first.end()) {
    labelIndex = size_t(named - first.begin());
    header = true;
  } else if (featureNotNumeric(first, first.size())) {
    return fail(file + ": no column named '" + printable(labelColumn) + "'");
  } else {
    return fail(file + ": no header row, so the label column '" + printable(labelColumn) +
                "' must be given as a 0-based column index");
  }
  if (first.size() < 2) return fail(file + ": needs at least one feature column besides the label");

  DatasetInfo info;
  info.sampleShape = {int64_t(first.size()) - 1};
  if (!complete) {  // too large to scan here: the shape is known, the classes are not
    finish(info, "csv", file);
    return info;
  }
  // One pass over the label column: distinct labels with the row where each first appears.
  std::map<std::string, int64_t> firstRow;
  int64_t rows = 0;
  auto take = [&](const std::vector<std::string>& cells, int64_t lineNumber) -> std::string {
    if (cells.size() != first.size())
      return file + " line " + std::to_string(lineNumber) + ": " + std::to_string(cells.size()) + " columns, expected " +
             std::to_string(first.size());
    if (cells[labelIndex].empty())
      return file + " line " + std::to_string(lineNumber) + ", column " + std::to_string(labelIndex + 1) + ": empty label";
    firstRow.emplace(toUtf8(cells[labelIndex]), rows++);
    return "";
  };
  if (!header)
    if (std::string e = take(first, number); !e.empty()) return fail(e);
  while (lines.next(line, number))
    if (std::string e = take(splitCsvCells(line, sep), number); !e.empty()) return fail(e);
  if (rows == 0) return fail(file + ": no data rows");

  // Numeric labels are one class per value ("1" and "1.0"), named by the first spelling, in
  // numeric order; otherwise the distinct strings in sorted order.
  std::map<double, std::pair<int64_t, std::string>> byValue;
  bool numeric = true;
  for (const auto& [label, row] : firstRow) {
    double v = 0;
    if (!isNumber(label, v)) {
      numeric = false;
      break;
    }
    auto [it, inserted] = byValue.emplace(v, std::make_pair(row, label));
    if (!inserted && row < it->second.first) it->second = {row, label};
  }
  if (numeric)
    for (const auto& [value, spelled] : byValue) info.classNames.push_back(spelled.second);
  else
    for (const auto& [label, row] : firstRow) info.classNames.push_back(label);
  info.classes = int64_t(info.classNames.size());
  info.trainSamples = rows;
  finish(info, "csv", file);
  return info;
}

// ---- image folder -----------------------------------------------------------------------------------

bool hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

std::vector<fs::path> classFoldersOf(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(folder, ec))
    if (isDirectory(e.path()) && !hidden(e.path())) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

DatasetInfo peekImageFolder(const std::string& folderName, const std::vector<int64_t>& size, int64_t channels,
                            Looked& looked) {
  if (size.size() != 2 || size[0] <= 0 || size[1] <= 0 || size[0] > 16384 || size[1] > 16384)
    return fail(folderName + ": image size must be [height, width] with positive values, got " + formatDims(size));
  if (channels != 1 && channels != 3)
    return fail(folderName + ": channels must be 1 or 3, got " + std::to_string(channels));
  if (!looked.isDir(folderName)) return fail(folderName + ": folder not found");
  fs::path train = fs::path(folderName) / "train", test = fs::path(folderName) / "test";
  const bool split = looked.isDir(train) && looked.isDir(test) && !classFoldersOf(train).empty() &&
                     !classFoldersOf(test).empty();
  if (!split) train = folderName;
  DatasetInfo info;
  for (const fs::path& classFolder : classFoldersOf(train)) {
    looked.at(classFolder.string());
    info.classNames.push_back(toUtf8(classFolder.filename().string()));
  }
  if (info.classNames.empty())
    return fail(train.string() + ": no class subfolders (expected one subfolder per class)");
  info.classes = int64_t(info.classNames.size());
  info.sampleShape = {channels, size[0], size[1]};  // every image is resized to this
  finish(info, "image-folder", folderName);
  return info;
}

// ---- text -----------------------------------------------------------------------------------------

DatasetInfo peekText(const std::string& file, int64_t length, Looked& looked) {
  if (length <= 0) return fail(file + ": sequence length must be positive, got " + std::to_string(length));
  const Stamp stamp = looked.at(file);
  std::array<bool, 256> present{};
  uint64_t total = 0;
  Bytes head = readFileHead(file, 2);
  if (!head.ok()) return fail(head.error);
  if (head.gzip || !stamp.exists) {
    Bytes all = readWholeFile(file, kMaxTextBytes);
    if (all.overLimit) return fail(all.error + " (text data takes 16 bytes per character in memory; use a shorter text)");
    if (!all.ok()) return fail(all.error);
    for (uint8_t b : all.data) present[b] = true;
    total = all.data.size();
  } else {
    if (stamp.size > kMaxTextBytes)
      return fail(file + ": more than " + formatBytes(kMaxTextBytes) +
                  " (text data takes 16 bytes per character in memory; use a shorter text)");
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(file + ": cannot open file");
    std::vector<char> chunk(1 << 20);
    while (in) {
      in.read(chunk.data(), std::streamsize(chunk.size()));
      const std::streamsize got = in.gcount();
      for (std::streamsize i = 0; i < got; ++i) present[uint8_t(chunk[size_t(i)])] = true;
      total += uint64_t(got);
    }
    if (in.bad()) return fail(file + ": read error");
  }
  if (total < uint64_t(length) + 1)
    return fail(file + ": text too short: " + std::to_string(total) + " characters, need at least " +
                std::to_string(length + 1) + " for one window of " + std::to_string(length) + " plus its next character");
  DatasetInfo info;
  for (int b = 0; b < 256; ++b)
    if (present[size_t(b)]) info.classNames.push_back(byteTokenName(uint8_t(b)));
  info.classes = info.vocab = int64_t(info.classNames.size());
  info.sampleShape = {length};
  info.dtype = DType::Int64;
  info.nextToken = true;
  info.trainSamples = int64_t((total - 1) / uint64_t(length));
  finish(info, "text", file);
  return info;
}

// ---- dispatch and cache ---------------------------------------------------------------------------

DatasetInfo peekUncached(const DataConfig& c, const std::string& path, Looked& looked) {
  if (c.kind == "idx") return peekIdx(path, looked);
  if (c.kind == "cifar10") return peekCifar(path, looked);
  if (c.kind == "csv") return peekCsv(path, c.labelColumn, looked);
  if (c.kind == "image-folder") return peekImageFolder(path, c.imageSize, c.channels, looked);
  if (c.kind == "text") return peekText(path, c.sequenceLength, looked);
  return fail("unknown data kind '" + printable(c.kind) + "' (known kinds: cifar10, csv, idx, image-folder, text)");
}

/// The settings that change what a kind of data looks like (data.limit, seed, ... do not).
std::string cacheKey(const DataConfig& c, const std::string& path) {
  std::string key = c.kind + '\0' + path + '\0';
  if (c.kind == "csv") key += c.labelColumn;
  if (c.kind == "image-folder") key += formatDims(c.imageSize) + "x" + std::to_string(c.channels);
  if (c.kind == "text") key += std::to_string(c.sequenceLength);
  return key;
}

struct CacheEntry {
  DatasetInfo info;
  std::vector<Stamp> looked;
  uint64_t lastUse = 0;
};

constexpr size_t kCacheEntries = 32;

std::mutex g_cacheMutex;
std::map<std::string, CacheEntry> g_cache;  // guarded by g_cacheMutex
uint64_t g_useClock = 0;                     // guarded by g_cacheMutex
std::atomic<uint64_t> g_reads{0};

bool stillCurrent(const std::vector<Stamp>& stamps) {
  for (const Stamp& s : stamps)
    if (!(stampOf(s.path) == s)) return false;
  return true;
}

}  // namespace

DatasetInfo peekDataset(const DataConfig& data, const std::string& projectDir) {
  if (trim(data.path).empty()) return fail(emptyPathError());
  const std::string path = resolveDataPath(data.path, projectDir);
  const std::string key = cacheKey(data, path);
  {
    std::lock_guard<std::mutex> lock(g_cacheMutex);
    auto it = g_cache.find(key);
    if (it != g_cache.end()) {
      if (stillCurrent(it->second.looked)) {  // a few stat calls
        it->second.lastUse = ++g_useClock;
        return it->second.info;
      }
      g_cache.erase(it);
    }
  }
  // Read outside the lock: another thread may peek at other data meanwhile.
  ++g_reads;
  Looked looked;
  DatasetInfo info;
  bool cacheable = true;
  try {
    info = peekUncached(data, path, looked);
  } catch (const std::exception& e) {  // filesystem or allocation trouble: report, do not cache
    info = fail(path + ": " + printable(e.what(), 300));
    cacheable = false;
  }
  if (cacheable) {
    std::lock_guard<std::mutex> lock(g_cacheMutex);
    if (g_cache.size() >= kCacheEntries) {
      auto oldest = std::min_element(g_cache.begin(), g_cache.end(), [](const auto& a, const auto& b) {
        return a.second.lastUse < b.second.lastUse;
      });
      g_cache.erase(oldest);
    }
    g_cache[key] = CacheEntry{info, looked.take(), ++g_useClock};
  }
  return info;
}

uint64_t peekDatasetReadCount() { return g_reads.load(); }

void clearDatasetInfoCache() {
  std::lock_guard<std::mutex> lock(g_cacheMutex);
  g_cache.clear();
}

// ---- the graph against the data -------------------------------------------------------------------

namespace {

std::string valueText(const ParamValue& v) {
  if (const auto* list = std::get_if<std::vector<int64_t>>(&v)) return formatDims(*list);
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return "";
}

/// An issue whose fix sets `param` to `value`; without a fix when the layer would not accept the
/// value (a CSV file with more classes than a Linear may have outputs).
DatasetIssue withFix(NodeId node, std::string message, const Node& n, const std::string& param, ParamValue value) {
  DatasetIssue issue;
  issue.node = node;
  issue.message = std::move(message);
  const ParamSpec* spec = n.layer ? n.layer->paramSpec(param) : nullptr;
  if (spec && !spec->validate(value)) {
    issue.fixText = "change " + n.name + "." + param + " (" + valueText(value) + " is outside what it accepts)";
    return issue;
  }
  issue.fixText = "set " + n.name + "." + param + " to " + valueText(value);
  issue.fix = std::make_pair(param, std::move(value));
  return issue;
}

/// The Linear that decides the model's last dimension: the node feeding the Output, or the
/// nearest one before it through single-input layers that keep the last dimension (Dropout,
/// activations, Softmax, LayerNorm). -1 when there is none.
NodeId lastDimensionSetter(const Graph& graph, const GraphAnalysis& analysis, NodeId producer) {
  NodeId current = producer;
  for (size_t step = 0; step <= graph.nodes().size(); ++step) {
    const Node* n = graph.node(current);
    if (!n) return -1;
    if (n->type == "Linear") return current;
    auto in = analysis.inputShapes.find(current);
    const TensorShape* out = analysis.shapeOf(current);
    if (in == analysis.inputShapes.end() || in->second.size() != 1 || !out || in->second[0].dims.empty() ||
        out->dims.empty() || in->second[0].dims.back() != out->dims.back())
      return -1;
    std::optional<Edge> previous = graph.edgeInto({current, 0});
    if (!previous) return -1;
    current = previous->from.node;
  }
  return -1;
}

std::string dtypeWords(DType d) { return d == DType::Int64 ? "token ids" : "float values"; }

}  // namespace

std::vector<DatasetIssue> checkAgainstDataset(const Graph& graph, const GraphAnalysis& analysis,
                                              const DatasetInfo& info) {
  std::vector<DatasetIssue> issues;
  if (!info.ok) return issues;
  const Node* inputNode = graph.node(analysis.inputNode);
  const TensorShape* in = analysis.shapeOf(analysis.inputNode);
  if (inputNode && in) {
    if (in->dtype != info.dtype)
      issues.push_back(withFix(analysis.inputNode,
                               "the data's samples are " + dtypeWords(info.dtype) + " but this Input takes " +
                                   dtypeWords(in->dtype),
                               *inputNode, "dtype", std::string(info.dtype == DType::Int64 ? "tokens" : "float")));
    if (in->dims != info.sampleShape)
      issues.push_back(withFix(analysis.inputNode,
                               "the data's samples are " + formatDims(info.sampleShape) + " but this Input declares " +
                                   formatDims(in->dims),
                               *inputNode, "shape", info.sampleShape));
    if (in->dtype == DType::Int64 && info.dtype == DType::Int64 && info.vocab > in->vocab)
      issues.push_back(withFix(analysis.inputNode,
                               "the text has " + std::to_string(info.vocab) +
                                   " distinct tokens but this Input's vocab_size is " + std::to_string(in->vocab),
                               *inputNode, "vocab_size", info.vocab));
  }

  const TensorShape* out = analysis.modelOutput();
  if (!out || !graph.node(analysis.outputNode)) return issues;
  const size_t wantedRank = info.nextToken ? 2 : 1;
  if (out->dims.size() != wantedRank) {
    DatasetIssue issue;
    issue.node = analysis.outputNode;
    issue.message = info.nextToken
                        ? "next-token data needs the model to output [B, length, vocabulary] but it outputs " + out->str()
                        : "classification data needs the model to output [B, classes] but it outputs " + out->str() +
                              ": pool or flatten the sequence first";
    issues.push_back(std::move(issue));
    return issues;
  }
  if (info.classes <= 0) return issues;
  const int64_t given = out->dims.back();
  // Next-token models may reserve more outputs than the text has characters (ids beyond are never targets).
  if (info.nextToken ? given >= info.classes : given == info.classes) return issues;
  const std::string message =
      info.nextToken ? "outputs " + std::to_string(given) + " values per token but the text has " +
                           std::to_string(info.classes) + " distinct tokens"
                     : "outputs " + std::to_string(given) + " classes but the data has " + std::to_string(info.classes);
  std::optional<Edge> feeding = graph.edgeInto({analysis.outputNode, 0});
  const NodeId setter = feeding ? lastDimensionSetter(graph, analysis, feeding->from.node) : -1;
  if (const Node* linear = graph.node(setter)) {
    issues.push_back(withFix(setter, message, *linear, "out_features", info.classes));
  } else {
    DatasetIssue issue;
    issue.node = feeding ? feeding->from.node : analysis.outputNode;
    issue.message = message;
    issue.fixText = "end the model with a Linear layer of " + std::to_string(info.classes) + " out_features";
    issues.push_back(std::move(issue));
  }
  return issues;
}

std::string describeDatasetIssue(const Graph& graph, const DatasetIssue& issue) {
  const Node* n = graph.node(issue.node);
  std::string text = (n ? n->name + ": " : std::string()) + issue.message;
  if (!issue.fixText.empty()) text += ": " + issue.fixText;
  return text;
}

std::string dataFitProblems(const Dataset& d, const Graph& g, const GraphAnalysis& a) {
  DatasetInfo info;
  info.ok = true;
  info.sampleShape = d.sampleShape.dims;
  info.dtype = d.sampleShape.dtype;
  info.vocab = d.sampleShape.vocab;
  info.nextToken = d.task == Task::NextToken;
  info.classes = d.numClasses();
  std::string message;
  for (const DatasetIssue& issue : checkAgainstDataset(g, a, info))
    message += (message.empty() ? "" : "; ") + describeDatasetIssue(g, issue);
  return message;
}

}  // namespace nc::core

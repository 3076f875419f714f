// Regression tests for the data readers' trust fixes (issue 10 items 1, 10, 12, 13; issue 15 item 4):
// checked header arithmetic, bounded decompression and decoding, float range and BOM in CSV,
// valid UTF-8 class names, readable messages, empty and relative data paths.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "ReaderTestUtil.h"
#include "core/JsonUtil.h"
#include "core/Project.h"
#include "core/data/DataPath.h"
#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::test::readers::reader_limits_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

/// `size` zero bytes, gzip-compressed (a "bomb": ~1000x smaller than what it expands to),
/// written after `prefix` (the header the file claims).
void writeGzipBomb(const fs::path& file, const ByteVector& prefix, size_t size) {
  fs::create_directories(file.parent_path());
  gzFile f = gzopen(file.string().c_str(), "wb1");
  ASSERT_TRUE(f) << file;
  ASSERT_EQ(gzwrite(f, prefix.data(), unsigned(prefix.size())), int(prefix.size()));
  ByteVector zeros(1 << 20);
  for (size_t done = 0; done < size; done += zeros.size())
    ASSERT_EQ(gzwrite(f, zeros.data(), unsigned(zeros.size())), int(zeros.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

/// Resets the peak resident memory to the current (Linux: clear_refs 5).
void resetPeakResident() { std::ofstream("/proc/self/clear_refs") << "5"; }

/// Peak resident memory of this process so far, in bytes.
uint64_t peakResidentBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

/// No control characters and valid UTF-8: safe to print to a terminal.
void expectPrintable(const std::string& message) {
  EXPECT_TRUE(isValidUtf8(message)) << message;
  for (unsigned char c : message) EXPECT_TRUE(c >= 0x20 && c != 0x7F) << "control byte " << int(c) << " in: " << message;
}

// ---- IDX (issue 10 item 10)

TEST(ReaderLimits, IdxHeaderWhoseSizeProductWrapsIsRefusedNamingTheFile) {
  TempDir dir("limits-idx-wrap");
  // 2^31 x 2^31 x 4 items = 2^64: wraps to 0 in 64-bit arithmetic, so "16 + n*r*c" was 16 and a
  // 16-byte file looked complete.
  ByteVector header;
  for (uint32_t v : {2051u, 1u << 31, 1u << 31, 4u}) appendBigEndian32(header, v);
  writeBytes(dir / "train-images-idx3-ubyte", header);
  writeBytes(dir / "train-labels-idx1-ubyte", idxLabels({1, 2}));
  expectError(readIdxFolder(dir.str()), {"train-images-idx3-ubyte", "header declares 2147483648 x 2147483648 x 4",
                                         "does not fit 64 bits"});
  readutil::IdxHeader h = readutil::parseIdxHeader(header.data(), header.size(), "x.idx", 2051, 3, "IDX images");
  EXPECT_NE(h.error.find("x.idx"), std::string::npos) << h.error;
}

TEST(ReaderLimits, IdxHeaderClaimingMoreThanTheLimitIsRefusedBeforeReading) {
  TempDir dir("limits-idx-huge");
  ByteVector header;
  for (uint32_t v : {2051u, 100000000u, 1000u, 1000u}) appendBigEndian32(header, v);  // 100 TB of pixels
  writeBytes(dir / "train-images-idx3-ubyte", header);
  writeBytes(dir / "train-labels-idx1-ubyte", idxLabels({1}));
  expectError(readIdxFolder(dir.str()), {"train-images-idx3-ubyte", "header declares 100000000 x 1000 x 1000",
                                         "more than the 4.0 GiB this reader accepts"});
  // The predictor's IDX input takes the same checked header (it computed 16 + n*r*c wrapping).
  readutil::IdxHeader h = readutil::parseIdxHeader(header.data(), header.size(), "in.idx", 2051, 3, "IDX images");
  EXPECT_FALSE(h.error.empty());
}

TEST(ReaderLimits, IdxImagesOfZeroPixelsAreRefused) {
  TempDir dir("limits-idx-zero");
  writeBytes(dir / "train-images-idx3-ubyte", idxImages(3, 0, 5));
  writeBytes(dir / "train-labels-idx1-ubyte", idxLabels({1, 2, 3}));
  expectError(readIdxFolder(dir.str()), {"train-images-idx3-ubyte", "images of 0 x 5 pixels"});
}

TEST(ReaderLimits, GzipBombBehindASmallIdxHeaderStopsNearTheDeclaredSize) {
  TempDir dir("limits-idx-bomb");
  writeGzip(dir / "train-images-idx3-ubyte.gz", idxImages(2, 2, 2));
  // Labels header claims 2 labels; the stream then expands to 512 MiB of zeros.
  writeGzipBomb(dir / "train-labels-idx1-ubyte.gz", idxLabels({1, 2}), 256u << 20);
  EXPECT_LT(fs::file_size(dir / "train-labels-idx1-ubyte.gz"), 4u << 20) << "a bomb: 256 MiB in a small file";
  resetPeakResident();
  uint64_t before = peakResidentBytes();
  auto start = std::chrono::steady_clock::now();
  DatasetLoad load = readIdxFolder(dir.str());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  expectError(load, {"train-labels-idx1-ubyte.gz", "after decompression", "expected 10",
                     "extra data after the last item"});
  EXPECT_LT(seconds, 5.0) << "decompression must stop near the declared size";
  EXPECT_LT(peakResidentBytes() - before, uint64_t(64) << 20) << "allocation must be bounded by the header";
}

TEST(ReaderLimits, GzipWithoutHeaderStopsAtTheReadLimit) {
  TempDir dir("limits-text-bomb");
  writeGzipBomb(dir / "story.txt", {'a', 'b'}, 64u << 20);
  readutil::ScopedReadLimit limit(8u << 20);
  expectError(readTextFile((dir / "story.txt").string(), 8), {"story.txt", "more than 8.0 MiB", "after decompression"});
  readutil::Bytes b = readutil::readWholeFile((dir / "story.txt").string(), 1000);
  EXPECT_TRUE(b.overLimit);
  EXPECT_TRUE(b.data.empty());
}

TEST(ReaderLimits, TextLargerThanTheTextLimitIsRefused) {
  TempDir dir("limits-text-size");
  writeText(dir / "t.txt", std::string(3000, 'x'));
  readutil::ScopedReadLimit limit(1000);
  expectError(readTextFile((dir / "t.txt").string(), 8), {"t.txt", "more than 1000 bytes", "shorter text"});
}

TEST(ReaderLimits, DevicesAndPipesAreNotReadAsDataFiles) {
  expectError(readTextFile("/dev/zero", 8), {"/dev/zero", "not a regular file"});
  expectError(readCsv("/dev/null", "label"), {"/dev/null", "not a regular file"});
}

// ---- CIFAR-10

TEST(ReaderLimits, CifarMetaFileWithMoreThan256ClassesIsRefused) {
  TempDir dir("limits-cifar-meta");
  writeBytes(dir / "data_batch_1.bin", ByteVector(3073, 0));
  std::string meta;
  for (int i = 0; i < 300; ++i) meta += "class" + std::to_string(i) + "\n";
  writeText(dir / "batches.meta.txt", meta);
  expectError(readCifar10(dir.str()), {"batches.meta.txt", "300 class names", "at most 256"});
}

TEST(ReaderLimits, CifarLatin1ClassNamesBecomeUtf8) {
  TempDir dir("limits-cifar-latin1");
  writeBytes(dir / "data_batch_1.bin", ByteVector(3073, 0));
  writeText(dir / "batches.meta.txt", "caf\xE9\nna\xEFve\n");
  DatasetLoad load = readCifar10(dir.str());
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"caf\xC3\xA9", "na\xC3\xAFve"}));
}

// ---- CSV (issue 10 item 13, issue 15 item 4)

DatasetLoad csvOf(const TempDir& dir, const std::string& text, const std::string& label = "label") {
  writeText(dir / "data.csv", text);
  return readCsv((dir / "data.csv").string(), label);
}

TEST(ReaderLimits, CsvValueBeyondFloatRangeIsAnErrorNamingLineAndColumn) {
  TempDir dir("limits-csv-float");
  // 1e39 is a finite double but inf as a float: it became inf, then a NaN loss.
  expectError(csvOf(dir, "a,b,label\n1,2,x\n3,1e39,y\n"),
              {"data.csv line 3, column 2", "'1e39'", "outside the range of a 32-bit float"});
  expectError(csvOf(dir, "a,b,label\n1,-4e38,x\n"), {"data.csv line 2, column 2", "outside the range"});
  expectError(csvOf(dir, "a,b,label\n1,2,x\n1e400,2,y\n"), {"data.csv line 3, column 1", "'1e400'", "outside the range"});
  expectError(csvOf(dir, "a,b,label\n1,nan,x\n"), {"data.csv line 2, column 2", "'nan' is not a finite number"});
  DatasetLoad ok = csvOf(dir, "a,b,label\n1,3e38,x\n1e-50,-3.4e38,y\n");
  ASSERT_TRUE(ok.ok()) << ok.error;
  EXPECT_TRUE(torch::isfinite(ok.dataset->trainInputs).all().item<bool>());
}

TEST(ReaderLimits, CsvUtf8ByteOrderMarkIsStrippedBeforeTheHeader) {
  TempDir dir("limits-csv-bom");
  DatasetLoad load = csvOf(dir, "\xEF\xBB\xBFlabel,a,b\ncat,1,2\ndog,3,4\n");
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(load.dataset->trainInputs.size(1), 2);
  load = csvOf(dir, "\xEF\xBB\xBF" "1,2,a\n3,4,b\n", "2");  // without a header: the first cell is a number
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->trainInputs.size(0), 2);
}

TEST(ReaderLimits, CsvLatin1LabelsBecomeValidUtf8ClassNames) {
  TempDir dir("limits-csv-latin1");
  DatasetLoad load = csvOf(dir, "a,label\n1,caf\xE9\n2,th\xE9\n3,caf\xE9\n");
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"caf\xC3\xA9", "th\xC3\xA9"}));
  for (const std::string& name : load.dataset->classNames) EXPECT_TRUE(isValidUtf8(name));
  EXPECT_NO_THROW(nlohmann::json(load.dataset->classNames).dump());
}

TEST(ReaderLimits, CsvBinaryHeaderIsEscapedAndCutInTheMessage) {
  TempDir dir("limits-csv-binary");
  std::string header;
  for (int i = 0; i < 40; ++i) header += std::string("\x01\x1b[31m\xff\xfe", 8) + ",";
  header += std::string(5000, 'z');
  DatasetLoad load = csvOf(dir, header + "\n1,2\n");
  ASSERT_FALSE(load.ok());
  EXPECT_NE(load.error.find("data.csv"), std::string::npos);
  EXPECT_NE(load.error.find("no column named 'label'"), std::string::npos) << load.error;
  EXPECT_NE(load.error.find("\\x01\\x1B[31m"), std::string::npos) << load.error;
  expectPrintable(load.error);
  EXPECT_LT(load.error.size(), 2000u) << "a long header is cut";
  // A binary cell in a data row, too.
  load = csvOf(dir, "a,label\n\x07\x08\xff,x\n");
  ASSERT_FALSE(load.ok());
  EXPECT_NE(load.error.find("line 2, column 1"), std::string::npos) << load.error;
  expectPrintable(load.error);
}

TEST(ReaderLimits, CsvWithTooManyColumnsIsRefusedBeforeSplitting) {
  TempDir dir("limits-csv-columns");
  expectError(csvOf(dir, "label" + std::string(readutil::kMaxCsvColumns + 5, ',') + "\n"),
              {"data.csv line 1", "more than 1000000 columns"});
}

// ---- Image folders

/// A PNG whose header declares width x height but holds almost no data.
ByteVector pngDeclaring(uint32_t width, uint32_t height) {
  ByteVector png = solidPng(2, 2, {9});  // grey: one byte per pixel
  for (int i = 0; i < 4; ++i) {  // IHDR data starts at byte 16: width, then height
    png[size_t(16 + i)] = uint8_t(width >> (24 - 8 * i));
    png[size_t(20 + i)] = uint8_t(height >> (24 - 8 * i));
  }
  uint32_t crc = uint32_t(crc32(0, png.data() + 12, 17));  // fix the IHDR CRC so only the size is odd
  for (int i = 0; i < 4; ++i) png[size_t(29 + i)] = uint8_t(crc >> (24 - 8 * i));
  return png;
}

TEST(ReaderLimits, ImageDeclaringHugeDimensionsIsRefusedBeforeDecoding) {
  TempDir dir("limits-image-huge");
  writeBytes(dir / "cats" / "a.png", solidPng(4, 4, {1, 2, 3}));
  // 20000 x 20000 grey passes stb_image's own check (at most 2^30 bytes), so decoding it would
  // allocate 400 MB (1.2 GB as RGB) for a 70-byte file.
  writeBytes(dir / "dogs" / "huge.png", pngDeclaring(20000, 20000));
  resetPeakResident();
  uint64_t before = peakResidentBytes();
  expectError(readImageFolder(dir.str(), {4, 4}, 3), {"huge.png", "20000 x 20000", "megapixels"});
  EXPECT_LT(peakResidentBytes() - before, uint64_t(64) << 20);
  readutil::Image image = readutil::decodeImage((dir / "dogs" / "huge.png").string(), 3);
  EXPECT_NE(image.error.find("megapixels"), std::string::npos) << image.error;
  // Larger still: stb_image refuses it itself; the message names the file.
  writeBytes(dir / "dogs" / "huge.png", pngDeclaring(100000, 100000));
  expectError(readImageFolder(dir.str(), {4, 4}, 3), {"huge.png", "cannot decode image"});
}

TEST(ReaderLimits, ImageDatasetLargerThanMemoryLimitIsRefusedBeforeAllocating) {
  TempDir dir("limits-image-total");
  for (int i = 0; i < 40; ++i) writeBytes(dir / "cats" / ("a" + std::to_string(i) + ".png"), solidPng(2, 2, {1, 2, 3}));
  expectError(readImageFolder(dir.str(), {16384, 16384}, 3),
              {dir.str(), "40 images of 16384 x 16384 x 3", "more than 8.0 GiB", "image_size"});
}

TEST(ReaderLimits, Latin1FolderNamesBecomeValidUtf8ClassNames) {
  TempDir dir("limits-image-latin1");
  writeBytes(dir / "caf\xE9" / "a.png", solidPng(2, 2, {1, 2, 3}));
  writeBytes(dir / "plain" / "a.png", solidPng(2, 2, {3, 2, 1}));
  DatasetLoad load = readImageFolder(dir.str(), {2, 2}, 3);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"caf\xC3\xA9", "plain"}));
  EXPECT_NO_THROW(nlohmann::json(load.dataset->classNames).dump());
}

// ---- Text vocabulary (issue 10 item 1)

TEST(ReaderLimits, AccentedUtf8TextGivesAValidUtf8Vocabulary) {
  TempDir dir("limits-text-accents");
  std::string text;
  for (int i = 0; i < 300; ++i) text += "le caf\xC3\xA9 est tr\xC3\xA8s bon ";
  writeText(dir / "fr.txt", text);
  DatasetLoad load = readTextFile((dir / "fr.txt").string(), 16);
  ASSERT_TRUE(load.ok()) << load.error;
  const auto& names = load.dataset->classNames;
  std::set<std::string> distinct(names.begin(), names.end());
  EXPECT_EQ(distinct.size(), names.size());
  for (const std::string& name : names) EXPECT_TRUE(isValidUtf8(name)) << name;
  EXPECT_NO_THROW(nlohmann::json(names).dump());
  // The bytes of "é" (C3 A9) and "è" (C3 A8) are tokens; their names are Latin-1 characters.
  EXPECT_NE(std::find(names.begin(), names.end(), "\xC3\x83"), names.end());  // byte C3 -> "Ã"
  EXPECT_NE(std::find(names.begin(), names.end(), "\xC2\xA9"), names.end());  // byte A9 -> "©"
}

TEST(ReaderLimits, EveryByteHasADistinctValidUtf8NameThatMapsBack) {
  std::set<std::string> names;
  for (int b = 0; b < 256; ++b) {
    std::string name = byteTokenName(uint8_t(b));
    EXPECT_TRUE(isValidUtf8(name)) << b;
    names.insert(name);
    uint8_t back = 0;
    ASSERT_TRUE(byteOfTokenName(name, back)) << b;
    EXPECT_EQ(back, b);
    // Older exports stored the raw byte: still understood.
    ASSERT_TRUE(byteOfTokenName(std::string(1, char(b)), back));
    EXPECT_EQ(back, b);
  }
  EXPECT_EQ(names.size(), 256u);
  uint8_t byte = 0;
  EXPECT_FALSE(byteOfTokenName("ab", byte));
  EXPECT_FALSE(byteOfTokenName("\xE2\x82\xAC", byte));  // "€" is no single byte
  EXPECT_FALSE(byteOfTokenName("", byte));
}

TEST(ReaderLimits, TextWithAll256BytesLoadsWith256DistinctNames) {
  TempDir dir("limits-text-bytes");
  ByteVector all;
  for (int round = 0; round < 3; ++round)
    for (int b = 0; b < 256; ++b) all.push_back(uint8_t(b));
  writeBytes(dir / "bytes.bin", all);
  DatasetLoad load = readTextFile((dir / "bytes.bin").string(), 8);
  ASSERT_TRUE(load.ok()) << load.error;
  std::set<std::string> distinct(load.dataset->classNames.begin(), load.dataset->classNames.end());
  EXPECT_EQ(distinct.size(), 256u);
  EXPECT_NO_THROW(nlohmann::json(load.dataset->classNames).dump());
}

// ---- Messages and paths (issue 15 item 4, issue 10 item 12)

TEST(ReaderLimits, EmptyDataPathSaysSoInWords) {
  DataConfig config;
  config.path = "";
  for (const std::string kind : {"idx", "cifar10", "csv", "image-folder", "text"}) {
    config.kind = kind;
    DatasetLoad load = loadDataset(config);
    ASSERT_FALSE(load.ok()) << kind;
    EXPECT_NE(load.error.find("the data path is empty"), std::string::npos) << load.error;
    EXPECT_NE(load.error.find("data.path"), std::string::npos) << load.error;
    EXPECT_NE(load.error.rfind(": ", 0), 0u) << "no empty file name in front: " << load.error;
  }
  config.path = "  ";
  EXPECT_NE(loadDataset(config).error.find("the data path is empty"), std::string::npos);
}

TEST(ReaderLimits, PrintableEscapesControlsAndCutsLongText) {
  EXPECT_EQ(readutil::printable("a\nb\tc\x01"), "a\\nb\\tc\\x01");
  EXPECT_EQ(readutil::printable("caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(readutil::printable("\xC2\x85"), "\\u0085");
  std::string cut = readutil::printable(std::string(100, 'x'), 10);
  EXPECT_EQ(cut, "xxxxxxxxxx... (100 bytes)");
}

TEST(DataPath, ResolvesRelativePathsAgainstTheBaseFolder) {
  EXPECT_EQ(resolveDataPath("data.csv", "/home/u/proj"), "/home/u/proj/data.csv");
  EXPECT_EQ(resolveDataPath("./sub/../data", "/home/u/proj"), "/home/u/proj/data");
  EXPECT_EQ(resolveDataPath("../shared/data", "/home/u/proj"), "/home/u/shared/data");
  EXPECT_EQ(resolveDataPath("/abs/data.csv", "/home/u/proj"), "/abs/data.csv");
  EXPECT_EQ(resolveDataPath("", "/home/u/proj"), "");
  EXPECT_EQ(resolveDataPath("data.csv", ""), "data.csv");
  EXPECT_EQ(relativeDataPath("/home/u/proj/data.csv", "/home/u/proj"), "data.csv");
  EXPECT_EQ(relativeDataPath("/home/u/proj/d/x.csv", "/home/u/proj/"), "d/x.csv");
  EXPECT_EQ(relativeDataPath("/home/u/other/x.csv", "/home/u/proj"), "/home/u/other/x.csv");
  EXPECT_EQ(relativeDataPath("/home/u/project2/x.csv", "/home/u/proj"), "/home/u/project2/x.csv");
  EXPECT_EQ(relativeDataPath("/home/u/proj", "/home/u/proj"), "/home/u/proj");
  EXPECT_EQ(relativeDataPath("rel/x.csv", "/home/u/proj"), "rel/x.csv");
}

/// Changes the working directory while alive.
class ScopedWorkingDirectory {
 public:
  explicit ScopedWorkingDirectory(const fs::path& dir) : m_previous(fs::current_path()) { fs::current_path(dir); }
  ~ScopedWorkingDirectory() { fs::current_path(m_previous); }

 private:
  fs::path m_previous;
};

TEST(DataPath, RelativeDataPathIsRelativeToTheProjectFileNotTheWorkingDirectory) {
  TempDir dir("datapath-project");
  TempDir elsewhere("datapath-cwd");
  writeText(dir / "proj" / "data.csv", "a,label\n1,x\n2,y\n");
  Project p;
  p.data.kind = "csv";
  p.data.path = "data.csv";
  std::string file = (dir / "proj" / "p.json").string();
  ASSERT_TRUE(saveProject(p, file).ok());
  ScopedWorkingDirectory cwd(elsewhere.path());  // started from "the desktop"
  ProjectLoad load = loadProject(file);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.project->data.path, (dir / "proj" / "data.csv").string());
  DatasetLoad data = loadDataset(load.project->data);
  ASSERT_TRUE(data.ok()) << data.error;
  EXPECT_EQ(data.dataset->trainInputs.size(0), 2);
  // Loading through a relative project path works the same.
  ProjectLoad viaRelative = loadProject(fs::relative(file, elsewhere.path()).string());
  ASSERT_TRUE(viaRelative.ok()) << viaRelative.error;
  EXPECT_EQ(viaRelative.project->data.path, load.project->data.path);
}

TEST(DataPath, SavingStoresDataInsideTheProjectFolderRelatively) {
  TempDir dir("datapath-save");
  Project p;
  p.data.kind = "csv";
  p.data.path = (dir / "proj" / "sub" / "data.csv").string();
  fs::create_directories(dir / "proj");
  std::string file = (dir / "proj" / "p.json").string();
  ASSERT_TRUE(saveProject(p, file).ok());
  std::string text;
  {
    ByteVector bytes = readBytes(file);
    text.assign(bytes.begin(), bytes.end());
  }
  EXPECT_NE(text.find("\"sub/data.csv\""), std::string::npos) << text;
  EXPECT_EQ(p.data.path, (dir / "proj" / "sub" / "data.csv").string()) << "the project in memory is unchanged";
  // Save -> load -> save is byte-identical.
  ProjectLoad load = loadProject(file);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.project->data.path, p.data.path);
  ASSERT_TRUE(saveProject(*load.project, file).ok());
  ByteVector again = readBytes(file);
  EXPECT_EQ(std::string(again.begin(), again.end()), text);
  // Data outside the project's folder keeps its absolute path.
  p.data.path = "/usr/share/datasets/fashion-mnist";
  ASSERT_TRUE(saveProject(p, file).ok());
  ByteVector other = readBytes(file);
  EXPECT_NE(std::string(other.begin(), other.end()).find("/usr/share/datasets/fashion-mnist"), std::string::npos);
}

}  // namespace
}  // namespace nc::test::readers::reader_limits_test

#include <gtest/gtest.h>

#include <chrono>

#include "ReaderTestUtil.h"
#include "core/data/Dataset.h"

namespace nc::test::readers::idx_reader_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

/// A complete raw IDX folder: 3 training images (2 x 3) labelled 0, 7, 9 and 2 test images.
void writeIdxFolder(const fs::path& folder, bool gzip = false) {
  auto write = gzip ? writeGzip : writeBytes;
  std::string ext = gzip ? ".gz" : "";
  write(folder / ("train-images-idx3-ubyte" + ext), idxImages(3, 2, 3));
  write(folder / ("train-labels-idx1-ubyte" + ext), idxLabels({0, 7, 9}));
  write(folder / ("t10k-images-idx3-ubyte" + ext), idxImages(2, 2, 3));
  write(folder / ("t10k-labels-idx1-ubyte" + ext), idxLabels({5, 1}));
}

void expectSmallIdxData(const DatasetLoad& load) {
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(d.trainInputs.sizes(), (std::vector<int64_t>{3, 1, 2, 3}));
  EXPECT_EQ(d.trainInputs.scalar_type(), torch::kUInt8);
  EXPECT_EQ(d.trainInputs[2][0][1][2].item<int64_t>(), (2 * 31 + 5) % 256);
  EXPECT_EQ(d.trainTargets.scalar_type(), torch::kInt64);
  EXPECT_EQ(std::vector<int64_t>(d.trainTargets.data_ptr<int64_t>(), d.trainTargets.data_ptr<int64_t>() + 3),
            (std::vector<int64_t>{0, 7, 9}));
  EXPECT_EQ(d.testInputs.sizes(), (std::vector<int64_t>{2, 1, 2, 3}));
  EXPECT_EQ(d.testTargets[0].item<int64_t>(), 5);
  EXPECT_EQ(d.sampleShape, (TensorShape{{1, 2, 3}, DType::Float32, 0}));
  EXPECT_EQ(d.task, Task::Classification);
  EXPECT_TRUE(d.bytesToUnitRange());
}

TEST(IdxReader, ReadsRawFilesIntoImagesAndLabels) {
  TempDir dir("idx-raw");
  writeIdxFolder(dir.path());
  DatasetLoad load = readIdxFolder(dir.str());
  expectSmallIdxData(load);
  ASSERT_TRUE(load.ok());
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  EXPECT_TRUE(contains(load.dataset->description, "3 train, 2 test, 10 classes")) << load.dataset->description;
}

TEST(IdxReader, ReadsGzipFiles) {
  TempDir dir("idx-gz");
  writeIdxFolder(dir.path(), true);
  expectSmallIdxData(readIdxFolder(dir.str()));
}

TEST(IdxReader, DetectsGzipByContentNotByName) {
  TempDir dir("idx-gzname");
  writeIdxFolder(dir.path());
  writeGzip(dir / "train-images-idx3-ubyte", idxImages(3, 2, 3));  // compressed, no .gz suffix
  expectSmallIdxData(readIdxFolder(dir.str()));
}

TEST(IdxReader, UsesFashionMnistClassNamesWhenThePathSaysFashion) {
  TempDir dir("idx");
  fs::path folder = dir / "My-FASHION-data";
  writeIdxFolder(folder);
  DatasetLoad load = readIdxFolder(folder.string());
  ASSERT_TRUE(load.ok()) << load.error;
  ASSERT_EQ(load.dataset->numClasses(), 10);
  EXPECT_EQ(load.dataset->classNames.front(), "T-shirt/top");
  EXPECT_EQ(load.dataset->classNames[7], "Sneaker");
  EXPECT_EQ(load.dataset->classNames.back(), "Ankle boot");
}

TEST(IdxReader, RejectsMissingFolder) {
  TempDir dir("idx-nofolder");
  expectError(readIdxFolder((dir / "nothing-here").string()), {"nothing-here", "folder not found"});
}

TEST(IdxReader, RejectsMissingLabelsFile) {
  TempDir dir("idx-missing");
  writeIdxFolder(dir.path());
  fs::remove(dir / "train-labels-idx1-ubyte");
  expectError(readIdxFolder(dir.str()), {"train-labels-idx1-ubyte", "not found"});
}

TEST(IdxReader, RejectsOnlyOneOfTheTestFiles) {
  TempDir dir("idx-halftest");
  writeIdxFolder(dir.path());
  fs::remove(dir / "t10k-images-idx3-ubyte");
  expectError(readIdxFolder(dir.str()), {"t10k-images-idx3-ubyte", "not found"});
}

TEST(IdxReader, WithoutTestFilesHasNoTestSplit) {
  TempDir dir("idx-notest");
  writeIdxFolder(dir.path());
  fs::remove(dir / "t10k-images-idx3-ubyte");
  fs::remove(dir / "t10k-labels-idx1-ubyte");
  DatasetLoad load = readIdxFolder(dir.str());
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_FALSE(load.dataset->testInputs.defined());
  EXPECT_FALSE(load.dataset->testTargets.defined());
  EXPECT_EQ(load.dataset->trainInputs.size(0), 3);
}

TEST(IdxReader, RejectsWrongMagicNumber) {
  TempDir dir("idx-magic");
  writeIdxFolder(dir.path());
  writeBytes(dir / "train-images-idx3-ubyte", idxImages(3, 2, 3, 1234));
  expectError(readIdxFolder(dir.str()),
              {"train-images-idx3-ubyte: wrong magic number 1234, expected 2051 (IDX images)"});
}

TEST(IdxReader, RejectsImagesFileGivenAsLabels) {
  TempDir dir("idx-magic-labels");
  writeIdxFolder(dir.path());
  writeBytes(dir / "t10k-labels-idx1-ubyte", idxImages(2, 2, 3));
  expectError(readIdxFolder(dir.str()), {"t10k-labels-idx1-ubyte: wrong magic number 2051, expected 2049 (IDX labels)"});
}

TEST(IdxReader, RejectsTruncatedImages) {
  TempDir dir("idx-trunc");
  writeIdxFolder(dir.path());
  ByteVector images = idxImages(3, 2, 3);  // 16 + 18 bytes
  images.resize(images.size() - 4);
  writeBytes(dir / "train-images-idx3-ubyte", images);
  expectError(readIdxFolder(dir.str()), {"train-images-idx3-ubyte", "truncated", "expected 34 bytes, got 30"});
}

TEST(IdxReader, RejectsTruncatedHeader) {
  TempDir dir("idx-trunc-header");
  writeIdxFolder(dir.path());
  writeBytes(dir / "train-labels-idx1-ubyte", {0, 0, 8, 1, 0});
  expectError(readIdxFolder(dir.str()), {"train-labels-idx1-ubyte", "truncated", "expected 8 bytes, got 5"});
}

TEST(IdxReader, RejectsExtraBytesAfterTheData) {
  TempDir dir("idx-extra");
  writeIdxFolder(dir.path());
  ByteVector labels = idxLabels({0, 7, 9});
  labels.push_back(3);
  writeBytes(dir / "train-labels-idx1-ubyte", labels);
  expectError(readIdxFolder(dir.str()), {"train-labels-idx1-ubyte", "12 bytes, expected 11"});
}

TEST(IdxReader, RejectsTruncatedGzipStream) {
  TempDir dir("idx-trunc-gz");
  writeIdxFolder(dir.path(), true);
  ByteVector gz = readBytes(dir / "train-images-idx3-ubyte.gz");
  gz.resize(gz.size() / 2);
  writeBytes(dir / "train-images-idx3-ubyte.gz", gz);
  expectError(readIdxFolder(dir.str()), {"train-images-idx3-ubyte.gz", "truncated"});
}

TEST(IdxReader, RejectsEmptyTrainingFiles) {
  TempDir dir("idx-empty");
  writeIdxFolder(dir.path());
  writeBytes(dir / "train-images-idx3-ubyte", idxImages(0, 2, 3));
  writeBytes(dir / "train-labels-idx1-ubyte", idxLabels({}));
  expectError(readIdxFolder(dir.str()), {"train-images-idx3-ubyte", "contains no images"});
}

TEST(IdxReader, RejectsHugeHeaderSizesBeforeReading) {
  TempDir dir("idx-huge");
  writeIdxFolder(dir.path());
  ByteVector images = idxImages(3, 2, 3);
  for (size_t i = 4; i < 16; ++i) images[i] = 0xff;  // 4294967295 images of 4294967295 x 4294967295
  writeBytes(dir / "train-images-idx3-ubyte", images);
  expectError(readIdxFolder(dir.str()), {"train-images-idx3-ubyte", "header declares", "does not fit 64 bits"});
}

TEST(IdxReader, RejectsImageAndLabelCountMismatch) {
  TempDir dir("idx-count");
  writeIdxFolder(dir.path());
  writeBytes(dir / "train-labels-idx1-ubyte", idxLabels({0, 7}));
  expectError(readIdxFolder(dir.str()), {"train-labels-idx1-ubyte has 2 labels but", "train-images-idx3-ubyte has 3 images"});
}

TEST(IdxReader, RejectsTestImagesOfAnotherSize) {
  TempDir dir("idx-testsize");
  writeIdxFolder(dir.path());
  writeBytes(dir / "t10k-images-idx3-ubyte", idxImages(2, 3, 3));
  expectError(readIdxFolder(dir.str()), {"t10k-images-idx3-ubyte", "[1, 3, 3]", "[1, 2, 3]"});
}

TEST(IdxReader, RejectsFashionLabelOutOfRange) {
  TempDir dir("idx");
  fs::path folder = dir / "fashion";
  writeIdxFolder(folder);
  writeBytes(folder / "train-labels-idx1-ubyte", idxLabels({0, 10, 3}));
  expectError(readIdxFolder(folder.string()), {"train-labels-idx1-ubyte", "label 10 of item 1", "10 classes"});
}

TEST(IdxReader, GenericLabelsAboveNineAddClasses) {
  TempDir dir("idx-manyclasses");
  writeIdxFolder(dir.path());
  writeBytes(dir / "train-labels-idx1-ubyte", idxLabels({0, 11, 3}));
  DatasetLoad load = readIdxFolder(dir.str());
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->numClasses(), 12);
  EXPECT_EQ(load.dataset->classNames.back(), "11");
}

TEST(IdxReader, RejectsTestLabelBeyondTheTrainingClasses) {
  TempDir dir("idx-testlabel");
  writeIdxFolder(dir.path());
  writeBytes(dir / "t10k-labels-idx1-ubyte", idxLabels({5, 12}));
  expectError(readIdxFolder(dir.str()), {"t10k-labels-idx1-ubyte", "label 12 of item 1", "10 classes"});
}

TEST(IdxReader, ReadsTheRealFashionMnistQuickly) {
  const std::string folder = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(folder)) GTEST_SKIP() << folder << " is not installed";
  auto start = std::chrono::steady_clock::now();
  DatasetLoad load = readIdxFolder(folder);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(d.trainInputs.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(d.testInputs.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(d.trainInputs.scalar_type(), torch::kUInt8);
  EXPECT_EQ(d.trainTargets.sizes(), (std::vector<int64_t>{60000}));
  EXPECT_EQ(d.testTargets.sizes(), (std::vector<int64_t>{10000}));
  EXPECT_EQ(d.trainTargets.min().item<int64_t>(), 0);
  EXPECT_EQ(d.trainTargets.max().item<int64_t>(), 9);
  EXPECT_EQ(d.testTargets.min().item<int64_t>(), 0);
  EXPECT_EQ(d.testTargets.max().item<int64_t>(), 9);
  EXPECT_EQ(torch::bincount(d.trainTargets).min().item<int64_t>(), 6000) << "Fashion-MNIST is balanced";
  EXPECT_GT(d.trainInputs.max().item<int64_t>(), 200) << "pixels are not all dark";
  EXPECT_EQ(d.sampleShape, (TensorShape{{1, 28, 28}, DType::Float32, 0}));
  EXPECT_EQ(d.classNames.front(), "T-shirt/top");
  EXPECT_EQ(d.description, "Fashion-MNIST (idx): 60000 train, 10000 test, 10 classes");
  std::cout << "[          ] read Fashion-MNIST in " << seconds << " s\n";
  EXPECT_LT(seconds, 5.0);
}

}  // namespace
}  // namespace nc::test::readers::idx_reader_test

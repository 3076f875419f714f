#include <gtest/gtest.h>

#include "ReaderTestUtil.h"
#include "core/data/Dataset.h"

namespace nc::test::readers::cifar10_reader_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

constexpr size_t kRecord = 3073;

/// Records with the given labels; pixel k of record r is (k + 3 * r + seed) % 251.
ByteVector cifarRecords(const std::vector<uint8_t>& labels, int seed = 0) {
  ByteVector b;
  for (size_t r = 0; r < labels.size(); ++r) {
    b.push_back(labels[r]);
    for (size_t k = 0; k < 3072; ++k) b.push_back(uint8_t((k + 3 * r + size_t(seed)) % 251));
  }
  return b;
}

void writeCifarFolder(const fs::path& folder) {
  writeBytes(folder / "data_batch_1.bin", cifarRecords({6, 9}));
  writeBytes(folder / "data_batch_2.bin", cifarRecords({2}, 7));
  writeBytes(folder / "test_batch.bin", cifarRecords({3}));
}

TEST(Cifar10Reader, ReadsBatchesInOrderWithChannelFirstPixels) {
  TempDir dir("cifar");
  writeCifarFolder(dir.path());
  DatasetLoad load = readCifar10(dir.str());
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(d.trainInputs.sizes(), (std::vector<int64_t>{3, 3, 32, 32}));
  EXPECT_EQ(d.trainInputs.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(torch::equal(d.trainTargets, torch::tensor({6, 9, 2}, torch::kInt64)));
  // Record 1, channel 2 (blue), row 4, column 5 = byte 2 * 1024 + 4 * 32 + 5 of its pixels.
  EXPECT_EQ(d.trainInputs[1][2][4][5].item<int64_t>(), (2 * 1024 + 4 * 32 + 5 + 3) % 251);
  EXPECT_EQ(d.trainInputs[2][0][0][1].item<int64_t>(), (1 + 7) % 251) << "second batch follows the first";
  EXPECT_EQ(d.testInputs.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_EQ(d.testTargets[0].item<int64_t>(), 3);
  EXPECT_EQ(d.sampleShape, (TensorShape{{3, 32, 32}, DType::Float32, 0}));
  ASSERT_EQ(d.numClasses(), 10);
  EXPECT_EQ(d.classNames.front(), "airplane");
  EXPECT_EQ(d.classNames.back(), "truck");
  EXPECT_EQ(d.description, "CIFAR-10 (cifar10): 3 train, 1 test, 10 classes");
}

TEST(Cifar10Reader, TakesClassNamesFromTheMetaFile) {
  TempDir dir("cifar-meta");
  writeCifarFolder(dir.path());
  std::string names;
  for (int c = 0; c < 10; ++c) names += "class " + std::to_string(c) + "\n";
  writeText(dir / "batches.meta.txt", names + "\n");
  DatasetLoad load = readCifar10(dir.str());
  ASSERT_TRUE(load.ok()) << load.error;
  ASSERT_EQ(load.dataset->numClasses(), 10);
  EXPECT_EQ(load.dataset->classNames[3], "class 3");
}

TEST(Cifar10Reader, FindsBatchesInTheCifarBatchesBinSubfolder) {
  TempDir dir("cifar-sub");
  writeCifarFolder(dir / "cifar-10-batches-bin");
  DatasetLoad load = readCifar10(dir.str());
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->trainInputs.size(0), 3);
}

TEST(Cifar10Reader, WithoutTestBatchHasNoTestSplit) {
  TempDir dir("cifar-notest");
  writeCifarFolder(dir.path());
  fs::remove(dir / "test_batch.bin");
  DatasetLoad load = readCifar10(dir.str());
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_FALSE(load.dataset->testInputs.defined());
}

TEST(Cifar10Reader, RejectsMissingBatches) {
  TempDir dir("cifar-empty");
  expectError(readCifar10(dir.str()), {"data_batch_1.bin", "not found"});
  expectError(readCifar10((dir / "absent").string()), {"absent", "folder not found"});
}

TEST(Cifar10Reader, RejectsTruncatedBatch) {
  TempDir dir("cifar-trunc");
  writeCifarFolder(dir.path());
  ByteVector batch = cifarRecords({1, 2});
  batch.resize(batch.size() - 100);
  writeBytes(dir / "data_batch_2.bin", batch);
  expectError(readCifar10(dir.str()),
              {"data_batch_2.bin", "truncated", std::to_string(2 * kRecord - 100) + " bytes", "3073-byte records"});
}

TEST(Cifar10Reader, RejectsEmptyBatch) {
  TempDir dir("cifar-emptyfile");
  writeCifarFolder(dir.path());
  writeBytes(dir / "test_batch.bin", {});
  expectError(readCifar10(dir.str()), {"test_batch.bin", "empty"});
}

TEST(Cifar10Reader, RejectsLabelOutOfRange) {
  TempDir dir("cifar-label");
  writeCifarFolder(dir.path());
  writeBytes(dir / "test_batch.bin", cifarRecords({3, 10}));
  expectError(readCifar10(dir.str()), {"test_batch.bin", "label 10 of record 1", "10 classes"});
}

TEST(Cifar10Reader, RejectsLabelBeyondTheMetaFileClasses) {
  TempDir dir("cifar-metarange");
  writeCifarFolder(dir.path());
  writeText(dir / "batches.meta.txt", "a\nb\nc\n");
  expectError(readCifar10(dir.str()), {"data_batch_1.bin", "label 6 of record 0", "3 classes"});
}

}  // namespace
}  // namespace nc::test::readers::cifar10_reader_test

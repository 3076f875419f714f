// loadDataset (dispatch, limit, description) and toModelInput.
#include <gtest/gtest.h>

#include "ReaderTestUtil.h"
#include "core/data/Dataset.h"

namespace nc::test::readers::readers_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

DataConfig csvConfig(const TempDir& dir, int64_t limit) {
  std::string text = "f,label\n";
  for (int i = 0; i < 5; ++i) text += std::to_string(i) + "," + (i % 2 ? "odd" : "even") + "\n";
  writeText(dir / "numbers.csv", text);
  DataConfig config;
  config.kind = "csv";
  config.path = (dir / "numbers.csv").string();
  config.limit = limit;
  return config;
}

TEST(LoadDataset, DispatchesOnKindAndDescribesTheData) {
  TempDir dir("load");
  DatasetLoad load = loadDataset(csvConfig(dir, 0));
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->trainInputs.size(0), 5);
  EXPECT_EQ(load.dataset->description, "numbers.csv (csv): 5 train, no test split, 2 classes");
}

TEST(LoadDataset, KeepsTheFirstLimitTrainingSamples) {
  TempDir dir("load-limit");
  DatasetLoad load = loadDataset(csvConfig(dir, 2));
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_TRUE(torch::equal(d.trainInputs, torch::tensor({{0.f}, {1.f}})));
  EXPECT_TRUE(torch::equal(d.trainTargets, torch::tensor({0, 1}, torch::kInt64)));
  EXPECT_EQ(d.numClasses(), 2) << "classes come from all the data";
  EXPECT_EQ(d.description, "numbers.csv (csv): 2 of 5 train, no test split, 2 classes");
}

TEST(LoadDataset, IgnoresALimitAboveTheSampleCount) {
  TempDir dir("load-biglimit");
  DatasetLoad load = loadDataset(csvConfig(dir, 50));
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->trainInputs.size(0), 5);
}

TEST(LoadDataset, ReadsEachKind) {
  TempDir dir("load-kinds");
  writeText(dir / "t.txt", "abcdefghij");
  writeBytes(dir / "img" / "c" / "x.png", solidPng(2, 2, {7}));
  writeBytes(dir / "idx" / "train-images-idx3-ubyte", idxImages(2, 2, 2));
  writeBytes(dir / "idx" / "train-labels-idx1-ubyte", idxLabels({1, 0}));
  ByteVector record(3073, 1);
  writeBytes(dir / "cifar" / "data_batch_1.bin", record);
  struct Case {
    std::string kind, path;
    std::vector<int64_t> shape;
  };
  for (const Case& c : std::vector<Case>{{"text", (dir / "t.txt").string(), {3, 3}},
                                         {"image-folder", (dir / "img").string(), {1, 1, 2, 2}},
                                         {"idx", (dir / "idx").string(), {2, 1, 2, 2}},
                                         {"cifar10", (dir / "cifar").string(), {1, 3, 32, 32}}}) {
    DataConfig config;
    config.kind = c.kind;
    config.path = c.path;
    config.sequenceLength = 3;
    config.imageSize = {2, 2};
    config.channels = 1;
    DatasetLoad load = loadDataset(config);
    ASSERT_TRUE(load.ok()) << c.kind << ": " << load.error;
    EXPECT_EQ(load.dataset->trainInputs.sizes().vec(), c.shape) << c.kind;
    EXPECT_TRUE(contains(load.dataset->description, "(" + c.kind + ")")) << load.dataset->description;
  }
}

TEST(LoadDataset, RejectsUnknownKindListingTheKnownOnes) {
  DataConfig config;
  config.kind = "parquet";
  expectError(loadDataset(config), {"unknown data kind 'parquet'", "cifar10, csv, idx, image-folder, text"});
}

TEST(LoadDataset, PassesReaderErrorsThrough) {
  TempDir dir("load-error");
  DataConfig config;
  config.kind = "text";
  config.path = (dir / "missing.txt").string();
  expectError(loadDataset(config), {"missing.txt", "not found"});
}

TEST(LoadDataset, LimitsTheRealFashionMnist) {
  DataConfig config;  // the default: Fashion-MNIST
  if (!fs::exists(config.path)) GTEST_SKIP() << config.path << " is not installed";
  config.limit = 1000;
  DatasetLoad load = loadDataset(config);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->trainInputs.size(0), 1000);
  EXPECT_EQ(load.dataset->trainTargets.size(0), 1000);
  EXPECT_EQ(load.dataset->testInputs.size(0), 10000) << "the limit applies to training samples only";
  EXPECT_EQ(load.dataset->description, "Fashion-MNIST (idx): 1000 of 60000 train, 10000 test, 10 classes");
}

TEST(DatasetToModelInput, ScalesBytesToTheUnitRange) {
  torch::Tensor bytes = torch::tensor({0, 51, 255}, torch::kUInt8);
  torch::Tensor x = toModelInput(bytes);
  EXPECT_EQ(x.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(x, torch::tensor({0.f, 0.2f, 1.f})));
  EXPECT_EQ(bytes[2].item<int64_t>(), 255) << "the stored tensor is not changed";
}

TEST(DatasetToModelInput, LeavesOtherTypesUnchanged) {
  torch::Tensor features = torch::tensor({0.5f, 300.f});
  torch::Tensor tokens = torch::tensor({3, 4}, torch::kInt64);
  EXPECT_TRUE(toModelInput(features).is_same(features));
  EXPECT_TRUE(toModelInput(tokens).is_same(tokens));
}

}  // namespace
}  // namespace nc::test::readers::readers_test

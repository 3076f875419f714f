#include <gtest/gtest.h>

#include "ReaderTestUtil.h"
#include "core/data/Dataset.h"

namespace nc::test::readers::image_folder_reader_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

/// Two classes, written in reverse name order: zebra (2 RGB images) and ant (1 grey image).
void writeClassFolders(const fs::path& folder) {
  writeBytes(folder / "zebra" / "b.png", solidPng(8, 6, {10, 200, 30}));
  writeBytes(folder / "zebra" / "a.PNG", solidPng(3, 3, {250, 0, 5}));
  writeBytes(folder / "ant" / "one.png", solidPng(4, 4, {90}));
  writeText(folder / "ant" / "notes.txt", "not an image");
}

TEST(ImageFolderReader, ReadsClassSubfoldersResizedToTheSize) {
  TempDir dir("images");
  writeClassFolders(dir.path());
  DatasetLoad load = readImageFolder(dir.str(), {4, 5}, 3);
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(d.classNames, (std::vector<std::string>{"ant", "zebra"}));
  EXPECT_EQ(d.trainInputs.sizes(), (std::vector<int64_t>{3, 3, 4, 5}));
  EXPECT_EQ(d.trainInputs.scalar_type(), torch::kUInt8);
  EXPECT_TRUE(torch::equal(d.trainTargets, torch::tensor({0, 1, 1}, torch::kInt64)));
  // Sample 0: the grey ant, expanded to RGB. Sample 1: zebra/a.PNG (file names sorted).
  EXPECT_TRUE(torch::equal(d.trainInputs[0], torch::full({3, 4, 5}, 90, torch::kUInt8)));
  EXPECT_EQ(d.trainInputs[1][0][2][3].item<int64_t>(), 250);
  EXPECT_EQ(d.trainInputs[1][2][2][3].item<int64_t>(), 5);
  EXPECT_EQ(d.trainInputs[2][1][3][4].item<int64_t>(), 200) << "channel-first layout";
  EXPECT_EQ(d.sampleShape, (TensorShape{{3, 4, 5}, DType::Float32, 0}));
  EXPECT_FALSE(d.testInputs.defined());
}

TEST(ImageFolderReader, ConvertsToGreyWhenOneChannelIsAsked) {
  TempDir dir("images-grey");
  writeBytes(dir / "only" / "x.png", solidPng(2, 2, {100, 100, 100}));
  DatasetLoad load = readImageFolder(dir.str(), {2, 2}, 1);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_TRUE(torch::equal(load.dataset->trainInputs, torch::full({1, 1, 2, 2}, 100, torch::kUInt8)));
  EXPECT_EQ(load.dataset->sampleShape.dims, (std::vector<int64_t>{1, 2, 2}));
}

TEST(ImageFolderReader, KeepsPixelsExactlyWhenTheSizeMatches) {
  TempDir dir("images-exact");
  ByteVector pixels = {0, 10, 20, 30, 40, 50};  // 3 wide, 2 high
  writeBytes(dir / "c" / "x.png", makePng(3, 2, 1, pixels));
  DatasetLoad load = readImageFolder(dir.str(), {2, 3}, 1);
  ASSERT_TRUE(load.ok()) << load.error;
  torch::Tensor expected = torch::tensor({0, 10, 20, 30, 40, 50}, torch::kUInt8).view({1, 1, 2, 3});
  EXPECT_TRUE(torch::equal(load.dataset->trainInputs, expected));
}

TEST(ImageFolderReader, ResizingInterpolatesBetweenPixels) {
  TempDir dir("images-resize");
  writeBytes(dir / "c" / "x.png", makePng(2, 1, 1, {0, 200}));  // dark left, bright right
  DatasetLoad load = readImageFolder(dir.str(), {1, 6}, 1);
  ASSERT_TRUE(load.ok()) << load.error;
  torch::Tensor row = load.dataset->trainInputs.view({6}).to(torch::kInt64);
  EXPECT_LT(row[0].item<int64_t>(), 40);
  EXPECT_GT(row[5].item<int64_t>(), 160);
  EXPECT_GT(row[3].item<int64_t>(), row[2].item<int64_t>()) << row;
  EXPECT_GT(row[3].item<int64_t>(), 0);
  EXPECT_LT(row[3].item<int64_t>(), 200) << "in between: " << row;
}

TEST(ImageFolderReader, UsesTrainAndTestSubfoldersAsSplits) {
  TempDir dir("images-split");
  writeClassFolders(dir / "train");
  writeBytes(dir / "test" / "zebra" / "t.png", solidPng(5, 5, {1, 2, 3}));
  DatasetLoad load = readImageFolder(dir.str(), {4, 4}, 3);
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(d.classNames, (std::vector<std::string>{"ant", "zebra"}));
  EXPECT_EQ(d.trainInputs.size(0), 3);
  ASSERT_TRUE(d.testInputs.defined());
  EXPECT_EQ(d.testInputs.sizes(), (std::vector<int64_t>{1, 3, 4, 4}));
  EXPECT_TRUE(torch::equal(d.testTargets, torch::tensor({1}, torch::kInt64)));
  EXPECT_TRUE(contains(d.description, "3 train, 1 test, 2 classes")) << d.description;
}

TEST(ImageFolderReader, RejectsTestClassUnknownToTraining) {
  TempDir dir("images-split-bad");
  writeClassFolders(dir / "train");
  writeBytes(dir / "test" / "yak" / "t.png", solidPng(5, 5, {1, 2, 3}));
  expectError(readImageFolder(dir.str(), {4, 4}, 3), {"yak", "does not exist in the training images"});
}

TEST(ImageFolderReader, RejectsEmptyFolder) {
  TempDir dir("images-empty");
  expectError(readImageFolder(dir.str(), {4, 4}, 3), {dir.str(), "no class subfolders"});
}

TEST(ImageFolderReader, RejectsMissingFolder) {
  TempDir dir("images-missing");
  expectError(readImageFolder((dir / "gone").string(), {4, 4}, 3), {"gone", "folder not found"});
}

TEST(ImageFolderReader, RejectsClassFoldersWithoutImages) {
  TempDir dir("images-none");
  writeText(dir / "cats" / "readme.txt", "no pictures here");
  fs::create_directories(dir / "dogs");
  expectError(readImageFolder(dir.str(), {4, 4}, 3), {dir.str(), "no images"});
}

TEST(ImageFolderReader, RejectsAClassFolderWithoutImages) {
  TempDir dir("images-oneempty");
  writeClassFolders(dir.path());
  fs::create_directories(dir / "moth");
  expectError(readImageFolder(dir.str(), {4, 4}, 3), {"moth", "class folder has no images"});
}

TEST(ImageFolderReader, RejectsCorruptImageNamingIt) {
  TempDir dir("images-corrupt");
  writeClassFolders(dir.path());
  ByteVector broken = solidPng(4, 4, {1, 2, 3});
  broken.resize(30);
  writeBytes(dir / "zebra" / "broken.png", broken);
  expectError(readImageFolder(dir.str(), {4, 4}, 3), {"broken.png", "cannot decode image"});
}

TEST(ImageFolderReader, RejectsBadSizeOrChannels) {
  TempDir dir("images-geometry");
  writeClassFolders(dir.path());
  expectError(readImageFolder(dir.str(), {4, 4}, 2), {"channels must be 1 or 3, got 2"});
  expectError(readImageFolder(dir.str(), {4}, 3), {"image size must be [height, width]"});
  expectError(readImageFolder(dir.str(), {0, 4}, 3), {"image size must be [height, width]"});
}

}  // namespace
}  // namespace nc::test::readers::image_folder_reader_test

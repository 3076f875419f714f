#include <gtest/gtest.h>

#include "ReaderTestUtil.h"
#include "core/data/Dataset.h"

namespace nc::test::readers::text_reader_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

/// The characters a row of ids stands for.
std::string decode(const Dataset& d, const torch::Tensor& ids) {
  std::string text;
  for (int64_t i = 0; i < ids.numel(); ++i) text += d.classNames[size_t(ids[i].item<int64_t>())];
  return text;
}

TEST(TextReader, BuildsSortedVocabularyAndNonOverlappingWindows) {
  TempDir dir("text");
  writeText(dir / "story.txt", "hello world!");  // 12 characters
  DatasetLoad load = readTextFile((dir / "story.txt").string(), 4);
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(d.classNames, (std::vector<std::string>{" ", "!", "d", "e", "h", "l", "o", "r", "w"}));
  EXPECT_EQ(d.task, Task::NextToken);
  EXPECT_EQ(d.sampleShape, (TensorShape{{4}, DType::Int64, 9}));
  ASSERT_EQ(d.trainInputs.sizes(), (std::vector<int64_t>{2, 4})) << "(12 - 1) / 4 windows with stride 4";
  EXPECT_EQ(d.trainInputs.scalar_type(), torch::kInt64);
  EXPECT_EQ(d.trainTargets.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(decode(d, d.trainInputs[0]), "hell");
  EXPECT_EQ(decode(d, d.trainTargets[0]), "ello");
  EXPECT_EQ(decode(d, d.trainInputs[1]), "o wo");
  EXPECT_EQ(decode(d, d.trainTargets[1]), " wor");
  EXPECT_FALSE(d.testInputs.defined());
  EXPECT_FALSE(d.bytesToUnitRange());
  EXPECT_EQ(d.description, "story.txt (text): 2 train, no test split, vocabulary of 9 characters");
}

TEST(TextReader, AcceptsTextOfExactlyOneWindowPlusOne) {
  TempDir dir("text-exact");
  writeText(dir / "t.txt", "abcab");
  DatasetLoad load = readTextFile((dir / "t.txt").string(), 4);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->trainInputs.size(0), 1);
  EXPECT_EQ(decode(*load.dataset, load.dataset->trainTargets[0]), "bcab");
}

TEST(TextReader, RejectsTextShorterThanOneWindowPlusOne) {
  TempDir dir("text-short");
  writeText(dir / "t.txt", "abcd");
  expectError(readTextFile((dir / "t.txt").string(), 4), {"t.txt", "too short", "4 characters", "at least 5"});
}

TEST(TextReader, RejectsMissingFile) {
  TempDir dir("text-missing");
  expectError(readTextFile((dir / "absent.txt").string(), 4), {"absent.txt", "not found"});
}

TEST(TextReader, RejectsNonPositiveLength) {
  TempDir dir("text-length");
  writeText(dir / "t.txt", "abcdef");
  expectError(readTextFile((dir / "t.txt").string(), 0), {"sequence length must be positive"});
}

}  // namespace
}  // namespace nc::test::readers::text_reader_test

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "core/data/BatchLoader.h"

namespace nc::test {
namespace {

using namespace nc::core;

std::vector<int64_t> values(const torch::Tensor& t) {
  torch::Tensor c = t.contiguous().to(torch::kLong);
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

/// Sample i has input value i (float [N, 1]) and target i, so a target names its sample.
struct Numbered {
  torch::Tensor inputs, targets;
  explicit Numbered(int64_t n)
      : inputs(torch::arange(n, torch::kFloat).view({n, 1})), targets(torch::arange(n, torch::kLong)) {}
};

/// Every target a loader delivers, in order, plus the batch sizes.
struct Pass {
  std::vector<int64_t> targets, batchSizes;
};

Pass drain(BatchLoader& loader) {
  Pass p;
  while (auto batch = loader.next()) {
    std::vector<int64_t> t = values(batch->targets);
    p.targets.insert(p.targets.end(), t.begin(), t.end());
    p.batchSizes.push_back(batch->targets.size(0));
  }
  return p;
}

std::vector<int64_t> orderOf(int64_t n, const torch::Tensor& indices, bool shuffle, uint64_t seed) {
  Numbered data(n);
  BatchLoader loader(data.inputs, data.targets, indices, 7, shuffle, seed);
  return drain(loader).targets;
}

/// uint8 images [n, c, h, w] with values 1..255 (never 0, so zero padding is recognisable).
torch::Tensor randomImages(int64_t n, int64_t c, int64_t h, int64_t w, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randint(1, 256, {n, c, h, w}, torch::kLong).to(torch::kUInt8);
}

/// The single batch of all n images, in order, with the given augmentation.
torch::Tensor augmentedOnce(const torch::Tensor& images, Augmentation aug, uint64_t seed) {
  int64_t n = images.size(0);
  BatchLoader loader(images, torch::zeros({n}, torch::kLong), torch::arange(n), n, false, seed, aug);
  auto batch = loader.next();
  EXPECT_TRUE(batch.has_value());
  return batch ? batch->inputs : torch::Tensor();
}

TEST(BatchLoader, DeliversEveryIndexExactlyOncePerPass) {
  Numbered data(100);
  torch::Tensor indices = torch::arange(0, 100, 3, torch::kLong);
  BatchLoader loader(data.inputs, data.targets, indices, 8, /*shuffle=*/true, 11);
  std::vector<int64_t> seen = drain(loader).targets;
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, values(indices));
}

TEST(BatchLoader, CountsBatchesAndMakesTheLastOnePartial) {
  Numbered data(10);
  BatchLoader loader(data.inputs, data.targets, torch::arange(10), 4, false, 0);
  EXPECT_EQ(loader.batchCount(), 3);
  EXPECT_EQ(drain(loader).batchSizes, (std::vector<int64_t>{4, 4, 2}));
  EXPECT_FALSE(loader.next().has_value());  // stays finished
}

TEST(BatchLoader, ExactMultipleHasNoEmptyBatch) {
  Numbered data(12);
  BatchLoader loader(data.inputs, data.targets, torch::arange(12), 4, true, 3);
  EXPECT_EQ(loader.batchCount(), 3);
  EXPECT_EQ(drain(loader).batchSizes, (std::vector<int64_t>{4, 4, 4}));
}

TEST(BatchLoader, NoIndicesGiveNoBatches) {
  Numbered data(5);
  BatchLoader loader(data.inputs, data.targets, torch::empty({0}, torch::kLong), 4, true, 3);
  EXPECT_EQ(loader.batchCount(), 0);
  EXPECT_FALSE(loader.next().has_value());
}

TEST(BatchLoader, SameSeedGivesTheSameOrder) {
  torch::Tensor indices = torch::arange(50);
  EXPECT_EQ(orderOf(50, indices, true, 5), orderOf(50, indices, true, 5));
}

TEST(BatchLoader, ShuffleOrderDependsOnTheSeed) {
  torch::Tensor indices = torch::arange(50);
  std::vector<int64_t> a = orderOf(50, indices, true, 5), b = orderOf(50, indices, true, 6);
  EXPECT_NE(a, b);
  EXPECT_NE(a, values(indices));  // actually shuffled
}

TEST(BatchLoader, ShuffleDoesNotDependOnTheGlobalTorchGenerator) {
  torch::Tensor indices = torch::arange(50);
  torch::manual_seed(1);
  std::vector<int64_t> a = orderOf(50, indices, true, 5);
  torch::manual_seed(2);
  EXPECT_EQ(a, orderOf(50, indices, true, 5));
}

TEST(BatchLoader, WithoutShuffleKeepsTheGivenOrder) {
  torch::Tensor indices = torch::tensor(std::vector<int64_t>{9, 2, 7, 0, 5, 3, 8, 1, 19, 4, 11});
  EXPECT_EQ(orderOf(20, indices, false, 5), values(indices));
}

TEST(BatchLoader, InputsStayPairedWithTheirTargets) {
  Numbered data(40);
  BatchLoader loader(data.inputs, data.targets, torch::arange(40), 6, true, 8);
  while (auto batch = loader.next())
    EXPECT_TRUE(torch::equal(batch->inputs.view({-1}).to(torch::kLong), batch->targets));
}

TEST(BatchLoader, ConvertsBytesToFloatsInUnitRange) {
  torch::Tensor images = torch::tensor(std::vector<uint8_t>{0, 51, 255, 102}).view({4, 1, 1, 1});
  BatchLoader loader(images, torch::arange(4), torch::arange(4), 4, false, 0);
  auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->inputs.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::allclose(batch->inputs.view({-1}), torch::tensor({0.0f, 0.2f, 1.0f, 0.4f})));
}

TEST(BatchLoader, TokenInputsStayInt64) {
  torch::Tensor tokens = torch::arange(30, torch::kLong).view({10, 3});
  BatchLoader loader(tokens, tokens, torch::arange(10), 10, false, 0, Augmentation{2, true});
  auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->inputs.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(batch->inputs, tokens));
  EXPECT_TRUE(torch::equal(batch->targets, tokens));
}

TEST(BatchLoader, AugmentationKeepsTheShapeAndChangesPixels) {
  torch::Tensor images = randomImages(16, 3, 8, 8, 1);
  torch::Tensor plain = augmentedOnce(images, {}, 4);
  torch::Tensor augmented = augmentedOnce(images, Augmentation{2, true}, 4);
  EXPECT_EQ(augmented.sizes(), plain.sizes());
  EXPECT_EQ(augmented.scalar_type(), torch::kFloat);
  EXPECT_FALSE(torch::equal(augmented, plain));
  EXPECT_GE(augmented.min().item<float>(), 0.0f);
  EXPECT_LE(augmented.max().item<float>(), 1.0f);
}

TEST(BatchLoader, AugmentationIsRepeatableWithTheSameSeed) {
  torch::Tensor images = randomImages(16, 1, 6, 6, 2);
  Augmentation aug{3, true};
  EXPECT_TRUE(torch::equal(augmentedOnce(images, aug, 9), augmentedOnce(images, aug, 9)));
  EXPECT_FALSE(torch::equal(augmentedOnce(images, aug, 9), augmentedOnce(images, aug, 10)));
}

/// Whether `out` is `in` zero-padded by p and cropped at some offset.
bool isPaddedCrop(const torch::Tensor& in, const torch::Tensor& out, int64_t p, bool& shifted) {
  const int64_t h = in.size(1), w = in.size(2);
  torch::Tensor padded = torch::constant_pad_nd(in, {p, p, p, p}, 0.0);
  for (int64_t dy = 0; dy <= 2 * p; ++dy)
    for (int64_t dx = 0; dx <= 2 * p; ++dx)
      if (torch::equal(padded.slice(1, dy, dy + h).slice(2, dx, dx + w), out)) {
        shifted = shifted || dy != p || dx != p;
        return true;
      }
  return false;
}

TEST(BatchLoader, CropMovesEachImageWithinItsZeroPadding) {
  torch::Tensor images = randomImages(32, 2, 5, 6, 3);
  torch::Tensor plain = augmentedOnce(images, {}, 1);
  torch::Tensor cropped = augmentedOnce(images, Augmentation{2, false}, 1);
  bool shifted = false;
  for (int64_t i = 0; i < 32; ++i) EXPECT_TRUE(isPaddedCrop(plain[i], cropped[i], 2, shifted)) << "sample " << i;
  EXPECT_TRUE(shifted);
}

TEST(BatchLoader, FlipMirrorsSomeImagesAndLeavesTheOthers) {
  torch::Tensor images = randomImages(64, 3, 4, 5, 4);
  torch::Tensor plain = augmentedOnce(images, {}, 1);
  torch::Tensor flipped = augmentedOnce(images, Augmentation{0, true}, 1);
  int64_t mirrored = 0, kept = 0;
  for (int64_t i = 0; i < 64; ++i) {
    if (torch::equal(flipped[i], plain[i])) ++kept;
    else if (torch::equal(flipped[i], plain[i].flip({2}))) ++mirrored;
  }
  EXPECT_EQ(mirrored + kept, 64);
  EXPECT_GT(mirrored, 0);
  EXPECT_GT(kept, 0);
}

TEST(BatchLoader, AugmentationLeavesFeatureVectorsAlone) {
  Numbered data(20);
  BatchLoader loader(data.inputs, data.targets, torch::arange(20), 20, false, 0, Augmentation{4, true});
  auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_TRUE(torch::equal(batch->inputs, data.inputs));
}

TEST(BatchLoader, DestroyingAfterOneOfManyBatchesReturns) {
  Numbered data(1000);
  {
    BatchLoader loader(data.inputs, data.targets, torch::arange(1000), 10, true, 1, {}, /*prefetch=*/2);
    ASSERT_EQ(loader.batchCount(), 100);
    ASSERT_TRUE(loader.next().has_value());
  }  // the worker is blocked on a full queue here; the destructor must wake and join it
  SUCCEED();
}

TEST(BatchLoader, DestroyingBeforeTakingAnyBatchReturns) {
  Numbered data(1000);
  { BatchLoader loader(data.inputs, data.targets, torch::arange(1000), 1, true, 1, {}, 1); }
  SUCCEED();
}

TEST(BatchLoader, SlowConsumerStillGetsEveryBatchInOrder) {
  Numbered data(60);
  BatchLoader loader(data.inputs, data.targets, torch::arange(60), 4, false, 0, {}, /*prefetch=*/2);
  std::vector<int64_t> seen;
  while (auto batch = loader.next()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));  // lets the worker fill its queue
    std::vector<int64_t> t = values(batch->targets);
    seen.insert(seen.end(), t.begin(), t.end());
  }
  EXPECT_EQ(seen, values(torch::arange(60)));
}

TEST(BatchLoader, WorkerErrorsAreRethrownByNextAfterTheGoodBatches) {
  Numbered data(10);
  torch::Tensor indices = torch::tensor(std::vector<int64_t>{0, 1, 2, 3, 99});  // 99 is out of range
  BatchLoader loader(data.inputs, data.targets, indices, 2, false, 0);
  EXPECT_TRUE(loader.next().has_value());
  EXPECT_TRUE(loader.next().has_value());
  EXPECT_THROW(loader.next(), std::exception);
  EXPECT_THROW(loader.next(), std::exception);
}

TEST(BatchLoader, BatchesCarryNoAutogradHistory) {
  torch::Tensor inputs = torch::randn({8, 3}, torch::requires_grad());
  BatchLoader loader(inputs, torch::arange(8), torch::arange(8), 4, false, 0);
  auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_FALSE(batch->inputs.requires_grad());
}

}  // namespace
}  // namespace nc::test

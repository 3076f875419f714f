#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <vector>

#include "core/data/Dataset.h"

namespace nc::test::split_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;

std::vector<int64_t> values(const torch::Tensor& t) {
  torch::Tensor c = t.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

TEST(Split, SizesFollowTheFraction) {
  SplitIndices s = splitTrainValidation(1000, 0.1, 42);
  EXPECT_EQ(s.validation.numel(), 100);
  EXPECT_EQ(s.train.numel(), 900);
  SplitIndices r = splitTrainValidation(10, 0.25, 42);  // 2.5 rounds to 3
  EXPECT_EQ(r.validation.numel(), 3);
  EXPECT_EQ(r.train.numel(), 7);
}

TEST(Split, IndicesAreInt64Vectors) {
  SplitIndices s = splitTrainValidation(50, 0.2, 1);
  EXPECT_EQ(s.train.scalar_type(), torch::kLong);
  EXPECT_EQ(s.validation.scalar_type(), torch::kLong);
  EXPECT_EQ(s.train.dim(), 1);
  EXPECT_EQ(s.validation.dim(), 1);
}

TEST(Split, ZeroFractionGivesAnEmptyValidationSet) {
  SplitIndices s = splitTrainValidation(100, 0.0, 42);
  ASSERT_TRUE(s.validation.defined());
  EXPECT_EQ(s.validation.numel(), 0);
  EXPECT_EQ(s.validation.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(s.train, torch::arange(100, torch::kLong)));
}

TEST(Split, TrainAndValidationAreDisjointAndCoverEverySample) {
  const int64_t n = 997;
  SplitIndices s = splitTrainValidation(n, 0.3, 5);
  std::vector<int64_t> all = values(s.train), val = values(s.validation);
  all.insert(all.end(), val.begin(), val.end());
  std::set<int64_t> unique(all.begin(), all.end());
  EXPECT_EQ(all.size(), size_t(n));
  EXPECT_EQ(unique.size(), size_t(n));
  EXPECT_EQ(*unique.begin(), 0);
  EXPECT_EQ(*unique.rbegin(), n - 1);
}

TEST(Split, SameSeedGivesTheSameSplit) {
  SplitIndices a = splitTrainValidation(500, 0.2, 123), b = splitTrainValidation(500, 0.2, 123);
  EXPECT_TRUE(torch::equal(a.train, b.train));
  EXPECT_TRUE(torch::equal(a.validation, b.validation));
}

TEST(Split, AnotherSeedGivesAnotherSplit) {
  SplitIndices a = splitTrainValidation(500, 0.2, 123), b = splitTrainValidation(500, 0.2, 124);
  EXPECT_FALSE(torch::equal(a.validation, b.validation));
}

TEST(Split, DoesNotDependOnTheGlobalTorchGenerator) {
  torch::manual_seed(1);
  SplitIndices a = splitTrainValidation(300, 0.2, 7);
  torch::manual_seed(2);
  torch::rand({10});
  SplitIndices b = splitTrainValidation(300, 0.2, 7);
  EXPECT_TRUE(torch::equal(a.validation, b.validation));
}

TEST(Split, ValidationIsARandomSampleNotTheTail) {
  SplitIndices s = splitTrainValidation(1000, 0.1, 42);
  EXPECT_FALSE(torch::equal(s.validation, torch::arange(900, 1000, torch::kLong)));
  EXPECT_LT(s.validation.min().item<int64_t>(), 500);  // ~ 1 - 2^-100 for a uniform sample
}

TEST(Split, BothPartsAreSortedAscending) {
  SplitIndices s = splitTrainValidation(400, 0.25, 9);
  EXPECT_TRUE(torch::equal(s.train, std::get<0>(s.train.sort())));
  EXPECT_TRUE(torch::equal(s.validation, std::get<0>(s.validation.sort())));
}

TEST(Split, NoSamplesGiveEmptyParts) {
  SplitIndices s = splitTrainValidation(0, 0.1, 42);
  EXPECT_EQ(s.train.numel(), 0);
  EXPECT_EQ(s.validation.numel(), 0);
}

Dataset datasetWith(torch::Tensor inputs) {
  Dataset d;
  d.trainInputs = std::move(inputs);
  d.trainTargets = torch::zeros({d.trainInputs.size(0)}, torch::kLong);
  return d;
}

TEST(Normalization, ImagesGivePerChannelStatisticsOfTheTrainingSamplesInUnitRange) {
  torch::manual_seed(3);
  torch::Tensor images = torch::randint(0, 256, {60, 3, 5, 4}, torch::kLong).to(torch::kUInt8);
  images.slice(0, 40).fill_(255);  // samples outside the training indices must not count
  torch::Tensor train = torch::arange(0, 40, torch::kLong);
  Normalization n = computeNormalization(datasetWith(images), train);
  torch::Tensor x = images.index_select(0, train).to(torch::kDouble) / 255.0;
  torch::Tensor mean = x.mean({0, 2, 3}).view({3, 1, 1});
  torch::Tensor std = x.std({0, 2, 3}, /*unbiased=*/false).view({3, 1, 1});
  ASSERT_EQ(n.mean.sizes(), torch::IntArrayRef({3, 1, 1}));
  ASSERT_EQ(n.std.sizes(), torch::IntArrayRef({3, 1, 1}));
  EXPECT_EQ(n.mean.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::allclose(n.mean.to(torch::kDouble), mean, 1e-5, 1e-6)) << n.mean << mean;
  EXPECT_TRUE(torch::allclose(n.std.to(torch::kDouble), std, 1e-5, 1e-6)) << n.std << std;
}

TEST(Normalization, ManyImagesAreSummedInChunksWithTheSameResult) {
  torch::manual_seed(4);
  torch::Tensor images = torch::randint(0, 256, {10000, 1, 3, 3}, torch::kLong).to(torch::kUInt8);
  torch::Tensor train = torch::arange(1, 10000, 2, torch::kLong);  // 5000 samples: more than one chunk
  Normalization n = computeNormalization(datasetWith(images), train);
  torch::Tensor x = images.index_select(0, train).to(torch::kDouble) / 255.0;
  EXPECT_NEAR(n.mean.item<double>(), x.mean().item<double>(), 1e-6);
  EXPECT_NEAR(n.std.item<double>(), x.std(/*unbiased=*/false).item<double>(), 1e-6);
}

TEST(Normalization, FeaturesGivePerFeatureStatistics) {
  torch::manual_seed(5);
  torch::Tensor features = torch::randn({50, 4}) * torch::tensor({1.0f, 10.0f, 0.1f, 3.0f}) +
                           torch::tensor({0.0f, -5.0f, 1000.0f, 2.0f});
  torch::Tensor train = torch::arange(0, 50, 3, torch::kLong);
  Normalization n = computeNormalization(datasetWith(features), train);
  torch::Tensor x = features.index_select(0, train).to(torch::kDouble);
  ASSERT_EQ(n.mean.sizes(), torch::IntArrayRef({4}));
  ASSERT_EQ(n.std.sizes(), torch::IntArrayRef({4}));
  EXPECT_TRUE(torch::allclose(n.mean.to(torch::kDouble), x.mean(0), 1e-5, 1e-6)) << n.mean;
  EXPECT_TRUE(torch::allclose(n.std.to(torch::kDouble), x.std(0, /*unbiased=*/false), 1e-4, 1e-6)) << n.std;
}

TEST(Normalization, ConstantFeaturesGetAStdFloorInsteadOfZero) {
  torch::Tensor features = torch::stack({torch::full({20}, 7.0f), torch::arange(20, torch::kFloat)}, 1);
  Normalization n = computeNormalization(datasetWith(features), torch::arange(20, torch::kLong));
  EXPECT_FLOAT_EQ(n.mean[0].item<float>(), 7.0f);
  EXPECT_FLOAT_EQ(n.std[0].item<float>(), 1e-6f);
  EXPECT_GT(n.std[1].item<float>(), 1.0f);
}

TEST(Normalization, TokenDataHasNone) {
  Normalization n = computeNormalization(datasetWith(torch::zeros({10, 8}, torch::kLong)), torch::arange(10));
  EXPECT_FALSE(n.mean.defined());
  EXPECT_FALSE(n.std.defined());
}

}  // namespace
}  // namespace nc::test::split_test

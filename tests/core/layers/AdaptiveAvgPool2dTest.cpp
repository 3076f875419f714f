#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class AdaptiveAvgPool2dLayer : public SeededTest {};

TEST_F(AdaptiveAvgPool2dLayer, DefaultIsGlobalAveragePooling) {
  auto r = inferLayer("AdaptiveAvgPool2d", {}, {shape({64, 7, 9})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{64, 1, 1}));

  auto m = expectBuildMatchesInference("AdaptiveAvgPool2d", {}, {shape({5, 7, 9})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->parameters().empty());
  torch::Tensor x = torch::randn({3, 5, 7, 9});
  EXPECT_TRUE(torch::allclose(m->forward({x}), x.mean({2, 3}, /*keepdim=*/true), 1e-5, 1e-6));
}

TEST_F(AdaptiveAvgPool2dLayer, SingleValueMeansSquareOutput) {
  auto r = inferLayer("AdaptiveAvgPool2d", {{"output_size", std::vector<int64_t>{7}}}, {shape({8, 30, 20})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 7, 7}));
  r = inferLayer("AdaptiveAvgPool2d", {{"output_size", std::vector<int64_t>{3, 5}}}, {shape({8, 30, 20})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 3, 5}));
  expectBuildMatchesInference("AdaptiveAvgPool2d", {{"output_size", std::vector<int64_t>{4}}}, {shape({2, 10, 6})});
}

TEST_F(AdaptiveAvgPool2dLayer, MatchesFunctionalAdaptivePoolOnUnevenSizes) {
  ParamMap p{{"output_size", std::vector<int64_t>{3, 5}}};
  auto m = expectBuildMatchesInference("AdaptiveAvgPool2d", p, {shape({4, 13, 11})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 4, 13, 11});
  EXPECT_TRUE(torch::allclose(m->forward({x}), torch::adaptive_avg_pool2d(x, {3, 5}), 1e-5, 1e-6));
}

TEST_F(AdaptiveAvgPool2dLayer, RejectsWrongRankTokensAndBadOutputSize) {
  expectInferError("AdaptiveAvgPool2d", {}, {shape({8, 100})},
                   "AdaptiveAvgPool2d expects a 4-D input [batch, channels, height, width] but receives [B, 8, 100]");
  expectInferError("AdaptiveAvgPool2d", {}, {tokens(16, 100)}, "Embedding");
  EXPECT_THROW(layerParams("AdaptiveAvgPool2d", {{"output_size", std::vector<int64_t>{1, 2, 3}}}), std::invalid_argument);
  EXPECT_THROW(layerParams("AdaptiveAvgPool2d", {{"output_size", std::vector<int64_t>{}}}), std::invalid_argument);
  EXPECT_THROW(layerParams("AdaptiveAvgPool2d", {{"output_size", std::vector<int64_t>{0, 2}}}), std::invalid_argument);
}

}  // namespace
}  // namespace nc::test

#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class AvgPool2dLayer : public SeededTest {};

TEST_F(AvgPool2dLayer, DefaultStrideEqualsKernel) {
  auto r = inferLayer("AvgPool2d", {}, {shape({16, 32, 30})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{16, 16, 15}));
  r = inferLayer("AvgPool2d", {{"kernel_size", int64_t{4}}}, {shape({16, 32, 30})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{16, 8, 7}));

  auto m = expectBuildMatchesInference("AvgPool2d", {{"kernel_size", int64_t{3}}}, {shape({2, 9, 12})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 2, 9, 12});
  EXPECT_TRUE(torch::allclose(m->forward({x}), torch::avg_pool2d(x, {3, 3}, {3, 3}), 1e-5, 1e-6));
}

TEST_F(AvgPool2dLayer, ExplicitStrideAndPaddingSetOutputSize) {
  auto r = inferLayer("AvgPool2d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{1}}, {"padding", int64_t{1}}},
                      {shape({8, 7, 5})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 7, 5}));
  r = inferLayer("AvgPool2d", {{"kernel_size", int64_t{2}}, {"stride", int64_t{3}}}, {shape({8, 11, 12})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 4, 4}));
}

TEST_F(AvgPool2dLayer, RejectsPaddingLargerThanHalfKernelWrongRankAndTokens) {
  expectInferError("AvgPool2d", {{"kernel_size", int64_t{3}}, {"padding", int64_t{2}}}, {shape({3, 8, 8})},
                   "AvgPool2d padding 2 is too large for kernel_size 3");
  expectInferError("AvgPool2d", {}, {shape({64})},
                   "AvgPool2d expects a 4-D input [batch, channels, height, width] but receives [B, 64]");
  expectInferError("AvgPool2d", {}, {tokens(16, 100)}, "Embedding");
  expectInferError("AvgPool2d", {{"kernel_size", int64_t{4}}}, {shape({3, 3, 8})}, "does not fit");
}

TEST_F(AvgPool2dLayer, PaddedZerosCountInTheAverage) {
  auto m = expectBuildMatchesInference("AvgPool2d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{1}}, {"padding", int64_t{1}}},
                                       {shape({1, 4, 4})});
  ASSERT_TRUE(m);
  torch::Tensor y = m->forward({torch::ones({1, 1, 4, 4})});
  EXPECT_NEAR(y[0][0][0][0].item<float>(), 4.0f / 9.0f, 1e-6);  // corner window: 4 real pixels of 9
  EXPECT_NEAR(y[0][0][1][1].item<float>(), 1.0f, 1e-6);
}

TEST_F(AvgPool2dLayer, MatchesFunctionalAvgPoolWithPadding) {
  ParamMap p{{"kernel_size", int64_t{3}}, {"stride", int64_t{2}}, {"padding", int64_t{1}}};
  auto m = expectBuildMatchesInference("AvgPool2d", p, {shape({3, 9, 10})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->parameters().empty());
  torch::Tensor x = torch::randn({3, 3, 9, 10});
  EXPECT_TRUE(torch::allclose(m->forward({x}), torch::avg_pool2d(x, {3, 3}, {2, 2}, {1, 1}), 1e-5, 1e-6));
}

}  // namespace
}  // namespace nc::test

#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class Conv2dLayer : public SeededTest {};

TEST_F(Conv2dLayer, InfersOutputSizeFromKernelStridePadding) {
  auto r = inferLayer("Conv2d", {{"out_channels", int64_t{8}}, {"kernel_size", int64_t{5}}, {"padding", int64_t{0}}},
                      {shape({3, 28, 28})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 24, 24}));
  r = inferLayer("Conv2d", {{"kernel_size", int64_t{4}}, {"stride", int64_t{4}}, {"padding", int64_t{0}}},
                 {shape({1, 28, 28})});
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{32, 7, 7}));
}

TEST_F(Conv2dLayer, RejectsWrongRankTokensAndOversizedKernel) {
  expectInferError("Conv2d", {}, {shape({28, 28})}, "expects a 4-D input [batch, channels, height, width]");
  expectInferError("Conv2d", {}, {shape({16}, core::DType::Int64)}, "Embedding");
  expectInferError("Conv2d", {{"kernel_size", int64_t{9}}, {"padding", int64_t{0}}}, {shape({1, 5, 5})}, "does not fit");
  expectInferError("Conv2d", {{"groups", int64_t{2}}}, {shape({3, 8, 8})}, "groups");
}

TEST_F(Conv2dLayer, MatchesFunctionalConvWithSameWeights) {
  ParamMap p{{"out_channels", int64_t{4}}, {"kernel_size", int64_t{3}}, {"stride", int64_t{2}}, {"padding", int64_t{1}}};
  auto m = expectBuildMatchesInference("Conv2d", p, {shape({2, 9, 9})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 2, 9, 9});
  torch::Tensor expected = torch::conv2d(x, param(m, "m.weight"), param(m, "m.bias"), 2, 1);
  EXPECT_TRUE(torch::allclose(m->forward({x}), expected, 1e-5, 1e-6));
}

}  // namespace
}  // namespace nc::test

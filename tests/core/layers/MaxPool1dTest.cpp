#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class MaxPool1dLayer : public SeededTest {};

TEST_F(MaxPool1dLayer, DefaultStrideEqualsKernel) {
  auto r = inferLayer("MaxPool1d", {}, {shape({16, 100})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{16, 50}));
  r = inferLayer("MaxPool1d", {{"kernel_size", int64_t{3}}}, {shape({16, 100})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{16, 33}));

  auto m = expectBuildMatchesInference("MaxPool1d", {{"kernel_size", int64_t{3}}}, {shape({2, 20})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 2, 20});
  EXPECT_TRUE(torch::equal(m->forward({x}), torch::max_pool1d(x, {3}, {3})));
}

TEST_F(MaxPool1dLayer, ExplicitStrideAndPaddingSetOutputLength) {
  auto r = inferLayer("MaxPool1d", {{"kernel_size", int64_t{4}}, {"stride", int64_t{1}}, {"padding", int64_t{2}}},
                      {shape({8, 10})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 11}));
  r = inferLayer("MaxPool1d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{2}}, {"padding", int64_t{1}}},
                 {shape({8, 10})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 5}));
}

TEST_F(MaxPool1dLayer, RejectsPaddingLargerThanHalfKernel) {
  expectInferError("MaxPool1d", {{"kernel_size", int64_t{3}}, {"padding", int64_t{2}}}, {shape({3, 20})},
                   "MaxPool1d padding 2 is too large for kernel_size 3");
  EXPECT_TRUE(inferLayer("MaxPool1d", {{"kernel_size", int64_t{4}}, {"padding", int64_t{2}}}, {shape({3, 20})}).ok());
}

TEST_F(MaxPool1dLayer, RejectsWrongRankTokensAndOversizedKernel) {
  expectInferError("MaxPool1d", {}, {shape({3, 28, 28})},
                   "MaxPool1d expects a 3-D input [batch, channels, length] but receives [B, 3, 28, 28]");
  expectInferError("MaxPool1d", {}, {shape({3, 28, 28})}, "MaxPool2d");
  expectInferError("MaxPool1d", {}, {shape({64})}, "Reshape");
  expectInferError("MaxPool1d", {}, {tokens(16, 100)}, "Embedding");
  expectInferError("MaxPool1d", {{"kernel_size", int64_t{8}}}, {shape({3, 5})}, "does not fit");
}

TEST_F(MaxPool1dLayer, MatchesFunctionalMaxPoolWithPadding) {
  ParamMap p{{"kernel_size", int64_t{5}}, {"stride", int64_t{2}}, {"padding", int64_t{2}}};
  auto m = expectBuildMatchesInference("MaxPool1d", p, {shape({4, 23})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->parameters().empty());
  torch::Tensor x = torch::randn({3, 4, 23}) - 1.0;  // mostly negative: padding must not act as zeros
  EXPECT_TRUE(torch::equal(m->forward({x}), torch::max_pool1d(x, {5}, {2}, {2})));
}

}  // namespace
}  // namespace nc::test

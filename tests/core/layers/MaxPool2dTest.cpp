#include "../LayerTestUtil.h"

namespace nc::test::max_pool2d_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using core::ParamMap;

class MaxPool2dLayer : public SeededTest {};

int64_t flopsOf(const std::string& type, const ParamMap& overrides, const std::vector<core::TensorShape>& inputs) {
  ParamMap map = layerParams(type, overrides);
  core::Params p(map);
  core::LayerContext ctx{p, inputs};
  const core::LayerType* t = core::LayerRegistry::instance().find(type);
  core::ShapeResult r = t->infer(ctx);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.output ? t->flops(ctx, *r.output) : -1;
}

TEST_F(MaxPool2dLayer, DefaultStrideEqualsKernel) {
  auto r = inferLayer("MaxPool2d", {}, {shape({16, 28, 28})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{16, 14, 14}));
  r = inferLayer("MaxPool2d", {{"kernel_size", int64_t{3}}}, {shape({16, 28, 20})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{16, 9, 6}));

  auto m = expectBuildMatchesInference("MaxPool2d", {{"kernel_size", int64_t{3}}}, {shape({2, 9, 9})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 2, 9, 9});
  EXPECT_TRUE(torch::equal(m->forward({x}), torch::max_pool2d(x, {3, 3}, {3, 3})));
}

TEST_F(MaxPool2dLayer, ExplicitStrideAndPaddingSetOutputSize) {
  auto r = inferLayer("MaxPool2d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{2}}, {"padding", int64_t{1}}},
                      {shape({8, 28, 15})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 14, 8}));
  r = inferLayer("MaxPool2d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{1}}, {"padding", int64_t{1}}},
                 {shape({8, 7, 5})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 7, 5}));
}

TEST_F(MaxPool2dLayer, RejectsPaddingLargerThanHalfKernel) {
  expectInferError("MaxPool2d", {{"kernel_size", int64_t{2}}, {"padding", int64_t{2}}}, {shape({3, 8, 8})},
                   "MaxPool2d padding 2 is too large for kernel_size 2");
  expectInferError("MaxPool2d", {{"kernel_size", int64_t{3}}, {"padding", int64_t{2}}}, {shape({3, 8, 8})},
                   "at most half the kernel size (1)");
  EXPECT_TRUE(inferLayer("MaxPool2d", {{"kernel_size", int64_t{2}}, {"padding", int64_t{1}}}, {shape({3, 8, 8})}).ok());
}

TEST_F(MaxPool2dLayer, RejectsWrongRankTokensAndOversizedKernel) {
  expectInferError("MaxPool2d", {}, {shape({64})},
                   "MaxPool2d expects a 4-D input [batch, channels, height, width] but receives [B, 64]");
  expectInferError("MaxPool2d", {}, {shape({8, 100})}, "MaxPool1d");
  expectInferError("MaxPool2d", {}, {tokens(16, 100)}, "Embedding");
  expectInferError("MaxPool2d", {{"kernel_size", int64_t{5}}}, {shape({3, 3, 8})}, "does not fit the input [B, 3, 3, 8]");
}

TEST_F(MaxPool2dLayer, MatchesFunctionalMaxPoolWithPadding) {
  ParamMap p{{"kernel_size", int64_t{3}}, {"stride", int64_t{2}}, {"padding", int64_t{1}}};
  auto m = expectBuildMatchesInference("MaxPool2d", p, {shape({3, 9, 10})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 3, 9, 10}) - 1.0;  // mostly negative: padding must not act as zeros
  EXPECT_TRUE(torch::equal(m->forward({x}), torch::max_pool2d(x, {3, 3}, {2, 2}, {1, 1})));
}

TEST_F(MaxPool2dLayer, HasNoParametersAndCountsWindowFlops) {
  auto m = expectBuildMatchesInference("MaxPool2d", {}, {shape({4, 8, 8})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->parameters().empty());
  EXPECT_EQ(flopsOf("MaxPool2d", {}, {shape({16, 28, 28})}), 16 * 14 * 14 * 4);
}

}  // namespace
}  // namespace nc::test::max_pool2d_test

#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class Conv1dLayer : public SeededTest {};

int64_t flopsOf(const std::string& type, const ParamMap& overrides, const std::vector<core::TensorShape>& inputs) {
  ParamMap map = layerParams(type, overrides);
  core::Params p(map);
  core::LayerContext ctx{p, inputs};
  const core::LayerType* t = core::LayerRegistry::instance().find(type);
  core::ShapeResult r = t->infer(ctx);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.output ? t->flops(ctx, *r.output) : -1;
}

TEST_F(Conv1dLayer, InfersLengthFromKernelStridePaddingDilation) {
  auto r = inferLayer("Conv1d", {{"out_channels", int64_t{8}}, {"kernel_size", int64_t{5}}, {"padding", int64_t{0}}},
                      {shape({3, 100})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{8, 96}));
  r = inferLayer("Conv1d", {{"stride", int64_t{2}}}, {shape({3, 100})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{32, 50}));
  r = inferLayer("Conv1d", {{"dilation", int64_t{3}}, {"padding", int64_t{0}}}, {shape({3, 100})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{32, 94}));
}

TEST_F(Conv1dLayer, RejectsWrongRankTokensOversizedKernelAndBadGroups) {
  expectInferError("Conv1d", {}, {shape({3, 28, 28})}, "expects a 3-D input [batch, channels, length]");
  expectInferError("Conv1d", {}, {shape({3, 28, 28})}, "Conv2d");
  expectInferError("Conv1d", {}, {shape({64})}, "but receives [B, 64]");
  expectInferError("Conv1d", {}, {tokens(16, 100)}, "Embedding");
  expectInferError("Conv1d", {{"kernel_size", int64_t{9}}, {"padding", int64_t{0}}}, {shape({1, 5})}, "does not fit");
  expectInferError("Conv1d", {{"kernel_size", int64_t{3}}, {"dilation", int64_t{4}}, {"padding", int64_t{0}}},
                   {shape({1, 8})}, "does not fit");
  expectInferError("Conv1d", {{"groups", int64_t{2}}}, {shape({3, 20})}, "groups");
}

TEST_F(Conv1dLayer, MatchesFunctionalConvWithSameWeights) {
  ParamMap p{{"out_channels", int64_t{6}}, {"kernel_size", int64_t{3}}, {"stride", int64_t{2}},
             {"padding", int64_t{1}},      {"dilation", int64_t{2}},    {"groups", int64_t{2}}};
  auto m = expectBuildMatchesInference("Conv1d", p, {shape({4, 17})});
  ASSERT_TRUE(m);
  EXPECT_EQ(param(m, "m.weight").sizes().vec(), (std::vector<int64_t>{6, 2, 3}));
  torch::Tensor x = torch::randn({3, 4, 17});
  torch::Tensor expected = torch::conv1d(x, param(m, "m.weight"), param(m, "m.bias"), 2, 1, 2, 2);
  EXPECT_TRUE(torch::allclose(m->forward({x}), expected, 1e-5, 1e-6));
}

TEST_F(Conv1dLayer, WithoutBiasLearnsOnlyFilters) {
  auto m = expectBuildMatchesInference("Conv1d", {{"out_channels", int64_t{5}}, {"bias", false}}, {shape({2, 12})});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->parameters().size(), 1u);
  EXPECT_THROW(param(m, "m.bias"), std::invalid_argument);
  torch::Tensor x = torch::randn({2, 2, 12});
  EXPECT_TRUE(torch::allclose(m->forward({x}), torch::conv1d(x, param(m, "m.weight"), {}, 1, 1), 1e-5, 1e-6));
}

TEST_F(Conv1dLayer, FlopsCountMultiplyAddsPerOutput) {
  // 8 outputs x 40 positions, each 3 channels x 5 taps multiply-adds.
  EXPECT_EQ(flopsOf("Conv1d", {{"out_channels", int64_t{8}}, {"kernel_size", int64_t{5}}, {"padding", int64_t{2}}},
                    {shape({3, 40})}),
            2 * 8 * 40 * 3 * 5);
}

}  // namespace
}  // namespace nc::test

#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class LayerNormLayer : public SeededTest {};

TEST_F(LayerNormLayer, KeepsInputShapeOfAnyRank) {
  for (const auto& dims : std::vector<std::vector<int64_t>>{{10}, {5, 16}, {3, 4, 5}}) {
    auto r = inferLayer("LayerNorm", {}, {shape(dims)});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.output->dims, dims);
    expectBuildMatchesInference("LayerNorm", {}, {shape(dims)});
  }
}

TEST_F(LayerNormLayer, RejectsTokensAndSamplesWithoutFeatures) {
  expectInferError("LayerNorm", {}, {tokens(16, 100)}, "LayerNorm needs float features");
  expectInferError("LayerNorm", {}, {shape({})}, "LayerNorm expects an input with features [batch, ..., features] but receives [B]");
}

TEST_F(LayerNormLayer, NormalizesOverLastDimensionOnly) {
  auto m = expectBuildMatchesInference("LayerNorm", {{"eps", 0.1}}, {shape({4, 6})});
  ASSERT_TRUE(m);
  EXPECT_EQ(param(m, "m.weight").sizes().vec(), (std::vector<int64_t>{6}));  // normalized_shape = last dim
  {
    torch::NoGradGuard guard;
    param(m, "m.weight").uniform_(0.5, 2.0);
    param(m, "m.bias").normal_();
  }
  torch::Tensor x = torch::randn({3, 4, 6}) * 2 + 1;
  torch::NoGradGuard guard;
  torch::Tensor expected = torch::layer_norm(x, {6}, param(m, "m.weight"), param(m, "m.bias"), 0.1);
  EXPECT_TRUE(torch::allclose(m->forward({x}), expected, 1e-5, 1e-5));
}

TEST_F(LayerNormLayer, WithoutAffineGivesZeroMeanRowsAndNoParameters) {
  auto m = expectBuildMatchesInference("LayerNorm", {{"elementwise_affine", false}}, {shape({7, 8})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->parameters().empty());
  torch::Tensor x = torch::randn({2, 7, 8}) * 5 + 3;
  torch::NoGradGuard guard;
  torch::Tensor y = m->forward({x});
  EXPECT_TRUE(torch::allclose(y, torch::layer_norm(x, {8}), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(y.mean(-1), torch::zeros({2, 7}), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(y.var(-1, /*unbiased=*/false), torch::ones({2, 7}), 1e-3, 1e-3));
}

}  // namespace
}  // namespace nc::test

#include "../LayerTestUtil.h"

namespace nc::test::batch_norm2d_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using core::ParamMap;

class BatchNorm2dLayer : public SeededTest {};

torch::Tensor buffer(const std::shared_ptr<core::NodeModule>& m, const std::string& name) {
  for (const auto& item : m->named_buffers())
    if (item.key() == name) return item.value();
  throw std::invalid_argument("no buffer " + name);
}

/// Random scale and shift so that a mix-up of weight and bias shows in the output.
void randomizeAffine(const std::shared_ptr<core::NodeModule>& m) {
  torch::NoGradGuard guard;
  param(m, "m.weight").uniform_(0.5, 2.0);
  param(m, "m.bias").normal_();
}

TEST_F(BatchNorm2dLayer, KeepsImageShapeAndLearnsOneScalePerChannel) {
  auto r = inferLayer("BatchNorm2d", {}, {shape({32, 14, 12})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{32, 14, 12}));
  auto m = expectBuildMatchesInference("BatchNorm2d", {}, {shape({8, 5, 6})});
  ASSERT_TRUE(m);
  EXPECT_EQ(param(m, "m.weight").sizes().vec(), (std::vector<int64_t>{8}));
  EXPECT_EQ(param(m, "m.bias").sizes().vec(), (std::vector<int64_t>{8}));
}

TEST_F(BatchNorm2dLayer, RejectsSequencesFeaturesAndTokens) {
  expectInferError("BatchNorm2d", {}, {shape({16, 50})},
                   "BatchNorm2d expects a 4-D input [batch, channels, height, width] but receives [B, 16, 50]");
  expectInferError("BatchNorm2d", {}, {shape({16, 50})}, "BatchNorm1d");
  expectInferError("BatchNorm2d", {}, {shape({64})}, "BatchNorm1d");
  expectInferError("BatchNorm2d", {}, {tokens(16, 100)}, "Embedding");
}

TEST_F(BatchNorm2dLayer, TrainModeMatchesFunctionalBatchNormAndUpdatesRunningStats) {
  ParamMap p{{"eps", 0.01}, {"momentum", 0.3}};
  auto m = expectBuildMatchesInference("BatchNorm2d", p, {shape({3, 5, 4})});
  ASSERT_TRUE(m);
  randomizeAffine(m);
  m->train();
  torch::Tensor x = torch::randn({2, 3, 5, 4}) * 3 + 1;
  torch::Tensor mean = torch::zeros({3}), var = torch::ones({3});
  torch::Tensor expected = torch::batch_norm(x, param(m, "m.weight"), param(m, "m.bias"), mean, var,
                                             /*training=*/true, 0.3, 0.01, false);
  torch::NoGradGuard guard;
  EXPECT_TRUE(torch::allclose(m->forward({x}), expected, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(buffer(m, "m.running_mean"), mean, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(buffer(m, "m.running_var"), var, 1e-5, 1e-6));
  EXPECT_GT(mean.abs().max().item<float>(), 0.05f);  // the statistics did move
}

TEST_F(BatchNorm2dLayer, EvalModeUsesRunningStatistics) {
  ParamMap p{{"eps", 0.5}};
  auto m = expectBuildMatchesInference("BatchNorm2d", p, {shape({3, 5, 4})});
  ASSERT_TRUE(m);
  randomizeAffine(m);
  {
    torch::NoGradGuard guard;
    buffer(m, "m.running_mean").normal_();
    buffer(m, "m.running_var").uniform_(0.5, 3.0);
  }
  m->eval();
  torch::Tensor x = torch::randn({2, 3, 5, 4});
  torch::Tensor expected = torch::batch_norm(x, param(m, "m.weight"), param(m, "m.bias"), buffer(m, "m.running_mean"),
                                             buffer(m, "m.running_var"), /*training=*/false, 0.1, 0.5, false);
  torch::NoGradGuard guard;
  EXPECT_TRUE(torch::allclose(m->forward({x}), expected, 1e-5, 1e-6));
}

TEST_F(BatchNorm2dLayer, WithoutAffineHasNoParameters) {
  auto m = expectBuildMatchesInference("BatchNorm2d", {{"affine", false}}, {shape({3, 5, 4})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->parameters().empty());
  m->train();
  torch::Tensor x = torch::randn({2, 3, 5, 4});
  torch::Tensor mean = torch::zeros({3}), var = torch::ones({3});
  torch::NoGradGuard guard;
  EXPECT_TRUE(torch::allclose(m->forward({x}), torch::batch_norm(x, {}, {}, mean, var, true, 0.1, 1e-5, false),
                              1e-4, 1e-5));
}

}  // namespace
}  // namespace nc::test::batch_norm2d_test

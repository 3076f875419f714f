#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class DropoutLayer : public SeededTest {};

TEST_F(DropoutLayer, KeepsShapeAndRejectsTokens) {
  for (const auto& dims : std::vector<std::vector<int64_t>>{{10}, {5, 16}, {3, 4, 5}}) {
    auto r = inferLayer("Dropout", {}, {shape(dims)});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.output->dims, dims);
  }
  expectInferError("Dropout", {}, {tokens(16, 100)}, "Dropout needs float features");
}

TEST_F(DropoutLayer, IsIdentityInEvalMode) {
  auto m = expectBuildMatchesInference("Dropout", {{"p", 0.9}}, {shape({4, 10})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->parameters().empty());
  m->eval();
  torch::Tensor x = torch::randn({3, 4, 10});
  EXPECT_TRUE(torch::equal(m->forward({x}), x));
}

TEST_F(DropoutLayer, ZeroesAboutPInTrainModeAndScalesTheRest) {
  for (double p : {0.2, 0.7}) {
    auto m = expectBuildMatchesInference("Dropout", {{"p", p}}, {shape({1000})});
    ASSERT_TRUE(m);
    m->train();
    torch::Tensor y = m->forward({torch::ones({100, 1000})});
    double zeroed = (y == 0).to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(zeroed, p, 0.01) << "p = " << p;
    torch::Tensor kept = y.masked_select(y != 0);
    EXPECT_TRUE(torch::allclose(kept, torch::full_like(kept, 1.0 / (1.0 - p)), 1e-5, 1e-6)) << "p = " << p;
  }
}

TEST_F(DropoutLayer, ZeroProbabilityKeepsEverythingAndOneIsRejected) {
  auto m = expectBuildMatchesInference("Dropout", {{"p", 0.0}}, {shape({50})});
  ASSERT_TRUE(m);
  m->train();
  torch::Tensor x = torch::randn({4, 50});
  EXPECT_TRUE(torch::equal(m->forward({x}), x));
  EXPECT_THROW(layerParams("Dropout", {{"p", 1.0}}), std::invalid_argument);
  EXPECT_THROW(layerParams("Dropout", {{"p", -0.1}}), std::invalid_argument);
}

}  // namespace
}  // namespace nc::test

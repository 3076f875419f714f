// LeakyReLU, GELU, SiLU, Tanh and Sigmoid: elementwise activations.
#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

const std::vector<std::string> kActivations = {"LeakyReLU", "GELU", "SiLU", "Tanh", "Sigmoid"};

/// Builds the layer for samples [5, 6] (checking sizes and paramCount) and runs it on x [batch, 5, 6].
torch::Tensor run(const std::string& type, const ParamMap& p, const torch::Tensor& x) {
  auto m = expectBuildMatchesInference(type, p, {shape({5, 6})});
  if (!m) return {};
  torch::NoGradGuard guard;
  return m->forward({x});
}

class ActivationLayers : public SeededTest {};

TEST_F(ActivationLayers, KeepTheInputShapeInTheActivationCategory) {
  for (const auto& type : kActivations) {
    auto r = inferLayer(type, {}, {shape({32, 14, 14})});
    ASSERT_TRUE(r.ok()) << type << ": " << r.error;
    EXPECT_EQ(r.output->dims, (List{32, 14, 14})) << type;
    EXPECT_EQ(r.output->dtype, core::DType::Float32) << type;
    EXPECT_EQ(core::LayerRegistry::instance().find(type)->category(), "Activation") << type;
  }
}

TEST_F(ActivationLayers, RejectTokenIds) {
  for (const auto& type : kActivations) expectInferError(type, {}, {tokens(16, 100)}, "insert an Embedding");
}

class LeakyReLULayer : public SeededTest {};

TEST_F(LeakyReLULayer, MatchesTorchLeakyReluWithItsSlope) {
  torch::Tensor x = torch::randn({3, 5, 6});
  torch::Tensor y = run("LeakyReLU", {}, x);
  EXPECT_TRUE(torch::allclose(y, torch::leaky_relu(x, 0.01)));
  y = run("LeakyReLU", {{"negative_slope", 0.2}}, x);
  EXPECT_TRUE(torch::allclose(y, torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2))(x)));
  torch::Tensor known = run("LeakyReLU", {{"negative_slope", 0.2}}, torch::full({1, 5, 6}, -2.0));
  EXPECT_NEAR(known[0][0][0].item<double>(), -0.4, 1e-6);
}

class GELULayer : public SeededTest {};

TEST_F(GELULayer, MatchesTorchGeluExact) {
  torch::Tensor x = torch::randn({3, 5, 6});
  torch::Tensor y = run("GELU", {}, x);
  EXPECT_TRUE(torch::allclose(y, torch::nn::GELU(torch::nn::GELUOptions().approximate("none"))(x)));
  // x * Phi(x) with the normal CDF.
  torch::Tensor reference = x * 0.5 * (1 + torch::erf(x / std::sqrt(2.0)));
  EXPECT_TRUE(torch::allclose(y, reference, 1e-5, 1e-6));
}

TEST_F(GELULayer, UsesTheTanhApproximationWhenAsked) {
  torch::Tensor x = torch::randn({3, 5, 6}) * 3;
  torch::Tensor y = run("GELU", {{"approximate", std::string("tanh")}}, x);
  EXPECT_TRUE(torch::allclose(y, torch::nn::GELU(torch::nn::GELUOptions().approximate("tanh"))(x)));
  EXPECT_FALSE(torch::equal(y, torch::gelu(x)));  // really differs from the exact form
}

class SiLULayer : public SeededTest {};

TEST_F(SiLULayer, ComputesXTimesSigmoidX) {
  torch::Tensor x = torch::randn({3, 5, 6});
  torch::Tensor y = run("SiLU", {}, x);
  EXPECT_TRUE(torch::allclose(y, torch::nn::SiLU()(x)));
  EXPECT_TRUE(torch::allclose(y, x * torch::sigmoid(x), 1e-5, 1e-6));
}

class TanhLayer : public SeededTest {};

TEST_F(TanhLayer, MatchesTorchTanh) {
  torch::Tensor x = torch::randn({3, 5, 6});
  torch::Tensor y = run("Tanh", {}, x);
  EXPECT_TRUE(torch::allclose(y, torch::nn::Tanh()(x)));
  EXPECT_TRUE(torch::allclose(y, (torch::exp(2 * x) - 1) / (torch::exp(2 * x) + 1), 1e-5, 1e-6));
}

class SigmoidLayer : public SeededTest {};

TEST_F(SigmoidLayer, MatchesTorchSigmoid) {
  torch::Tensor x = torch::randn({3, 5, 6});
  torch::Tensor y = run("Sigmoid", {}, x);
  EXPECT_TRUE(torch::allclose(y, torch::nn::Sigmoid()(x)));
  EXPECT_TRUE(torch::allclose(y, 1 / (1 + torch::exp(-x)), 1e-5, 1e-6));
}

}  // namespace
}  // namespace nc::test

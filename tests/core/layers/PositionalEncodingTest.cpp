#include <cmath>

#include "../LayerTestUtil.h"

namespace nc::test::positional_encoding_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using core::ParamMap;

class PositionalEncodingLayer : public SeededTest {};

/// Named buffer of a module, or an undefined tensor.
torch::Tensor buffer(const std::shared_ptr<core::NodeModule>& m, const std::string& name) {
  for (const auto& item : m->named_buffers())
    if (item.key() == name) return item.value();
  return {};
}

/// The table the layer adds, recovered by feeding zeros.
torch::Tensor addedTable(const std::shared_ptr<core::NodeModule>& m, int64_t length, int64_t embed) {
  torch::NoGradGuard guard;
  return m->forward({torch::zeros({1, length, embed})})[0];
}

TEST_F(PositionalEncodingLayer, KeepsBatchFirstSequenceShape) {
  for (const char* kind : {"sinusoidal", "learned"}) {
    auto r = inferLayer("PositionalEncoding", {{"kind", std::string(kind)}}, {shape({50, 32})});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.output->dims, (std::vector<int64_t>{50, 32}));
  }
}

TEST_F(PositionalEncodingLayer, RejectsNonSequenceInputsAndTokenIds) {
  expectInferError("PositionalEncoding", {}, {shape({32})},
                   "PositionalEncoding expects a 3-D input [batch, length, embed] but receives [B, 32]");
  expectInferError("PositionalEncoding", {}, {shape({64, 7, 7})}, "Permute [0, 2, 1]");
  expectInferError("PositionalEncoding", {}, {tokens(10, 100)}, "insert an Embedding first");
}

TEST_F(PositionalEncodingLayer, SinusoidalAddsStandardTableForOddEmbed) {
  const int64_t l = 6, e = 5;
  auto m = expectBuildMatchesInference("PositionalEncoding", {}, {shape({l, e})});
  ASSERT_TRUE(m);
  torch::Tensor pe = addedTable(m, l, e);
  ASSERT_EQ(pe.sizes().vec(), (std::vector<int64_t>{l, e}));
  // position 0: sin(0) = 0 at even, cos(0) = 1 at odd indices
  EXPECT_TRUE(torch::allclose(pe[0], torch::tensor({0.f, 1.f, 0.f, 1.f, 0.f}), 1e-6, 1e-6));
  // position 1: frequencies 1, 10000^(-2/5) = 0.0251189, 10000^(-4/5) = 0.000630957
  EXPECT_TRUE(torch::allclose(
      pe[1], torch::tensor({0.841471f, 0.540302f, 0.0251162f, 0.999685f, 0.000630957f}), 1e-5, 1e-6));
  // position 5: sin(5), cos(5), sin(0.125594), cos(0.125594), sin(0.00315479) (odd E: last column is a sine)
  EXPECT_TRUE(torch::allclose(
      pe[5], torch::tensor({-0.958924f, 0.283662f, 0.125264f, 0.992123f, 0.00315478f}), 1e-5, 1e-6));
  // every position from the formula
  for (int64_t pos = 0; pos < l; ++pos)
    for (int64_t j = 0; j < e; ++j) {
      double angle = pos / std::pow(10000.0, static_cast<double>(j - j % 2) / e);
      EXPECT_NEAR(pe[pos][j].item<float>(), j % 2 ? std::cos(angle) : std::sin(angle), 1e-6) << pos << "," << j;
    }
}

TEST_F(PositionalEncodingLayer, SinusoidalTableIsABufferAddedToEverySample) {
  const int64_t l = 4, e = 4;
  auto m = buildLayer("PositionalEncoding", {}, {shape({l, e})});
  EXPECT_TRUE(m->parameters().empty());
  torch::Tensor pe = buffer(m, "pe");
  ASSERT_TRUE(pe.defined());
  EXPECT_FALSE(pe.requires_grad());
  // position 2 with E = 4: sin(2), cos(2), sin(2 / 100), cos(2 / 100)
  EXPECT_TRUE(torch::allclose(pe[2], torch::tensor({0.909297f, -0.416147f, 0.0199987f, 0.9998f}), 1e-5, 1e-6));
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({3, l, e});
  EXPECT_TRUE(torch::allclose(m->forward({x}), x + pe.unsqueeze(0), 1e-6, 1e-6));
}

TEST_F(PositionalEncodingLayer, LearnedTableIsATrainableParameterInitialisedSmall) {
  const int64_t l = 40, e = 32;
  auto m = expectBuildMatchesInference("PositionalEncoding", {{"kind", std::string("learned")}}, {shape({l, e})});
  ASSERT_TRUE(m);
  EXPECT_FALSE(buffer(m, "pe").defined());
  torch::Tensor pe = param(m, "pe");
  EXPECT_EQ(pe.sizes().vec(), (std::vector<int64_t>{l, e}));
  EXPECT_TRUE(pe.requires_grad());
  EXPECT_NEAR(pe.std().item<double>(), 0.02, 0.003);
  EXPECT_NEAR(pe.mean().item<double>(), 0.0, 0.003);

  m->train();
  torch::Tensor x = torch::randn({3, l, e});
  torch::Tensor y = m->forward({x});
  EXPECT_TRUE(torch::allclose(y, x + pe.unsqueeze(0), 1e-6, 1e-6));
  y.sum().backward();
  ASSERT_TRUE(pe.grad().defined());
  EXPECT_TRUE(torch::allclose(pe.grad(), torch::full({l, e}, 3.0f)));  // one per sample in the batch
}

TEST_F(PositionalEncodingLayer, DropoutActsOnlyWhileTraining) {
  const int64_t l = 10, e = 8;
  auto m = buildLayer("PositionalEncoding", {{"dropout", 0.5}}, {shape({l, e})});
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({4, l, e});
  torch::Tensor expected = x + buffer(m, "pe").unsqueeze(0);
  m->eval();
  EXPECT_TRUE(torch::allclose(m->forward({x}), expected, 1e-6, 1e-6));
  m->train();
  torch::Tensor y = m->forward({x});
  EXPECT_GT((y == 0).sum().item<int64_t>(), 0);
  EXPECT_FALSE(torch::allclose(y, expected, 1e-3, 1e-4));
}

}  // namespace
}  // namespace nc::test::positional_encoding_test

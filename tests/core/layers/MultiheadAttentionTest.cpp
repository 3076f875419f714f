#include <cmath>
#include <limits>

#include "../LayerTestUtil.h"
#include "core/LayerType.h"

namespace nc::test {
namespace {

using core::ParamMap;

class MultiheadAttentionLayer : public SeededTest {};

/// Self-attention written out from the packed projection weights: q, k, v = x W_in^T + b_in,
/// split into heads, softmax(q k^T / sqrt(d)) v per head (future keys excluded when causal),
/// heads concatenated, then the output projection.
torch::Tensor manualSelfAttention(const torch::Tensor& x, const torch::Tensor& inWeight, const torch::Tensor& inBias,
                                  const torch::Tensor& outWeight, const torch::Tensor& outBias, int64_t heads,
                                  bool causal) {
  const int64_t b = x.size(0), l = x.size(1), e = x.size(2), d = e / heads;
  torch::Tensor qkv = torch::matmul(x, inWeight.t());
  if (inBias.defined()) qkv = qkv + inBias;
  auto splitHeads = [&](const torch::Tensor& t) { return t.reshape({b, l, heads, d}).permute({0, 2, 1, 3}); };
  torch::Tensor q = splitHeads(qkv.slice(2, 0, e));
  torch::Tensor k = splitHeads(qkv.slice(2, e, 2 * e));
  torch::Tensor v = splitHeads(qkv.slice(2, 2 * e, 3 * e));
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(d));  // [B, H, L, L]
  if (causal) {
    torch::Tensor future = torch::ones({l, l}, torch::kBool).triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
  }
  torch::Tensor out = torch::matmul(torch::softmax(scores, -1), v).permute({0, 2, 1, 3}).reshape({b, l, e});
  out = torch::matmul(out, outWeight.t());
  if (outBias.defined()) out = out + outBias;
  return out;
}

/// Random weights and biases (the default init zeroes the biases, which would hide bias bugs).
void randomizeParameters(const std::shared_ptr<core::NodeModule>& m) {
  torch::NoGradGuard guard;
  for (auto& p : m->parameters()) p.normal_(0.0, 0.3);
}

torch::Tensor manualFor(const std::shared_ptr<core::NodeModule>& m, const torch::Tensor& x, int64_t heads, bool causal,
                        bool bias) {
  return manualSelfAttention(x, param(m, "m.in_proj_weight"), bias ? param(m, "m.in_proj_bias") : torch::Tensor(),
                             param(m, "m.out_proj.weight"), bias ? param(m, "m.out_proj.bias") : torch::Tensor(),
                             heads, causal);
}

int64_t layerFlops(const std::string& type, const ParamMap& overrides, const std::vector<core::TensorShape>& inputs) {
  core::ShapeResult r = inferLayer(type, overrides, inputs);
  EXPECT_TRUE(r.ok()) << r.error;
  if (!r.ok()) return 0;
  ParamMap map = layerParams(type, overrides);
  core::Params p(map);
  return core::LayerRegistry::instance().find(type)->flops(core::LayerContext{p, inputs}, *r.output);
}

TEST_F(MultiheadAttentionLayer, KeepsBatchFirstSequenceShape) {
  auto r = inferLayer("MultiheadAttention", {{"num_heads", int64_t{8}}}, {shape({12, 16})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{12, 16}));
  EXPECT_EQ(r.output->dtype, core::DType::Float32);
}

TEST_F(MultiheadAttentionLayer, RejectsNonSequenceInputsTokenIdsAndHeadsNotDividingEmbed) {
  expectInferError("MultiheadAttention", {}, {shape({64, 7, 7})},
                   "MultiheadAttention expects a 3-D input [batch, length, embed] but receives [B, 64, 7, 7]");
  expectInferError("MultiheadAttention", {}, {shape({64, 7, 7})}, "Flatten(start_dim=2) and a Permute [0, 2, 1]");
  expectInferError("MultiheadAttention", {}, {shape({64})}, "expects a 3-D input [batch, length, embed]");
  expectInferError("MultiheadAttention", {}, {tokens(10, 100)}, "Embedding");
  expectInferError("MultiheadAttention", {{"num_heads", int64_t{4}}}, {shape({10, 30})},
                   "embed dim 30 is not divisible by num_heads 4");
}

TEST_F(MultiheadAttentionLayer, BuildMatchesInferenceAndCountsPackedProjections) {
  const int64_t e = 16;
  auto m = expectBuildMatchesInference("MultiheadAttention", {{"num_heads", int64_t{4}}}, {shape({7, e})});
  ASSERT_TRUE(m);
  EXPECT_EQ(param(m, "m.in_proj_weight").sizes().vec(), (std::vector<int64_t>{3 * e, e}));
  EXPECT_EQ(param(m, "m.in_proj_bias").sizes().vec(), (std::vector<int64_t>{3 * e}));
  EXPECT_EQ(param(m, "m.out_proj.weight").sizes().vec(), (std::vector<int64_t>{e, e}));
  EXPECT_EQ(param(m, "m.out_proj.bias").sizes().vec(), (std::vector<int64_t>{e}));
  EXPECT_EQ(m->parameters().size(), 4u);

  auto noBias = expectBuildMatchesInference("MultiheadAttention", {{"bias", false}}, {shape({7, e})});
  ASSERT_TRUE(noBias);
  int64_t count = 0;
  for (const auto& t : noBias->parameters()) count += t.numel();
  EXPECT_EQ(count, 4 * e * e);
}

TEST_F(MultiheadAttentionLayer, MatchesManualScaledDotProductAttention) {
  for (bool bias : {true, false}) {
    SCOPED_TRACE(bias ? "with bias" : "without bias");
    auto m = buildLayer("MultiheadAttention", {{"num_heads", int64_t{2}}, {"bias", bias}}, {shape({5, 8})});
    randomizeParameters(m);
    m->eval();
    torch::NoGradGuard guard;
    torch::Tensor x = torch::randn({3, 5, 8});
    torch::Tensor y = m->forward({x});
    EXPECT_TRUE(torch::allclose(y, manualFor(m, x, 2, false, bias), 1e-4, 1e-5));
    // A different head split gives a different result: the head count really matters.
    EXPECT_FALSE(torch::allclose(y, manualFor(m, x, 1, false, bias), 1e-3, 1e-4));
  }
}

TEST_F(MultiheadAttentionLayer, CausalMatchesManualMaskedAttention) {
  auto m = buildLayer("MultiheadAttention", {{"num_heads", int64_t{4}}, {"causal", true}}, {shape({6, 8})});
  randomizeParameters(m);
  m->eval();
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({2, 6, 8});
  torch::Tensor y = m->forward({x});
  EXPECT_TRUE(torch::allclose(y, manualFor(m, x, 4, true, true), 1e-4, 1e-5));
  EXPECT_FALSE(torch::allclose(y, manualFor(m, x, 4, false, true), 1e-3, 1e-4));
}

TEST_F(MultiheadAttentionLayer, CausalOutputAtAPositionIgnoresLaterPositions) {
  auto m = buildLayer("MultiheadAttention", {{"causal", true}}, {shape({6, 8})});
  randomizeParameters(m);
  m->eval();
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({2, 6, 8});
  torch::Tensor changed = x.clone();
  changed.slice(1, 3).add_(torch::randn({2, 3, 8}));  // positions 3.. change
  torch::Tensor y = m->forward({x}), y2 = m->forward({changed});
  EXPECT_TRUE(torch::allclose(y.slice(1, 0, 3), y2.slice(1, 0, 3), 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(y.slice(1, 3), y2.slice(1, 3), 1e-3, 1e-4));
}

TEST_F(MultiheadAttentionLayer, WithoutCausalFirstPositionSeesLaterPositions) {
  auto m = buildLayer("MultiheadAttention", {{"causal", false}}, {shape({6, 8})});
  randomizeParameters(m);
  m->eval();
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({2, 6, 8});
  torch::Tensor changed = x.clone();
  changed.slice(1, 3).add_(torch::randn({2, 3, 8}));
  EXPECT_FALSE(torch::allclose(m->forward({x}).select(1, 0), m->forward({changed}).select(1, 0), 1e-3, 1e-4));
}

TEST_F(MultiheadAttentionLayer, AttentionDropoutActsOnlyWhileTraining) {
  auto m = buildLayer("MultiheadAttention", {{"dropout", 0.5}}, {shape({6, 8})});
  randomizeParameters(m);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({2, 6, 8});
  m->eval();
  EXPECT_TRUE(torch::allclose(m->forward({x}), manualFor(m, x, 4, false, true), 1e-4, 1e-5));
  m->train();
  EXPECT_FALSE(torch::allclose(m->forward({x}), manualFor(m, x, 4, false, true), 1e-3, 1e-4));
}

TEST_F(MultiheadAttentionLayer, FlopsCoverProjectionsAndGrowQuadraticallyWithLength) {
  int64_t shortSeq = layerFlops("MultiheadAttention", {}, {shape({64, 32})});
  int64_t longSeq = layerFlops("MultiheadAttention", {}, {shape({512, 32})});
  EXPECT_GE(shortSeq, 8 * 64 * 32 * 32 + 4 * 64 * 64 * 32);
  EXPECT_GT(longSeq, 8 * 2 * shortSeq);  // 8x the length: more than 8x the work (L^2 attention scores)
}

}  // namespace
}  // namespace nc::test

#include <algorithm>
#include <limits>

#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;

class TransformerEncoderLayerTest : public SeededTest {};

constexpr int64_t kEmbed = 8, kHeads = 2, kFeedforward = 16, kLength = 5, kBatch = 3;

/// LibTorch's own (sequence-first, post-norm) encoder layer with dropout off, random weights.
torch::nn::TransformerEncoderLayer referenceLayer(bool gelu) {
  torch::nn::TransformerEncoderLayerOptions options(kEmbed, kHeads);
  options.dim_feedforward(kFeedforward).dropout(0.0);
  if (gelu) options.activation(torch::kGELU);
  torch::nn::TransformerEncoderLayer ref(options);
  torch::NoGradGuard guard;
  for (auto& p : ref->parameters()) p.normal_(0.0, 0.3);
  ref->eval();
  return ref;
}

/// Copies every parameter by name; fails if a name of the reference is missing in `to`.
void copyParametersByName(torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard guard;
  auto target = to.named_parameters();
  for (const auto& item : from.named_parameters()) {
    torch::Tensor* t = target.find(item.key());
    ASSERT_NE(t, nullptr) << "no parameter named " << item.key();
    t->copy_(item.value());
  }
}

std::shared_ptr<core::NodeModule> buildEncoder(bool gelu, bool normFirst, bool causal) {
  auto m = buildLayer("TransformerEncoderLayer",
                      {{"num_heads", kHeads},
                       {"dim_feedforward", kFeedforward},
                       {"dropout", 0.0},
                       {"activation", std::string(gelu ? "gelu" : "relu")},
                       {"norm_first", normFirst},
                       {"causal", causal}},
                      {shape({kLength, kEmbed})});
  m->eval();
  return m;
}

torch::Tensor causalMask(int64_t l) {
  return torch::full({l, l}, -std::numeric_limits<float>::infinity()).triu(1);
}

/// LayerNorm over the last dimension written out: (x - mean) / sqrt(var + 1e-5) * weight + bias.
torch::Tensor manualLayerNorm(const torch::Tensor& x, const torch::nn::LayerNorm& norm) {
  torch::Tensor mean = x.mean(-1, true);
  torch::Tensor var = (x - mean).pow(2).mean(-1, true);
  return (x - mean) / torch::sqrt(var + 1e-5) * norm->weight + norm->bias;
}

TEST_F(TransformerEncoderLayerTest, KeepsBatchFirstSequenceShape) {
  auto r = inferLayer("TransformerEncoderLayer", {{"num_heads", int64_t{8}}}, {shape({20, 64})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{20, 64}));
}

TEST_F(TransformerEncoderLayerTest, RejectsNonSequenceInputsTokenIdsAndHeadsNotDividingDModel) {
  expectInferError("TransformerEncoderLayer", {}, {shape({64, 7, 7})},
                   "TransformerEncoderLayer expects a 3-D input [batch, length, embed] but receives [B, 64, 7, 7]");
  expectInferError("TransformerEncoderLayer", {}, {shape({64, 7, 7})}, "Permute [0, 2, 1]");
  expectInferError("TransformerEncoderLayer", {}, {shape({32})}, "expects a 3-D input");
  expectInferError("TransformerEncoderLayer", {}, {tokens(10, 100)}, "Embedding");
  expectInferError("TransformerEncoderLayer", {{"num_heads", int64_t{4}}}, {shape({10, 30})},
                   "embed dim 30 is not divisible by num_heads 4");
}

TEST_F(TransformerEncoderLayerTest, BuildMatchesInferenceForEveryVariant) {
  for (const char* activation : {"relu", "gelu"})
    for (bool normFirst : {false, true})
      for (bool causal : {false, true}) {
        SCOPED_TRACE(std::string(activation) + (normFirst ? " pre-norm" : " post-norm") + (causal ? " causal" : ""));
        expectBuildMatchesInference("TransformerEncoderLayer",
                                    {{"activation", std::string(activation)},
                                     {"norm_first", normFirst},
                                     {"causal", causal},
                                     {"dim_feedforward", int64_t{48}}},
                                    {shape({6, 16})});
      }
}

TEST_F(TransformerEncoderLayerTest, ParameterNamesAndSizesMatchPyTorchEncoderLayer) {
  auto m = buildEncoder(false, false, false);
  torch::nn::TransformerEncoderLayer ref = referenceLayer(false);
  std::vector<std::string> ours, theirs;
  for (const auto& item : m->named_parameters()) ours.push_back(item.key());
  for (const auto& item : ref->named_parameters()) {
    theirs.push_back(item.key());
    EXPECT_EQ(param(m, item.key()).sizes(), item.value().sizes()) << item.key();
  }
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  EXPECT_EQ(ours, theirs);
  EXPECT_NE(std::find(ours.begin(), ours.end(), "self_attn.in_proj_weight"), ours.end());
}

TEST_F(TransformerEncoderLayerTest, PostNormMatchesLibTorchEncoderLayerWithCopiedWeights) {
  for (bool gelu : {false, true})
    for (bool causal : {false, true}) {
      SCOPED_TRACE(std::string(gelu ? "gelu" : "relu") + (causal ? " causal" : ""));
      torch::nn::TransformerEncoderLayer ref = referenceLayer(gelu);
      auto m = buildEncoder(gelu, /*normFirst=*/false, causal);
      copyParametersByName(*ref, *m);
      torch::NoGradGuard guard;
      torch::Tensor x = torch::randn({kBatch, kLength, kEmbed});
      torch::Tensor mask = causal ? causalMask(kLength) : torch::Tensor();
      torch::Tensor expected = ref->forward(x.transpose(0, 1), mask).transpose(0, 1);
      EXPECT_TRUE(torch::allclose(m->forward({x}), expected, 1e-4, 1e-5));
    }
}

TEST_F(TransformerEncoderLayerTest, PreNormMatchesManualComputation) {
  for (bool gelu : {false, true})
    for (bool causal : {false, true}) {
      SCOPED_TRACE(std::string(gelu ? "gelu" : "relu") + (causal ? " causal" : ""));
      torch::nn::TransformerEncoderLayer ref = referenceLayer(gelu);  // weights donor
      auto m = buildEncoder(gelu, /*normFirst=*/true, causal);
      copyParametersByName(*ref, *m);
      torch::NoGradGuard guard;
      torch::Tensor x = torch::randn({kBatch, kLength, kEmbed});
      torch::Tensor mask = causal ? causalMask(kLength) : torch::Tensor();
      // x = x + sa(norm1(x)); x = x + ff(norm2(x)), in LibTorch's [L, B, E] layout.
      torch::Tensor h = x.transpose(0, 1);
      torch::Tensor n1 = manualLayerNorm(h, ref->norm1);
      h = h + std::get<0>(ref->self_attn->forward(n1, n1, n1, {}, false, mask));
      torch::Tensor hidden = torch::linear(manualLayerNorm(h, ref->norm2), ref->linear1->weight, ref->linear1->bias);
      hidden = gelu ? torch::gelu(hidden) : torch::relu(hidden);
      h = h + torch::linear(hidden, ref->linear2->weight, ref->linear2->bias);
      torch::Tensor expected = h.transpose(0, 1);
      torch::Tensor y = m->forward({x});
      EXPECT_TRUE(torch::allclose(y, expected, 1e-4, 1e-5));
      // and it is not the post-norm result
      EXPECT_FALSE(torch::allclose(y, ref->forward(x.transpose(0, 1), mask).transpose(0, 1), 1e-3, 1e-4));
    }
}

TEST_F(TransformerEncoderLayerTest, CausalOutputAtAPositionIgnoresLaterPositions) {
  for (bool normFirst : {false, true}) {
    SCOPED_TRACE(normFirst ? "pre-norm" : "post-norm");
    auto m = buildEncoder(false, normFirst, /*causal=*/true);
    torch::NoGradGuard guard;
    torch::Tensor x = torch::randn({kBatch, kLength, kEmbed});
    torch::Tensor changed = x.clone();
    changed.slice(1, 2).add_(torch::randn({kBatch, kLength - 2, kEmbed}));
    torch::Tensor y = m->forward({x}), y2 = m->forward({changed});
    EXPECT_TRUE(torch::allclose(y.slice(1, 0, 2), y2.slice(1, 0, 2), 1e-5, 1e-6));
    EXPECT_FALSE(torch::allclose(y.slice(1, 2), y2.slice(1, 2), 1e-3, 1e-4));
  }
}

TEST_F(TransformerEncoderLayerTest, DropoutActsOnlyWhileTraining) {
  auto m = buildLayer("TransformerEncoderLayer", {{"dropout", 0.3}}, {shape({kLength, kEmbed})});
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({kBatch, kLength, kEmbed});
  m->eval();
  torch::Tensor evalOut = m->forward({x});
  EXPECT_TRUE(torch::equal(evalOut, m->forward({x})));
  m->train();
  EXPECT_FALSE(torch::allclose(evalOut, m->forward({x}), 1e-3, 1e-4));
}

}  // namespace
}  // namespace nc::test

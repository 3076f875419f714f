#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

class EmbeddingLayer : public SeededTest {};

TEST_F(EmbeddingLayer, TurnsTokenIdsIntoFloatVectors) {
  auto r = inferLayer("Embedding", {{"embedding_dim", int64_t{32}}}, {tokens(16, 1000)});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{16, 32}));
  EXPECT_EQ(r.output->dtype, core::DType::Float32);
  EXPECT_EQ(r.output->vocab, 0);
  r = inferLayer("Embedding", {}, {tokens(7, 10)});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{7, 64}));
}

TEST_F(EmbeddingLayer, SizesItsTableFromTheInputVocabulary) {
  auto m = expectBuildMatchesInference("Embedding", {{"embedding_dim", int64_t{8}}}, {tokens(12, 300)});
  ASSERT_TRUE(m);
  EXPECT_EQ(param(m, "m.weight").sizes().vec(), (List{300, 8}));
  ParamMap map = layerParams("Embedding", {{"embedding_dim", int64_t{8}}});
  core::Params p(map);
  std::vector<core::TensorShape> in{tokens(12, 300)};
  EXPECT_EQ(core::LayerRegistry::instance().find("Embedding")->paramCount(core::LayerContext{p, in}), 2400);
}

TEST_F(EmbeddingLayer, RejectsFloatFeaturesAndUnknownVocabulary) {
  expectInferError("Embedding", {}, {shape({16})}, "Embedding needs token ids (int64) but receives float features [B, 16]");
  expectInferError("Embedding", {}, {shape({16}, core::DType::Int64)}, "carry no vocabulary size");
  expectInferError("Embedding", {}, {core::TensorShape{{4, 4}, core::DType::Int64, 10}},
                   "expects a 2-D input of token ids [batch, length]");
}

TEST_F(EmbeddingLayer, RejectsPaddingIdxOutsideTheVocabulary) {
  expectInferError("Embedding", {{"padding_idx", int64_t{100}}}, {tokens(16, 100)},
                   "padding_idx 100 must be below the vocabulary size 100");
  EXPECT_TRUE(inferLayer("Embedding", {{"padding_idx", int64_t{99}}}, {tokens(16, 100)}).ok());
}

TEST_F(EmbeddingLayer, LooksUpRowsOfItsWeight) {
  auto m = expectBuildMatchesInference("Embedding", {{"embedding_dim", int64_t{6}}}, {tokens(5, 20)});
  ASSERT_TRUE(m);
  torch::Tensor weight = param(m, "m.weight");
  torch::Tensor ids = torch::randint(0, 20, {3, 5}, torch::kLong);
  torch::NoGradGuard guard;
  torch::Tensor y = m->forward({ids});
  EXPECT_TRUE(torch::allclose(y, torch::embedding(weight, ids)));
  torch::nn::Embedding reference(torch::nn::EmbeddingOptions(20, 6));
  reference->weight.copy_(weight);
  EXPECT_TRUE(torch::allclose(y, reference(ids)));
  EXPECT_TRUE(torch::equal(y[2][1], weight[ids[2][1].item<int64_t>()]));
}

TEST_F(EmbeddingLayer, PaddingIdxVectorIsZeroAndUntrained) {
  auto m = expectBuildMatchesInference("Embedding", {{"embedding_dim", int64_t{4}}, {"padding_idx", int64_t{3}}},
                                       {tokens(6, 10)});
  ASSERT_TRUE(m);
  EXPECT_TRUE(torch::equal(param(m, "m.weight")[3], torch::zeros({4})));
  torch::Tensor ids = torch::tensor({{3, 1, 3, 2, 0, 9}}, torch::kLong);
  m->train();
  torch::Tensor y = m->forward({ids});
  EXPECT_TRUE(torch::equal(y[0][0], torch::zeros({4})));
  EXPECT_FALSE(torch::equal(y[0][1], torch::zeros({4})));
  y.sum().backward();
  torch::Tensor grad = param(m, "m.weight").grad();
  EXPECT_TRUE(torch::equal(grad[3], torch::zeros({4})));
  EXPECT_TRUE(torch::equal(grad[1], torch::ones({4})));
}

}  // namespace
}  // namespace nc::test

#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

class SoftmaxLayer : public SeededTest {};

TEST_F(SoftmaxLayer, KeepsTheInputShape) {
  auto r = inferLayer("Softmax", {}, {shape({10})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{10}));
  r = inferLayer("Softmax", {{"dim", int64_t{1}}}, {shape({4, 8, 8})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{4, 8, 8}));
}

TEST_F(SoftmaxLayer, RejectsTheBatchDimension) {
  expectInferError("Softmax", {{"dim", int64_t{0}}}, {shape({10})}, "is the batch");
  expectInferError("Softmax", {{"dim", int64_t{-3}}}, {shape({4, 5})}, "is the batch");
}

TEST_F(SoftmaxLayer, RejectsMissingDimensionsAndTokenIds) {
  expectInferError("Softmax", {{"dim", int64_t{2}}}, {shape({10})}, "Softmax dim 2 does not exist in [B, 10]");
  expectInferError("Softmax", {{"dim", int64_t{-3}}}, {shape({10})}, "does not exist");
  expectInferError("Softmax", {}, {tokens(16, 100)}, "Embedding");
}

TEST_F(SoftmaxLayer, NormalisesTheLastDimensionByDefault) {
  auto m = expectBuildMatchesInference("Softmax", {}, {shape({4, 5})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 4, 5});
  torch::Tensor y = m->forward({x});
  EXPECT_TRUE(torch::allclose(y, torch::softmax(x, -1)));
  EXPECT_TRUE(torch::allclose(y.sum(-1), torch::ones({3, 4})));
}

TEST_F(SoftmaxLayer, NormalisesTheChosenDimension) {
  auto m = expectBuildMatchesInference("Softmax", {{"dim", int64_t{1}}}, {shape({4, 5})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 4, 5});
  torch::Tensor y = m->forward({x});
  EXPECT_TRUE(torch::allclose(y, torch::nn::Softmax(torch::nn::SoftmaxOptions(1))(x)));
  EXPECT_FALSE(torch::allclose(y, torch::softmax(x, -1)));
  m = expectBuildMatchesInference("Softmax", {{"dim", int64_t{-2}}}, {shape({4, 5})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(torch::allclose(m->forward({x}), torch::softmax(x, 1)));
}

}  // namespace
}  // namespace nc::test

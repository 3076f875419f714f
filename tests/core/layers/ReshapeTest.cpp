#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

class ReshapeLayer : public SeededTest {};

TEST_F(ReshapeLayer, InfersMinusOneFromElementCount) {
  auto r = inferLayer("Reshape", {{"shape", List{-1, 5}}}, {shape({3, 4, 5})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{12, 5}));
  r = inferLayer("Reshape", {{"shape", List{2, -1, 3}}}, {shape({6, 4})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{2, 4, 3}));
}

TEST_F(ReshapeLayer, DefaultFlattensEachSample) {
  auto r = inferLayer("Reshape", {}, {shape({1, 28, 28})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{784}));
}

TEST_F(ReshapeLayer, KeepsExplicitShapeAndTokenDtype) {
  auto r = inferLayer("Reshape", {{"shape", List{1, 28, 28}}}, {shape({784})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{1, 28, 28}));
  EXPECT_EQ(r.output->dtype, core::DType::Float32);
  r = inferLayer("Reshape", {{"shape", List{4, 4}}}, {tokens(16, 100)});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{4, 4}));
  EXPECT_EQ(r.output->dtype, core::DType::Int64);
  EXPECT_EQ(r.output->vocab, 100);
}

TEST_F(ReshapeLayer, RejectsShapesThatChangeTheElementCount) {
  expectInferError("Reshape", {{"shape", List{5, 2}}}, {shape({3, 4})},
                   "Reshape to [5, 2] needs 10 elements per sample but the input [B, 3, 4] has 12");
  expectInferError("Reshape", {{"shape", List{5, -1}}}, {shape({3, 4})}, "12 is not divisible");
  expectInferError("Reshape", {{"shape", List{1 << 24, 1 << 24, 1 << 24, 1 << 24}}}, {shape({3, 4})},
                   "needs more than 12 elements");
}

TEST_F(ReshapeLayer, RejectsTwoMinusOnesAndZeroSizes) {
  expectInferError("Reshape", {{"shape", List{-1, -1}}}, {shape({3, 4})}, "more than one -1");
  expectInferError("Reshape", {{"shape", List{0, 12}}}, {shape({3, 4})}, "sizes must be positive");
}

TEST_F(ReshapeLayer, MatchesTorchReshapePerSample) {
  auto m = expectBuildMatchesInference("Reshape", {{"shape", List{4, -1}}}, {shape({2, 3, 4})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 2, 3, 4});
  torch::Tensor y = m->forward({x});
  EXPECT_EQ(y.sizes().vec(), (List{3, 4, 6}));
  EXPECT_TRUE(torch::equal(y, x.reshape({3, 4, 6})));
  EXPECT_TRUE(torch::equal(y[1], x[1].reshape({4, 6})));  // samples stay separate
  expectBuildMatchesInference("Reshape", {{"shape", List{2, 8}}}, {tokens(16, 50)});
}

}  // namespace
}  // namespace nc::test

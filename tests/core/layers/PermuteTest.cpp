#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

class PermuteLayer : public SeededTest {};

TEST_F(PermuteLayer, ReordersDimensionsKeepingBatchFirst) {
  auto r = inferLayer("Permute", {}, {shape({8, 16})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{16, 8}));
  r = inferLayer("Permute", {{"dims", List{0, 3, 1, 2}}}, {shape({3, 4, 5})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{5, 3, 4}));
  r = inferLayer("Permute", {{"dims", List{0, 2, 3, 1}}}, {shape({3, 4, 5})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{4, 5, 3}));
}

TEST_F(PermuteLayer, RejectsDimsOfTheWrongLength) {
  expectInferError("Permute", {}, {shape({3, 4, 5})},
                   "Permute dims [0, 2, 1] has 3 entries but the input [B, 3, 4, 5] has 4 dimensions");
}

TEST_F(PermuteLayer, RejectsDimsThatAreNotAPermutation) {
  expectInferError("Permute", {{"dims", List{0, 1, 1}}}, {shape({3, 4})}, "exactly once");
  expectInferError("Permute", {{"dims", List{0, 1, 3}}}, {shape({3, 4})}, "dimensions 0..2");
}

TEST_F(PermuteLayer, RejectsMovingTheBatch) {
  expectInferError("Permute", {{"dims", List{1, 0, 2}}}, {shape({3, 4})}, "batch stays dimension 0");
}

TEST_F(PermuteLayer, MatchesTorchPermute) {
  auto m = expectBuildMatchesInference("Permute", {{"dims", List{0, 3, 1, 2}}}, {shape({2, 3, 4})});
  ASSERT_TRUE(m);
  torch::Tensor x = torch::randn({3, 2, 3, 4});
  EXPECT_TRUE(torch::equal(m->forward({x}), x.permute({0, 3, 1, 2})));
}

}  // namespace
}  // namespace nc::test

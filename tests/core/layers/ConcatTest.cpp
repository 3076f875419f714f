#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

class ConcatLayer : public SeededTest {};

TEST_F(ConcatLayer, ExposesOneNamedPortPerInput) {
  const core::LayerType* t = core::LayerRegistry::instance().find("Concat");
  ParamMap two = layerParams("Concat", {});
  EXPECT_EQ(t->inputPorts(core::Params(two)), (std::vector<std::string>{"a", "b"}));
  ParamMap five = layerParams("Concat", {{"num_inputs", int64_t{5}}});
  EXPECT_EQ(t->inputPorts(core::Params(five)), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(t->category(), "Merge");
}

TEST_F(ConcatLayer, JoinsChannelsByDefault) {
  auto r = inferLayer("Concat", {}, {shape({16, 7, 7}), shape({32, 7, 7})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{48, 7, 7}));
}

TEST_F(ConcatLayer, JoinsAlongTheChosenOrNegativeDim) {
  auto r = inferLayer("Concat", {{"dim", int64_t{-1}}}, {shape({5, 3}), shape({5, 4})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{5, 7}));
  r = inferLayer("Concat", {{"num_inputs", int64_t{3}}, {"dim", int64_t{2}}},
                 {shape({2, 1, 4}), shape({2, 2, 4}), shape({2, 3, 4})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{2, 6, 4}));
}

TEST_F(ConcatLayer, JoinsTokenIdsKeepingTheLargestVocabulary) {
  auto r = inferLayer("Concat", {}, {tokens(8, 100), tokens(4, 300)});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{12}));
  EXPECT_EQ(r.output->dtype, core::DType::Int64);
  EXPECT_EQ(r.output->vocab, 300);
  expectBuildMatchesInference("Concat", {}, {tokens(8, 100), tokens(4, 300)});
}

TEST_F(ConcatLayer, RejectsUnequalOtherDimensionsNamingTheInput) {
  expectInferError("Concat", {}, {shape({16, 7, 7}), shape({32, 14, 14})},
                   "Concat along dim 1 needs all other dimensions equal but receives [B, 16, 7, 7] on 'a' and "
                   "[B, 32, 14, 14] on 'b'");
  expectInferError("Concat", {{"num_inputs", int64_t{3}}, {"dim", int64_t{2}}},
                   {shape({2, 1, 4}), shape({2, 2, 4}), shape({2, 3, 5})}, "on 'c' (dimension 3 differs)");
}

TEST_F(ConcatLayer, RejectsTheBatchDimMissingDimsAndMixedInputs) {
  expectInferError("Concat", {{"dim", int64_t{0}}}, {shape({4}), shape({4})}, "is the batch");
  expectInferError("Concat", {{"dim", int64_t{3}}}, {shape({4}), shape({4})}, "Concat dim 3 does not exist in [B, 4]");
  expectInferError("Concat", {}, {shape({4}), shape({4, 1})}, "same number of dimensions");
  expectInferError("Concat", {}, {shape({4}), tokens(4, 10)}, "cannot join token ids with float features");
  expectInferError("Concat", {{"num_inputs", int64_t{3}}}, {shape({4}), shape({4})}, "expects 3 inputs");
}

TEST_F(ConcatLayer, MatchesTorchCat) {
  auto m = expectBuildMatchesInference("Concat", {{"num_inputs", int64_t{3}}, {"dim", int64_t{-1}}},
                                       {shape({2, 3}), shape({2, 1}), shape({2, 4})});
  ASSERT_TRUE(m);
  torch::Tensor a = torch::randn({3, 2, 3}), b = torch::randn({3, 2, 1}), c = torch::randn({3, 2, 4});
  EXPECT_TRUE(torch::equal(m->forward({a, b, c}), torch::cat({a, b, c}, 2)));
  m = expectBuildMatchesInference("Concat", {}, {shape({2, 3}), shape({5, 3})});
  ASSERT_TRUE(m);
  torch::Tensor d = torch::randn({3, 5, 3});
  EXPECT_TRUE(torch::equal(m->forward({a, d}), torch::cat({a, d}, 1)));
}

}  // namespace
}  // namespace nc::test

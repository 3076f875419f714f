#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;
using torch::indexing::Slice;

class SequencePoolLayer : public SeededTest {};

TEST_F(SequencePoolLayer, ReducesTheLengthDimension) {
  for (std::string mode : {"mean", "max", "first", "last"}) {
    auto r = inferLayer("SequencePool", {{"mode", mode}}, {shape({16, 32})});
    ASSERT_TRUE(r.ok()) << mode << ": " << r.error;
    EXPECT_EQ(r.output->dims, (List{32})) << mode;
  }
}

TEST_F(SequencePoolLayer, RejectsNonSequencesAndTokenIds) {
  expectInferError("SequencePool", {}, {shape({32})}, "no length dimension");
  expectInferError("SequencePool", {}, {shape({3, 8, 8})},
                   "SequencePool expects a 3-D input [batch, length, features] but receives [B, 3, 8, 8]");
  expectInferError("SequencePool", {}, {tokens(16, 100)}, "Embedding");
}

torch::Tensor pool(const std::string& mode, const torch::Tensor& x) {
  auto m = expectBuildMatchesInference("SequencePool", {{"mode", mode}}, {shape({x.size(1), x.size(2)})});
  if (!m) return {};
  return m->forward({x});
}

TEST_F(SequencePoolLayer, MeanAveragesOverTheLength) {
  torch::Tensor x = torch::randn({3, 5, 4});
  EXPECT_TRUE(torch::allclose(pool("mean", x), torch::mean(x, {1})));
  EXPECT_TRUE(torch::allclose(pool("mean", x)[1], x[1].sum(0) / 5));
}

TEST_F(SequencePoolLayer, MaxTakesTheLargestValuePerFeature) {
  torch::Tensor x = torch::randn({3, 5, 4});
  EXPECT_TRUE(torch::equal(pool("max", x), torch::amax(x, {1})));
}

TEST_F(SequencePoolLayer, FirstAndLastPickOnePosition) {
  torch::Tensor x = torch::randn({3, 5, 4});
  EXPECT_TRUE(torch::equal(pool("first", x), x.index({Slice(), 0, Slice()})));
  EXPECT_TRUE(torch::equal(pool("last", x), x.index({Slice(), 4, Slice()})));
}

}  // namespace
}  // namespace nc::test

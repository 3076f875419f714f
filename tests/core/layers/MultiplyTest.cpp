#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

class MultiplyLayer : public SeededTest {};

TEST_F(MultiplyLayer, ExposesOneNamedPortPerInput) {
  ParamMap map = layerParams("Multiply", {{"num_inputs", int64_t{4}}});
  EXPECT_EQ(core::LayerRegistry::instance().find("Multiply")->inputPorts(core::Params(map)),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(core::LayerRegistry::instance().find("Multiply")->category(), "Merge");
}

TEST_F(MultiplyLayer, OutputHasTheSharedInputShape) {
  auto r = inferLayer("Multiply", {}, {shape({16, 8}), shape({16, 8})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{16, 8}));
}

TEST_F(MultiplyLayer, RejectsDifferentShapesNamingTheInput) {
  expectInferError("Multiply", {}, {shape({16, 8}), shape({8, 16})},
                   "Multiply needs inputs of the same shape but receives [B, 16, 8] on 'a' and [B, 8, 16] on 'b'");
  expectInferError("Multiply", {}, {tokens(16, 10), shape({16})}, "Multiply input 'a' needs float features");
}

TEST_F(MultiplyLayer, MultipliesAllInputsElementwise) {
  auto m = expectBuildMatchesInference("Multiply", {{"num_inputs", int64_t{3}}}, {shape({6}), shape({6}), shape({6})});
  ASSERT_TRUE(m);
  torch::Tensor a = torch::randn({3, 6}), b = torch::randn({3, 6}), c = torch::randn({3, 6});
  EXPECT_TRUE(torch::allclose(m->forward({a, b, c}), torch::mul(torch::mul(a, b), c)));
}

}  // namespace
}  // namespace nc::test

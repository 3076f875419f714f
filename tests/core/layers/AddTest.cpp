#include "../LayerTestUtil.h"

namespace nc::test {
namespace {

using core::ParamMap;
using List = std::vector<int64_t>;

std::vector<std::string> portsOf(const std::string& type, const ParamMap& overrides) {
  ParamMap map = layerParams(type, overrides);
  return core::LayerRegistry::instance().find(type)->inputPorts(core::Params(map));
}

class AddLayer : public SeededTest {};

TEST_F(AddLayer, ExposesOneNamedPortPerInput) {
  EXPECT_EQ(portsOf("Add", {}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(portsOf("Add", {{"num_inputs", int64_t{3}}}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(portsOf("Add", {{"num_inputs", int64_t{8}}}).size(), 8u);
  EXPECT_EQ(portsOf("Add", {{"num_inputs", int64_t{8}}}).back(), "h");
  EXPECT_EQ(core::LayerRegistry::instance().find("Add")->category(), "Merge");
}

TEST_F(AddLayer, OutputHasTheSharedInputShape) {
  auto r = inferLayer("Add", {{"num_inputs", int64_t{3}}}, {shape({32, 14, 14}), shape({32, 14, 14}), shape({32, 14, 14})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (List{32, 14, 14}));
  EXPECT_EQ(r.output->dtype, core::DType::Float32);
}

TEST_F(AddLayer, RejectsDifferentShapesNamingTheInput) {
  expectInferError("Add", {}, {shape({32, 14, 14}), shape({64, 14, 14})},
                   "Add needs inputs of the same shape but receives [B, 32, 14, 14] on 'a' and [B, 64, 14, 14] on 'b'");
  expectInferError("Add", {{"num_inputs", int64_t{3}}}, {shape({8}), shape({8}), shape({8, 1})},
                   "[B, 8, 1] on 'c'");
}

TEST_F(AddLayer, RejectsTokenIdsAndAMissingInput) {
  expectInferError("Add", {}, {shape({16}), tokens(16, 100)}, "Add input 'b' needs float features");
  expectInferError("Add", {{"num_inputs", int64_t{3}}}, {shape({8}), shape({8})}, "expects 3 inputs but receives 2");
}

TEST_F(AddLayer, SumsAllInputs) {
  auto m = expectBuildMatchesInference("Add", {{"num_inputs", int64_t{3}}}, {shape({4, 5}), shape({4, 5}), shape({4, 5})});
  ASSERT_TRUE(m);
  torch::Tensor a = torch::randn({3, 4, 5}), b = torch::randn({3, 4, 5}), c = torch::randn({3, 4, 5});
  EXPECT_TRUE(torch::allclose(m->forward({a, b, c}), torch::add(torch::add(a, b), c)));
}

TEST_F(AddLayer, CountsOneFlopPerElementPerExtraInput) {
  ParamMap map = layerParams("Add", {{"num_inputs", int64_t{3}}});
  core::Params p(map);
  std::vector<core::TensorShape> in(3, shape({4, 5}));
  EXPECT_EQ(core::LayerRegistry::instance().find("Add")->flops(core::LayerContext{p, in}, shape({4, 5})), 40);
}

}  // namespace
}  // namespace nc::test

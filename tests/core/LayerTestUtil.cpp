#include "LayerTestUtil.h"

#include "core/LayerType.h"

namespace nc::test {

using namespace nc::core;

TensorShape shape(std::vector<int64_t> dims, DType dtype) { return TensorShape{std::move(dims), dtype, 0}; }
TensorShape tokens(int64_t length, int64_t vocab) { return TensorShape{{length}, DType::Int64, vocab}; }

ParamMap layerParams(const std::string& type, const ParamMap& overrides) {
  const LayerType* t = LayerRegistry::instance().find(type);
  if (!t) throw std::invalid_argument("no layer type " + type);
  ParamMap p = t->defaults();
  for (const auto& [k, v] : overrides) {
    if (!t->paramSpec(k)) throw std::invalid_argument(type + " has no parameter " + k);
    p[k] = v;
  }
  Status s = t->validateParams(p);
  if (!s) throw std::invalid_argument(s.message());
  return p;
}

ShapeResult inferLayer(const std::string& type, const ParamMap& overrides, const std::vector<TensorShape>& inputs) {
  ParamMap map = layerParams(type, overrides);
  Params p(map);
  return LayerRegistry::instance().find(type)->infer(LayerContext{p, inputs});
}

std::shared_ptr<NodeModule> buildLayer(const std::string& type, const ParamMap& overrides,
                                       const std::vector<TensorShape>& inputs) {
  ShapeResult r = inferLayer(type, overrides, inputs);
  if (!r.ok()) throw std::invalid_argument("inference failed: " + r.error);
  ParamMap map = layerParams(type, overrides);
  Params p(map);
  return LayerRegistry::instance().find(type)->build(LayerContext{p, inputs});
}

torch::Tensor randomBatch(const TensorShape& s, int64_t batch) {
  std::vector<int64_t> sizes{batch};
  sizes.insert(sizes.end(), s.dims.begin(), s.dims.end());
  if (s.dtype == DType::Int64) return torch::randint(0, std::max<int64_t>(s.vocab, 1), sizes, torch::kLong);
  return torch::randn(sizes);
}

std::shared_ptr<NodeModule> expectBuildMatchesInference(const std::string& type, const ParamMap& overrides,
                                                        const std::vector<TensorShape>& inputs) {
  ShapeResult r = inferLayer(type, overrides, inputs);
  EXPECT_TRUE(r.ok()) << r.error;
  if (!r.ok()) return nullptr;
  auto module = buildLayer(type, overrides, inputs);
  EXPECT_TRUE(module != nullptr);
  if (!module) return nullptr;
  module->eval();
  for (int64_t batch : {1, 3}) {
    std::vector<torch::Tensor> xs;
    for (const auto& s : inputs) xs.push_back(randomBatch(s, batch));
    torch::NoGradGuard guard;
    torch::Tensor y = module->forward(xs);
    EXPECT_TRUE(r.output.has_value());
    if (!r.output) break;
    std::vector<int64_t> expected{batch};
    expected.insert(expected.end(), r.output->dims.begin(), r.output->dims.end());
    EXPECT_EQ(y.sizes().vec(), expected) << type << " output size differs from inferred " << r.output->str();
    EXPECT_EQ(y.scalar_type() == torch::kLong, r.output->dtype == DType::Int64) << type << " dtype";
  }
  int64_t actual = 0;
  for (const auto& t : module->parameters()) actual += t.numel();
  ParamMap map = layerParams(type, overrides);
  Params p(map);
  EXPECT_EQ(LayerRegistry::instance().find(type)->paramCount(LayerContext{p, inputs}), actual)
      << type << " paramCount() disagrees with the module's parameters()";
  return module;
}

void expectInferError(const std::string& type, const ParamMap& overrides, const std::vector<TensorShape>& inputs,
                      const std::string& fragment) {
  ShapeResult r = inferLayer(type, overrides, inputs);
  EXPECT_FALSE(r.ok()) << type << " accepted inputs it should reject";
  EXPECT_NE(r.error.find(fragment), std::string::npos) << "message was: " << r.error;
}

torch::Tensor param(const std::shared_ptr<NodeModule>& m, const std::string& name) {
  for (const auto& item : m->named_parameters())
    if (item.key() == name) return item.value();
  throw std::invalid_argument("no parameter " + name);
}

}  // namespace nc::test

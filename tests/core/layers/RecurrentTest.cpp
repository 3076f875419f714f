// Tests of the recurrent layers RNN, LSTM and GRU (core/layers/RecurrentUtil.h). Most tests run
// for each of the three types (suffix /RNN, /LSTM, /GRU); RNN's nonlinearity has its own fixture.
#include <c10/util/Exception.h>

#include <functional>
#include <set>
#include <utility>

#include "../LayerTestUtil.h"
#include "core/LayerType.h"

namespace nc::test {
namespace {

using core::ParamMap;
using namespace std::string_literals;

/// One configuration, expressed both as layer parameters and as a reference torch module.
struct Config {
  int64_t hidden = 8;
  int64_t layers = 1;
  bool bidirectional = false;
  bool bias = true;
  double dropout = 0.0;
  std::string nonlinearity = "tanh";  // RNN only

  ParamMap params(const std::string& type, const std::string& output) const {
    ParamMap p{{"hidden_size", hidden}, {"num_layers", layers}, {"bidirectional", bidirectional},
               {"bias", bias},          {"dropout", dropout},   {"output", output}};
    if (type == "RNN") p["nonlinearity"] = nonlinearity;
    return p;
  }
  int64_t directions() const { return bidirectional ? 2 : 1; }
};

/// A separately constructed torch::nn::RNN/LSTM/GRU (batch first) and a way to run it.
struct Reference {
  std::shared_ptr<torch::nn::Module> module;
  std::function<std::pair<torch::Tensor, torch::Tensor>(const torch::Tensor&)> run;  // output, h_n
};

template <class Options>
Options configured(Options o, const Config& c) {
  return o.num_layers(c.layers).bias(c.bias).bidirectional(c.bidirectional).dropout(c.dropout).batch_first(true);
}

Reference makeReference(const std::string& type, int64_t inputSize, const Config& c) {
  if (type == "LSTM") {
    torch::nn::LSTM m(configured(torch::nn::LSTMOptions(inputSize, c.hidden), c));
    return {m.ptr(), [m](const torch::Tensor& x) mutable {
              auto r = m->forward(x);
              return std::make_pair(std::get<0>(r), std::get<0>(std::get<1>(r)));
            }};
  }
  if (type == "GRU") {
    torch::nn::GRU m(configured(torch::nn::GRUOptions(inputSize, c.hidden), c));
    return {m.ptr(), [m](const torch::Tensor& x) mutable {
              auto r = m->forward(x);
              return std::make_pair(std::get<0>(r), std::get<1>(r));
            }};
  }
  auto options = configured(torch::nn::RNNOptions(inputSize, c.hidden), c);
  if (c.nonlinearity == "relu")
    options.nonlinearity(torch::kReLU);
  else
    options.nonlinearity(torch::kTanh);
  torch::nn::RNN m(options);
  return {m.ptr(), [m](const torch::Tensor& x) mutable {
            auto r = m->forward(x);
            return std::make_pair(std::get<0>(r), std::get<1>(r));
          }};
}

/// Copies the built node's weights ("rnn.<pytorch name>") into the reference module.
void copyWeights(const std::shared_ptr<core::NodeModule>& built, Reference& ref) {
  torch::NoGradGuard guard;
  for (auto& item : ref.module->named_parameters()) item.value().copy_(param(built, "rnn." + item.key()));
}

/// Copies all parameters between two built nodes of the same configuration.
void copyWeights(const std::shared_ptr<core::NodeModule>& from, const std::shared_ptr<core::NodeModule>& to) {
  torch::NoGradGuard guard;
  for (auto& item : to->named_parameters()) item.value().copy_(param(from, item.key()));
}

int64_t flopsOf(const std::string& type, const ParamMap& overrides, const core::TensorShape& input) {
  ParamMap map = layerParams(type, overrides);
  core::Params p(map);
  std::vector<core::TensorShape> inputs{input};
  core::ShapeResult r = core::LayerRegistry::instance().find(type)->infer(core::LayerContext{p, inputs});
  EXPECT_TRUE(r.ok()) << r.error;
  if (!r.ok()) return -1;
  return core::LayerRegistry::instance().find(type)->flops(core::LayerContext{p, inputs}, *r.output);
}

int64_t paramCountOf(const std::string& type, const ParamMap& overrides, const core::TensorShape& input) {
  ParamMap map = layerParams(type, overrides);
  core::Params p(map);
  std::vector<core::TensorShape> inputs{input};
  return core::LayerRegistry::instance().find(type)->paramCount(core::LayerContext{p, inputs});
}

/// Records LibTorch warnings (TORCH_WARN) while alive.
class WarningRecorder : public c10::WarningHandler {
 public:
  WarningRecorder() : m_guard(this) {}
  void process(const c10::SourceLocation&, const std::string& msg, const bool) override { messages.push_back(msg); }
  std::vector<std::string> messages;

 private:
  c10::Warning::WarningHandlerGuard m_guard;
};

class RecurrentLayers : public SeededTest, public ::testing::WithParamInterface<std::string> {
 protected:
  const std::string& type() const { return GetParam(); }
};

TEST_P(RecurrentLayers, HasRecurrentSchemaWithInferredInputSize) {
  const core::LayerType* t = core::LayerRegistry::instance().find(type());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->category(), "Recurrent");
  EXPECT_FALSE(t->doc().empty());
  EXPECT_EQ(t->paramSpec("input_size"), nullptr);
  ParamMap d = t->defaults();
  EXPECT_EQ(std::get<int64_t>(d.at("hidden_size")), 128);
  EXPECT_EQ(std::get<int64_t>(d.at("num_layers")), 1);
  EXPECT_EQ(std::get<bool>(d.at("bidirectional")), false);
  EXPECT_EQ(std::get<double>(d.at("dropout")), 0.0);
  EXPECT_EQ(std::get<bool>(d.at("bias")), true);
  EXPECT_EQ(std::get<std::string>(d.at("output")), "last");
  EXPECT_EQ(t->paramSpec("output")->choices, (std::vector<std::string>{"sequence", "last"}));
  EXPECT_EQ(t->paramSpec("num_layers")->minValue, 1);
  EXPECT_EQ(t->paramSpec("num_layers")->maxValue, 8);
  EXPECT_EQ(t->paramSpec("nonlinearity") != nullptr, type() == "RNN");
  for (const auto& spec : t->params()) EXPECT_FALSE(spec.doc.empty()) << spec.name;
}

TEST_P(RecurrentLayers, InfersFinalHiddenStateOrWholeSequence) {
  auto r = inferLayer(type(), {}, {shape({12, 7})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{128}));
  EXPECT_EQ(r.output->dtype, core::DType::Float32);

  r = inferLayer(type(), {{"hidden_size", int64_t{16}}, {"output", "sequence"s}}, {shape({12, 7})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{12, 16}));
}

TEST_P(RecurrentLayers, BidirectionalDoublesOutputFeatures) {
  auto r = inferLayer(type(), {{"hidden_size", int64_t{16}}, {"bidirectional", true}}, {shape({12, 7})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{32}));
  r = inferLayer(type(), {{"hidden_size", int64_t{16}}, {"bidirectional", true}, {"output", "sequence"s}},
                 {shape({12, 7})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{12, 32}));
}

TEST_P(RecurrentLayers, StackedLayersKeepHiddenWidth) {
  auto r = inferLayer(type(), {{"hidden_size", int64_t{10}}, {"num_layers", int64_t{3}}}, {shape({5, 4})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{10}));
  r = inferLayer(type(),
                 {{"hidden_size", int64_t{10}}, {"num_layers", int64_t{3}}, {"bidirectional", true},
                  {"output", "sequence"s}},
                 {shape({5, 4})});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.output->dims, (std::vector<int64_t>{5, 20}));
}

TEST_P(RecurrentLayers, RejectsNonSequenceInputsWithReshapeOrEmbeddingHint) {
  expectInferError(type(), {}, {shape({20})},
                   type() + " expects a 3-D input [batch, length, features] but receives [B, 20]");
  expectInferError(type(), {}, {shape({20})}, "Reshape to [20, 1]");
  expectInferError(type(), {}, {shape({1, 28, 28})},
                   "receives [B, 1, 28, 28]: insert a Reshape to [28, 28] (rows as time steps)");
  expectInferError(type(), {}, {shape({64, 7, 7})}, "Reshape to [64, 49] (channels as time steps)");
  expectInferError(type(), {}, {tokens(16, 100)}, "insert an Embedding first");
}

TEST_P(RecurrentLayers, BuiltOutputAndParamCountMatchInference) {
  const std::vector<ParamMap> configs{
      {},
      {{"hidden_size", int64_t{6}}, {"output", "sequence"s}},
      {{"hidden_size", int64_t{5}}, {"num_layers", int64_t{2}}, {"bidirectional", true}, {"output", "sequence"s}},
      {{"hidden_size", int64_t{5}}, {"num_layers", int64_t{2}}, {"bidirectional", true}},
      {{"hidden_size", int64_t{4}}, {"num_layers", int64_t{3}}, {"bias", false}},
  };
  for (size_t i = 0; i < configs.size(); ++i) {
    SCOPED_TRACE("configuration " + std::to_string(i));
    EXPECT_TRUE(expectBuildMatchesInference(type(), configs[i], {shape({9, 3})}));
  }
}

TEST_P(RecurrentLayers, ParamCountCountsEveryLayerAndDirection) {
  // Per layer and direction: gates * H * (input + H) weights + 2 * gates * H biases;
  // the second layer reads 2H features when bidirectional.
  const int64_t gates = type() == "LSTM" ? 4 : type() == "GRU" ? 3 : 1;
  const int64_t f = 7, h = 5;
  ParamMap p{{"hidden_size", h}, {"num_layers", int64_t{2}}, {"bidirectional", true}};
  int64_t expected = 2 * (gates * h * (f + h) + 2 * gates * h) + 2 * (gates * h * (2 * h + h) + 2 * gates * h);
  EXPECT_EQ(paramCountOf(type(), p, shape({4, f})), expected);
  p["bias"] = false;
  EXPECT_EQ(paramCountOf(type(), p, shape({4, f})), 2 * gates * h * (f + h) + 2 * gates * h * (2 * h + h));
}

TEST_P(RecurrentLayers, ParametersUsePyTorchStateDictNamesUnderRnn) {
  Config c{5, 2, true};
  auto m = buildLayer(type(), c.params(type(), "last"), {shape({6, 3})});
  Reference ref = makeReference(type(), 3, c);
  std::set<std::string> actual, expected;
  for (const auto& item : m->named_parameters()) actual.insert(item.key());
  for (const auto& item : ref.module->named_parameters()) expected.insert("rnn." + item.key());
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(actual.count("rnn.weight_ih_l0"), 1u);
  EXPECT_EQ(actual.count("rnn.bias_hh_l1_reverse"), 1u);
}

TEST_P(RecurrentLayers, SequenceOutputMatchesTorchModuleWithSameWeights) {
  const std::vector<Config> configs{{8, 1, false}, {5, 2, true}, {4, 3, false, false}};
  for (const Config& c : configs) {
    SCOPED_TRACE("layers " + std::to_string(c.layers) + (c.bidirectional ? " bidirectional" : ""));
    auto m = expectBuildMatchesInference(type(), c.params(type(), "sequence"), {shape({6, 3})});
    ASSERT_TRUE(m);
    Reference ref = makeReference(type(), 3, c);
    copyWeights(m, ref);
    torch::NoGradGuard guard;
    torch::Tensor x = torch::randn({4, 6, 3});
    torch::Tensor y = m->forward({x});
    torch::Tensor expected = ref.run(x).first;
    ASSERT_EQ(y.sizes(), expected.sizes());
    EXPECT_TRUE(torch::allclose(y, expected, 1e-5, 1e-6));
  }
}

TEST_P(RecurrentLayers, LastOutputConcatenatesFinalForwardAndBackwardHiddenOfLastLayer) {
  Config c{5, 2, true};
  auto m = expectBuildMatchesInference(type(), c.params(type(), "last"), {shape({6, 3})});
  ASSERT_TRUE(m);
  Reference ref = makeReference(type(), 3, c);
  copyWeights(m, ref);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({4, 6, 3});
  torch::Tensor hn = ref.run(x).second;  // [layers * 2, batch, hidden]
  ASSERT_EQ(hn.size(0), 4);
  torch::Tensor expected = torch::cat({hn[2], hn[3]}, 1);  // h_n[-2], h_n[-1]
  torch::Tensor y = m->forward({x});
  ASSERT_EQ(y.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(y, expected, 1e-5, 1e-6));
}

TEST_P(RecurrentLayers, LastOutputOfUnidirectionalStackIsTopLayerHidden) {
  Config c{6, 3, false};
  auto m = expectBuildMatchesInference(type(), c.params(type(), "last"), {shape({5, 2})});
  ASSERT_TRUE(m);
  Reference ref = makeReference(type(), 2, c);
  copyWeights(m, ref);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({3, 5, 2});
  torch::Tensor hn = ref.run(x).second;
  torch::Tensor y = m->forward({x});
  ASSERT_EQ(y.sizes(), hn[2].sizes());
  EXPECT_TRUE(torch::allclose(y, hn[2], 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(y, hn[0], 1e-3, 1e-3));  // not the first layer's state
}

TEST_P(RecurrentLayers, LastEqualsFinalStepOfSequenceWhenUnidirectional) {
  Config c{7, 2, false};
  auto seq = buildLayer(type(), c.params(type(), "sequence"), {shape({9, 4})});
  auto last = buildLayer(type(), c.params(type(), "last"), {shape({9, 4})});
  copyWeights(seq, last);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({3, 9, 4});
  torch::Tensor s = seq->forward({x});
  torch::Tensor l = last->forward({x});
  ASSERT_EQ(l.sizes(), (std::vector<int64_t>{3, 7}));
  EXPECT_TRUE(torch::allclose(l, s.select(1, 8), 1e-5, 1e-6));
}

TEST_P(RecurrentLayers, BidirectionalLastTakesBackwardStateFromFirstStep) {
  Config c{7, 1, true};
  auto seq = buildLayer(type(), c.params(type(), "sequence"), {shape({9, 4})});
  auto last = buildLayer(type(), c.params(type(), "last"), {shape({9, 4})});
  copyWeights(seq, last);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({3, 9, 4});
  torch::Tensor s = seq->forward({x});  // [3, 9, 14]
  torch::Tensor l = last->forward({x});  // [3, 14]
  ASSERT_EQ(l.sizes(), (std::vector<int64_t>{3, 14}));
  EXPECT_TRUE(torch::allclose(l.slice(1, 0, 7), s.select(1, 8).slice(1, 0, 7), 1e-5, 1e-6));  // forward: last step
  EXPECT_TRUE(torch::allclose(l.slice(1, 7, 14), s.select(1, 0).slice(1, 7, 14), 1e-5, 1e-6));  // backward: step 0
}

TEST_P(RecurrentLayers, DropoutActsBetweenLayersOnlyWhileTraining) {
  Config c{16, 2, false};
  c.dropout = 0.5;
  auto m = buildLayer(type(), c.params(type(), "sequence"), {shape({6, 3})});
  Config plain = c;
  plain.dropout = 0.0;
  Reference ref = makeReference(type(), 3, plain);
  copyWeights(m, ref);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({4, 6, 3});
  m->train();
  EXPECT_FALSE(torch::allclose(m->forward({x}), m->forward({x})));
  m->eval();
  EXPECT_TRUE(torch::allclose(m->forward({x}), ref.run(x).first, 1e-5, 1e-6));
}

TEST_P(RecurrentLayers, DropoutWithOneLayerIsAcceptedWithoutTorchWarning) {
  Config c{4, 1, false};
  c.dropout = 0.5;
  {
    WarningRecorder torchWarns;  // makes sure the recorder sees torch's warning for this combination
    makeReference(type(), 3, c);
    ASSERT_FALSE(torchWarns.messages.empty()) << "torch no longer warns: this test needs updating";
  }
  auto r = inferLayer(type(), c.params(type(), "last"), {shape({6, 3})});
  ASSERT_TRUE(r.ok()) << r.error;
  WarningRecorder warnings;
  auto m = expectBuildMatchesInference(type(), c.params(type(), "last"), {shape({6, 3})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(warnings.messages.empty()) << warnings.messages.front();
  // With one layer there is nothing between layers: training is deterministic.
  m->train();
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({2, 6, 3});
  EXPECT_TRUE(torch::equal(m->forward({x}), m->forward({x})));
}

TEST_P(RecurrentLayers, FlopsGrowWithLengthDirectionsAndLayers) {
  ParamMap p{{"hidden_size", int64_t{32}}};
  int64_t base = flopsOf(type(), p, shape({10, 16}));
  EXPECT_GT(base, 0);
  // At least one multiply-add per weight and time step.
  EXPECT_GE(base, 2 * 10 * paramCountOf(type(), {{"hidden_size", int64_t{32}}, {"bias", false}}, shape({10, 16})));
  EXPECT_EQ(flopsOf(type(), p, shape({20, 16})), 2 * base);
  p["bidirectional"] = true;
  EXPECT_EQ(flopsOf(type(), p, shape({10, 16})), 2 * base);
  p["bidirectional"] = false;
  p["num_layers"] = int64_t{2};
  EXPECT_GT(flopsOf(type(), p, shape({10, 16})), base);
}

INSTANTIATE_TEST_SUITE_P(Recurrent, RecurrentLayers, ::testing::Values("RNN", "LSTM", "GRU"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

class RNNLayer : public SeededTest {};

TEST_F(RNNLayer, ReluNonlinearityMatchesTorchReluRnn) {
  Config c{6, 2, true};
  c.nonlinearity = "relu";
  auto m = expectBuildMatchesInference("RNN", c.params("RNN", "sequence"), {shape({5, 3})});
  ASSERT_TRUE(m);
  Reference ref = makeReference("RNN", 3, c);
  copyWeights(m, ref);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({4, 5, 3});
  torch::Tensor y = m->forward({x});
  EXPECT_TRUE(torch::allclose(y, ref.run(x).first, 1e-5, 1e-6));
  EXPECT_GE(y.min().item<float>(), 0.0f);
}

TEST_F(RNNLayer, TanhNonlinearityIsTheDefaultAndGivesNegativeOutputs) {
  Config c{6, 1, false};
  auto m = buildLayer("RNN", {{"hidden_size", int64_t{6}}, {"output", "sequence"s}}, {shape({5, 3})});
  Reference ref = makeReference("RNN", 3, c);
  copyWeights(m, ref);
  torch::NoGradGuard guard;
  torch::Tensor x = torch::randn({4, 5, 3});
  torch::Tensor y = m->forward({x});
  EXPECT_TRUE(torch::allclose(y, ref.run(x).first, 1e-5, 1e-6));
  EXPECT_LT(y.min().item<float>(), 0.0f);
  EXPECT_LE(y.abs().max().item<float>(), 1.0f);
}

}  // namespace
}  // namespace nc::test

// Dropout: zeroes random elements while training, identity in evaluation.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Dropout final : public ElementwiseLayer {
 public:
  Dropout()
      : ElementwiseLayer("Dropout", "Regularization",
                         "While training, zeroes each element with probability p and scales the rest by "
                         "1 / (1 - p); passes the input through unchanged in evaluation.",
                         {ParamSpec::real("p", 0.5, 0.0, 0.99, "Probability of zeroing an element")}) {}

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    return wrapModule(torch::nn::Dropout(torch::nn::DropoutOptions(ctx.params.f("p"))));
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // The exported model is evaluation-only, where dropout is the identity.
    return script::assign(ctx, ctx.inputVars.at(0));
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    // A module, so that model.train() drops and model.eval() passes through.
    return python::module(ctx, "nn.Dropout(" + python::floatLiteral(ctx.params.f("p")) + ")");
  }
};
NC_REGISTER_LAYER(Dropout);

}  // namespace
}  // namespace nc::core::layers

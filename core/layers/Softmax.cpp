// Softmax: exp(x) normalised to sum to 1 along one dimension.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Softmax final : public LayerType {
 public:
  Softmax()
      : LayerType("Softmax", "Activation",
                  "Turns scores into probabilities: exp(x) normalised to sum to 1 along dim (as torch.softmax; "
                  "the batch is dimension 0, -1 is the last).",
                  {ParamSpec::integer("dim", -1, -7, 7, "Dimension to normalise over; negative counts from the end")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    int64_t dim = ctx.params.i("dim");
    int64_t rank = int64_t(in.rank());
    int64_t d = dim < 0 ? dim + rank : dim;
    if (d < 0 || d >= rank)
      return ShapeResult::fail("Softmax dim " + std::to_string(dim) + " does not exist in " + in.str() +
                               " (dimensions 0.." + std::to_string(rank - 1) + ", the batch is 0)");
    if (d == 0)
      return ShapeResult::fail("Softmax dim " + std::to_string(dim) + " is the batch of " + in.str() +
                               ": it would mix different samples; use dim -1 (the last) or 1");
    return ShapeResult::of(in);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    int64_t dim = ctx.params.i("dim");
    if (dim < 0) dim += int64_t(ctx.in().rank());
    return unaryNode([dim](const torch::Tensor& x) { return torch::softmax(x, dim); });
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    int64_t dim = script::normalizedDim(ctx.params.i("dim"), ctx.inputs.at(0).rank());
    return script::call(ctx, "torch.softmax", script::intLiteral(dim));
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    int64_t dim = script::normalizedDim(ctx.params.i("dim"), ctx.inputs.at(0).rank());
    return python::call(ctx, "torch.softmax", python::intLiteral(dim));
  }

  int64_t flops(const LayerContext& ctx, const TensorShape&) const override { return 5 * ctx.in().numel(); }
};
NC_REGISTER_LAYER(Softmax);

}  // namespace
}  // namespace nc::core::layers

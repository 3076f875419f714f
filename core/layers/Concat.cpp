// Concat: joins inputs along one dimension.
#include "core/NodeModule.h"
#include "core/layers/MergeUtil.h"

namespace nc::core::layers {
namespace {

class Concat final : public LayerType {
 public:
  Concat()
      : LayerType("Concat", "Merge",
                  "Joins num_inputs tensors along dim (as torch.cat; the batch is dimension 0, so dim 1 joins "
                  "channels or features). All other dimensions must be equal.",
                  {numInputsSpec(),
                   ParamSpec::integer("dim", 1, -7, 7, "Dimension to join along; negative counts from the end")}) {}

  std::vector<std::string> inputPorts(const Params& p) const override { return mergePorts(p); }

  ShapeResult infer(const LayerContext& ctx) const override {
    if (auto e = requireInputCount(ctx, name())) return *e;
    const TensorShape& first = ctx.in(0);
    for (size_t i = 1; i < ctx.inputs.size(); ++i) {
      const TensorShape& s = ctx.in(i);
      if (s.rank() != first.rank())
        return ShapeResult::fail("Concat needs inputs with the same number of dimensions but receives " + first.str() +
                                 " on 'a' and " + s.str() + " on '" + mergePortName(i) + "'");
      if (s.dtype != first.dtype)
        return ShapeResult::fail("Concat cannot join token ids with float features: receives " + first.str() +
                                 " on 'a' and " + s.str() + " on '" + mergePortName(i) + "'");
    }
    int64_t dim = ctx.params.i("dim");
    int64_t rank = int64_t(first.rank());
    int64_t d = dim < 0 ? dim + rank : dim;
    if (d < 0 || d >= rank)
      return ShapeResult::fail("Concat dim " + std::to_string(dim) + " does not exist in " + first.str() +
                               " (dimensions 0.." + std::to_string(rank - 1) + ", the batch is 0)");
    if (d == 0)
      return ShapeResult::fail("Concat dim " + std::to_string(dim) +
                               " is the batch: samples cannot be joined; use dim 1 to join channels or features");
    TensorShape out = first;
    size_t k = size_t(d - 1);  // index into dims (no batch)
    for (size_t i = 1; i < ctx.inputs.size(); ++i) {
      const TensorShape& s = ctx.in(i);
      for (size_t j = 0; j < s.dims.size(); ++j)
        if (j != k && s.dims[j] != first.dims[j])
          return ShapeResult::fail("Concat along dim " + std::to_string(dim) +
                                   " needs all other dimensions equal but receives " + first.str() + " on 'a' and " +
                                   s.str() + " on '" + mergePortName(i) + "' (dimension " + std::to_string(j + 1) +
                                   " differs)");
      out.dims[k] += s.dims[k];
      out.vocab = std::max(out.vocab, s.vocab);
    }
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    int64_t dim = ctx.params.i("dim");
    if (dim < 0) dim += int64_t(ctx.in().rank());
    return functionNode([dim](const std::vector<torch::Tensor>& in) { return torch::cat(in, dim); });
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    int64_t dim = script::normalizedDim(ctx.params.i("dim"), ctx.inputs.at(0).rank());
    return script::assign(ctx, "torch.cat(" + script::listLiteral(ctx.inputVars) + ", " + script::intLiteral(dim) + ")");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    int64_t dim = script::normalizedDim(ctx.params.i("dim"), ctx.inputs.at(0).rank());
    return python::expression(ctx, "torch.cat(" + script::listLiteral(ctx.inputVars) + ", dim=" + python::intLiteral(dim) + ")");
  }
};
NC_REGISTER_LAYER(Concat);

}  // namespace
}  // namespace nc::core::layers

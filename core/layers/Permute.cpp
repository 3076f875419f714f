// Permute: reorders the dimensions of each sample; the batch stays first.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Permute final : public LayerType {
 public:
  Permute()
      : LayerType("Permute", "Shape",
                  "Reorders dimensions (as torch.permute). dims lists every dimension including the batch, "
                  "which must stay first: [0, 2, 1] turns [B, L, D] into [B, D, L].",
                  {ParamSpec::intList("dims", {0, 2, 1}, 2, 7, 0, 6,
                                      "New order of all dimensions, batch = 0 first")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    const std::vector<int64_t>& dims = ctx.params.list("dims");
    const size_t rank = in.rank();
    const std::string given = formatDims(dims);
    if (dims.size() != rank)
      return ShapeResult::fail("Permute dims " + given + " has " + std::to_string(dims.size()) +
                               " entries but the input " + in.str() + " has " + std::to_string(rank) +
                               " dimensions (batch included)");
    std::vector<bool> seen(rank, false);
    for (int64_t d : dims) {
      if (d < 0 || d >= int64_t(rank) || seen[size_t(d)])
        return ShapeResult::fail("Permute dims " + given + " must list each of the dimensions 0.." +
                                 std::to_string(rank - 1) + " of " + in.str() + " exactly once");
      seen[size_t(d)] = true;
    }
    if (dims[0] != 0)
      return ShapeResult::fail("Permute dims " + given + " moves the batch: dims must start with 0 so that the "
                               "batch stays dimension 0");
    TensorShape out = in;
    for (size_t i = 1; i < rank; ++i) out.dims[i - 1] = in.dims[size_t(dims[i] - 1)];
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    std::vector<int64_t> dims = ctx.params.list("dims");
    return unaryNode([dims](const torch::Tensor& x) { return x.permute(dims); });
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    return script::assign(ctx, ctx.inputVars.at(0) + ".permute(" + script::intList(ctx.params.list("dims")) + ")");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    std::vector<std::string> dims;
    for (int64_t d : ctx.params.list("dims")) dims.push_back(python::intLiteral(d));
    return python::expression(ctx, ctx.inputVars.at(0) + ".permute(" + python::args(dims) + ")");
  }
};
NC_REGISTER_LAYER(Permute);

}  // namespace
}  // namespace nc::core::layers

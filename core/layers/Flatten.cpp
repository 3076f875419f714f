// Flatten: merges a range of dimensions into one.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Flatten final : public LayerType {
 public:
  Flatten()
      : LayerType("Flatten", "Shape",
                  "Merges dimensions start_dim..end_dim into one, counting the batch as dimension 0 "
                  "(as torch.flatten). The defaults turn [B, C, H, W] into [B, C*H*W].",
                  {ParamSpec::integer("start_dim", 1, 1, 8, "First dimension to merge (batch is 0)"),
                   ParamSpec::integer("end_dim", -1, -8, 8, "Last dimension to merge; negative counts from the end")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    int64_t rank = int64_t(in.rank());
    int64_t start = ctx.params.i("start_dim");
    int64_t end = ctx.params.i("end_dim");
    if (end < 0) end += rank;
    if (start >= rank || end < 0 || end >= rank)
      return ShapeResult::fail("Flatten dimensions " + std::to_string(start) + ".." +
                               std::to_string(ctx.params.i("end_dim")) + " do not exist in " + in.str());
    if (end < start)
      return ShapeResult::fail("Flatten end_dim must not come before start_dim in " + in.str());
    TensorShape out;
    out.dtype = in.dtype;
    int64_t merged = 1;
    for (int64_t d = 1; d < rank; ++d) {
      int64_t size = in.dims[size_t(d - 1)];
      if (d < start || d > end) out.dims.push_back(size);
      else {
        if (__builtin_mul_overflow(merged, size, &merged))
          return ShapeResult::fail("Flatten of " + in.str() + " gives a dimension too large to count");
        if (d == end) out.dims.push_back(merged);
      }
    }
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    int64_t start = ctx.params.i("start_dim"), end = ctx.params.i("end_dim");
    return unaryNode([start, end](const torch::Tensor& x) { return torch::flatten(x, start, end); });
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // Same dimensions as torch.flatten in build(): batch is 0, a negative end_dim counts from the end.
    return script::call(ctx, "torch.flatten", script::intLiteral(ctx.params.i("start_dim")) + ", " +
                                                  script::intLiteral(ctx.params.i("end_dim")));
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return python::call(ctx, "torch.flatten", python::args({python::intLiteral(ctx.params.i("start_dim")),
                                                            python::intLiteral(ctx.params.i("end_dim"))}));
  }
};
NC_REGISTER_LAYER(Flatten);

}  // namespace
}  // namespace nc::core::layers

// SequencePool: reduces [batch, length, features] to [batch, features].
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class SequencePool final : public LayerType {
 public:
  SequencePool()
      : LayerType("SequencePool", "Shape",
                  "Reduces a sequence [batch, length, features] to one vector [batch, features]: the mean or "
                  "maximum over the length, or the first or last position.",
                  {ParamSpec::choice("mode", "mean", {"mean", "max", "first", "last"},
                                     "How to reduce over the length")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRank(in, 3, name(), "[batch, length, features]",
                             in.rank() == 2 ? "the input has no length dimension to pool over"
                                            : "use Reshape or Permute to get [batch, length, features]"))
      return *e;
    TensorShape out;
    out.dims = {in.dims[1]};
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const std::string& mode = ctx.params.s("mode");
    if (mode == "max") return unaryNode([](const torch::Tensor& x) { return std::get<0>(x.max(1)); });
    if (mode == "first") return unaryNode([](const torch::Tensor& x) { return x.select(1, 0); });
    if (mode == "last") return unaryNode([](const torch::Tensor& x) { return x.select(1, -1); });
    return unaryNode([](const torch::Tensor& x) { return x.mean(1); });
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    const std::string& mode = ctx.params.s("mode");
    const std::string& x = ctx.inputVars.at(0);
    if (mode == "max") return script::assign(ctx, "torch.amax(" + x + ", [1])");
    if (mode == "first") return script::assign(ctx, x + ".select(1, 0)");
    if (mode == "last") return script::assign(ctx, x + ".select(1, -1)");
    return script::assign(ctx, "torch.mean(" + x + ", [1])");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    const std::string& mode = ctx.params.s("mode");
    const std::string& x = ctx.inputVars.at(0);
    if (mode == "max") return python::expression(ctx, x + ".max(dim=1).values");
    if (mode == "first") return python::expression(ctx, x + "[:, 0]");
    if (mode == "last") return python::expression(ctx, x + "[:, -1]");
    return python::expression(ctx, x + ".mean(dim=1)");
  }

  int64_t flops(const LayerContext& ctx, const TensorShape&) const override {
    const std::string& mode = ctx.params.s("mode");
    return mode == "mean" || mode == "max" ? ctx.in().numel() : 0;
  }
};
NC_REGISTER_LAYER(SequencePool);

}  // namespace
}  // namespace nc::core::layers

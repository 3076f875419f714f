// AdaptiveAvgPool2d: averages an image [batch, channels, height, width] down to a fixed size.
#include <algorithm>
#include <utility>

#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class AdaptiveAvgPool2d final : public LayerType {
 public:
  AdaptiveAvgPool2d()
      : LayerType("AdaptiveAvgPool2d", "Pooling",
                  "Averages an image [batch, channels, height, width] into a fixed output_size grid, whatever "
                  "the input size. The default [1, 1] is global average pooling.",
                  {ParamSpec::intList("output_size", {1, 1}, 1, 2, 1, 4096,
                                      "Output [height, width]; a single value means a square")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRank(in, 4, name(), "[batch, channels, height, width]",
                             "pooling needs an image; Reshape the features into [C, H, W]"))
      return *e;
    auto [h, w] = outputSize(ctx.params);
    return ShapeResult::of({{in.dims[0], h, w}});
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    auto [h, w] = outputSize(ctx.params);
    return wrapModule(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({h, w})));
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    // Every input element is added about once (more when windows overlap), one division per output.
    return std::max(ctx.in().numel(), out.numel()) + out.numel();
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    auto [h, w] = outputSize(ctx.params);
    return script::call(ctx, "torch.adaptive_avg_pool2d", script::intList({h, w}));
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    auto [h, w] = outputSize(ctx.params);
    return python::call(ctx, "F.adaptive_avg_pool2d", python::intTuple({h, w}));
  }

 private:
  static std::pair<int64_t, int64_t> outputSize(const Params& p) {
    const auto& l = p.list("output_size");
    return {l.at(0), l.size() > 1 ? l.at(1) : l.at(0)};
  }
};
NC_REGISTER_LAYER(AdaptiveAvgPool2d);

}  // namespace
}  // namespace nc::core::layers

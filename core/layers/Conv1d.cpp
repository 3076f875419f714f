// Conv1d: 1-D convolution over [batch, channels, length].
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Conv1d final : public LayerType {
 public:
  Conv1d()
      : LayerType("Conv1d", "Convolution",
                  "1-D convolution: slides out_channels learned filters along a sequence [batch, channels, "
                  "length]. in_channels follows from the input.",
                  {ParamSpec::integer("out_channels", 32, 1, 65536, "Number of filters"),
                   ParamSpec::integer("kernel_size", 3, 1, 256, "Filter length"),
                   ParamSpec::integer("stride", 1, 1, 256, "Step between windows"),
                   ParamSpec::integer("padding", 1, 0, 256, "Zeros added on each end"),
                   ParamSpec::integer("dilation", 1, 1, 64, "Spacing between filter taps"),
                   ParamSpec::integer("groups", 1, 1, 65536, "Channel groups (in and out channels divisible by it)"),
                   ParamSpec::boolean("bias", true, "Learn an additive bias per filter")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    std::string hint = in.rank() == 4   ? "use Conv2d for images"
                       : in.rank() == 2 ? "Reshape to add a channel dimension, e.g. [B, 1, length]"
                                        : "";
    if (auto e = requireRank(in, 3, name(), "[batch, channels, length]", hint)) return *e;
    const Params& p = ctx.params;
    int64_t g = p.i("groups");
    if (in.dims[0] % g || p.i("out_channels") % g)
      return ShapeResult::fail("Conv1d groups = " + std::to_string(g) + " must divide in_channels (" +
                               std::to_string(in.dims[0]) + ") and out_channels (" +
                               std::to_string(p.i("out_channels")) + ")");
    int64_t len = slidingOutput(in.dims[1], p.i("kernel_size"), p.i("stride"), p.i("padding"), p.i("dilation"));
    if (len <= 0)
      return ShapeResult::fail("Conv1d kernel " + std::to_string(p.i("kernel_size")) + " does not fit the input " +
                               in.str() + " (with padding " + std::to_string(p.i("padding")) + ", dilation " +
                               std::to_string(p.i("dilation")) + ")");
    return ShapeResult::of({{p.i("out_channels"), len}});
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(torch::nn::Conv1d(torch::nn::Conv1dOptions(ctx.in().dims[0], p.i("out_channels"), p.i("kernel_size"))
                                            .stride(p.i("stride"))
                                            .padding(p.i("padding"))
                                            .dilation(p.i("dilation"))
                                            .groups(p.i("groups"))
                                            .bias(p.b("bias"))));
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    int64_t out = p.i("out_channels");
    return out * (ctx.in().dims[0] / p.i("groups")) * p.i("kernel_size") + (p.b("bias") ? out : 0);
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    return 2 * out.numel() * (ctx.in().dims[0] / ctx.params.i("groups")) * ctx.params.i("kernel_size");
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // torch.conv1d(input, weight, bias, stride, padding, dilation, groups), as torch::nn::Conv1d
    // with zero padding.
    const Params& p = ctx.params;
    auto each = [](int64_t v) { return script::intList(std::vector<int64_t>(1, v)); };
    return script::call(ctx, "torch.conv1d",
                        ctx.attr("m.weight") + ", " + script::optionalAttr(ctx, "m.bias") + ", " +
                            each(p.i("stride")) + ", " + each(p.i("padding")) + ", " + each(p.i("dilation")) + ", " +
                            script::intLiteral(p.i("groups")));
  }
};
NC_REGISTER_LAYER(Conv1d);

}  // namespace
}  // namespace nc::core::layers

// Conv2d: 2-D convolution over [batch, channels, height, width].
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Conv2d final : public LayerType {
 public:
  Conv2d()
      : LayerType("Conv2d", "Convolution",
                  "2-D convolution: slides out_channels learned filters over the image. "
                  "in_channels follows from the input.",
                  {ParamSpec::integer("out_channels", 32, 1, 65536, "Number of filters"),
                   ParamSpec::integer("kernel_size", 3, 1, 256, "Filter height and width"),
                   ParamSpec::integer("stride", 1, 1, 256, "Step between windows"),
                   ParamSpec::integer("padding", 1, 0, 256, "Zeros added on each side"),
                   ParamSpec::integer("dilation", 1, 1, 64, "Spacing between filter taps"),
                   ParamSpec::integer("groups", 1, 1, 65536, "Channel groups (in and out channels divisible by it)"),
                   ParamSpec::boolean("bias", true, "Learn an additive bias per filter")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRank(in, 4, name(), "[batch, channels, height, width]",
                             in.rank() == 3 ? "use Conv1d for sequences, or Reshape to add a channel dimension" : ""))
      return *e;
    const Params& p = ctx.params;
    int64_t g = p.i("groups");
    if (in.dims[0] % g || p.i("out_channels") % g)
      return ShapeResult::fail("Conv2d groups = " + std::to_string(g) + " must divide in_channels (" +
                               std::to_string(in.dims[0]) + ") and out_channels (" +
                               std::to_string(p.i("out_channels")) + ")");
    int64_t h = slidingOutput(in.dims[1], p.i("kernel_size"), p.i("stride"), p.i("padding"), p.i("dilation"));
    int64_t w = slidingOutput(in.dims[2], p.i("kernel_size"), p.i("stride"), p.i("padding"), p.i("dilation"));
    if (h <= 0 || w <= 0)
      return ShapeResult::fail("Conv2d kernel " + std::to_string(p.i("kernel_size")) + " does not fit the input " +
                               in.str() + " (with padding " + std::to_string(p.i("padding")) + ")");
    return ShapeResult::of({{p.i("out_channels"), h, w}});
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(torch::nn::Conv2d(torch::nn::Conv2dOptions(ctx.in().dims[0], p.i("out_channels"), p.i("kernel_size"))
                                            .stride(p.i("stride"))
                                            .padding(p.i("padding"))
                                            .dilation(p.i("dilation"))
                                            .groups(p.i("groups"))
                                            .bias(p.b("bias"))));
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    int64_t k = p.i("kernel_size");
    int64_t out = p.i("out_channels");
    return out * (ctx.in().dims[0] / p.i("groups")) * k * k + (p.b("bias") ? out : 0);
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    int64_t k = ctx.params.i("kernel_size");
    return 2 * out.numel() * (ctx.in().dims[0] / ctx.params.i("groups")) * k * k;
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // torch.conv2d(input, weight, bias, stride, padding, dilation, groups), as torch::nn::Conv2d
    // with zero padding.
    const Params& p = ctx.params;
    auto each = [](int64_t v) { return script::intList(std::vector<int64_t>(2, v)); };
    return script::call(ctx, "torch.conv2d",
                        ctx.attr("m.weight") + ", " + script::optionalAttr(ctx, "m.bias") + ", " +
                            each(p.i("stride")) + ", " + each(p.i("padding")) + ", " + each(p.i("dilation")) + ", " +
                            script::intLiteral(p.i("groups")));
  }
};
NC_REGISTER_LAYER(Conv2d);

}  // namespace
}  // namespace nc::core::layers

#pragma once
// Shared by Conv1d and Conv2d: parameters, shape inference, module, counts and TorchScript for a
// convolution over `Spatial` (1 or 2) dimensions after [batch, channels].
// LibTorch-facing: include from layer .cpp files only.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {

template <int Spatial, class Holder, class Options>
class ConvLayer : public LayerType {
 public:
  /// `form` describes the expected input, e.g. "[batch, channels, length]".
  ConvLayer(std::string name, std::string doc, std::string form, std::string kernelDoc)
      : LayerType(std::move(name), "Convolution", std::move(doc),
                  {ParamSpec::integer("out_channels", 32, 1, 65536, "Number of filters"),
                   ParamSpec::integer("kernel_size", 3, 1, 256, std::move(kernelDoc)),
                   ParamSpec::integer("stride", 1, 1, 256, "Step between windows"),
                   ParamSpec::integer("padding", 1, 0, 256, "Zeros added on each side"),
                   ParamSpec::integer("dilation", 1, 1, 64, "Spacing between filter taps"),
                   ParamSpec::integer("groups", 1, 1, 65536, "Channel groups (in and out channels divisible by it)"),
                   ParamSpec::boolean("bias", true, "Learn an additive bias per filter")}),
        m_form(std::move(form)) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (auto e = requireFloat(in, name())) return *e;
    if (auto e = requireRank(in, Spatial + 2, name(), m_form, rankHint(in))) return *e;
    const Params& p = ctx.params;
    int64_t g = p.i("groups");
    if (in.dims[0] % g || p.i("out_channels") % g)
      return ShapeResult::fail(name() + " groups = " + std::to_string(g) + " must divide in_channels (" +
                               std::to_string(in.dims[0]) + ") and out_channels (" +
                               std::to_string(p.i("out_channels")) + ")");
    TensorShape out{{p.i("out_channels")}, DType::Float32, 0};
    for (int d = 1; d <= Spatial; ++d) {
      int64_t size = slidingOutput(in.dims[size_t(d)], p.i("kernel_size"), p.i("stride"), p.i("padding"), p.i("dilation"));
      if (size <= 0)
        return ShapeResult::fail(name() + " kernel " + std::to_string(p.i("kernel_size")) + " does not fit the input " +
                                 in.str() + " (with padding " + std::to_string(p.i("padding")) + ", dilation " +
                                 std::to_string(p.i("dilation")) + ")");
      out.dims.push_back(size);
    }
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(Holder(Options(ctx.in().dims[0], p.i("out_channels"), p.i("kernel_size"))
                                 .stride(p.i("stride"))
                                 .padding(p.i("padding"))
                                 .dilation(p.i("dilation"))
                                 .groups(p.i("groups"))
                                 .bias(p.b("bias"))));
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    int64_t out = p.i("out_channels");
    return satAdd(satMul(out, ctx.in().dims[0] / p.i("groups"), kernelVolume(p)), p.b("bias") ? out : 0);
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override {
    return satMul(2, out.numel(), ctx.in().dims[0] / ctx.params.i("groups"), kernelVolume(ctx.params));
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // torch.convNd(input, weight, bias, stride, padding, dilation, groups), as torch::nn::ConvNd
    // with zero padding.
    const Params& p = ctx.params;
    auto each = [](int64_t v) { return script::intList(std::vector<int64_t>(Spatial, v)); };
    return script::call(ctx, "torch.conv" + std::to_string(Spatial) + "d",
                        ctx.attr("m.weight") + ", " + script::optionalAttr(ctx, "m.bias") + ", " +
                            each(p.i("stride")) + ", " + each(p.i("padding")) + ", " + each(p.i("dilation")) + ", " +
                            script::intLiteral(p.i("groups")));
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    using namespace python;
    const Params& p = ctx.params;
    return module(ctx, "nn.Conv" + std::to_string(Spatial) + "d(" +
                           args({intLiteral(ctx.inputs.at(0).dims[0]), intLiteral(p.i("out_channels")),
                                 intLiteral(p.i("kernel_size")),
                                 kwarg("stride", intLiteral(p.i("stride")), p.i("stride") == 1),
                                 kwarg("padding", intLiteral(p.i("padding")), p.i("padding") == 0),
                                 kwarg("dilation", intLiteral(p.i("dilation")), p.i("dilation") == 1),
                                 kwarg("groups", intLiteral(p.i("groups")), p.i("groups") == 1),
                                 kwarg("bias", "False", p.b("bias"))}) +
                           ")");
  }

 protected:
  /// A hint for an input of the wrong rank (e.g. "use Conv2d for images"), or "".
  virtual std::string rankHint(const TensorShape& in) const = 0;

 private:
  static int64_t kernelVolume(const Params& p) {
    int64_t v = 1;
    for (int d = 0; d < Spatial; ++d) v *= p.i("kernel_size");
    return v;
  }
  std::string m_form;
};

}  // namespace nc::core::layers

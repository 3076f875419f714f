#pragma once
// Helpers shared by the fixed-window pooling layers (MaxPool1d, MaxPool2d, AvgPool2d):
// their common parameters, their shape inference and their TorchScript emission. Header only;
// include from layer .cpp files.
#include <string>
#include <vector>

#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {

/// kernel_size, stride (0 = same as kernel_size) and padding, as in torch.nn.MaxPool2d.
inline std::vector<ParamSpec> poolParams() {
  return {ParamSpec::integer("kernel_size", 2, 1, 256, "Window size along each spatial dimension"),
          ParamSpec::integer("stride", 0, 0, 256, "Step between windows; 0 means the same as kernel_size"),
          ParamSpec::integer("padding", 0, 0, 128, "Implicit padding on each side (at most kernel_size / 2)")};
}

/// The effective stride: the parameter, or kernel_size when it is 0.
inline int64_t poolStride(const Params& p) {
  int64_t s = p.i("stride");
  return s > 0 ? s : p.i("kernel_size");
}

/// Shape inference of a pooling window over the last `spatial` dimensions of a
/// [batch, channels, spatial...] input: checks dtype, rank, padding and that the window fits.
/// `form` describes the expected input ("[batch, channels, height, width]"), `hint` is added
/// to the rank error.
inline ShapeResult inferPool(const LayerContext& ctx, const std::string& layer, size_t spatial,
                             const std::string& form, const std::string& hint) {
  const TensorShape& in = ctx.in();
  if (auto e = requireFloat(in, layer)) return *e;
  if (auto e = requireRank(in, spatial + 2, layer, form, hint)) return *e;
  const Params& p = ctx.params;
  int64_t k = p.i("kernel_size"), s = poolStride(p), pad = p.i("padding");
  if (pad > k / 2)
    return ShapeResult::fail(layer + " padding " + std::to_string(pad) + " is too large for kernel_size " +
                             std::to_string(k) + ": padding must be at most half the kernel size (" +
                             std::to_string(k / 2) + ")");
  TensorShape out = in;
  for (size_t d = 1; d < in.dims.size(); ++d) {
    int64_t size = slidingOutput(in.dims[d], k, s, pad);
    if (size <= 0)
      return ShapeResult::fail(layer + " kernel_size " + std::to_string(k) + " does not fit the input " + in.str() +
                               " (with padding " + std::to_string(pad) + "): reduce kernel_size or add padding");
    out.dims[d] = size;
  }
  return ShapeResult::of(out);
}

/// Rough FLOPs of a pooling window: one comparison or addition per window element and output.
inline int64_t poolFlops(const LayerContext& ctx, const TensorShape& out, size_t spatial) {
  int64_t window = 1;
  for (size_t d = 0; d < spatial; ++d) window *= ctx.params.i("kernel_size");
  return out.numel() * window;
}

/// "kernel_size, stride, padding" as the List[int] arguments of torch.max_pool<n>d /
/// torch.avg_pool<n>d over `spatial` dimensions, e.g. "[3, 3], [2, 2], [1, 1]".
inline std::string poolScriptArgs(const Params& p, size_t spatial) {
  auto repeated = [spatial](int64_t v) { return script::intList(std::vector<int64_t>(spatial, v)); };
  return repeated(p.i("kernel_size")) + ", " + repeated(poolStride(p)) + ", " + repeated(p.i("padding"));
}

/// Emission of a max pooling layer: torch.max_pool<n>d(x, kernel, stride, padding, dilation 1,
/// ceil_mode False), as torch::nn::MaxPool<n>d with its default options.
inline std::string emitMaxPool(const ScriptContext& ctx, size_t spatial) {
  return script::call(ctx, "torch.max_pool" + std::to_string(spatial) + "d",
                      poolScriptArgs(ctx.params, spatial) + ", " + script::intList(std::vector<int64_t>(spatial, 1)) +
                          ", False");
}

/// Python emission of a pooling layer: "out = F.<fn>(in, kernel_size, stride=..., padding=...)" with
/// the defaults torch::nn::MaxPool<n>d / AvgPool2d use (dilation 1, ceil_mode False,
/// count_include_pad True), which are F.max_pool<n>d's and F.avg_pool2d's defaults too.
inline PythonCode pythonPool(const PythonContext& ctx, const std::string& fn) {
  using namespace python;
  const Params& p = ctx.params;
  return call(ctx, fn,
              args({intLiteral(p.i("kernel_size")), kwarg("stride", intLiteral(poolStride(p))),
                    kwarg("padding", intLiteral(p.i("padding")), p.i("padding") == 0)}));
}

}  // namespace nc::core::layers

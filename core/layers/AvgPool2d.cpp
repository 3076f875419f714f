// AvgPool2d: mean over sliding windows of an image [batch, channels, height, width].
#include "core/NodeModule.h"
#include "core/layers/PoolUtil.h"

namespace nc::core::layers {
namespace {

class AvgPool2d final : public LayerType {
 public:
  AvgPool2d()
      : LayerType("AvgPool2d", "Pooling",
                  "Averages each kernel_size x kernel_size window of an image [batch, channels, height, "
                  "width]; the default halves height and width. Padded zeros count in the average.",
                  poolParams()) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    return inferPool(ctx, name(), 2, "[batch, channels, height, width]",
                     ctx.in().rank() == 3 ? "Reshape sequences into [C, H, W], or use a 1-D pooling layer"
                                          : "pooling needs an image; Reshape the features into [C, H, W]");
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(torch::nn::AvgPool2d(
        torch::nn::AvgPool2dOptions(p.i("kernel_size")).stride(poolStride(p)).padding(p.i("padding"))));
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override { return poolFlops(ctx, out, 2); }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // ceil_mode False, count_include_pad True, no divisor_override: torch::nn::AvgPool2d's defaults.
    return script::call(ctx, "torch.avg_pool2d", poolScriptArgs(ctx.params, 2) + ", False, True, None");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    return pythonPool(ctx, "F.avg_pool2d");
  }
};
NC_REGISTER_LAYER(AvgPool2d);

}  // namespace
}  // namespace nc::core::layers

// MaxPool2d: maximum over sliding windows of an image [batch, channels, height, width].
#include "core/NodeModule.h"
#include "core/layers/PoolUtil.h"

namespace nc::core::layers {
namespace {

class MaxPool2d final : public LayerType {
 public:
  MaxPool2d()
      : LayerType("MaxPool2d", "Pooling",
                  "Takes the maximum of each kernel_size x kernel_size window of an image [batch, channels, "
                  "height, width]; the default halves height and width.",
                  poolParams()) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    return inferPool(ctx, name(), 2, "[batch, channels, height, width]",
                     ctx.in().rank() == 3 ? "use MaxPool1d for sequences [batch, channels, length]"
                                          : "pooling needs an image; Reshape the features into [C, H, W]");
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(torch::nn::MaxPool2d(
        torch::nn::MaxPool2dOptions(p.i("kernel_size")).stride(poolStride(p)).padding(p.i("padding"))));
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override { return poolFlops(ctx, out, 2); }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override { return emitMaxPool(ctx, 2); }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override { return pythonPool(ctx, "F.max_pool2d"); }
};
NC_REGISTER_LAYER(MaxPool2d);

}  // namespace
}  // namespace nc::core::layers

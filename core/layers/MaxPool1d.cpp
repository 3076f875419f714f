// MaxPool1d: maximum over sliding windows of a sequence [batch, channels, length].
#include "core/NodeModule.h"
#include "core/layers/PoolUtil.h"

namespace nc::core::layers {
namespace {

class MaxPool1d final : public LayerType {
 public:
  MaxPool1d()
      : LayerType("MaxPool1d", "Pooling",
                  "Takes the maximum of each window of kernel_size steps along a sequence [batch, channels, "
                  "length]; the default halves the length.",
                  poolParams()) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    return inferPool(ctx, name(), 1, "[batch, channels, length]",
                     ctx.in().rank() == 4 ? "use MaxPool2d for images"
                                          : "Reshape to add a channel dimension, e.g. [B, 1, length]");
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    const Params& p = ctx.params;
    return wrapModule(torch::nn::MaxPool1d(
        torch::nn::MaxPool1dOptions(p.i("kernel_size")).stride(poolStride(p)).padding(p.i("padding"))));
  }

  int64_t flops(const LayerContext& ctx, const TensorShape& out) const override { return poolFlops(ctx, out, 1); }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override { return emitMaxPool(ctx, 1); }
  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override { return pythonPool(ctx, "F.max_pool1d"); }
};
NC_REGISTER_LAYER(MaxPool1d);

}  // namespace
}  // namespace nc::core::layers

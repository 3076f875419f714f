// Reshape: gives each sample a new shape with the same number of elements.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Reshape final : public LayerType {
 public:
  Reshape()
      : LayerType("Reshape", "Shape",
                  "Gives each sample a new shape without the batch dimension (as torch.reshape), keeping the "
                  "number of elements. One entry may be -1 and is then computed from the others.",
                  {ParamSpec::intList("shape", {-1}, 1, 6, -1, 1 << 24,
                                      "New sample shape without batch; one entry may be -1")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    const std::vector<int64_t>& shape = ctx.params.list("shape");
    const std::string target = formatDims(shape);
    const int64_t total = in.numel();
    int64_t known = 1;
    bool tooMany = false;  // product exceeds the input's element count (kept from overflowing)
    int free = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == -1) {
        if (free >= 0)
          return ShapeResult::fail("Reshape shape " + target + " has more than one -1; only one size can be computed");
        free = int(i);
      } else if (shape[i] <= 0) {
        return ShapeResult::fail("Reshape shape " + target + " has the entry " + std::to_string(shape[i]) +
                                 "; sizes must be positive (or -1 for one computed size)");
      } else if (!tooMany) {
        known = satMul(known, shape[i]);
        tooMany = known > total;
      }
    }
    TensorShape out = in;
    out.dims = shape;
    if (free >= 0) {
      if (tooMany || total % known != 0)
        return ShapeResult::fail("Reshape cannot fit the " + std::to_string(total) + " elements of " + in.str() +
                                 " into " + target + ": " + std::to_string(total) +
                                 " is not divisible by the product of the other sizes");
      out.dims[size_t(free)] = total / known;
    } else if (tooMany || known != total) {
      return ShapeResult::fail("Reshape to " + target + " needs " +
                               (tooMany ? "more than " + std::to_string(total) : std::to_string(known)) +
                               " elements per sample but the input " + in.str() + " has " + std::to_string(total) +
                               ": the sizes must multiply to the same number (use -1 for one of them)");
    }
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    ShapeResult r = infer(ctx);
    std::vector<int64_t> sizes{-1};  // batch
    sizes.insert(sizes.end(), r.output->dims.begin(), r.output->dims.end());
    return unaryNode([sizes](const torch::Tensor& x) {
      std::vector<int64_t> s = sizes;
      s[0] = x.size(0);  // explicit batch so that an empty batch still reshapes
      return x.reshape(s);
    });
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    auto sizes = targetSizes(ctx.params, ctx.inputs, ctx.inputVars.at(0));
    if (!sizes) return std::nullopt;
    return script::assign(ctx, ctx.inputVars.at(0) + ".reshape(" + script::listLiteral(*sizes) + ")");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    auto sizes = targetSizes(ctx.params, ctx.inputs, ctx.inputVars.at(0));
    if (!sizes) return std::nullopt;
    return python::expression(ctx, ctx.inputVars.at(0) + ".reshape(" + python::args(*sizes) + ")");
  }

 private:
  /// The sizes to reshape the variable `x` to, for the exporters: the batch taken from x, then the
  /// resolved sample shape (any -1 already computed), so that the one free size is never needed
  /// (and an empty batch still reshapes). nullopt if the shape does not fit.
  std::optional<std::vector<std::string>> targetSizes(const Params& params, const std::vector<TensorShape>& inputs,
                                                      const std::string& x) const {
    ShapeResult r = infer(LayerContext{params, inputs});
    if (!r.output) return std::nullopt;
    std::vector<std::string> sizes{x + ".size(0)"};
    for (int64_t d : r.output->dims) sizes.push_back(script::intLiteral(d));
    return sizes;
  }
};
NC_REGISTER_LAYER(Reshape);

}  // namespace
}  // namespace nc::core::layers

// Embedding: looks up a learned vector for each token id.
#include "core/NodeModule.h"
#include "core/layers/LayerUtil.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers {
namespace {

class Embedding final : public LayerType {
 public:
  Embedding()
      : LayerType("Embedding", "Embedding",
                  "Looks up a learned vector of embedding_dim floats for each token id: [batch, length] ids "
                  "become [batch, length, embedding_dim]. The table size follows from the input's vocabulary.",
                  {ParamSpec::integer("embedding_dim", 64, 1, 65536, "Length of each token's vector"),
                   ParamSpec::integer("padding_idx", -1, -1, 10'000'000,
                                      "Token id whose vector stays zero and is not trained; -1 = none")}) {}

  ShapeResult infer(const LayerContext& ctx) const override {
    const TensorShape& in = ctx.in();
    if (in.dtype != DType::Int64)
      return ShapeResult::fail("Embedding needs token ids (int64) but receives float features " + in.str() +
                               ": connect it to an Input with dtype tokens");
    if (auto e = requireRank(in, 2, name(), "of token ids [batch, length]")) return *e;
    if (in.vocab <= 0)
      return ShapeResult::fail("Embedding cannot size its table: the token ids " + in.str() +
                               " carry no vocabulary size (set vocab_size on the Input)");
    int64_t pad = ctx.params.i("padding_idx");
    if (pad >= in.vocab)
      return ShapeResult::fail("Embedding padding_idx " + std::to_string(pad) + " must be below the vocabulary size " +
                               std::to_string(in.vocab) + " of " + in.str() + " (or -1 for none)");
    TensorShape out;
    out.dims = {in.dims[0], ctx.params.i("embedding_dim")};
    return ShapeResult::of(out);
  }

  std::shared_ptr<NodeModule> build(const LayerContext& ctx) const override {
    auto options = torch::nn::EmbeddingOptions(ctx.in().vocab, ctx.params.i("embedding_dim"));
    if (int64_t pad = ctx.params.i("padding_idx"); pad >= 0) options.padding_idx(pad);
    return wrapModule(torch::nn::Embedding(options));
  }

  std::optional<std::string> emitScript(const ScriptContext& ctx) const override {
    // padding_idx only affects training (its row gets no gradient); -1 means none, as in aten.
    int64_t pad = ctx.params.i("padding_idx");
    return script::assign(ctx, "torch.embedding(" + ctx.attr("m.weight") + ", " + ctx.inputVars.at(0) + ", " +
                                   script::intLiteral(pad < 0 ? -1 : pad) + ", False, False)");
  }

  std::optional<PythonCode> emitPython(const PythonContext& ctx) const override {
    using namespace python;
    int64_t pad = ctx.params.i("padding_idx");
    return module(ctx, "nn.Embedding(" +
                           args({intLiteral(ctx.inputs.at(0).vocab), intLiteral(ctx.params.i("embedding_dim")),
                                 kwarg("padding_idx", intLiteral(pad), pad < 0)}) +
                           ")");
  }

  int64_t paramCount(const LayerContext& ctx) const override {
    return satMul(ctx.in().vocab, ctx.params.i("embedding_dim"));
  }
};
NC_REGISTER_LAYER(Embedding);

}  // namespace
}  // namespace nc::core::layers

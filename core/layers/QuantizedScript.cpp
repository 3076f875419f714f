// The quantized-emitter registry and the packing helpers (see QuantizedScript.h).
#include "core/layers/QuantizedScript.h"

#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/csrc/jit/frontend/sugared_value.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "core/deploy/Quantize.h"

namespace nc::core::layers {
namespace {

std::map<std::string, QuantizedEmitter>& registry() {
  static std::map<std::string, QuantizedEmitter> emitters;
  return emitters;
}

using torch::jit::BuiltinModule;
using torch::jit::GraphFunction;
using torch::jit::SourceRange;
using torch::jit::SugaredValue;

/// "torch.ops": each attribute is an operator namespace (torch.ops.quantized -> quantized::*).
struct OpsNamespaces : SugaredValue {
  std::string kind() const override { return "torch.ops"; }
  std::shared_ptr<SugaredValue> attr(const SourceRange&, GraphFunction&, const std::string& field) override {
    return std::make_shared<BuiltinModule>(field);
  }
};

/// "torch": ATen as the native resolver has it, plus torch.ops.
struct TorchWithOps : SugaredValue {
  std::shared_ptr<BuiltinModule> aten = std::make_shared<BuiltinModule>("aten");
  std::string kind() const override { return "torch"; }
  std::shared_ptr<SugaredValue> attr(const SourceRange& loc, GraphFunction& m, const std::string& field) override {
    if (field == "ops") return std::make_shared<OpsNamespaces>();
    return aten->attr(loc, m, field);
  }
};

struct QuantizedOpsResolver : torch::jit::Resolver {
  std::shared_ptr<SugaredValue> resolveValue(const std::string& name, GraphFunction&, const SourceRange&) override {
    if (name == "torch") return std::make_shared<TorchWithOps>();
    return nullptr;
  }
  torch::jit::TypePtr resolveType(const std::string&, const SourceRange&) override { return nullptr; }
};

/// The packing ops are only reachable as TorchScript builtins without private ATen headers: a
/// small helper module calls them. Created once; Method calls are thread-safe.
torch::jit::Module& packer() {
  static std::once_flag once;
  static std::unique_ptr<torch::jit::Module> module;
  std::call_once(once, [] {
    auto m = std::make_unique<torch::jit::Module>("NeuralCanvasInt8Packer");
    m->define(R"(
def linear(self, w: Tensor, b: Optional[Tensor]):
    return torch.ops.quantized.linear_prepack(w, b)
def cell(self, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor, reduce_range: bool):
    packed_ih = torch.ops.quantized.linear_prepack(w_ih, b_ih)
    packed_hh = torch.ops.quantized.linear_prepack(w_hh, b_hh)
    return torch.ops.quantized.make_quantized_cell_params_dynamic(packed_ih, packed_hh, b_ih, b_hh, reduce_range)
)",
              quantizedOpsResolver());
    module = std::move(m);
  });
  return *module;
}

/// Symmetric per-output-channel qint8 (zero point 0; scale = max|w| / 127.5 per row, so that
/// [-max, max] maps onto [-127.5, 127.5] and rounds into [-128, 127]).
torch::Tensor quantizeWeight(const torch::Tensor& weight) {
  torch::Tensor w = weight.detach().to(torch::kCPU, torch::kFloat).contiguous();
  torch::Tensor amax = std::get<0>(w.abs().reshape({w.size(0), -1}).max(1));
  torch::Tensor scales = (amax / 127.5).clamp_min(1e-8).to(torch::kDouble);
  torch::Tensor zeroPoints = torch::zeros({w.size(0)}, torch::kLong);
  return torch::quantize_per_channel(w, scales, zeroPoints, 0, torch::kQInt8);
}

torch::Tensor floatOrZeros(const torch::Tensor& bias, int64_t size) {
  if (!bias.defined()) return torch::zeros({size});
  return bias.detach().to(torch::kCPU, torch::kFloat).contiguous();
}

}  // namespace

bool registerQuantizedEmitter(const std::string& layerType, QuantizedEmitter emitter) {
  registry()[layerType] = std::move(emitter);
  return true;
}

const QuantizedEmitter* findQuantizedEmitter(const std::string& layerType) {
  auto it = registry().find(layerType);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> quantizedLayerTypes() {
  std::vector<std::string> names;
  for (const auto& [name, emitter] : registry()) names.push_back(name);
  return names;
}

std::shared_ptr<torch::jit::Resolver> quantizedOpsResolver() { return std::make_shared<QuantizedOpsResolver>(); }

c10::IValue packLinearInt8(const torch::Tensor& weight, const torch::Tensor& bias) {
  useFastQuantizedEngine();
  c10::IValue b = bias.defined() ? c10::IValue(floatOrZeros(bias, 0)) : c10::IValue();
  return packer().get_method("linear")({quantizeWeight(weight), b});
}

c10::IValue packRecurrentCellInt8(const torch::Tensor& wIh, const torch::Tensor& wHh, const torch::Tensor& bIh,
                                  const torch::Tensor& bHh) {
  useFastQuantizedEngine();
  int64_t gates = wIh.size(0);
  return packer().get_method("cell")(
      {quantizeWeight(wIh), quantizeWeight(wHh), floatOrZeros(bIh, gates), floatOrZeros(bHh, gates), kReduceRange});
}

}  // namespace nc::core::layers

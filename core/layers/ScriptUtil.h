#pragma once
// Small additions to ScriptFormat.h for the layers' TorchScript emission (LayerType::emitScript).
#include <string>

#include "core/LayerType.h"
#include "core/layers/ScriptFormat.h"

namespace nc::core::layers::script {

/// The attribute holding the node's parameter or buffer `local` (e.g. "m.bias"), or "None" when the
/// module has none (bias=false, affine=false): what the optional Tensor? arguments of ATen expect.
inline std::string optionalAttr(const ScriptContext& ctx, const std::string& local) {
  return ctx.hasAttr(local) ? ctx.attr(local) : std::string("None");
}

}  // namespace nc::core::layers::script

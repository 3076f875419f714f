#pragma once
// A test double for exports that refuse a layer without a Python form.
#include "core/LayerRegistry.h"
#include "core/LayerType.h"
#include "core/NodeModule.h"

namespace nc::test {

/// Tanh in every respect except that it has no Python form (LayerType's default emitPython).
class TanhWithoutPython final : public core::LayerType {
 public:
  TanhWithoutPython()
      : core::LayerType("Tanh", "Activation", "test double", {}), m_tanh(core::LayerRegistry::instance().find("Tanh")) {}
  core::ShapeResult infer(const core::LayerContext& ctx) const override { return m_tanh->infer(ctx); }
  std::shared_ptr<core::NodeModule> build(const core::LayerContext& ctx) const override { return m_tanh->build(ctx); }

 private:
  const core::LayerType* m_tanh;
};

}  // namespace nc::test

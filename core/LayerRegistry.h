#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/LayerType.h"

namespace nc::core {

/// All layer types, by name. Layer files add themselves at load time (NC_REGISTER_LAYER).
class LayerRegistry {
 public:
  static LayerRegistry& instance();

  void add(std::unique_ptr<LayerType> type);
  const LayerType* find(const std::string& name) const;
  /// Sorted by category (display order) then name.
  std::vector<const LayerType*> all() const;

 private:
  std::map<std::string, std::unique_ptr<LayerType>> m_types;
};

template <class T>
struct LayerRegistration {
  LayerRegistration() { LayerRegistry::instance().add(std::make_unique<T>()); }
};

}  // namespace nc::core

#define NC_REGISTER_LAYER(T) static const ::nc::core::LayerRegistration<T> ncRegistration_##T

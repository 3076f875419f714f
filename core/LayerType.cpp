#include "core/LayerType.h"

#include <algorithm>
#include <stdexcept>

#include "core/LayerRegistry.h"

namespace nc::core {

LayerType::LayerType(std::string name, std::string category, std::string doc, std::vector<ParamSpec> params)
    : m_name(std::move(name)), m_category(std::move(category)), m_doc(std::move(doc)), m_params(std::move(params)) {}

const ParamSpec* LayerType::paramSpec(const std::string& name) const {
  for (const auto& p : m_params)
    if (p.name == name) return &p;
  return nullptr;
}

ParamMap LayerType::defaults() const {
  ParamMap m;
  for (const auto& p : m_params) m[p.name] = p.defaultValue;
  return m;
}

Status LayerType::validateParams(const ParamMap& params) const {
  for (const auto& spec : m_params) {
    auto it = params.find(spec.name);
    if (it == params.end()) return Status::error("parameter '" + spec.name + "' is missing");
    if (auto s = spec.validate(it->second); !s) return s;
  }
  for (const auto& [name, value] : params)
    if (!paramSpec(name)) return Status::error(m_name + " has no parameter '" + name + "'");
  return {};
}

const std::vector<std::string>& layerCategories() {
  static const std::vector<std::string> kCategories = {
      "Input/Output", "Dense",     "Convolution", "Pooling",   "Normalization", "Regularization",
      "Recurrent",    "Attention", "Embedding",   "Activation", "Shape",        "Merge"};
  return kCategories;
}

LayerRegistry& LayerRegistry::instance() {
  static LayerRegistry registry;
  return registry;
}

void LayerRegistry::add(std::unique_ptr<LayerType> type) {
  const auto& cats = layerCategories();
  if (std::find(cats.begin(), cats.end(), type->category()) == cats.end())
    throw std::logic_error("layer " + type->name() + " has unknown category " + type->category());
  if (m_types.count(type->name())) throw std::logic_error("layer " + type->name() + " registered twice");
  m_types.emplace(type->name(), std::move(type));
}

const LayerType* LayerRegistry::find(const std::string& name) const {
  auto it = m_types.find(name);
  return it == m_types.end() ? nullptr : it->second.get();
}

std::vector<const LayerType*> LayerRegistry::all() const {
  std::vector<const LayerType*> out;
  for (const auto& [name, t] : m_types) out.push_back(t.get());
  const auto& cats = layerCategories();
  auto rank = [&](const LayerType* t) { return std::find(cats.begin(), cats.end(), t->category()) - cats.begin(); };
  std::stable_sort(out.begin(), out.end(), [&](auto a, auto b) { return rank(a) < rank(b); });
  return out;
}

}  // namespace nc::core

#include "core/inspect/NodePreview.h"

namespace nc::core {

// Placeholder until the preview engine lands (issue 14): reports that previews are unavailable.
struct PreviewEngine::Cache {};

PreviewEngine::PreviewEngine() : m_cache(std::make_unique<Cache>()) {}
PreviewEngine::~PreviewEngine() = default;

PreviewResult PreviewEngine::compute(const Project&, int64_t, const WeightsSnapshot*) {
  PreviewResult r;
  r.error = "previews are not available yet";
  return r;
}

}  // namespace nc::core

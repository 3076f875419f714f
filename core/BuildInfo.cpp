#include "core/BuildInfo.h"

#include <torch/version.h>

namespace nc::core {

std::string appVersion() { return NC_VERSION; }

std::string libtorchVersion() { return TORCH_VERSION; }

}  // namespace nc::core

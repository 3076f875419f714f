#pragma once
// Which devices this build and machine can train on, asked without including torch (for the GUI).
#include <string>

namespace nc::core {

/// True when LibTorch was built with CUDA and a CUDA device is present.
bool cudaAvailable();

/// Why CUDA cannot be used here (empty when it can), in words for a tooltip.
std::string cudaUnavailableReason();

}  // namespace nc::core

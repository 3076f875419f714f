#pragma once
// Versions of this program and the libraries it was built with, asked without including torch
// (for the About box and the CLI).
#include <string>

namespace nc::core {

/// NeuralCanvas's version, e.g. "0.1.0".
std::string appVersion();

/// The LibTorch version this program was compiled against, e.g. "1.13.0".
std::string libtorchVersion();

}  // namespace nc::core

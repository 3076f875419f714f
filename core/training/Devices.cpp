#include "core/training/Devices.h"

#include <torch/torch.h>

namespace nc::core {

bool cudaAvailable() {
  try {
    return torch::cuda::is_available();
  } catch (const std::exception&) {
    return false;
  }
}

std::string cudaUnavailableReason() {
  if (cudaAvailable()) return {};
  return "No CUDA device is available: this LibTorch build has no CUDA support or the machine has no GPU. "
         "Training runs on the CPU.";
}

}  // namespace nc::core

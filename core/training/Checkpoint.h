#pragma once
// Checkpoints: model (parameters and buffers, normalization included), optimizer state, the
// schedule's position, epoch, RNG state and the metrics so far. LibTorch-facing.
#include <torch/torch.h>

#include <string>

#include "core/GraphModule.h"

namespace nc::core {

struct CheckpointState {
  int64_t epoch = 0;            // completed epochs
  int64_t step = 0;             // optimizer steps taken (the schedule's position)
  double bestMetric = 0;
  int64_t epochsSinceBest = 0;
  std::string historyJson = "[]";  // epoch metrics so far
  std::string configJson = "{}";   // the training settings in force
};

/// Writes atomically (temporary file, then rename). Throws std::runtime_error on I/O failure.
void saveCheckpoint(const std::string& path, GraphModule& model, torch::optim::Optimizer* optimizer,
                    const CheckpointState& state);
/// Restores the model (and the optimizer and global RNG when given). Throws std::runtime_error
/// naming the file when it is missing, corrupt, or does not fit the model.
CheckpointState loadCheckpoint(const std::string& path, GraphModule& model, torch::optim::Optimizer* optimizer,
                               bool restoreRng);

}  // namespace nc::core

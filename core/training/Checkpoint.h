#pragma once
// Checkpoints: model (parameters and buffers, normalization included), optimizer state, the
// schedule's position, epoch, RNG state and the metrics so far. LibTorch-facing.
//
// Integrity: every checkpoint FILE.pt has a sidecar FILE.pt.sha256 ("<hex>  FILE.pt", the format
// of sha256sum) and every load verifies the file against it before LibTorch reads a byte, so a
// damaged checkpoint is refused naming the file instead of being loaded with changed weights.
// Saving is crash-safe: the new file is written to a temporary name and fsynced; the sidecar is
// first rewritten (durably) to accept BOTH the old and the new digest; then the file is renamed
// into place (and the folder fsynced); then the sidecar is rewritten with the new digest only.
// A kill -9 at any moment therefore leaves a checkpoint that verifies (old or new), plus at
// most a "*.tmp-*" leftover that removeStaleTempFiles cleans.
#include <torch/torch.h>

#include <functional>
#include <string>

#include "core/GraphModule.h"
#include "core/Status.h"

namespace nc::core {

struct CheckpointState {
  int64_t epoch = 0;            // completed epochs
  int64_t step = 0;             // optimizer steps taken (the schedule's position)
  double bestMetric = 0;
  int64_t epochsSinceBest = 0;
  std::string historyJson = "[]";  // epoch metrics so far
  std::string configJson = "{}";   // the training settings in force
  std::string projectJson;         // the whole project the run trains (empty in older checkpoints)
};

/// FILE.pt -> FILE.pt.sha256
std::string checksumPathFor(const std::string& checkpoint);

/// Checks `path` against its recorded SHA-256. The message names the file and says what is wrong
/// (missing, no checksum recorded, damaged).
Status verifyCheckpoint(const std::string& path);

/// Writes atomically and durably with its checksum (see above). Throws std::runtime_error naming
/// the file on I/O failure.
void saveCheckpoint(const std::string& path, GraphModule& model, torch::optim::Optimizer* optimizer,
                    const CheckpointState& state);
/// Verifies the checksum, then restores the model (and the optimizer and global RNG when given).
/// Tensors are read onto the CPU whatever device they were saved from: move the model (and the
/// optimizer state) to the target device afterwards. Throws std::runtime_error naming the file
/// when it is missing, damaged, or does not fit the model.
/// `beforeLoading`, when given, sees the checkpoint's state before any weight is touched; what it
/// throws passes through unchanged (the trainer refuses a resume with changed settings there).
CheckpointState loadCheckpoint(const std::string& path, GraphModule& model, torch::optim::Optimizer* optimizer,
                               bool restoreRng,
                               const std::function<void(const CheckpointState&)>& beforeLoading = {});

/// The model's parameters and buffers as bytes (LibTorch's archive format, in memory): the
/// WeightsSnapshot a running trainer hands to live previews. Tensors are copied to the CPU.
std::string saveModelState(GraphModule& model);
/// Reads saveModelState's bytes into a model compiled from the same graph. Throws
/// std::runtime_error when they are unreadable or do not fit the model (names a tensor).
void loadModelState(const std::string& state, GraphModule& model);

}  // namespace nc::core

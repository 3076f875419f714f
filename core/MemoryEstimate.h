#pragma once
// The memory a training run needs, for the editor's summary and the trainer's fit check (see
// core/training/MemoryFit.h, which also compares it with the measured peak).
//
// What it covers (float32 training on the CPU, one pass of batchSize samples; accumulation does not
// change it: gradients are summed into the same buffers):
// - weights, their gradients (allocated on the first backward) and the optimizer's per-weight
//   state (Adam/AdamW: two moments, allocated on the first step);
// - saved: what autograd keeps from the forward pass for backward, per layer type: inputs of
//   Linear/Conv/norm layers, results of ReLU/Sigmoid/Tanh/Softmax, dropout masks, max-pool indices,
//   an LSTM's gates and cell states per time step, attention's q/k/v and its [heads, T, T]
//   probabilities, the loss's log-probabilities; views (Flatten, Reshape, Permute) share their
//   input's memory;
// - batch: the batch's inputs and targets (the loader's copy of them);
// - workspace: the largest transient of a pass (gradients flowing back through the widest layer,
//   a recurrent layer's input projections, convolution buffers, the optimizer step's temporaries),
//   or the evaluation pass at evalBatchSize (no autograd) when that needs more.
// - allocator, runtime: what the process holds beyond its live tensors (glibc's retained freed
//   blocks, one-time library buffers), calibrated against the measured peak.
// Not covered: the data set (MemoryFit adds it). For small models the runtime buffers are most of
// the figure and it is rough (see `note`). With bfloat16 or
// float16 autocast the matmul/convolution outputs are half-size: the estimate scales the saved
// activations by 3/4, a rough figure (see `note`).
#include <cstdint>
#include <string>

#include "core/CheckedMath.h"

#include "core/ShapeInference.h"
#include "core/training/TrainConfig.h"

namespace nc::core {

struct MemoryEstimate {
  int64_t weights = 0;         // bytes of trainable parameters (float32)
  int64_t gradients = 0;       // same size as the weights
  int64_t optimizerState = 0;  // Adam/AdamW: two moments; SGD with momentum, RMSprop: one or two
  int64_t activations = 0;     // every live node's output for the whole batch (the per-layer table's sum)
  int64_t saved = 0;           // what autograd keeps for backward at the end of the forward pass
  int64_t batch = 0;           // the batch's inputs and targets
  int64_t workspace = 0;       // the largest transient of a training or evaluation pass
  /// What the process holds beyond its live tensors (measured on this project's templates, see
  /// bench/memory_estimate.sh): glibc keeps the blocks freed by each step and its heap settles at
  /// about 1.5x the per-step memory (saved + batch + workspace): kAllocatorShare of it more, for
  /// the blocks under glibc's 32 MiB mmap threshold only (bigger ones go back to the kernel); and
  /// LibTorch's oneDNN/BLAS buffers made on the first pass (kRuntimeBytes, once per process).
  int64_t allocator = 0;
  int64_t runtime = 0;
  /// Where the estimate is known to be rough, and why ("" = nothing to say).
  std::string note;
  /// What training adds to the loaded model: everything but the weights. Saturating.
  int64_t duringTraining() const {
    return satAdd(gradients, optimizerState, satAdd(saved, batch, workspace), satAdd(allocator, runtime));
  }
  /// The part that grows with the batch size (activations, batch, workspace, allocator share).
  int64_t perBatch() const { return satAdd(saved, batch, workspace, allocator); }
  static constexpr double kAllocatorShare = 0.5;
  static constexpr int64_t kRuntimeBytes = int64_t(16) << 20;
  /// Saturates at the int64 limit instead of overflowing.
  int64_t total() const { return satAdd(weights, duringTraining()); }
};

/// Bytes of one node's output for a whole batch (float32: 4 bytes, int64 token ids: 8), the
/// activation a training step keeps for backward. Saturates instead of overflowing. The one
/// formula behind MemoryEstimate::activations and the per-layer analysis (core/LayerAnalysis.h).
int64_t activationBytes(const TensorShape& output, int64_t batchSize);

/// Counts the live nodes of an analysed graph at training's batch size and optimizer.
MemoryEstimate estimateTrainingMemory(const Graph& graph, const GraphAnalysis& analysis, const TrainConfig& training);

}  // namespace nc::core

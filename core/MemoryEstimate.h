#pragma once
// A rough estimate of the memory a training step needs, for the editor's summary: weights,
// their gradients, the optimizer's per-weight state and the activations kept for backward.
#include <cstdint>

#include "core/CheckedMath.h"

#include "core/ShapeInference.h"
#include "core/training/TrainConfig.h"

namespace nc::core {

struct MemoryEstimate {
  int64_t weights = 0;         // bytes of trainable parameters (float32)
  int64_t gradients = 0;       // same size as the weights
  int64_t optimizerState = 0;  // Adam/AdamW: two moments; SGD with momentum, RMSprop: one or two
  int64_t activations = 0;     // every live node's output for the whole batch, kept for backward
  /// Saturates at the int64 limit instead of overflowing.
  int64_t total() const { return satAdd(weights, gradients, optimizerState, activations); }
};

/// Bytes of one node's output for a whole batch (float32: 4 bytes, int64 token ids: 8), the
/// activation a training step keeps for backward. Saturates instead of overflowing. The one
/// formula behind MemoryEstimate::activations and the per-layer analysis (core/LayerAnalysis.h).
int64_t activationBytes(const TensorShape& output, int64_t batchSize);

/// Counts the live nodes of an analysed graph at training's batch size and optimizer.
MemoryEstimate estimateTrainingMemory(const Graph& graph, const GraphAnalysis& analysis, const TrainConfig& training);

}  // namespace nc::core

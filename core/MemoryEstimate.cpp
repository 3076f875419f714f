#include "core/MemoryEstimate.h"

#include "core/CheckedMath.h"

namespace nc::core {

namespace {
/// Tensors of optimizer state per weight tensor.
int64_t stateCopies(const TrainConfig& t) {
  if (t.optimizer == "adam" || t.optimizer == "adamw") return 2;
  if (t.optimizer == "rmsprop") return t.momentum > 0 ? 2 : 1;
  if (t.optimizer == "sgd") return t.momentum > 0 ? 1 : 0;
  return 2;
}
}  // namespace

int64_t activationBytes(const TensorShape& output, int64_t batchSize) {
  return satMul(output.numel(), output.dtype == DType::Int64 ? 8 : 4, batchSize);
}

MemoryEstimate estimateTrainingMemory(const Graph& graph, const GraphAnalysis& analysis, const TrainConfig& training) {
  MemoryEstimate m;
  GraphSummary summary = summarize(graph, analysis);
  // Saturating arithmetic: a graph with absurd sizes (reported by analyze()) must not wrap here.
  m.weights = satMul(summary.params, 4);
  m.gradients = m.weights;
  m.optimizerState = satMul(stateCopies(training), m.weights);
  for (NodeId id : analysis.live)
    if (const TensorShape* s = analysis.shapeOf(id))
      m.activations = satAdd(m.activations, activationBytes(*s, training.batchSize));
  return m;
}

}  // namespace nc::core

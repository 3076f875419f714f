#pragma once
// The per-layer analysis (MATLAB's Analyze, torchinfo's summary): one row per node with its
// output shape, parameters, FLOPs, activation memory and share of the model's totals. Plain C++
// (no Qt, no LibTorch): the editor's analysis table and `neuralcanvas-cli validate --json` show
// the same rows. The figures come from the same functions as the totals (nodeParamCount,
// nodeFlops, activationBytes), so the live rows always add up to summarize() and
// estimateTrainingMemory().activations.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ShapeInference.h"
#include "core/training/TrainConfig.h"

namespace nc::core {

struct LayerRow {
  NodeId node = -1;
  std::string name, type;
  /// The node's output shape without the batch dimension; nullopt for Output nodes and nodes
  /// whose shape could not be inferred.
  std::optional<TensorShape> output;
  int64_t params = 0;           // trainable parameters
  int64_t flops = 0;            // forward FLOPs per sample
  int64_t activationBytes = 0;  // bytes of the output for a whole batch of TrainConfig::batchSize
  /// This row's part of the live total of each figure, in [0, 1]; 0 for nodes that are not live
  /// (not on a path Input -> Output: they are not part of the model) and when the total is 0.
  double paramShare = 0, flopShare = 0, memoryShare = 0;
  bool live = false;
};

/// Totals over the live rows (saturating at the int64 limit).
struct LayerTotals {
  int64_t params = 0, flops = 0, activationBytes = 0;
};

/// One row per node: the analysis's topological order first, then the nodes outside it (in a
/// cycle) by id. Figures of nodes that are not live are computed when their shapes are known but
/// count in no total or share. All arithmetic saturates instead of overflowing.
std::vector<LayerRow> analyzeLayers(const Graph& graph, const GraphAnalysis& analysis, const TrainConfig& training);
LayerTotals layerTotals(const std::vector<LayerRow>& rows);

}  // namespace nc::core

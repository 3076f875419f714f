#pragma once
// Model pruning for deployment: structured channel pruning that rewrites the graph (fewer
// out_channels / out_features, consumers' inputs shrink with it, weights sliced), global magnitude
// pruning of weight entries, and fine-tuning from given weights. No torch in this header.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/Status.h"
#include "core/training/TrainingEvents.h"

namespace nc::core {

struct Dataset;  // core/data/Dataset.h

// Rules of the channel-pruning rewrite (see Pruning.cpp for the details):
// - Prunable: Conv2d, Conv1d (groups 1) and Linear on the path input -> output whose channels do
//   not reach the Output (the classifier's out_features are the classes: never cut).
// - The channels are followed through activations, Dropout, pools, BatchNorm (sliced), Softmax over
//   another dimension, Flatten (whole blocks of the merged dimensions) and Concat along the channel
//   dimension (at the right offset), to Conv/Linear consumers whose input shrinks. Anything else
//   (LayerNorm, Reshape, Permute, recurrent, attention, grouped convolutions, ...) leaves the node
//   uncut, with a reason naming the node that stops it.
// - Tied counts (channels meeting at an Add/Multiply, directly or after a Concat): a node named in
//   options.nodes is refused naming it and the Add; with every prunable node (nodes empty), the
//   group of Conv/Linear nodes tied across Add/Multiply nodes is cut together with one shared
//   selection (largest summed L1 norm) when every input of those merges comes from such a node
//   through per-channel layers; otherwise each member is skipped with the reason.
// - Kept count: see keptChannelCount.

struct ChannelPruneOptions {
  double fraction = 0.5;            // share of output channels / features removed per pruned node
  std::vector<std::string> nodes;   // node names to prune; empty = every prunable node
};

struct ChannelPruneReport {
  std::vector<std::string> pruned;   // "conv1: 32 -> 16 channels", one line per node cut
  std::vector<std::string> skipped;  // why a node was left alone, naming it
  int64_t paramsBefore = 0, paramsAfter = 0, flopsBefore = 0, flopsAfter = 0;  // per sample
};

struct ChannelPruneResult {
  Status status;
  ChannelPruneReport report;
  std::optional<Project> project;
};

/// Kept count for a node with `count` channels pruned by `fraction`:
/// count - round(count * fraction) (halves round away from zero), at least 1.
int64_t keptChannelCount(int64_t count, double fraction);

/// The graph rewrite alone (no weights): which channel counts change, for tests and the GUI's preview.
ChannelPruneResult planChannelPruning(const Project& project, const ChannelPruneOptions& options);

/// Structured pruning that rewrites the graph: keeps the channels with the largest L1 norm of each
/// pruned node's weights, shrinks the node's out_channels/out_features, shrinks every consumer's
/// input (Conv2d input channels, BatchNorm features, Linear in_features after a Flatten: whole
/// channel blocks of H*W), slices all affected weights and buffers, and writes outProject (same
/// node names, ids and layout) and outCheckpoint (its weights, a valid checkpoint that
/// loadCheckpoint accepts for outProject's graph), both atomically.
ChannelPruneResult pruneChannels(const Project& project, const std::string& checkpoint,
                                 const ChannelPruneOptions& options, const std::string& outProject,
                                 const std::string& outCheckpoint);

struct MagnitudePruneResult {
  Status status;
  double sparsity = 0;
  int64_t zeroed = 0, total = 0;
};

/// Global magnitude pruning: zeroes the `sparsity` share of all Conv/Linear/RNN weight entries
/// (dim >= 2) with the smallest absolute value across the whole model; writes outCheckpoint.
MagnitudePruneResult pruneMagnitude(const Project& project, const std::string& checkpoint,
                                    double sparsity, const std::string& outCheckpoint);

struct FineTuneResult {
  Status status;
  std::string checkpoint;
  double validationAccuracy = 0;
};

/// Trains `project` for `epochs` starting from the weights in `weights` (fresh optimizer and
/// schedule, the project's settings otherwise); with keepZeros, weights that are zero in `weights`
/// stay zero (masks re-applied after every optimizer step). Writes a normal run folder in
/// runDirectory and returns its best (or last) checkpoint. observer/control may be null;
/// dataset (optional) is preloaded data, null = load project.data.
FineTuneResult fineTune(const Project& project, const std::string& weights, int epochs,
                        bool keepZeros, const std::string& runDirectory,
                        TrainingObserver* observer = nullptr, TrainingControl* control = nullptr,
                        std::shared_ptr<const Dataset> dataset = nullptr);

}  // namespace nc::core

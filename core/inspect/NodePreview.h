#pragma once
// Per-node previews (issue 14): what every node of a graph outputs for one sample of the
// project's data, as plain values the editor draws (feature maps, heat maps, attention per
// head, class probabilities) with statistics and a histogram. No torch, no Qt in this header.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Graph.h"
#include "core/Project.h"
#include "core/training/TrainingEvents.h"  // HistogramData

namespace nc::core {

/// A grey-level picture: rows x cols values in [0, 1], row-major. `low`/`high` are the raw values
/// that map to 0 and 1 (for a colour-bar legend).
struct PreviewImage {
  int64_t rows = 0, cols = 0;
  std::vector<float> values;
  double low = 0, high = 0;
  std::string label;  // e.g. "channel 3", "head 2"
};

struct PreviewStats {
  int64_t count = 0;            // values in the node's output for this sample
  double mean = 0, std = 0, min = 0, max = 0;
  double zeroFraction = 0;      // share of values exactly 0 (dead ReLUs)
  int64_t nonFinite = 0;        // NaN or inf values
};

struct NodePreview {
  NodeId nodeId = -1;
  std::string nodeName, type;
  std::vector<int64_t> shape;   // output of one sample, without the batch dimension
  /// How to draw it:
  ///  "feature_maps": [C, H, W] -> `images` holds one map per channel (at most kMaxFeatureMaps),
  ///                  each normalized over the whole node's output range;
  ///  "heatmap":      [T, F] (sequences) or [H, W] -> `images` holds one [T x F] picture;
  ///  "bars":         the graph's output (logits) -> `bars` holds softmax probabilities, `barLabels`
  ///                  the class names; also any 1-D output of at most kMaxBars values (raw values);
  ///  "vector":       other 1-D outputs -> `images` holds one 1 x N picture;
  ///  "none":         nothing to draw (e.g. token ids), statistics only.
  std::string kind = "none";
  std::vector<PreviewImage> images;
  std::vector<PreviewImage> attention;  // MultiheadAttention / TransformerEncoderLayer: one [query x key] map per head
  std::vector<double> bars;
  std::vector<std::string> barLabels;
  PreviewStats stats;
  HistogramData histogram;      // kHistogramBins bins over [stats.min, stats.max]
};

/// The sample the previews were computed for, as the user sees it.
struct PreviewSample {
  std::string split;            // "test", "validation" or "train"
  int64_t index = 0;            // within that split
  int64_t count = 0;            // samples in that split (the picker's range)
  int64_t label = -1;           // true class (-1: none)
  std::string labelName;
  PreviewImage image;           // image data: channel-averaged picture in [0, 1] (rows = H, cols = W)
  std::vector<PreviewImage> channels;  // image data: each channel (for RGB: R, G, B)
  std::string text;             // text data: the sample's characters (UTF-8), for token inputs
};

struct PreviewResult {
  bool ok = false;
  std::string error;            // names the node or the data file when !ok
  PreviewSample sample;
  std::vector<NodePreview> nodes;  // every live node, in topological order (Input first)
  bool trainedWeights = false;     // true when computed from a WeightsSnapshot
  int64_t weightsStep = -1;        // the snapshot's optimizer step (-1: untrained graph)
  double seconds = 0;              // time spent in compute()
};

constexpr int64_t kMaxFeatureMaps = 64;
constexpr int64_t kMaxBars = 32;
constexpr int64_t kHistogramBins = 32;

/// Computes previews. Keeps the loaded data set between calls (reloaded only when the project's
/// data settings change), so an edit costs one forward pass of one sample. Not thread-safe: use
/// one engine per thread (the GUI runs it on a worker thread).
class PreviewEngine {
 public:
  PreviewEngine();
  ~PreviewEngine();
  PreviewEngine(const PreviewEngine&) = delete;
  PreviewEngine& operator=(const PreviewEngine&) = delete;

  /// The graph's output for sample `sampleIndex` of the evaluation split (test, or validation when
  /// the data has no test split). Without `weights`, the untrained graph is initialized with the
  /// project's training seed (the same initial weights a run starts from) and the normalization a
  /// run would compute; with `weights` (a WeightsSnapshot of a run of this graph), its weights and
  /// normalization. Never throws: errors come back in PreviewResult::error (an invalid graph, data
  /// that cannot be read, an index out of range, weights of another graph).
  PreviewResult compute(const Project& project, int64_t sampleIndex, const WeightsSnapshot* weights = nullptr);

 private:
  struct Cache;
  std::unique_ptr<Cache> m_cache;
};

}  // namespace nc::core

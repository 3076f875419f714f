#pragma once
// The tensor side of the training diagnostics (issue 14). Include only from .cpp files (torch).
//
// The trainer calls, around each optimizer step that `due(step)` selects:
//   beforeUpdate()  after the gradients are unscaled and before they are clipped: gradient norms
//                   per node, and a copy of the weights;
//   afterUpdate()   after the optimizer step: weight norms and ||w_after - w_before|| / ||w_before||;
// at each epoch end endEpoch() (histograms, dead-ReLU check on a fixed validation batch), and on a
// non-finite loss nonFiniteOrigin() on that batch. Events go to the observer, the files and the log.
//
// Cost (CNN template, 2 cores, batch 64): see kDiagnosticsEvery in Diagnostics.h; each epoch end's
// cost (histograms, the ReLU check's forward pass) is logged to the run's log.txt.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "core/Graph.h"
#include "core/GraphModule.h"
#include "core/training/Diagnostics.h"

namespace nc::core {

/// Weight and gradient maths per node, independent of the run (tests use it directly).
class NodeParameterGroups {
 public:
  struct Group {
    NodeId nodeId = -1;
    std::string nodeName, nodeType;
    std::vector<torch::Tensor> params;
  };
  /// Groups the model's parameters by node ("n<id>.") in the graph's topological order.
  NodeParameterGroups(const Graph& graph, GraphModule& model);
  const std::vector<Group>& groups() const { return m_groups; }

  /// L2 norm of each group's gradients (undefined gradients count as zero).
  std::vector<double> gradNorms() const;
  std::vector<double> weightNorms() const;
  /// Copies every parameter (the "before" of an update).
  std::vector<std::vector<torch::Tensor>> copyWeights() const;
  /// ||w - before|| per group.
  std::vector<double> distances(const std::vector<std::vector<torch::Tensor>>& before) const;
  /// Histograms of each group's weights and gradients over their own [min, max].
  EpochHistograms histograms(int64_t epoch, int bins = kHistogramBins) const;

 private:
  std::vector<Group> m_groups;
};

/// A histogram of all of `t`'s values in `bins` equal bins over [min, max].
HistogramData histogramOf(const torch::Tensor& t, int bins);

/// Share of exact zeros in the output of every ReLU node on `batch` (eval mode, no gradients;
/// the model's training mode is restored).
std::vector<ReluActivity> reluActivity(const Graph& graph, GraphModule& model, const torch::Tensor& batch);

/// The first node, in topological order, whose output on `batch` has a NaN or an infinity
/// (no gradients, the model's current mode); -1 when none.
NodeId firstNonFiniteNode(const Graph& graph, GraphModule& model, const torch::Tensor& batch);

class TrainingDiagnostics {
 public:
  using Log = std::function<void(const std::string&)>;
  /// `every` <= 0: kDiagnosticsEvery. `log` writes a line to the run's log file.
  TrainingDiagnostics(const Graph& graph, GraphModule& model, TrainingObserver& observer, Log log, int64_t every);
  /// Opens the files (see DiagnosticsFiles::open); alarms kept from before a resume stay active.
  Status open(const std::string& runDirectory, int64_t resumeAfterStep);

  bool due(int64_t step) const { return step == 1 || step % m_every == 0; }
  int64_t every() const { return m_every; }
  void beforeUpdate();
  void afterUpdate(int64_t epoch, int64_t step);
  void endEpoch(int64_t epoch, int64_t step, const torch::Tensor& validationBatch);
  /// Runs the non-finite check on `batch`, raises the alarm and returns the failure text's
  /// addition ("first produced by node 'fc1' (Linear)"); "" when no node's output is non-finite.
  std::string nonFiniteOrigin(int64_t epoch, int64_t step, const torch::Tensor& batch);

 private:
  void emit(const TrainingAlarm& a);

  const Graph& m_graph;
  GraphModule& m_model;
  TrainingObserver& m_obs;
  Log m_log;
  int64_t m_every;
  NodeParameterGroups m_groups;
  AlarmTracker m_alarms;
  DiagnosticsFiles m_files;
  std::vector<std::vector<torch::Tensor>> m_before;
  std::vector<double> m_gradNorms, m_beforeNorms;
  double m_sampleSeconds = 0;  // time spent on this epoch's samples (logged at the epoch end)
  int64_t m_samplesThisEpoch = 0;
};

}  // namespace nc::core

#pragma once
// Training diagnostics (issue 14): the alarm rules, the run folder's diagnostics files and their
// reader. Plain C++, no torch, no Qt: the GUI reads a past run's files through this header. The
// maths on the model's tensors lives in DiagnosticsProbe.h (torch; include it only from .cpp files).
//
// Files in the run folder, one JSON object per line, appended and flushed as written:
//   diagnostics.jsonl  {"epoch","step","nodes":[{"node_id","node","weight_norm","grad_norm","update_ratio"}]}
//   histograms.jsonl   {"epoch","step","nodes":[{"node_id","node","weights":{"min","max","counts"},"gradients":{..}}]}
//   alarms.jsonl       {"kind","node_id","node","epoch","step","message"}
// A resumed run keeps the lines up to the checkpoint's step (as metrics.jsonl does) and appends.
#include <cstdint>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/Status.h"
#include "core/training/TrainingEvents.h"

namespace nc::core {

/// Per-node norms are sampled on the first optimizer step and then every kDiagnosticsEvery steps
/// (steps 1, 10, 20, 30, ...). Measured on the CNN template (batch 64, 2 busy cores, `train
/// --limit 2000 --epochs 1`; the run's log.txt reports it): a sample costs 6-11 ms against a
/// step of ~390 ms, i.e. 2-3 % if every step were sampled and ~0.3 % at every 10th step.
constexpr int64_t kDiagnosticsEvery = 10;
/// Samples of the fixed validation batch on which the dead-ReLU check runs at each epoch end.
constexpr int64_t kReluCheckSamples = 64;
constexpr int kHistogramBins = 30;

/// The alarm rules. Each alarm kind is raised once per node, and again only after it cleared.
/// - exploding_gradients: a node's gradient norm is non-finite, or above kExplodingAbsolute, or,
///   once the node has kExplodingHistory earlier samples, above kExplodingFactor times the median
///   of its last kExplodingHistory samples. Clears after kClearSamples samples in a row without.
/// - vanishing_gradients: gradient norm below kVanishingRatio times the weight norm in
///   kVanishingSamples samples in a row. Clears at the first sample above 10 x kVanishingRatio.
/// - dead_relu: at an epoch end, more than kDeadReluFraction of a ReLU node's outputs on one
///   fixed validation batch are zero. Clears at an epoch end where the share is below.
/// - non_finite: the loss became NaN or infinite; names the first node (topological order)
///   whose output on that batch is not finite. The run fails there.
struct AlarmRules {
  static constexpr double kExplodingAbsolute = 1e4;
  static constexpr double kExplodingFactor = 10;
  static constexpr int kExplodingHistory = 5;
  static constexpr int kClearSamples = 5;
  static constexpr double kVanishingRatio = 1e-7;
  static constexpr int kVanishingSamples = 5;
  static constexpr double kDeadReluFraction = 0.9;
};

/// Share of zero outputs of one ReLU node on the fixed validation batch.
struct ReluActivity {
  int64_t nodeId = -1;
  std::string nodeName;
  double zeroFraction = 0;
};

/// Applies AlarmRules to the samples of one run and remembers which alarms are active.
class AlarmTracker {
 public:
  std::vector<TrainingAlarm> onSample(const DiagnosticsSample& sample);
  std::vector<TrainingAlarm> onReluActivity(int64_t epoch, int64_t step, const std::vector<ReluActivity>& relus);
  /// An alarm raised before a resume: stays active (not raised again) until it clears.
  void restore(const TrainingAlarm& alarm);
  bool active(const std::string& kind, int64_t nodeId) const { return m_active.count({kind, nodeId}) > 0; }

 private:
  struct NodeState {
    std::deque<double> recent;  // last gradient norms
    int calm = 0;               // samples in a row without the exploding condition
    int tiny = 0;               // samples in a row under the vanishing ratio
  };
  bool raise(const std::string& kind, int64_t nodeId);
  std::map<int64_t, NodeState> m_nodes;
  std::set<std::pair<std::string, int64_t>> m_active;
};

/// The alarm's sentence for the user: names the node and what to try.
std::string alarmMessage(const std::string& kind, const std::string& nodeName, const std::string& detail);

/// JSON lines of the files above (no trailing newline) and their reading back.
std::string diagnosticsLine(const DiagnosticsSample& s);
std::string histogramsLine(const EpochHistograms& h, int64_t step);
std::string alarmLine(const TrainingAlarm& a);

/// A run folder's diagnostics, read back (the dashboard shows a finished run's). Missing files
/// read as empty; a line cut short by a kill ends its file.
struct RunDiagnostics {
  std::vector<DiagnosticsSample> samples;
  std::vector<EpochHistograms> histograms;
  std::vector<TrainingAlarm> alarms;
};
RunDiagnostics readRunDiagnostics(const std::string& runDirectory);

/// Writes the three files of a run folder. A disabled writer (empty path) writes nothing.
class DiagnosticsFiles {
 public:
  /// Fresh run (resumeAfterStep < 0): creates empty files. Resumed run: keeps the lines whose
  /// step is <= resumeAfterStep and returns the kept alarms in `keptAlarms`.
  Status open(const std::string& runDirectory, int64_t resumeAfterStep, std::vector<TrainingAlarm>* keptAlarms);
  void sample(const DiagnosticsSample& s);
  void histograms(const EpochHistograms& h, int64_t step);
  void alarm(const TrainingAlarm& a);

 private:
  bool m_enabled = false;
  std::ofstream m_samples, m_histograms, m_alarms;
};

}  // namespace nc::core

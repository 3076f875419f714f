#pragma once
// Offline hyper-parameter sweeps (issue 14). A sweep is a folder:
//   SWEEP_DIR/sweep.json     the spec, the base project and every trial (format below)
//   SWEEP_DIR/sweep.csv      one row per trial: trial,status,<one column per parameter>,
//                            best_val_accuracy,final_val_accuracy,test_accuracy,epochs,params,flops,seconds
//   SWEEP_DIR/trial-001/ ... ordinary run folders (the dashboard and `eval` read them as any run)
// Trials run one after another. Plain values: no torch, no Qt, no JSON library in this header.
//
// sweep.json: {"format": "neuralcanvas-sweep", "version": 1,
//   "spec": {"params": ["training.learning_rate=1e-4:1e-2:log", ...], "trials": 12,
//            "strategy": "random", "epochs": 2, "early_stop": "median" | "none", "seed": 0, "limit": 0},
//   "project": {...the base project...},
//   "trials": [{"index": 1, "run": "trial-001", "status": "completed",
//               "values": {"training.learning_rate": 0.00123, "conv1.out_channels": 32},
//               "epochs": [{"epoch": 1, "val_accuracy": 0.81, "val_loss": 0.52, "train_loss": 0.7}],
//               "best_val_accuracy": 0.83, "final_val_accuracy": 0.83, "test_accuracy": 0.82,
//               "params": 123456, "flops": 2345678, "seconds": 61.2, "message": ""}, ...]}
// status: "pending" | "running" | "completed" | "stopped_early" (median rule) | "stopped" (user)
//         | "failed"; numbers that do not exist are null.
#include <cstdint>
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/Status.h"
#include "core/training/TrainingEvents.h"

namespace nc::core {

/// One swept parameter, from text "TARGET=SPEC":
///   TARGET: "training.<key>" (a key of the project's "training" object, e.g. learning_rate,
///           batch_size, optimizer), "data.<key>", or "<node name>.<param>" (e.g. conv1.out_channels)
///   SPEC:   "LOW:HIGH" or "LOW:HIGH:log" (a range; integers when TARGET's value is an integer),
///           or "A,B,C" (choices: numbers or words, e.g. adam,sgd)
struct SweepParam {
  std::string text;                 // as given, e.g. "training.learning_rate=1e-4:1e-2:log"
  std::string target;               // "training.learning_rate"
  bool range = false;
  double low = 0, high = 0;
  bool log = false, integer = false;
  std::vector<std::string> choices; // each a JSON value text: "32", "0.5", "\"adam\""
};
/// Parses "TARGET=SPEC" against the project (the target must exist; ranges must be valid; log
/// ranges positive). The error names the text and what is wrong.
Status parseSweepParam(const std::string& text, const Project& project, SweepParam& out);

struct SweepSpec {
  std::vector<SweepParam> params;
  int64_t trials = 12;
  std::string strategy = "random";  // random | grid (grid: the full product of choices, ranges
                                    // cut into `trials`-th roots of levels; at most `trials` trials)
  int64_t epochs = 2;               // per trial (overrides the project's)
  bool medianStop = false;          // --early-stop median
  int64_t seed = 0;                 // random strategy's seed
  int64_t limit = 0;                // training samples per trial (0 = all), like train --limit
};

struct SweepValue {
  std::string target;               // as in SweepParam
  std::string json;                 // the value as JSON text: "0.00123", "32", "\"adam\""
};

struct SweepEpoch {
  int64_t epoch = 0;
  double valAccuracy = 0, valLoss = 0, trainLoss = 0;  // NaN when missing
};

struct SweepTrial {
  int64_t index = 0;                // 1-based
  std::string run;                  // folder name inside the sweep folder ("trial-001")
  std::string status = "pending";
  std::vector<SweepValue> values;
  std::vector<SweepEpoch> epochs;
  double bestValAccuracy = 0, finalValAccuracy = 0, testAccuracy = 0;  // NaN when missing
  int64_t params = 0, flops = 0;    // of the trial's model (forward FLOPs per sample)
  double seconds = 0;
  std::string message;              // why it failed or stopped early
};

struct SweepState {
  SweepSpec spec;
  std::string projectJson;          // the base project
  std::vector<SweepTrial> trials;
};

/// The trial's settings applied to a project (the sweep's own runs, and "Apply to project").
/// Errors name the target.
Status applySweepValues(Project& project, const std::vector<SweepValue>& values);

/// Reads SWEEP_DIR/sweep.json. The error names the file and the JSON path.
Status loadSweep(const std::string& sweepDir, SweepState& out);

class SweepObserver {
 public:
  virtual ~SweepObserver() = default;
  virtual void onTrialStarted(const SweepTrial&) {}
  virtual void onTrialEpoch(const SweepTrial&, const EpochMetrics&) {}
  virtual void onTrialFinished(const SweepTrial&) {}
  /// Added: the trial's training steps and its validation/test passes (progress within a trial).
  virtual void onTrialStep(const SweepTrial&, const StepMetrics&) {}
  virtual void onTrialPhase(const SweepTrial&, const PhaseProgress&) {}
  virtual void onLog(const std::string&) {}
};

struct SweepResult {
  bool ok = false;
  std::string error;
  bool stopped = false;             // control asked to stop; the sweep can be resumed
  SweepState state;
};

// ---- Added by the sweep engine (beyond the pinned API above) ----

/// Checks a spec before a run: at least one parameter, no target swept twice, trials >= 1,
/// strategy "random" or "grid", epochs >= 1, limit >= 0. The error names the problem.
Status checkSweepSpec(const SweepSpec& spec);

/// Every trial's values, in trial order, one SweepValue per spec parameter (in spec order).
///   random: `trials` trials; trial i's value of parameter p depends only on (seed, i, p), so the
///           same spec always gives the same values (resume relies on it). Ranges: log-uniform
///           for log ranges, uniform otherwise; integer ranges draw whole numbers in [LOW, HIGH];
///           real values are rounded to 4 significant digits (kept inside the range); choices
///           are drawn uniformly.
///   grid:   the product of all levels, the last --param varying fastest, cut after `trials`
///           combinations. A choice list gives its choices; each range gives k evenly spaced
///           levels from LOW to HIGH (log-spaced for log ranges; whole and distinct for integer
///           ranges), k = floor((trials / product of the choice counts)^(1 / number of ranges)),
///           at least 1 (a single level is the range's middle, geometric for log ranges).
std::vector<std::vector<SweepValue>> sweepTrialValues(const SweepSpec& spec);

/// The median stopping rule (--early-stop median). After epoch `epoch` of the trial with index
/// `trialIndex` and validation accuracy `valAccuracy`: the earlier trials are those with a lower
/// index that are finished (not pending or running) and recorded a finite validation accuracy at
/// that same epoch. With at least 2 of them, the trial stops when its accuracy is strictly below
/// their median. Returns the reason (a sentence for the trial's message), or "" to go on.
std::string medianStopReason(const std::vector<SweepTrial>& trials, int64_t trialIndex, int64_t epoch,
                             double valAccuracy);

/// sweep.json text of a state (format above) and sweep.csv text (a header line, then one row per
/// trial; CSV quoting where needed; missing numbers empty).
std::string sweepToJson(const SweepState& state);
std::string sweepToCsv(const SweepState& state);
/// Writes sweep.json then sweep.csv into SWEEP_DIR, each atomically.
Status saveSweep(const std::string& sweepDir, const SweepState& state);
/// A value as a person reads it: numbers as written, words without JSON quotes.
std::string sweepValueText(const SweepValue& value);

/// Runs (or, when SWEEP_DIR already holds a sweep.json, resumes: finished trials are kept, a trial
/// that was running is started again) the sweep. sweep.json and sweep.csv are rewritten atomically
/// after every trial and epoch. `control` stops the current trial and the sweep.
/// Resuming: the spec and the base project come from sweep.json; a `spec` with no params means
/// "whatever the file holds", any other spec must equal the file's (else the error names the
/// differences). Trials that are "running" or "stopped" are run again from the start in their
/// cleared folder; completed, stopped_early and failed trials are kept.
/// Each trial's run: the base project with the trial's values applied, training.epochs =
/// spec.epochs, data.limit = spec.limit when > 0; the folder SWEEP_DIR/trial-NNN.
SweepResult runSweep(const Project& project, const SweepSpec& spec, const std::string& sweepDir,
                     SweepObserver& observer, TrainingControl& control);

}  // namespace nc::core

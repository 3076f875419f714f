#pragma once
// The learning-rate range test (Smith 2015, "Cyclical Learning Rates", section 3.3): a copy of the
// model is trained for a few hundred steps while the rate grows exponentially from a tiny to a
// huge value; the loss against the rate shows where training is fastest and where it blows up.
// Qt-free and blocking (run it off the GUI thread); no torch in this header.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/Project.h"

namespace nc::core {

struct Dataset;  // core/data/Dataset.h
class TrainingControl;  // core/training/TrainingEvents.h

struct LrFinderOptions {
  /// Optimizer steps (one batch each). 200 by default: with the default range (8 decades) that is
  /// 25 steps a decade, enough to see the curve's shape and to smooth it, and about 10 s for the
  /// Fashion-MNIST CNN template on 2 cores.
  int64_t steps = 200;
  double minLearningRate = 1e-7;  // the first step's rate
  double maxLearningRate = 10;    // the last step's rate (if the run gets that far)
  /// Exponential smoothing of the recorded loss (bias-corrected): smoothed_i weights step i-k by
  /// beta^k. 0.9 keeps about 10 steps (0.4 decade at the defaults) in memory.
  double smoothing = 0.9;
  /// Stop once the smoothed loss exceeds this multiple of the best smoothed loss so far.
  double divergenceFactor = 4;
  /// Training samples to load (data.limit); 0 = the project's own setting. Ignored with a
  /// preloaded dataset.
  int64_t limit = 0;
  /// Samples per step; 0 = the project's batch size.
  int64_t batchSize = 0;
};

/// One step of the test: the rate it used, its batch's loss and the smoothed loss after it.
struct LrFinderPoint {
  int64_t step = 0;  // 1-based
  double learningRate = 0, loss = 0, smoothedLoss = 0;
};

enum class LrFinderStop {
  Completed,  // all steps were taken (the loss never diverged)
  Diverged,   // the smoothed loss exceeded divergenceFactor x its best value
  NonFinite,  // the loss became NaN or infinite (that step is not among the points)
  Stopped,    // cancelled through the control
  Failed      // an error (bad data, graph errors, ...): see error
};
std::string lrFinderStopName(LrFinderStop stop);  // "completed", "diverged", ...

struct LrFinderResult {
  std::vector<LrFinderPoint> points;
  LrFinderStop stop = LrFinderStop::Failed;
  std::string error;    // with Failed: what went wrong (names the file, node or setting)
  std::string message;  // why it stopped, in words, e.g. "the smoothed loss ... at 0.31"
  /// The suggested rate, or NaN when the curve gives none (see suggestion); see suggestLearningRate.
  double suggestedLearningRate = std::numeric_limits<double>::quiet_NaN();
  /// How the suggestion was chosen, or why there is none, in one sentence.
  std::string suggestion;
  double minimumLossLearningRate = std::numeric_limits<double>::quiet_NaN();  // where the smoothed loss is lowest
  double seconds = 0;
  int64_t trainingSamples = 0, batchSize = 0;
  bool ok() const { return stop != LrFinderStop::Failed; }
  bool hasSuggestion() const { return suggestedLearningRate == suggestedLearningRate; }
};

struct LrSuggestion {
  double learningRate = std::numeric_limits<double>::quiet_NaN();
  double minimumLossLearningRate = std::numeric_limits<double>::quiet_NaN();
  std::string explanation;
};

/// The suggestion rule, on the recorded points (smoothing: the beta they were smoothed with).
/// The raw losses are smoothed again without lag (the bias-corrected exponential average run
/// forward, then backward over the result), so that the curve is not shifted toward higher rates
/// as the live, causal average is. On that curve, up to its minimum, the rate of the steepest
/// descent is taken (the most negative slope against log10(rate), a central difference over
/// about 0.1 decade on each side), but never above a tenth of the minimum's rate (the classic
/// "minimum / 10" rule: near the minimum training is already unstable). No suggestion when there
/// are fewer than 10 points, the minimum is at the very start, or the smoothed loss never falls
/// below 98 % of its starting value (the range shows no rate at which this model learns).
LrSuggestion suggestLearningRate(const std::vector<LrFinderPoint>& points, double smoothing);

/// Runs the range test on a fresh copy of the project's model (compiled as the trainer does:
/// seed, input normalization from the training split), with the project's optimizer settings
/// (momentum, weight decay, gradient clipping) and the rate set before step i (0-based) to
/// min * (max/min)^(i/(steps-1)). The learning-rate schedule, warm-up, gradient accumulation and
/// reduced precision are not used (the finder drives the rate; each step is one float32 batch).
/// Batches come from the training split (validation held out as in training), reshuffled when
/// the steps need more than one pass. Never throws.
/// `progress` (optional) is called on the calling thread after each step; `control` (optional)
/// stops the test between steps (and during data loading).
LrFinderResult findLearningRate(const Project& project, const LrFinderOptions& options,
                                TrainingControl* control = nullptr,
                                std::function<void(const LrFinderPoint&)> progress = {},
                                std::shared_ptr<const Dataset> dataset = nullptr);

/// The rate rounded to two significant digits (3.1623e-3 -> 3.2e-3), as the finder's suggestion
/// is shown and applied: the curve does not say more than that.
double roundLearningRate(double rate);

}  // namespace nc::core

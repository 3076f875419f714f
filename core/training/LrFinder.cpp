#include "core/training/LrFinder.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "core/Cancellation.h"
#include "core/GraphModule.h"
#include "core/data/BatchLoader.h"
#include "core/data/Dataset.h"
#include "core/data/DatasetInfo.h"
#include "core/training/Optimization.h"
#include "core/training/TrainingEvents.h"

namespace nc::core {

namespace {

using Clock = std::chrono::steady_clock;

/// A user-facing reason the test cannot run.
struct FinderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct FinderStopped {};

std::string rateText(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", rate);
  return buf;
}

std::string lossText(double loss) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", loss);
  return buf;
}

void checkOptions(const LrFinderOptions& o) {
  if (o.steps < 2 || o.steps > 100000) throw FinderError("steps must be between 2 and 100000 (got " + std::to_string(o.steps) + ")");
  if (!(o.minLearningRate > 0) || !std::isfinite(o.minLearningRate))
    throw FinderError("the minimum learning rate must be a positive number (got " + rateText(o.minLearningRate) + ")");
  if (!(o.maxLearningRate > o.minLearningRate) || !std::isfinite(o.maxLearningRate))
    throw FinderError("the maximum learning rate (" + rateText(o.maxLearningRate) +
                      ") must be larger than the minimum (" + rateText(o.minLearningRate) + ")");
  if (!(o.smoothing >= 0 && o.smoothing < 1)) throw FinderError("smoothing must be in [0, 1)");
  if (!(o.divergenceFactor > 1)) throw FinderError("the divergence factor must be larger than 1");
  if (o.limit < 0) throw FinderError("the sample limit cannot be negative");
  if (o.batchSize < 0) throw FinderError("the batch size cannot be negative");
}

/// The graph's Input and Output against the loaded data, with the checks (and words) the
/// trainer and the editor use (checkAgainstDataset).
void checkDataFitsGraph(const Dataset& d, const Graph& g, const GraphAnalysis& a) {
  if (std::string message = dataFitProblems(d, g, a); !message.empty()) throw FinderError(message);
}

/// The bias-corrected exponential average of `values` (beta = weight of the past), forward.
std::vector<double> smoothForward(const std::vector<double>& values, double beta) {
  std::vector<double> out(values.size());
  double avg = 0, correction = 1;
  for (size_t i = 0; i < values.size(); ++i) {
    avg = beta * avg + (1 - beta) * values[i];
    correction *= beta;
    out[i] = avg / (1 - correction);
  }
  return out;
}

}  // namespace

std::string lrFinderStopName(LrFinderStop stop) {
  switch (stop) {
    case LrFinderStop::Completed: return "completed";
    case LrFinderStop::Diverged: return "diverged";
    case LrFinderStop::NonFinite: return "non-finite loss";
    case LrFinderStop::Stopped: return "stopped";
    case LrFinderStop::Failed: return "failed";
  }
  return "failed";
}

double roundLearningRate(double rate) {
  if (!(rate > 0) || !std::isfinite(rate)) return rate;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", rate);
  return std::strtod(buf, nullptr);
}

LrSuggestion suggestLearningRate(const std::vector<LrFinderPoint>& points, double smoothing) {
  LrSuggestion s;
  const size_t n = points.size();
  if (n < 10) {
    s.explanation = "too few steps (" + std::to_string(n) + ") to suggest a rate: at least 10 are needed";
    return s;
  }
  std::vector<double> raw(n), x(n);
  for (size_t i = 0; i < n; ++i) {
    raw[i] = points[i].loss;
    x[i] = std::log10(points[i].learningRate);
  }
  // Zero lag: the forward average, then the same average run backward over it.
  std::vector<double> forward = smoothForward(raw, smoothing);
  std::vector<double> reversed(forward.rbegin(), forward.rend());
  std::vector<double> back = smoothForward(reversed, smoothing);
  std::vector<double> sm(back.rbegin(), back.rend());

  size_t m = size_t(std::min_element(sm.begin(), sm.end()) - sm.begin());
  s.minimumLossLearningRate = points[m].learningRate;
  if (!(sm[m] < 0.98 * sm[0])) {
    s.explanation = "the smoothed loss never fell below 98 % of its starting value (" + lossText(sm[0]) +
                    "): no rate in this range trains the model (check the model and the data, or start the "
                    "range lower)";
    return s;
  }
  const double span = x[n - 1] - x[0];
  if (!(span > 0)) {
    s.explanation = "the rates do not increase";
    return s;
  }
  const double perDecade = double(n - 1) / span;
  const size_t k = std::max<size_t>(1, size_t(std::lround(0.1 * perDecade)));
  if (m < 2) {
    s.explanation = "the smoothed loss was lowest at the very start of the range: start it at a lower rate";
    return s;
  }
  double bestSlope = 0;
  size_t steep = 0;
  for (size_t i = 1; i < m; ++i) {
    size_t lo = i > k ? i - k : 0, hi = std::min(m, i + k);
    double slope = (sm[hi] - sm[lo]) / (x[hi] - x[lo]);
    if (slope < bestSlope) {
      bestSlope = slope;
      steep = i;
    }
  }
  if (!(bestSlope < 0)) {
    s.explanation = "the smoothed loss does not fall before its minimum";
    return s;
  }
  const double steepRate = points[steep].learningRate, cap = s.minimumLossLearningRate / 10;
  if (steepRate <= cap) {
    s.learningRate = roundLearningRate(steepRate);
    s.explanation = "where the smoothed loss falls fastest (" + rateText(steepRate) + "); it is lowest at " +
                    rateText(s.minimumLossLearningRate);
  } else {
    s.learningRate = roundLearningRate(cap);
    s.explanation = "a tenth of the rate where the smoothed loss is lowest (" + rateText(s.minimumLossLearningRate) +
                    "); it falls fastest at " + rateText(steepRate) + ", too close to that minimum to be safe";
  }
  return s;
}

LrFinderResult findLearningRate(const Project& project, const LrFinderOptions& options, TrainingControl* control,
                                std::function<void(const LrFinderPoint&)> progress,
                                std::shared_ptr<const Dataset> dataset) {
  LrFinderResult r;
  const auto start = Clock::now();
  auto stopRequested = [control] { return control && control->stopRequested(); };
  try {
    checkOptions(options);
    TrainConfig cfg = project.training;
    if (options.batchSize > 0) cfg.batchSize = options.batchSize;
    torch::Device device(torch::kCPU);
    if (cfg.device == "cuda") {
      if (!torch::cuda::is_available())
        throw FinderError("CUDA was requested (device = cuda) but no CUDA device is available on this machine "
                          "(no GPU, or LibTorch built without CUDA): use device cpu");
      device = torch::Device(torch::kCUDA, 0);
    }
    if (cfg.threads > 0) torch::set_num_threads(int(cfg.threads));
    GraphAnalysis a = analyze(project.graph);
    if (!a.ok()) {
      std::string msg = "the model has errors:";
      for (const auto& i : a.issues)
        if (i.severity == Severity::Error) msg += " " + i.message + ";";
      throw FinderError(msg);
    }
    std::shared_ptr<const Dataset> data = dataset;
    if (!data) {
      DataConfig dc = project.data;
      if (options.limit > 0) dc.limit = options.limit;
      DatasetLoad load;
      {
        CancellationScope scope(stopRequested);
        load = loadDataset(dc);
      }
      if (stopRequested()) throw FinderStopped{};
      if (!load.ok()) throw FinderError(load.error);
      data = std::make_shared<Dataset>(std::move(*load.dataset));
    }
    checkDataFitsGraph(*data, project.graph, a);

    // The model as the trainer builds it: same seed, same split, same normalization.
    torch::manual_seed(uint64_t(cfg.seed));
    GraphModule model(project.graph, a);
    SplitIndices split = splitTrainValidation(data->trainInputs.size(0), project.data.validationFraction,
                                              project.data.seed);
    if (split.train.numel() == 0) throw FinderError("no training samples left after the validation split");
    Normalization norm = computeNormalization(*data, split.train);
    if (norm.mean.defined()) model->setInputNormalization(norm.mean, norm.std);
    model->to(device);
    model->train();
    std::unique_ptr<torch::optim::Optimizer> optimizer = makeOptimizer(cfg, model->parameters());
    r.trainingSamples = split.train.numel();
    r.batchSize = cfg.batchSize;

    const Augmentation aug{project.data.cropPadding, project.data.horizontalFlip};
    uint64_t pass = 0;
    auto newLoader = [&] {
      ++pass;
      return std::make_unique<BatchLoader>(data->trainInputs, data->trainTargets, split.train, cfg.batchSize,
                                           /*shuffle=*/true, uint64_t(cfg.seed) * 1000003ULL + pass, aug);
    };
    std::unique_ptr<BatchLoader> loader = newLoader();
    const double ratio = options.maxLearningRate / options.minLearningRate;
    const double beta = options.smoothing;
    double average = 0, correction = 1, best = std::numeric_limits<double>::infinity();
    r.stop = LrFinderStop::Completed;
    for (int64_t i = 0; i < options.steps; ++i) {
      if (stopRequested()) throw FinderStopped{};
      const double lr = options.minLearningRate * std::pow(ratio, double(i) / double(options.steps - 1));
      setLearningRate(*optimizer, lr);
      std::optional<Batch> batch = loader->next();
      if (!batch) {
        loader = newLoader();
        batch = loader->next();
        if (!batch) throw FinderError("the training split yields no batches");
      }
      torch::Tensor x = batch->inputs.to(device), y = batch->targets.to(device);
      optimizer->zero_grad();
      torch::Tensor loss = computeLoss(cfg, model->forward(x), y);
      const double value = loss.item<double>();
      if (!std::isfinite(value)) {
        r.stop = LrFinderStop::NonFinite;
        r.message = "the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " at step " +
                    std::to_string(i + 1) + " (rate " + rateText(lr) + ")";
        break;
      }
      loss.backward();
      if (cfg.gradClip > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), cfg.gradClip);
      optimizer->step();

      average = beta * average + (1 - beta) * value;
      correction *= beta;
      LrFinderPoint p{i + 1, lr, value, average / (1 - correction)};
      r.points.push_back(p);
      if (progress) progress(p);
      best = std::min(best, p.smoothedLoss);
      if (p.smoothedLoss > options.divergenceFactor * best) {
        r.stop = LrFinderStop::Diverged;
        r.message = "the smoothed loss (" + lossText(p.smoothedLoss) + ") exceeded " + lossText(options.divergenceFactor) +
                    " x its best (" + lossText(best) + ") at step " + std::to_string(i + 1) + " (rate " + rateText(lr) + ")";
        break;
      }
    }
    if (r.stop == LrFinderStop::Completed)
      r.message = "all " + std::to_string(options.steps) + " steps ran; the loss did not diverge up to rate " +
                  rateText(options.maxLearningRate);
  } catch (const FinderStopped&) {
    r.stop = LrFinderStop::Stopped;
    r.message = "stopped after " + std::to_string(r.points.size()) + " steps";
  } catch (const FinderError& e) {
    r.stop = LrFinderStop::Failed;
    r.error = e.what();
  } catch (const c10::Error& e) {
    r.stop = LrFinderStop::Failed;
    r.error = "LibTorch error: " + std::string(e.what_without_backtrace()).substr(0, 500);
  } catch (const std::exception& e) {
    r.stop = LrFinderStop::Failed;
    r.error = e.what();
  }
  if (r.stop == LrFinderStop::Failed) r.message = r.error;
  if (r.ok() && !r.points.empty()) {
    LrSuggestion s = suggestLearningRate(r.points, options.smoothing);
    r.suggestedLearningRate = s.learningRate;
    r.minimumLossLearningRate = s.minimumLossLearningRate;
    r.suggestion = s.explanation;
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace nc::core

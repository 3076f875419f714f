#include "core/training/Trainer.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <sstream>

#include "core/Cancellation.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/LayerType.h"
#include "core/Project.h"
#include "core/data/BatchLoader.h"
#include "core/data/Dataset.h"
#include "core/data/DatasetInfo.h"
#include "core/training/Checkpoint.h"
#include "core/training/DiagnosticsProbe.h"
#include "core/training/MemoryFit.h"
#include "core/training/MisclassifiedCollector.h"
#include "core/training/MixedPrecision.h"
#include "core/training/Optimization.h"
#include "core/training/ResourceMonitor.h"
#include "core/training/ResumeRules.h"
#include "core/training/RunFolder.h"

namespace nc::core {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kResourceIntervalSeconds = 0.5;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A user-facing reason to end the run as failed.
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Thrown when the control asks to stop in a phase other than the training batches (dataset
/// loading, validation, the test pass): ends the run as stopped.
struct StopRequested {
  std::string phase;
};

struct EvalTotals {
  double loss = kNaN, accuracy = kNaN;
  int64_t samples = 0;
};

std::string fmt(double v, int precision = 4) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(precision);
  os << v;
  return os.str();
}

nlohmann::json epochJson(const EpochMetrics& m) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"epoch", m.epoch},         {"step", m.step},       {"train_loss", num(m.trainLoss)},
          {"train_accuracy", num(m.trainAccuracy)}, {"val_loss", num(m.valLoss)}, {"val_accuracy", num(m.valAccuracy)},
          {"seconds", m.seconds},     {"samples_per_s", m.samplesPerSecond}, {"best", m.best}};
}

torch::Device pickDevice(const TrainConfig& c) {
  if (c.device == "cuda") {
    if (!torch::cuda::is_available())
      throw RunError("CUDA was requested (device = cuda) but no CUDA device is available on this machine "
                     "(no GPU, or LibTorch built without CUDA): use device cpu");
    return torch::Device(torch::kCUDA, 0);
  }
  return torch::Device(torch::kCPU);
}

/// Checks that the data fits the graph's Input and Output: the same checks, in the same words,
/// as the editor shows while the graph is edited (checkAgainstDataset); each says what to change.
void checkDataFitsGraph(const Dataset& d, const Graph& g, const GraphAnalysis& a) {
  if (std::string message = dataFitProblems(d, g, a); !message.empty()) throw RunError(message);
}

/// Bytes the loaded data set occupies (inputs and targets of every split).
int64_t datasetBytes(const Dataset& d) {
  int64_t total = 0;
  for (const torch::Tensor* t : {&d.trainInputs, &d.trainTargets, &d.testInputs, &d.testTargets})
    if (t->defined()) total += int64_t(t->nbytes());
  return total;
}

class Run {
 public:
  Run(const TrainJob& job, TrainingObserver& observer, TrainingControl& control)
      : m_job(job), m_obs(observer), m_control(control), m_cfg(job.project.training) {}

  RunResult execute() {
    RunResult r;
    try {
      setup();
      r = trainLoop();
    } catch (const StopRequested& stop) {
      r.status = RunStatus::Stopped;
      r.message = "stopped during " + stop.phase + "; the last checkpoint is from epoch " + std::to_string(m_epoch);
    } catch (const RunError& e) {
      r.status = RunStatus::Failed;
      r.message = e.what();
    } catch (const c10::Error& e) {
      r.status = RunStatus::Failed;
      r.message = "LibTorch error: " + std::string(e.what_without_backtrace()).substr(0, 500);
    } catch (const std::exception& e) {
      r.status = RunStatus::Failed;
      r.message = e.what();
    }
    r.runDirectory = m_folder.path();
    r.epochsCompleted = m_epoch;
    r.bestValidationAccuracy = m_bestValAccuracy;
    if (m_data) r.classNames = m_data->classNames;
    r.confusion = m_confusion;
    log(r.status == RunStatus::Failed ? "run failed: " + r.message
                                      : "run " + runStatusName(r.status) + (r.message.empty() ? "" : ": " + r.message));
    m_folder.result(r);
    m_obs.onFinished(r);
    return r;
  }

 private:
  void log(const std::string& msg) {
    m_folder.log(msg);
    m_obs.onLog(msg);
  }

  void checkStop(const char* phase) const {
    if (m_control.stopRequested()) throw StopRequested{phase};
  }

  void setup() {
    if (m_cfg.threads > 0) torch::set_num_threads(int(m_cfg.threads));
    m_device = pickDevice(m_cfg);
    if (std::string refusal = precisionRefusal(m_cfg.precision, m_device); !refusal.empty()) throw RunError(refusal);
    m_autocast = autocastType(m_cfg.precision);
    m_scaler = LossScaler(m_cfg.precision == "float16");
    GraphAnalysis a = analyze(m_job.project.graph);
    if (!a.ok()) {
      std::string msg = "the model has errors:";
      for (const auto& i : a.issues)
        if (i.severity == Severity::Error) msg += " " + i.message + ";";
      throw RunError(msg);
    }
    if (m_job.dataset) {
      m_data = m_job.dataset;
    } else {
      m_obs.onPhase(PhaseProgress{RunPhase::Loading, 0, 0, 0, elapsed()});
      DatasetLoad load;
      {
        CancellationScope scope([this] { return m_control.stopRequested(); });
        load = loadDataset(m_job.project.data);
      }
      checkStop("dataset loading");
      if (!load.ok()) throw RunError(load.error);
      m_data = std::make_shared<Dataset>(std::move(*load.dataset));
    }
    checkStop("dataset loading");
    log("data: " + m_data->description);
    checkDataFitsGraph(*m_data, m_job.project.graph, a);

    torch::manual_seed(uint64_t(m_cfg.seed));
    m_model = GraphModule(m_job.project.graph, a);
    m_split = splitTrainValidation(m_data->trainInputs.size(0), m_job.project.data.validationFraction,
                                   m_job.project.data.seed);
    if (m_split.train.numel() == 0) throw RunError("no training samples left after the validation split");
    Normalization norm = computeNormalization(*m_data, m_split.train);
    if (norm.mean.defined()) m_model->setInputNormalization(norm.mean, norm.std);
    if (!m_job.initialWeights.empty()) {
      if (!m_job.resumeCheckpoint.empty())
        throw RunError("initial weights and a checkpoint to resume from cannot be combined: resume continues "
                       "a run, initial weights start a new one");
      loadCheckpoint(m_job.initialWeights, m_model, nullptr, /*restoreRng=*/false);
    } else if (m_job.keepZeroWeights) {
      throw RunError("keeping zero weights needs initial weights to take the zeros from");
    }
    m_model->to(m_device);
    if (m_job.keepZeroWeights) {
      torch::NoGradGuard guard;
      for (auto& p : m_model->parameters())
        if (p.dim() >= 2) m_zeroMasks.emplace_back(p, p.ne(0).to(p.dtype()));
    }
    m_optimizer = makeOptimizer(m_cfg, m_model->parameters());
    m_memory.begin(m_job.project, a, datasetBytes(*m_data));
    if (!m_memory.refusal().empty()) throw RunError(m_memory.refusal());
    m_stepsPerEpoch = optimizerStepsPerEpoch(m_split.train.numel(), m_cfg);
    m_bestMetric = m_cfg.monitor == "val_loss" ? std::numeric_limits<double>::infinity()
                                               : -std::numeric_limits<double>::infinity();

    int64_t resumeStep = -1;
    m_projectJson = serializeProject(m_job.project);
    std::string folderProject = m_projectJson, historyJson = "[]";
    if (!m_job.resumeCheckpoint.empty()) {
      Project reference;
      CheckpointState s = loadCheckpoint(m_job.resumeCheckpoint, m_model, m_optimizer.get(), /*restoreRng=*/true,
                                         [&](const CheckpointState& state) {
                                           reference = runProject(state);
                                           checkResumable(reference, state);  // before any weight is loaded
                                         });
      m_model->to(m_device);  // checkpoints load onto the CPU, whatever device they came from
      moveOptimizerState(*m_optimizer, m_device);
      m_epoch = s.epoch;
      m_step = s.step;
      m_bestMetric = s.bestMetric;
      m_epochsSinceBest = s.epochsSinceBest;
      JsonParse history = parseJson(s.historyJson);
      if (!history.ok() || !history.value.is_array())
        throw RunError(m_job.resumeCheckpoint + ": the checkpoint's metrics history is unreadable");
      m_history = history.value;
      for (const auto& h : m_history)
        if (h.is_object() && h.contains("val_accuracy") && h["val_accuracy"].is_number())
          m_bestValAccuracy = std::max(m_bestValAccuracy, h["val_accuracy"].get<double>());
      resumeStep = m_step;
      historyJson = s.historyJson;
      folderProject = resumedProjectJson(reference);
    }
    if (Status s = m_folder.open(m_job.runDirectory, folderProject, resumeStep, historyJson); !s)
      throw RunError(s.message());
    m_diagnostics = std::make_unique<TrainingDiagnostics>(m_job.project.graph, m_model, m_obs,
                                                          [this](const std::string& line) { m_folder.log(line); },
                                                          m_job.diagnosticsEvery);
    if (Status s = m_diagnostics->open(m_folder.path(), resumeStep); !s) throw RunError(s.message());
    int64_t params = 0;
    for (const auto& p : m_model->parameters()) params += p.numel();
    log("model: " + std::to_string(params) + " parameters on " + m_device.str() + ", " +
        std::to_string(m_split.train.numel()) + " training and " + std::to_string(m_split.validation.numel()) +
        " validation samples, " + std::to_string(m_stepsPerEpoch) + " steps per epoch");
    if (std::string line = m_memory.summary(); !line.empty()) log(line);  // after open: also in log.txt
    if (m_cfg.accumulateSteps > 1)
      log("gradient accumulation: each optimizer step sums " + std::to_string(m_cfg.accumulateSteps) +
          " batches of " + std::to_string(m_cfg.batchSize) + " (effective batch " +
          std::to_string(m_cfg.accumulateSteps * m_cfg.batchSize) +
          "); BatchNorm statistics update per batch; schedule, warm-up and steps count optimizer steps");
    if (m_autocast)
      log("precision: " + m_cfg.precision + " autocast on the training forward pass" +
          (m_scaler.enabled() ? " with dynamic loss scaling" : "") +
          "; weights, optimizer state and checkpoints stay float32; validation and test run in float32");
    if (!m_job.initialWeights.empty())
      log("starting from the weights of " + m_job.initialWeights +
          (m_zeroMasks.empty() ? std::string() : " (zero weights stay zero)"));
    if (resumeStep >= 0)
      log("resumed from " + m_job.resumeCheckpoint + " after epoch " + std::to_string(m_epoch) + " (step " +
          std::to_string(m_step) + ")");
    // A checkpoint without optimizer state (a run brought back with import-run) continues with
    // the optimizer's moments at zero: say so rather than continue as if nothing changed.
    bool statefulOptimizer = m_cfg.optimizer != "sgd" || m_cfg.momentum > 0;
    if (resumeStep >= 0 && statefulOptimizer && m_optimizer->state().empty())
      log("note: " + m_job.resumeCheckpoint + " holds no optimizer state (a run brought back with import-run has "
          "none): the " + m_cfg.optimizer + " optimizer continues with its moments starting from zero");
    m_start = Clock::now();
  }

  /// The project the resumed run was started with: the one its checkpoint carries, or for older
  /// checkpoints the run folder's project.json with the checkpoint's training settings.
  Project runProject(const CheckpointState& s) const {
    if (!s.projectJson.empty()) {
      ProjectLoad p = parseProject(s.projectJson);
      if (p.ok()) return *p.project;
    }
    std::filesystem::path dir = std::filesystem::path(m_job.resumeCheckpoint).parent_path().parent_path();
    ProjectLoad p = loadProject((dir / "project.json").string());
    Project reference = p.ok() ? *p.project : m_job.project;
    TrainConfig saved = reference.training;
    if (trainConfigFromJson(s.configJson, saved)) reference.training = saved;
    return reference;
  }

  /// Refuses to continue with settings that would break the run, or with nothing left to do.
  void checkResumable(const Project& reference, const CheckpointState& s) const {
    std::vector<std::string> conflicts = resumeConflicts(reference, m_job.project);
    if (!conflicts.empty()) {
      std::string msg = "cannot continue the run from " + m_job.resumeCheckpoint +
                        ": these settings differ from the ones the run was started with, and changing them would "
                        "break it (continue with the run's settings, or start a new run): ";
      for (size_t i = 0; i < conflicts.size(); ++i) msg += (i ? "; " : "") + conflicts[i];
      throw RunError(msg);
    }
    if (m_cfg.epochs <= s.epoch)
      throw RunError("nothing to continue: the run already completed " + std::to_string(s.epoch) + " epoch" +
                     (s.epoch == 1 ? "" : "s") + " and " + std::to_string(m_cfg.epochs) +
                     " are asked for; ask for more epochs (e.g. --epochs " + std::to_string(s.epoch + 1) +
                     ") to continue it. The run folder was left as it was");
  }

  /// project.json of a resumed run stays as it is, except that the epoch count (and patience)
  /// follow what the continued run trains for, so that the folder says how many epochs it
  /// plans and a later resume starts from the same plan. "" = leave the file alone.
  std::string resumedProjectJson(const Project& reference) const {
    std::string file = (std::filesystem::path(m_job.runDirectory) / "project.json").string();
    ProjectLoad onDisk = loadProject(file);
    Project p = onDisk.ok() ? *onDisk.project : reference;
    if (onDisk.ok() && p.training.epochs == m_cfg.epochs && p.training.patience == m_cfg.patience) return "";
    p.training.epochs = m_cfg.epochs;
    p.training.patience = m_cfg.patience;
    return serializeProject(p);
  }

  double elapsed() const { return std::chrono::duration<double>(Clock::now() - m_start).count(); }

  void maybeSample(bool force = false) {
    auto now = Clock::now();
    if (!force && std::chrono::duration<double>(now - m_lastSample).count() < kResourceIntervalSeconds) return;
    m_lastSample = now;
    ResourceSample s = m_monitor.sample();
    s.elapsedSeconds = elapsed();
    m_obs.onResource(s);
  }

  /// Runs one epoch of training; false when stopped. Each optimizer step sums the gradients of
  /// up to accumulateSteps consecutive batches (fewer in the epoch's last group), each batch's
  /// loss weighted by its share of the group's samples: the step is the one a single batch of
  /// all those samples would give (BatchNorm aside: its statistics update per batch).
  bool trainEpoch(EpochMetrics& em) {
    m_model->train();
    Augmentation aug{m_job.project.data.cropPadding, m_job.project.data.horizontalFlip};
    BatchLoader loader(m_data->trainInputs, m_data->trainTargets, m_split.train, m_cfg.batchSize, /*shuffle=*/true,
                       uint64_t(m_cfg.seed) * 1000003ULL + uint64_t(m_epoch + 1), aug);
    const int64_t totalSteps = m_cfg.epochs * m_stepsPerEpoch, batches = loader.batchCount();
    const int64_t group = m_cfg.accumulateSteps, samples = m_split.train.numel();
    double lossSum = 0, smoothedRate = 0;
    int64_t correct = 0, seen = 0, predictionsSeen = 0;
    auto epochStart = Clock::now();
    for (int64_t stepInEpoch = 0; stepInEpoch * group < batches; ++stepInEpoch) {
      const int64_t first = stepInEpoch * group, count = std::min(group, batches - first);
      const int64_t groupSamples = std::min(samples, (first + count) * m_cfg.batchSize) - first * m_cfg.batchSize;
      if (m_control.paused()) {
        log("paused");
        m_control.waitWhilePaused([this] { maybeSample(true); });
        if (!m_control.stopRequested()) log("resumed");
      }
      if (m_control.stopRequested()) return false;
      auto t0 = Clock::now();
      double lr = learningRateAt(m_cfg, m_step, m_stepsPerEpoch, totalSteps);
      setLearningRate(*m_optimizer, lr);
      m_optimizer->zero_grad();
      double stepLoss = 0;
      int64_t stepRight = 0, stepPredictions = 0;
      for (int64_t i = 0; i < count; ++i) {
        if (i > 0 && m_control.stopRequested()) return false;  // a partial step is dropped
        std::optional<Batch> batch = loader.next();
        if (!batch) throw RunError("the training data ended early in epoch " + std::to_string(m_epoch + 1));
        torch::Tensor x = batch->inputs.to(m_device), y = batch->targets.to(m_device);
        torch::Tensor logits;
        {
          AutocastScope autocast(m_device, m_autocast);  // this thread only; cache cleared on exit
          logits = m_model->forward(x);
        }
        if (m_autocast) logits = logits.to(torch::kFloat);  // the loss in float32
        torch::Tensor loss = computeLoss(m_cfg, logits, y);
        double lossValue = loss.item<double>();
        if (!std::isfinite(lossValue)) {
          std::string origin;  // the diagnostics' check on this batch: which node's output went non-finite first
          {
            AutocastScope autocast(m_device, m_autocast);
            origin = m_diagnostics->nonFiniteOrigin(m_epoch + 1, m_step + 1, x);
          }
          throw RunError("the loss became " + std::string(std::isnan(lossValue) ? "NaN" : "infinite") + " at step " +
                         std::to_string(m_step + 1) + " (epoch " + std::to_string(m_epoch + 1) + ", batch " +
                         std::to_string(first + i + 1) + ")" + (origin.empty() ? "" : ", " + origin) +
                         ": lower the learning rate or enable gradient clipping" +
                         (m_autocast ? " (or train in float32: precision is " + m_cfg.precision + ")" : ""));
        }
        const int64_t n = y.size(0);
        if (count > 1) loss = loss * (double(n) / double(groupSamples));
        m_scaler.scaleLoss(loss).backward();
        int64_t right = countCorrect(logits.detach(), y);
        lossSum += lossValue * double(n);
        stepLoss += lossValue * double(n);
        correct += right;
        stepRight += right;
        seen += n;
        predictionsSeen += y.numel();
        stepPredictions += y.numel();
      }
      ++m_step;
      std::vector<torch::Tensor> params = m_model->parameters();
      bool finite = m_scaler.unscale(params);
      const bool diagnose = finite && m_diagnostics->due(m_step);  // gradients before clipping
      if (diagnose) m_diagnostics->beforeUpdate();
      if (m_cfg.gradClip > 0 && finite) torch::nn::utils::clip_grad_norm_(params, m_cfg.gradClip);
      if (!m_scaler.step(*m_optimizer, params) && m_scaler.skippedSteps() <= 3)
        log("step " + std::to_string(m_step) + " skipped: float16 gradients overflowed; loss scale now " +
            fmt(m_scaler.scale(), 0));
      if (!m_zeroMasks.empty()) {
        torch::NoGradGuard guard;
        for (auto& [param, mask] : m_zeroMasks) param.mul_(mask);
      }
      if (diagnose) m_diagnostics->afterUpdate(m_epoch + 1, m_step);

      double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      double rate = dt > 0 ? double(groupSamples) / dt : 0;
      smoothedRate = smoothedRate == 0 ? rate : 0.9 * smoothedRate + 0.1 * rate;
      StepMetrics sm{m_epoch + 1, m_step, stepInEpoch + 1, m_stepsPerEpoch, stepLoss / double(groupSamples),
                     double(stepRight) / double(std::max<int64_t>(stepPredictions, 1)), lr, smoothedRate, elapsed()};
      m_folder.step(sm);
      m_obs.onStep(sm);
      maybeSample();
      if (m_control.takeWeightsSnapshotRequest()) {
        auto snapshot = std::make_shared<WeightsSnapshot>();
        snapshot->epoch = m_epoch + 1;
        snapshot->step = m_step;
        snapshot->state = saveModelState(m_model);
        m_obs.onWeightsSnapshot(std::move(snapshot));
      }
    }
    double seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
    em.trainLoss = lossSum / double(std::max<int64_t>(seen, 1));
    em.trainAccuracy = double(correct) / double(std::max<int64_t>(predictionsSeen, 1));
    em.seconds = seconds;
    em.samplesPerSecond = seconds > 0 ? double(seen) / seconds : 0;
    return true;
  }

  EvalTotals evaluate(const torch::Tensor& inputs, const torch::Tensor& targets, const torch::Tensor& indices,
                      bool confusion, RunPhase kind, const std::string& phase) {
    EvalTotals t;
    if (indices.numel() == 0) return t;
    PhaseProgress progress{kind, kind == RunPhase::Test ? m_epoch : m_epoch + 1, 0, indices.numel(), elapsed()};
    m_obs.onPhase(progress);
    torch::NoGradGuard guard;
    m_model->eval();
    BatchLoader loader(inputs, targets, indices, m_cfg.evalBatchSize, /*shuffle=*/false, 0);
    double lossSum = 0;
    int64_t correct = 0, predictions = 0;
    int64_t classes = m_data->numClasses();
    torch::Tensor matrix = torch::zeros({classes * classes}, torch::kLong);
    nlohmann::json samples = nlohmann::json::array();
    MisclassifiedCollector misclassified(indices);
    while (auto batch = loader.next()) {
      if (m_control.stopRequested()) {
        m_model->train();
        throw StopRequested{phase};
      }
      torch::Tensor x = batch->inputs.to(m_device), y = batch->targets.to(m_device);
      torch::Tensor logits = m_model->forward(x);
      lossSum += computeLoss(m_cfg, logits, y).item<double>() * double(y.numel());
      correct += countCorrect(logits, y);
      predictions += y.numel();
      if (confusion && m_data->task == Task::Classification) {
        torch::Tensor flat = (y.reshape({-1}) * classes + logits.argmax(-1).reshape({-1})).to(torch::kCPU);
        matrix += torch::bincount(flat, {}, classes * classes);
        collectSamples(x, y, logits, samples);
        misclassified.add(x, y, logits);
      }
      progress.done = std::min(progress.done + y.size(0), progress.total);
      progress.elapsedSeconds = elapsed();
      m_obs.onPhase(progress);
      maybeSample();
    }
    t.loss = lossSum / double(predictions);
    t.accuracy = double(correct) / double(predictions);
    t.samples = indices.numel();
    if (confusion && m_data->task == Task::Classification) {
      m_confusion.assign(size_t(classes), std::vector<int64_t>(size_t(classes)));
      auto acc = matrix.accessor<int64_t, 1>();
      for (int64_t i = 0; i < classes; ++i)
        for (int64_t j = 0; j < classes; ++j) m_confusion[size_t(i)][size_t(j)] = acc[i * classes + j];
      writeSamples(samples);
      writeMisclassified(misclassified.set());
    }
    m_model->train();
    return t;
  }

  /// Keeps the first kShownSamples validation samples of a classification run: true and
  /// predicted class, confidence, and for images the pixels (0-255, [C, H, W] row-major).
  void collectSamples(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& logits,
                      nlohmann::json& samples) const {
    if (int64_t(samples.size()) >= kShownSamples || logits.dim() != 2) return;
    torch::Tensor probs = torch::softmax(logits, 1).to(torch::kCPU);
    torch::Tensor inputs = x.to(torch::kCPU);
    torch::Tensor labels = y.to(torch::kCPU);
    bool image = inputs.dim() == 4 && (inputs.size(1) == 1 || inputs.size(1) == 3);
    for (int64_t i = 0; i < inputs.size(0) && int64_t(samples.size()) < kShownSamples; ++i) {
      auto [confidence, predicted] = probs[i].max(0);
      nlohmann::json s = {{"true", labels[i].item<int64_t>()},
                          {"predicted", predicted.item<int64_t>()},
                          {"confidence", confidence.item<double>()}};
      if (image) {
        torch::Tensor pixels = (inputs[i] * 255).round().clamp(0, 255).to(torch::kUInt8).contiguous();
        s["shape"] = pixels.sizes().vec();
        s["pixels"] = std::vector<uint8_t>(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel());
      }
      samples.push_back(std::move(s));
    }
  }

  /// validation_samples.json in the run folder: the latest validation pass's first samples.
  void writeSamples(const nlohmann::json& samples) {
    if (!m_folder.enabled() || samples.empty()) return;
    // Validation runs at the end of epoch m_epoch + 1, before the epoch counter moves on.
    std::vector<std::string> classes;
    for (const auto& c : m_data->classNames) classes.push_back(toUtf8(c));
    nlohmann::json j = {{"epoch", m_epoch + 1}, {"class_names", classes}, {"samples", samples}};
    writeFileAtomic((std::filesystem::path(m_folder.path()) / "validation_samples.json").string(),
                    dumpJson(j) + "\n");
  }

  /// misclassified.json in the run folder: every misclassified sample of this validation pass
  /// (format: core/training/Misclassified.h).
  void writeMisclassified(MisclassifiedSet& set) {
    if (!m_folder.enabled()) return;
    set.epoch = m_epoch + 1;
    set.classNames = m_data->classNames;
    set.confusion = m_confusion;
    writeFileAtomic((std::filesystem::path(m_folder.path()) / "misclassified.json").string(), misclassifiedJson(set));
  }

  static constexpr int64_t kShownSamples = 32;

  /// The fixed batch of the dead-ReLU check: the first validation samples (training samples
  /// without a validation split).
  torch::Tensor diagnosticsBatch() const {
    const torch::Tensor& pool = m_split.validation.numel() > 0 ? m_split.validation : m_split.train;
    torch::Tensor index = pool.slice(0, 0, std::min<int64_t>(pool.numel(), kReluCheckSamples));
    return m_data->trainInputs.index_select(0, index.to(m_data->trainInputs.device())).to(m_device);
  }

  /// Updates best/patience bookkeeping; returns true when this epoch is the best so far.
  bool recordBest(const EpochMetrics& em) {
    bool hasVal = std::isfinite(em.valAccuracy);
    double metric = m_cfg.monitor == "val_loss" ? (hasVal ? em.valLoss : em.trainLoss)
                                                : (hasVal ? em.valAccuracy : em.trainAccuracy);
    bool better = m_cfg.monitor == "val_loss" ? metric < m_bestMetric : metric > m_bestMetric;
    if (better) {
      m_bestMetric = metric;
      m_epochsSinceBest = 0;
    } else {
      ++m_epochsSinceBest;
    }
    if (hasVal) m_bestValAccuracy = std::max(m_bestValAccuracy, em.valAccuracy);
    return better;
  }

  void saveCheckpoints(bool best) {
    if (!m_folder.enabled()) return;
    CheckpointState s{m_epoch,          m_step, m_bestMetric, m_epochsSinceBest, dumpJson(m_history),
                      trainConfigToJson(m_cfg), m_projectJson};
    saveCheckpoint(m_folder.checkpointPath("last"), m_model, m_optimizer.get(), s);
    if (best) saveCheckpoint(m_folder.checkpointPath("best"), m_model, m_optimizer.get(), s);
  }

  RunResult trainLoop() {
    RunResult r;
    r.status = RunStatus::Completed;
    maybeSample(/*force=*/true);
    while (m_epoch < m_cfg.epochs) {
      EpochMetrics em;
      em.epoch = m_epoch + 1;
      if (!trainEpoch(em)) {
        r.status = RunStatus::Stopped;
        r.message = "stopped during epoch " + std::to_string(m_epoch + 1) + "; the last checkpoint is from epoch " +
                    std::to_string(m_epoch);
        return r;
      }
      m_diagnostics->endEpoch(m_epoch + 1, m_step, diagnosticsBatch());
      EvalTotals val = evaluate(m_data->trainInputs, m_data->trainTargets, m_split.validation, /*confusion=*/true,
                                RunPhase::Validation, "validation of epoch " + std::to_string(m_epoch + 1));
      em.valLoss = val.loss;
      em.valAccuracy = val.accuracy;
      em.step = m_step;
      em.best = recordBest(em);
      ++m_epoch;
      m_history.push_back(epochJson(em));
      // The epoch's metrics line goes first: a kill before the checkpoint is renamed resumes from
      // the previous checkpoint and drops this line; a kill after it finds the line written.
      m_folder.epoch(em);
      saveCheckpoints(em.best);
      m_obs.onEpoch(em);
      log("epoch " + std::to_string(em.epoch) + "/" + std::to_string(m_cfg.epochs) + ": train loss " +
          fmt(em.trainLoss) + ", accuracy " + fmt(em.trainAccuracy) + "; validation loss " + fmt(em.valLoss) +
          ", accuracy " + fmt(em.valAccuracy) + " (" + fmt(em.seconds, 1) + " s, " + fmt(em.samplesPerSecond, 0) +
          " samples/s)" + (em.best ? " *best" : ""));
      if (m_cfg.patience > 0 && m_epochsSinceBest >= m_cfg.patience && m_epoch < m_cfg.epochs) {
        r.message = "early stopping: no improvement in " + m_cfg.monitor + " for " + std::to_string(m_cfg.patience) +
                    " epochs";
        break;
      }
      if (m_control.stopRequested()) {
        r.status = RunStatus::Stopped;
        r.message = "stopped after epoch " + std::to_string(m_epoch);
        return r;
      }
    }
    if (std::string line = m_memory.report(); !line.empty()) log(line);
    if (m_data->testInputs.defined() && m_data->testInputs.size(0) > 0) {
      torch::Tensor all = torch::arange(m_data->testInputs.size(0), torch::kLong);
      EvalTotals test = evaluate(m_data->testInputs, m_data->testTargets, all, /*confusion=*/false, RunPhase::Test,
                                "the test pass");
      r.testLoss = test.loss;
      r.testAccuracy = test.accuracy;
      log("test: loss " + fmt(test.loss) + ", accuracy " + fmt(test.accuracy) + " on " + std::to_string(test.samples) +
          " samples");
    }
    return r;
  }

  const TrainJob& m_job;
  TrainingObserver& m_obs;
  TrainingControl& m_control;
  TrainConfig m_cfg;
  torch::Device m_device{torch::kCPU};
  std::shared_ptr<const Dataset> m_data;
  SplitIndices m_split;
  GraphModule m_model{nullptr};
  std::unique_ptr<torch::optim::Optimizer> m_optimizer;
  std::optional<torch::ScalarType> m_autocast;  // the forward pass's low precision; none = float32
  LossScaler m_scaler{false};                   // float16 only
  std::vector<std::pair<torch::Tensor, torch::Tensor>> m_zeroMasks;  // parameter, 0/1 mask (keepZeroWeights)
  RunFolder m_folder;
  std::unique_ptr<TrainingDiagnostics> m_diagnostics;
  TrainingMemoryWatch m_memory;
  ResourceMonitor m_monitor;
  Clock::time_point m_start = Clock::now(), m_lastSample;
  int64_t m_epoch = 0, m_step = 0, m_stepsPerEpoch = 0, m_epochsSinceBest = 0;
  double m_bestMetric = 0, m_bestValAccuracy = 0;
  nlohmann::json m_history = nlohmann::json::array();
  std::string m_projectJson;
  std::vector<std::vector<int64_t>> m_confusion;
};

}  // namespace

RunResult runTraining(const TrainJob& job, TrainingObserver& observer, TrainingControl& control) {
  Run run(job, observer, control);
  return run.execute();
}

EvalResult evaluateCheckpoint(const Project& project, const std::string& checkpoint,
                              std::shared_ptr<const Dataset> dataset) {
  EvalResult r;
  try {
    GraphAnalysis a = analyze(project.graph);
    if (!a.ok()) throw RunError("the model has errors; run validate for details");
    if (!dataset) {
      DatasetLoad load = loadDataset(project.data);
      if (!load.ok()) throw RunError(load.error);
      dataset = std::make_shared<Dataset>(std::move(*load.dataset));
    }
    checkDataFitsGraph(*dataset, project.graph, a);
    GraphModule model(project.graph, a);
    loadCheckpoint(checkpoint, model, nullptr, /*restoreRng=*/false);
    model->eval();
    EvaluationSplit eval = evaluationSplit(*dataset, project.data.validationFraction, project.data.seed);
    torch::Tensor inputs = eval.inputs, targets = eval.targets, indices = eval.indices;
    r.split = eval.split;
    torch::NoGradGuard guard;
    BatchLoader loader(inputs, targets, indices, project.training.evalBatchSize, false, 0);
    double lossSum = 0;
    int64_t correct = 0, predictions = 0;
    const int64_t classes = dataset->numClasses();
    const bool classification = dataset->task == Task::Classification && classes > 0;
    torch::Tensor matrix = torch::zeros({classes * classes}, torch::kLong);
    while (auto batch = loader.next()) {
      torch::Tensor logits = model->forward(batch->inputs);
      lossSum += computeLoss(project.training, logits, batch->targets).item<double>() * double(batch->targets.numel());
      correct += countCorrect(logits, batch->targets);
      predictions += batch->targets.numel();
      if (classification)
        matrix += torch::bincount(batch->targets.reshape({-1}) * classes + logits.argmax(-1).reshape({-1}), {},
                                  classes * classes);
    }
    if (classification) {
      r.confusion.assign(size_t(classes), std::vector<int64_t>(size_t(classes)));
      auto acc = matrix.accessor<int64_t, 1>();
      for (int64_t i = 0; i < classes; ++i)
        for (int64_t j = 0; j < classes; ++j) r.confusion[size_t(i)][size_t(j)] = acc[i * classes + j];
      r.classNames = dataset->classNames;
    }
    if (predictions == 0) throw RunError("no samples to evaluate");
    r.samples = indices.numel();
    r.loss = lossSum / double(predictions);
    r.accuracy = double(correct) / double(predictions);
    r.ok = true;
  } catch (const c10::Error& e) {
    r.error = checkpoint + ": evaluation failed: " + std::string(e.what_without_backtrace()).substr(0, 500);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

}  // namespace nc::core

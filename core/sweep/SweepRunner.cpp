// Running a sweep: the trials one after another, each an ordinary run folder made by runTraining,
// median stopping, sweep.json / sweep.csv after every epoch and trial, and resuming.
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/Cancellation.h"
#include "core/JsonDocument.h"
#include "core/LayerAnalysis.h"
#include "core/ShapeInference.h"
#include "core/data/Dataset.h"
#include "core/sweep/Sweep.h"
#include "core/training/Trainer.h"

namespace nc::core {

namespace fs = std::filesystem;

namespace {

std::string trialFolderName(int64_t index) {
  std::ostringstream os;
  os << "trial-" << std::setw(3) << std::setfill('0') << index;
  return os.str();
}

bool sameSpec(const SweepSpec& a, const SweepSpec& b, std::string& differences) {
  auto note = [&](const std::string& what) { differences += (differences.empty() ? "" : "; ") + what; };
  std::vector<std::string> pa, pb;
  for (const auto& p : a.params) pa.push_back(p.text);
  for (const auto& p : b.params) pb.push_back(p.text);
  if (pa != pb) {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : " ") + printableExcerpt(x, 80);
      return s;
    };
    note("params " + join(pa) + " there, " + join(pb) + " here");
  }
  if (a.trials != b.trials) note("trials " + std::to_string(a.trials) + " there, " + std::to_string(b.trials) + " here");
  if (a.strategy != b.strategy) note("strategy " + a.strategy + " there, " + b.strategy + " here");
  if (a.epochs != b.epochs) note("epochs " + std::to_string(a.epochs) + " there, " + std::to_string(b.epochs) + " here");
  if (a.medianStop != b.medianStop)
    note(std::string("early stop ") + (a.medianStop ? "median" : "none") + " there, " +
         (b.medianStop ? "median" : "none") + " here");
  if (a.seed != b.seed) note("seed " + std::to_string(a.seed) + " there, " + std::to_string(b.seed) + " here");
  if (a.limit != b.limit) note("limit " + std::to_string(a.limit) + " there, " + std::to_string(b.limit) + " here");
  return differences.empty();
}

/// Carries the sweep's control (stop, pause) over to the trial's own control, which median
/// stopping may also stop without stopping the sweep. Polls every 20 ms on a thread of its own.
class ControlForwarder {
 public:
  ControlForwarder(TrainingControl& from, TrainingControl& to)
      : m_from(from), m_to(to), m_thread([this] { loop(); }) {}
  ~ControlForwarder() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_done = true;
    }
    m_wake.notify_all();
    m_thread.join();
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_done) {
      if (m_from.stopRequested() && !m_to.stopRequested()) m_to.requestStop();
      if (m_from.paused() != m_to.paused()) {
        if (m_from.paused()) m_to.pause();
        else m_to.resume();
      }
      m_wake.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
  TrainingControl& m_from;
  TrainingControl& m_to;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_done = false;
  std::thread m_thread;
};

/// One trial's run: records its epochs, saves the sweep, forwards to the sweep's observer and
/// applies median stopping. The run's own log lines stay in its log.txt.
class TrialObserver : public TrainingObserver {
 public:
  TrialObserver(SweepState& state, size_t trial, const std::string& dir, SweepObserver& obs, TrainingControl& control)
      : m_state(state), m_trial(trial), m_dir(dir), m_obs(obs), m_control(control) {}

  void onEpoch(const EpochMetrics& m) override {
    SweepTrial& t = m_state.trials[m_trial];
    t.epochs.push_back({m.epoch, m.valAccuracy, m.valLoss, m.trainLoss});
    double acc = t.epochs.back().valAccuracy;
    if (std::isfinite(acc) && (!std::isfinite(t.bestValAccuracy) || acc > t.bestValAccuracy)) t.bestValAccuracy = acc;
    t.finalValAccuracy = acc;
    if (m_state.spec.medianStop) {  // the last epoch too: a stopped trial skips the test pass
      std::string reason = medianStopReason(m_state.trials, t.index, m.epoch, acc);
      if (!reason.empty()) {
        m_stopReason = reason;
        m_control.requestStop();
      }
    }
    if (Status s = saveSweep(m_dir, m_state); !s) m_obs.onLog("cannot save the sweep: " + s.message());
    m_obs.onTrialEpoch(t, m);
  }
  void onStep(const StepMetrics& m) override { m_obs.onTrialStep(m_state.trials[m_trial], m); }
  void onPhase(const PhaseProgress& p) override { m_obs.onTrialPhase(m_state.trials[m_trial], p); }

  const std::string& stopReason() const { return m_stopReason; }

 private:
  SweepState& m_state;
  size_t m_trial;
  const std::string& m_dir;
  SweepObserver& m_obs;
  TrainingControl& m_control;
  std::string m_stopReason;
};

bool folderHasFiles(const std::string& dir) {
  std::error_code ec;
  return fs::exists(dir, ec) && !fs::is_empty(dir, ec);
}

}  // namespace

SweepResult runSweep(const Project& project, const SweepSpec& spec, const std::string& sweepDir,
                     SweepObserver& observer, TrainingControl& control) {
  SweepResult result;
  auto failWith = [&](const std::string& message) {
    result.error = message;
    return result;
  };
  SweepState& state = result.state;
  const std::string file = (fs::path(sweepDir) / "sweep.json").string();
  std::error_code ec;
  if (fs::exists(file, ec)) {
    if (Status s = loadSweep(sweepDir, state); !s) return failWith(s.message());
    std::string differences;
    if (!spec.params.empty() && !sameSpec(state.spec, spec, differences))
      return failWith(file + " holds a different sweep (" + differences +
                      "); resume it with its own settings, or give another folder");
    int64_t done = 0;
    for (const auto& t : state.trials)
      done += t.status == "completed" || t.status == "stopped_early" || t.status == "failed";
    observer.onLog("resuming the sweep in " + sweepDir + ": " + std::to_string(done) + " of " +
                   std::to_string(state.trials.size()) + " trials finished");
  } else {
    if (folderHasFiles(sweepDir))
      return failWith(sweepDir + " already holds files and no sweep.json; a sweep starts in a new or empty folder");
    if (Status s = checkSweepSpec(spec); !s) return failWith(s.message());
    state.spec = spec;
    state.projectJson = serializeProject(project);
    auto values = sweepTrialValues(spec);
    for (size_t i = 0; i < values.size(); ++i) {
      SweepTrial t;
      t.index = int64_t(i) + 1;
      t.run = trialFolderName(t.index);
      t.values = std::move(values[i]);
      t.bestValAccuracy = t.finalValAccuracy = t.testAccuracy = t.seconds = NAN;
      state.trials.push_back(std::move(t));
    }
    fs::create_directories(sweepDir, ec);
    if (ec) return failWith(sweepDir + ": cannot create the folder: " + ec.message());
  }
  removeStaleTempFiles(sweepDir);
  if (Status s = saveSweep(sweepDir, state); !s) return failWith(s.message());

  ProjectLoad base = parseProject(state.projectJson);
  if (!base.ok()) return failWith(file + ": /project: " + base.error);

  std::shared_ptr<const Dataset> cached;
  DataConfig cachedConfig;
  for (size_t i = 0; i < state.trials.size(); ++i) {
    SweepTrial& t = state.trials[i];
    if (t.status == "completed" || t.status == "stopped_early" || t.status == "failed") continue;
    if (control.stopRequested()) {
      result.stopped = true;
      break;
    }
    // A fresh start: whatever an interrupted attempt left is cleared.
    const std::string runDir = (fs::path(sweepDir) / t.run).string();
    fs::remove_all(runDir, ec);
    t.epochs.clear();
    t.bestValAccuracy = t.finalValAccuracy = t.testAccuracy = t.seconds = NAN;
    t.params = t.flops = 0;
    t.message.clear();
    const auto started = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };

    Project p = *base.project;
    Status applied = applySweepValues(p, t.values);
    p.training.epochs = state.spec.epochs;
    if (state.spec.limit > 0) p.data.limit = state.spec.limit;
    if (applied) {
      GraphAnalysis a = analyze(p.graph);
      LayerTotals totals = layerTotals(analyzeLayers(p.graph, a, p.training));
      t.params = totals.params;
      t.flops = totals.flops;
    }
    t.status = "running";
    if (Status s = saveSweep(sweepDir, state); !s) return failWith(s.message());
    observer.onTrialStarted(t);
    if (!applied) {
      t.status = "failed";
      t.message = applied.message();
      t.seconds = seconds();
      saveSweep(sweepDir, state);
      observer.onTrialFinished(t);
      continue;
    }

    // Trials with the same data settings share one loaded dataset.
    TrainJob job;
    if (!cached || !(cachedConfig == p.data)) {
      cached.reset();
      observer.onLog("loading data for " + t.run);
      DatasetLoad load;
      {
        CancellationScope scope([&control] { return control.stopRequested(); });
        load = loadDataset(p.data);
      }
      if (load.ok()) {
        cached = std::make_shared<Dataset>(std::move(*load.dataset));
        cachedConfig = p.data;
      }
      // A data error is reported by the trial's run (which tries to load it itself).
    }
    job.project = p;
    job.runDirectory = runDir;
    job.dataset = cached;

    TrainingControl trialControl;
    TrialObserver trialObserver(state, i, sweepDir, observer, trialControl);
    RunResult r;
    {
      ControlForwarder forward(control, trialControl);
      r = runTraining(job, trialObserver, trialControl);
    }
    t.seconds = seconds();
    if (r.testAccuracy >= 0) t.testAccuracy = r.testAccuracy;
    if (r.status == RunStatus::Completed) {
      t.status = "completed";
      t.message = r.message;
    } else if (r.status == RunStatus::Failed) {
      t.status = "failed";
      t.message = r.message;
    } else if (!trialObserver.stopReason().empty()) {  // its epochs are complete even if the sweep stops too
      t.status = "stopped_early";
      t.message = trialObserver.stopReason();
      result.stopped = control.stopRequested();
    } else {
      t.status = "stopped";
      t.message = r.message;
      result.stopped = true;
    }
    if (Status s = saveSweep(sweepDir, state); !s) return failWith(s.message());
    observer.onTrialFinished(t);
    if (result.stopped) break;
  }
  if (Status s = saveSweep(sweepDir, state); !s) return failWith(s.message());
  result.ok = true;
  return result;
}

}  // namespace nc::core

// Live-preview overhead (issue 14): trains a project twice in one process on the same preloaded
// data — once alone, once with a thread that every few seconds asks the trainer for a
// WeightsSnapshot (TrainingControl::requestWeightsSnapshot) and computes a PreviewEngine preview
// from the snapshot the observer receives, as the GUI's Preview pane does during training — and
// prints the training samples/s of each and their ratio. Also times one preview of the untrained
// graph with the data cached (the design-time cost of an edit).
// The runs go in ABBA order (--rounds N pairs, the order flipped each round) so that warm-up and
// drifting load of the machine fall on both sides, after one uncounted warm-up run (--warmup 0: none).
// --interleave W: instead, ONE training run in which previews are on and off in alternate windows
// of W seconds (off, on, off, on, ...): load that drifts over minutes falls on both sides equally,
// which separate runs cannot promise on a shared machine. Steps are counted per window by their
// end time; the first window (warm-up) and the last (partial, and the final evaluation) are left out.
// Usage: nc_bench_preview_overhead PROJECT [--limit N] [--epochs N] [--interval SECONDS] [--rounds N] [--warmup 0|1]
//                                          [--interleave SECONDS]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/GraphModule.h"
#include "core/Project.h"
#include "core/data/Dataset.h"
#include "core/inspect/NodePreview.h"
#include "core/training/Checkpoint.h"
#include "core/training/Trainer.h"

using namespace nc::core;

namespace {

struct Observer : TrainingObserver {
  double seconds = 0, samples = 0;
  std::mutex mutex;
  std::condition_variable arrived;
  std::shared_ptr<const WeightsSnapshot> snapshot;
  std::atomic<bool> finished{false};

  // --interleave: the end of every optimizer step, in seconds since `start`.
  bool recordSteps = false;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::vector<double> stepEnds;
  void onStep(const StepMetrics&) override {
    if (recordSteps) stepEnds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  void onEpoch(const EpochMetrics& m) override {
    seconds += m.seconds;
    samples += m.samplesPerSecond * m.seconds;
  }
  void onWeightsSnapshot(std::shared_ptr<const WeightsSnapshot> s) override {
    std::lock_guard<std::mutex> lock(mutex);
    snapshot = std::move(s);
    arrived.notify_all();
  }
  void onFinished(const RunResult&) override {
    std::lock_guard<std::mutex> lock(mutex);
    finished = true;
    arrived.notify_all();
  }
  double samplesPerSecond() const { return seconds > 0 ? samples / seconds : 0; }
};

struct PreviewTotals {
  int count = 0, failed = 0;
  double seconds = 0;
  std::string lastError;
};

/// Asks the trainer for a snapshot, waits for it and computes a preview of sample 0 from it;
/// false when the run finished first. Called with obs.mutex held by `lock` (released on return).
bool previewFromSnapshot(PreviewEngine& engine, const Project& project, TrainingControl& control, Observer& obs,
                         std::unique_lock<std::mutex>& lock, PreviewTotals& totals) {
  obs.snapshot.reset();
  control.requestWeightsSnapshot();
  obs.arrived.wait(lock, [&] { return obs.finished.load() || obs.snapshot != nullptr; });
  if (obs.finished) return false;
  std::shared_ptr<const WeightsSnapshot> snap = obs.snapshot;
  lock.unlock();
  PreviewResult r = engine.compute(project, 0, snap.get());
  ++totals.count;
  totals.seconds += r.seconds;
  if (!r.ok) {
    ++totals.failed;
    totals.lastError = r.error;
  }
  return true;
}

/// Every `interval` seconds: request a snapshot, wait for it, compute a preview of sample 0.
void previewLoop(PreviewEngine& engine, const Project& project, TrainingControl& control, Observer& obs,
                 double interval, PreviewTotals& totals) {
  using Clock = std::chrono::steady_clock;
  auto next = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval));
  while (!obs.finished) {
    std::unique_lock<std::mutex> lock(obs.mutex);
    if (obs.arrived.wait_until(lock, next, [&] { return obs.finished.load(); })) return;
    if (!previewFromSnapshot(engine, project, control, obs, lock, totals)) return;
    next = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval));
  }
}

/// --interleave: previews (every `interval` s) only in odd windows [kW, (k+1)W) since obs.start.
void interleavedPreviewLoop(PreviewEngine& engine, const Project& project, TrainingControl& control, Observer& obs,
                            double interval, double window, PreviewTotals& totals) {
  using Clock = std::chrono::steady_clock;
  auto at = [&](double seconds) {
    return obs.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  auto now = [&] { return std::chrono::duration<double>(Clock::now() - obs.start).count(); };
  while (!obs.finished) {
    const double t = now();
    const int64_t k = int64_t(t / window);
    std::unique_lock<std::mutex> lock(obs.mutex);
    if (k % 2 == 0) {  // an off window: wait for the next one
      obs.arrived.wait_until(lock, at(double(k + 1) * window), [&] { return obs.finished.load(); });
      continue;
    }
    if (!previewFromSnapshot(engine, project, control, obs, lock, totals)) return;
    const double next = std::min(t + interval, double(k + 1) * window);
    lock.lock();
    obs.arrived.wait_until(lock, at(next), [&] { return obs.finished.load(); });
  }
}

/// Samples/s of previews-off (even) and -on (odd) windows of one interleaved run.
int reportInterleaved(const Observer& obs, const Project& project, double window, const PreviewTotals& totals,
                      double interval) {
  if (obs.stepEnds.empty()) return 1;
  const int64_t full = int64_t(obs.stepEnds.back() / window);  // windows [0, full) are complete
  std::vector<int64_t> steps(size_t(std::max<int64_t>(full, 0)), 0);
  for (double t : obs.stepEnds)
    if (int64_t k = int64_t(t / window); k < full) ++steps[size_t(k)];
  // Windows with a gap of over a second between two steps (the validation pass at an epoch end)
  // are left out, with their partner: they measure evaluation, not training steps.
  std::vector<bool> gap(steps.size(), false);
  for (size_t i = 1; i < obs.stepEnds.size(); ++i)
    if (obs.stepEnds[i] - obs.stepEnds[i - 1] > 1.0)
      for (int64_t k = int64_t(obs.stepEnds[i - 1] / window); k <= int64_t(obs.stepEnds[i] / window) && k < full; ++k)
        gap[size_t(k)] = true;
  const double batch = double(project.training.batchSize);
  double off = 0, on = 0;
  int offWindows = 0, onWindows = 0;
  std::vector<double> pairRatios;  // window 2j+1 (on) against 2j (off), j >= 1
  for (int64_t k = 2; k + 2 < full; k += 2) {  // leave out the first (warm-up) and the last complete ones
    if (gap[size_t(k)] || gap[size_t(k + 1)]) continue;
    const double rateOff = double(steps[size_t(k)]) * batch / window, rate = double(steps[size_t(k + 1)]) * batch / window;
    pairRatios.push_back(rate / rateOff);
    off += rateOff;
    on += rate;
    ++offWindows;
    ++onWindows;
  }
  if (!onWindows || !offWindows || pairRatios.empty()) {
    std::fprintf(stderr,
                 "no pair of windows to compare (%zu steps over %.1f s, %lld windows of %.0f s, %lld with a pause): "
                 "train longer (--limit, --epochs)\n",
                 obs.stepEnds.size(), obs.stepEnds.back(), (long long)full, window,
                 (long long)std::count(gap.begin(), gap.end(), true));
    return 1;
  }
  off /= offWindows;
  on /= onWindows;
  std::sort(pairRatios.begin(), pairRatios.end());
  std::printf("interleaved windows of %.0f s: %d without previews, %d with (%d previews every %.1f s, mean %.1f ms, %d failed)\n",
              window, offWindows, onWindows, totals.count, interval, totals.count ? totals.seconds * 1000 / totals.count : 0.0,
              totals.failed);
  std::printf("without_previews samples_per_s %.1f\nwith_previews samples_per_s %.1f\n", off, on);
  std::printf("ratio %.3f (slowdown %.1f %%)\n", on / off, (1 - on / off) * 100);
  std::printf("median_pair_ratio %.3f over %zu pairs (min %.3f, max %.3f)\n", pairRatios[pairRatios.size() / 2],
              pairRatios.size(), pairRatios.front(), pairRatios.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROJECT [--limit N] [--epochs N] [--interval SECONDS] [--rounds N] [--warmup 0|1] [--interleave SECONDS]\n",
                 argv[0]);
    return 64;
  }
  int64_t limit = 0, epochs = 1, rounds = 2, warmup = 1;
  double interval = 3.0, interleave = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--limit")) limit = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--epochs")) epochs = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--interval")) interval = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--warmup")) warmup = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--interleave")) interleave = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rounds")) rounds = std::max<int64_t>(1, std::atoll(argv[i + 1]));
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 64;
    }
  }
  ProjectLoad load = loadProject(argv[1]);
  if (!load.ok()) {
    std::fprintf(stderr, "%s\n", load.error.c_str());
    return 2;
  }
  Project project = *load.project;
  project.data.limit = limit;
  project.training.epochs = epochs;
  DatasetLoad data = loadDataset(project.data);
  if (!data.ok()) {
    std::fprintf(stderr, "%s\n", data.error.c_str());
    return 2;
  }
  auto dataset = std::make_shared<const Dataset>(std::move(*data.dataset));

  // Design time: the untrained graph, data cached (the first call loads it).
  PreviewEngine engine;
  PreviewResult first = engine.compute(project, 0);
  if (!first.ok) {
    std::fprintf(stderr, "preview failed: %s\n", first.error.c_str());
    return 1;
  }
  std::vector<double> times;
  for (int i = 0; i < 20; ++i) times.push_back(engine.compute(project, i % 10).seconds * 1000);
  std::sort(times.begin(), times.end());
  std::printf("preview_untrained_ms median %.1f max %.1f (first call, loading the data: %.0f ms)\n", times[10],
              times.back(), first.seconds * 1000);

  // Live: from a weights snapshot (as the trainer hands over), nothing else running.
  {
    GraphModule model = compileGraph(project.graph);
    WeightsSnapshot snap;
    snap.state = saveModelState(model);
    std::vector<double> live;
    for (int i = 0; i < 20; ++i) {
      PreviewResult r = engine.compute(project, i % 10, &snap);
      if (!r.ok) {
        std::fprintf(stderr, "preview from a snapshot failed: %s\n", r.error.c_str());
        return 1;
      }
      live.push_back(r.seconds * 1000);
    }
    std::sort(live.begin(), live.end());
    std::printf("preview_snapshot_ms median %.1f max %.1f\n", live[10], live.back());
  }
  if (warmup && interleave <= 0) {  // an uncounted run: the first training run of a process is slower (allocator, caches)
    TrainJob job;
    job.project = project;
    job.dataset = dataset;
    TrainingObserver quiet;
    TrainingControl control;
    runTraining(job, quiet, control);
  }

  if (interleave > 0) {
    TrainJob job;
    job.project = project;
    job.dataset = dataset;
    Observer obs;
    obs.recordSteps = true;
    TrainingControl control;
    PreviewTotals totals;
    obs.start = std::chrono::steady_clock::now();
    std::thread previewer([&] { interleavedPreviewLoop(engine, project, control, obs, interval, interleave, totals); });
    RunResult r = runTraining(job, obs, control);
    {
      std::lock_guard<std::mutex> lock(obs.mutex);
      obs.finished = true;  // also when the run failed before onFinished
      obs.arrived.notify_all();
    }
    previewer.join();
    if (r.status != RunStatus::Completed) {
      std::fprintf(stderr, "run %s: %s\n", runStatusName(r.status).c_str(), r.message.c_str());
      return 1;
    }
    return reportInterleaved(obs, project, interleave, totals, interval);
  }

  struct Side {
    double samples = 0, seconds = 0;
    void add(const Observer& o) {
      samples += o.samples;
      seconds += o.seconds;
    }
    double rate() const { return seconds > 0 ? samples / seconds : 0; }
  };
  Side plain, withPreviews;
  PreviewTotals live;
  std::vector<double> pairRatios;  // with / without, per round (adjacent runs: less drift)
  auto train = [&](bool previews) {
    TrainJob job;
    job.project = project;
    job.dataset = dataset;
    Observer obs;
    TrainingControl control;
    std::thread previewer;
    if (previews) previewer = std::thread([&] { previewLoop(engine, project, control, obs, interval, live); });
    RunResult r = runTraining(job, obs, control);
    if (previewer.joinable()) previewer.join();
    if (r.status != RunStatus::Completed) {
      std::fprintf(stderr, "run %s: %s\n", runStatusName(r.status).c_str(), r.message.c_str());
      std::exit(1);
    }
    std::printf("  run %s: samples_per_s %.1f\n", previews ? "with previews   " : "without previews",
                obs.samplesPerSecond());
    std::fflush(stdout);
    (previews ? withPreviews : plain).add(obs);
    return obs.samplesPerSecond();
  };
  for (int64_t round = 0; round < rounds; ++round) {
    const bool previewsFirst = round % 2 == 1;
    const double first = train(previewsFirst), second = train(!previewsFirst);
    pairRatios.push_back(previewsFirst ? first / second : second / first);
  }
  std::sort(pairRatios.begin(), pairRatios.end());
  std::printf("without_previews samples_per_s %.1f\n", plain.rate());
  std::printf("with_previews samples_per_s %.1f (%d previews every %.1f s, mean %.1f ms each, %d failed%s%s)\n",
              withPreviews.rate(), live.count, interval, live.count ? live.seconds * 1000 / live.count : 0.0,
              live.failed, live.failed ? ": " : "", live.lastError.c_str());
  const double ratio = withPreviews.rate() / plain.rate();
  std::printf("ratio %.3f (slowdown %.1f %%)\n", ratio, (1 - ratio) * 100);
  const double median = pairRatios.size() % 2 ? pairRatios[pairRatios.size() / 2]
                                              : (pairRatios[pairRatios.size() / 2 - 1] + pairRatios[pairRatios.size() / 2]) / 2;
  std::printf("median_round_ratio %.3f over %zu rounds (min %.3f, max %.3f)\n", median, pairRatios.size(),
              pairRatios.front(), pairRatios.back());
  return 0;
}

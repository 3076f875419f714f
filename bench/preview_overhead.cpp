// Live-preview overhead (issue 14): trains a project twice in one process on the same preloaded
// data — once alone, once with a thread that every few seconds asks the trainer for a
// WeightsSnapshot (TrainingControl::requestWeightsSnapshot) and computes a PreviewEngine preview
// from the snapshot the observer receives, as the GUI's Preview pane does during training — and
// prints the training samples/s of each and their ratio. Also times one preview of the untrained
// graph with the data cached (the design-time cost of an edit).
// The runs go in ABBA order (--rounds N pairs, the order flipped each round) so that warm-up and
// drifting load of the machine fall on both sides, after one uncounted warm-up run (--warmup 0: none).
// Usage: nc_bench_preview_overhead PROJECT [--limit N] [--epochs N] [--interval SECONDS] [--rounds N] [--warmup 0|1]
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

/// Every `interval` seconds: request a snapshot, wait for it, compute a preview of sample 0.
void previewLoop(PreviewEngine& engine, const Project& project, TrainingControl& control, Observer& obs,
                 double interval, PreviewTotals& totals) {
  using Clock = std::chrono::steady_clock;
  auto next = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval));
  while (!obs.finished) {
    std::shared_ptr<const WeightsSnapshot> snap;
    {
      std::unique_lock<std::mutex> lock(obs.mutex);
      if (obs.arrived.wait_until(lock, next, [&] { return obs.finished.load(); })) return;
      obs.snapshot.reset();
      control.requestWeightsSnapshot();
      obs.arrived.wait(lock, [&] { return obs.finished.load() || obs.snapshot != nullptr; });
      if (obs.finished) return;
      snap = obs.snapshot;
    }
    PreviewResult r = engine.compute(project, 0, snap.get());
    ++totals.count;
    totals.seconds += r.seconds;
    if (!r.ok) {
      ++totals.failed;
      totals.lastError = r.error;
    }
    next = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROJECT [--limit N] [--epochs N] [--interval SECONDS] [--rounds N] [--warmup 0|1]\n",
                 argv[0]);
    return 64;
  }
  int64_t limit = 0, epochs = 1, rounds = 2, warmup = 1;
  double interval = 3.0;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--limit")) limit = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--epochs")) epochs = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--interval")) interval = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--warmup")) warmup = std::atoll(argv[i + 1]);
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
  if (warmup) {  // an uncounted run: the first training run of a process is slower (allocator, caches)
    TrainJob job;
    job.project = project;
    job.dataset = dataset;
    TrainingObserver quiet;
    TrainingControl control;
    runTraining(job, quiet, control);
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

// Training benchmark: the 2-conv CNN of ../shared/bench/pytorch_fashion_cnn.py, built as a
// NeuralCanvas project (bench/fashion_cnn_reference.json) and trained by our engine on the same
// data with the same batch size, optimizer and threads. Prints samples/s over the training loop,
// test accuracy and peak resident memory, in the reference script's format.
// Usage: nc_bench_train_cnn PROJECT [epochs] [limit]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/Project.h"
#include "core/training/ResourceMonitor.h"
#include "core/training/Trainer.h"

using namespace nc::core;

namespace {

struct Totals : TrainingObserver {
  double seconds = 0;
  double samples = 0;
  void onEpoch(const EpochMetrics& m) override {
    seconds += m.seconds;
    samples += m.samplesPerSecond * m.seconds;
  }
  void onLog(const std::string& msg) override { std::fprintf(stderr, "%s\n", msg.c_str()); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROJECT [epochs] [limit]\n", argv[0]);
    return 64;
  }
  ProjectLoad load = loadProject(argv[1]);
  if (!load.ok()) {
    std::fprintf(stderr, "%s\n", load.error.c_str());
    return 2;
  }
  TrainJob job;
  job.project = *load.project;
  job.project.training.epochs = argc > 2 ? std::atoi(argv[2]) : 1;
  job.project.data.limit = argc > 3 ? std::atoll(argv[3]) : 0;
  Totals totals;
  TrainingControl control;
  RunResult r = runTraining(job, totals, control);
  if (r.status != RunStatus::Completed) {
    std::fprintf(stderr, "run %s: %s\n", runStatusName(r.status).c_str(), r.message.c_str());
    return 1;
  }
  std::printf("train_samples_per_s %.1f\n", totals.samples / totals.seconds);
  std::printf("test_accuracy %.4f\n", r.testAccuracy);
  std::printf("peak_rss_mb %.1f\n", double(peakResidentBytes()) / (1024.0 * 1024.0));
  return 0;
}

// Gradient accumulation: k batches of b per optimizer step act as one batch of k*b; steps,
// schedule, metrics, checkpoints and resume count optimizer steps; BatchNorm updates per batch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "BlobData.h"
#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/GraphModule.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"
#include "core/training/Optimization.h"
#include "core/training/Trainer.h"

namespace nc::test {
namespace {

using namespace nc::core;

/// Four Gaussian blobs in 8-D, `n` training samples, a quarter as many test samples.
std::shared_ptr<Dataset> blobData(int64_t n) {
  return nc::test::blobDataset({11, n, n / 4});
}

/// Linear 8->16, [BatchNorm1d], ReLU, Linear 16->4: no Dropout, so runs are deterministic.
Project mlp(bool batchNorm = false) {
  Project p = nc::test::blobMlp(batchNorm ? nc::test::MlpExtra::BatchNorm : nc::test::MlpExtra::None);
  p.training.batchSize = Project{}.training.batchSize;
  p.training.epochs = 2;
  p.training.learningRate = 0.05;
  p.training.optimizer = "sgd";
  return p;
}

struct Recorder : TrainingObserver {
  std::vector<StepMetrics> steps;
  std::vector<EpochMetrics> epochs;
  std::vector<std::string> logs;
  std::function<void(const StepMetrics&)> onEachStep;
  void onStep(const StepMetrics& m) override {
    steps.push_back(m);
    if (onEachStep) onEachStep(m);
  }
  void onEpoch(const EpochMetrics& m) override { epochs.push_back(m); }
  void onLog(const std::string& m) override { logs.push_back(m); }
};

RunResult train(const Project& p, Recorder& rec, const std::shared_ptr<Dataset>& data, const std::string& dir = "",
                const std::string& resume = "", TrainingControl* control = nullptr) {
  TrainJob job;
  job.project = p;
  job.runDirectory = dir;
  job.resumeCheckpoint = resume;
  job.dataset = data;
  TrainingControl own;
  return runTraining(job, rec, control ? *control : own);
}

std::vector<torch::Tensor> stateOf(const Project& p, const std::string& checkpoint) {
  GraphModule m = compileGraph(p.graph);
  loadCheckpoint(checkpoint, m, nullptr, false);
  std::vector<torch::Tensor> out;
  for (const auto& t : m->parameters()) out.push_back(t.detach().clone());
  for (const auto& t : m->buffers()) out.push_back(t.detach().clone());
  return out;
}

TEST(Accumulation, StepsPerEpochCountGroupsOfBatches) {
  TrainConfig c;
  struct Case {
    int64_t samples, batch, group, steps;
  } cases[] = {{96, 8, 4, 3}, {90, 8, 4, 3}, {100, 8, 4, 4}, {1, 8, 4, 1}, {0, 8, 4, 0}, {96, 32, 1, 3}, {97, 32, 1, 4},
               {5, 1, 4096, 1}, {9000, 1, 4096, 3}};
  for (const Case& k : cases) {
    c.batchSize = k.batch;
    c.accumulateSteps = k.group;
    EXPECT_EQ(optimizerStepsPerEpoch(k.samples, c), k.steps) << k.samples << " samples, batch " << k.batch << " x "
                                                             << k.group;
  }
}

// (a) Without BatchNorm or Dropout, 4 batches of 8 per step give the weights of 1 batch of 32:
// the loader's order is one permutation of the samples (seeded per epoch, whatever the batch
// size) cut into consecutive batches, and each batch's loss is weighted by its share of the
// group. 90 training samples: the last batch holds 2 samples and the last group 26, as the last
// batch of 32 does. Both with SGD + momentum and with Adam, with clipping and warm-up.
TEST(Accumulation, KBatchesOfBGiveTheWeightsOfOneBatchOfKTimesB) {
  auto data = blobData(120);  // 90 train + 30 validation
  for (const std::string optimizer : {"sgd", "adam"}) {
    Project big = mlp();
    big.training.optimizer = optimizer;
    big.training.learningRate = optimizer == "sgd" ? 0.05 : 0.01;
    big.training.gradClip = 5.0;
    big.training.warmupSteps = 2;
    big.training.schedule = "cosine";
    big.training.batchSize = 32;
    Project small = big;
    small.training.batchSize = 8;
    small.training.accumulateSteps = 4;
    TempDir a("accum_a"), b("accum_b");
    Recorder ra, rb;
    ASSERT_EQ(train(big, ra, data, a.str()).status, RunStatus::Completed);
    RunResult r = train(small, rb, data, b.str());
    ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
    ASSERT_EQ(ra.steps.size(), 6u);
    ASSERT_EQ(rb.steps.size(), 6u) << "3 optimizer steps per epoch, not 12 batches";
    for (size_t i = 0; i < ra.steps.size(); ++i) {
      EXPECT_EQ(rb.steps[i].step, ra.steps[i].step);
      EXPECT_EQ(rb.steps[i].batch, ra.steps[i].batch);
      EXPECT_EQ(rb.steps[i].batchesPerEpoch, 3);
      EXPECT_DOUBLE_EQ(rb.steps[i].learningRate, ra.steps[i].learningRate);
      EXPECT_NEAR(rb.steps[i].loss, ra.steps[i].loss, 1e-5) << optimizer << " step " << i + 1;
      EXPECT_NEAR(rb.steps[i].accuracy, ra.steps[i].accuracy, 1e-12) << optimizer << " step " << i + 1;
    }
    auto wa = stateOf(big, a.str("checkpoints/last.pt"));
    auto wb = stateOf(small, b.str("checkpoints/last.pt"));
    ASSERT_EQ(wa.size(), wb.size());
    for (size_t i = 0; i < wa.size(); ++i)
      EXPECT_LT((wa[i] - wb[i]).abs().max().item<double>(), 1e-5) << optimizer << " tensor " << i;
    EXPECT_NEAR(rb.epochs.back().trainLoss, ra.epochs.back().trainLoss, 1e-5);
    EXPECT_NEAR(rb.epochs.back().valLoss, ra.epochs.back().valLoss, 1e-5);
  }
}

// (b) Steps, warm-up and the schedule are in optimizer steps; metrics carry one line per step.
TEST(Accumulation, StepCountAndLearningRateScheduleAreInOptimizerSteps) {
  auto data = blobData(200);  // 150 training samples: 10 batches of 16 (last 6), groups 3,3,3,1
  Project p = mlp();
  p.training.epochs = 3;
  p.training.batchSize = 16;
  p.training.accumulateSteps = 3;
  p.training.warmupSteps = 3;
  p.training.schedule = "cosine";
  p.training.minLearningRate = 0.001;
  TempDir dir("accum_sched");
  Recorder rec;
  RunResult r = train(p, rec, data, dir.str());
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  const int64_t perEpoch = 4, total = 3 * perEpoch;
  ASSERT_EQ(int64_t(rec.steps.size()), total);
  for (int64_t i = 0; i < total; ++i) {
    const StepMetrics& m = rec.steps[size_t(i)];
    EXPECT_EQ(m.step, i + 1);
    EXPECT_EQ(m.epoch, i / perEpoch + 1);
    EXPECT_EQ(m.batch, i % perEpoch + 1);
    EXPECT_EQ(m.batchesPerEpoch, perEpoch);
    EXPECT_DOUBLE_EQ(m.learningRate, learningRateAt(p.training, i, perEpoch, total)) << "step " << i + 1;
  }
  EXPECT_NEAR(rec.steps[0].learningRate, 0.05 / 3, 1e-12) << "warm-up over 3 optimizer steps, not 3 batches";
  EXPECT_NEAR(rec.steps[2].learningRate, 0.05, 1e-12);
  EXPECT_NEAR(rec.steps.back().learningRate, learningRateAt(p.training, total - 1, perEpoch, total), 1e-12);
  ASSERT_EQ(rec.epochs.size(), 3u);
  EXPECT_EQ(rec.epochs.back().step, total);
  bool logged = false;
  for (const auto& l : rec.logs) logged |= l.find("4 steps per epoch") != std::string::npos &&
                                           l.find("150 training") != std::string::npos;
  EXPECT_TRUE(logged);
  std::ifstream in(dir.str("metrics.jsonl"));
  std::string line;
  int stepLines = 0;
  while (std::getline(in, line)) stepLines += line.find("\"kind\":\"step\"") != std::string::npos;
  EXPECT_EQ(stepLines, total);
}

// (c) A run stopped in the middle of an epoch (in the middle of a group of batches) and resumed
// from its checkpoint ends with the weights of the straight run; changing accumulate_steps on
// resume is refused by name (it changes what a step is).
TEST(Accumulation, ResumeMidRunGivesTheSameWeightsAsTrainingStraight) {
  auto data = blobData(200);  // 150 train: batches of 16 -> 10, groups of 3 -> 4 steps per epoch
  Project p = mlp();
  p.training.epochs = 3;
  p.training.batchSize = 16;
  p.training.accumulateSteps = 3;
  p.training.schedule = "cosine";
  p.training.warmupSteps = 2;
  TempDir straight("accum_straight"), split("accum_split");
  Recorder r1, r2, r3, r4;
  ASSERT_EQ(train(p, r1, data, straight.str()).status, RunStatus::Completed);
  TrainingControl stopper;
  r2.onEachStep = [&](const StepMetrics& m) {
    if (m.step == 4 + 2) stopper.requestStop();  // 2 steps into epoch 2
  };
  ASSERT_EQ(train(p, r2, data, split.str(), "", &stopper).status, RunStatus::Stopped);

  Project changed = p;
  changed.training.accumulateSteps = 2;
  RunResult refused = train(changed, r4, data, split.str(), split.str("checkpoints/last.pt"));
  EXPECT_EQ(refused.status, RunStatus::Failed);
  EXPECT_NE(refused.message.find("training.accumulate_steps is 3 in the run but 2 now"), std::string::npos)
      << refused.message;

  RunResult resumed = train(p, r3, data, split.str(), split.str("checkpoints/last.pt"));
  ASSERT_EQ(resumed.status, RunStatus::Completed) << resumed.message;
  ASSERT_FALSE(r3.steps.empty());
  EXPECT_EQ(r3.steps.front().step, 4 + 1) << "resumes after the last completed epoch, counted in optimizer steps";
  EXPECT_EQ(r3.steps.back().step, 12);
  auto a = stateOf(p, straight.str("checkpoints/last.pt"));
  auto b = stateOf(p, split.str("checkpoints/last.pt"));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "tensor " << i;
  std::ifstream in(split.str("metrics.jsonl"));
  std::string line;
  int stepLines = 0;
  while (std::getline(in, line)) stepLines += line.find("\"kind\":\"step\"") != std::string::npos;
  EXPECT_EQ(stepLines, 12) << "each optimizer step once";
}

// (d) With BatchNorm the model trains, and its running statistics are updated once per batch
// (as PyTorch does when accumulating), not once per optimizer step.
TEST(Accumulation, BatchNormTrainsAndUpdatesItsStatisticsPerBatch) {
  auto data = blobData(512);  // 384 training samples: 24 batches of 16, 6 steps of 4 per epoch
  Project p = mlp(/*batchNorm=*/true);
  p.training.epochs = 3;
  p.training.batchSize = 16;
  p.training.accumulateSteps = 4;
  p.training.learningRate = 0.05;
  TempDir dir("accum_bn");
  Recorder rec;
  RunResult r = train(p, rec, data, dir.str());
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  EXPECT_EQ(rec.steps.size(), 3u * 6u);
  ASSERT_EQ(rec.epochs.size(), 3u);
  EXPECT_LT(rec.epochs.back().trainLoss, rec.epochs.front().trainLoss);
  EXPECT_GT(r.testAccuracy, 0.85);
  GraphModule m = compileGraph(p.graph);
  loadCheckpoint(dir.str("checkpoints/last.pt"), m, nullptr, false);
  bool found = false;
  for (const auto& item : m->named_buffers()) {
    if (item.key().find("num_batches_tracked") == std::string::npos) continue;
    found = true;
    EXPECT_EQ(item.value().item<int64_t>(), 3 * 24) << "one update per batch: 3 epochs x 24 batches";
  }
  EXPECT_TRUE(found) << "the model has a BatchNorm with a batch counter";
  bool logged = false;
  for (const auto& l : rec.logs) logged |= l.find("effective batch 64") != std::string::npos;
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace nc::test

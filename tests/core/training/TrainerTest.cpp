// The training engine on synthetic data: learning, control, checkpoints, failures.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "BlobData.h"
#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/GraphModule.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"
#include "core/training/Optimization.h"
#include "core/training/Trainer.h"

namespace nc::test::trainer_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

/// Four Gaussian blobs in 8-D: easily separable, so a small MLP learns them in a few epochs.
std::shared_ptr<Dataset> blobs(int64_t n = 512, bool withTest = true) {
  return nc::test::blobDataset({7, n, withTest ? n / 4 : 0});
}

Project mlpProject(bool dropout = false) {
  Project p = nc::test::blobMlp(dropout ? nc::test::MlpExtra::Dropout : nc::test::MlpExtra::None);
  p.training.epochs = 3;
  p.training.learningRate = 0.01;
  return p;
}

struct Recorder : TrainingObserver {
  std::vector<StepMetrics> steps;
  std::vector<EpochMetrics> epochs;
  std::vector<std::string> logs;
  int resources = 0;
  std::function<void(const StepMetrics&)> onEachStep;
  void onStep(const StepMetrics& m) override {
    steps.push_back(m);
    if (onEachStep) onEachStep(m);
  }
  void onEpoch(const EpochMetrics& m) override { epochs.push_back(m); }
  void onLog(const std::string& m) override { logs.push_back(m); }
  void onResource(const ResourceSample&) override { ++resources; }
  std::vector<PhaseProgress> phases;
  void onPhase(const PhaseProgress& p) override { phases.push_back(p); }
  bool logged(const std::string& fragment) const {
    for (const auto& l : logs)
      if (l.find(fragment) != std::string::npos) return true;
    return false;
  }
};


RunResult train(const Project& p, Recorder& rec, TrainingControl& control, const std::string& dir = "",
                const std::string& resume = "", std::shared_ptr<Dataset> data = nullptr) {
  TrainJob job;
  job.project = p;
  job.runDirectory = dir;
  job.resumeCheckpoint = resume;
  job.dataset = data ? data : blobs();
  return runTraining(job, rec, control);
}

TEST(Trainer, LossFallsAndTheModelLearnsSeparableData) {
  Recorder rec;
  TrainingControl control;
  RunResult r = train(mlpProject(), rec, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  ASSERT_EQ(rec.epochs.size(), 3u);
  EXPECT_LT(rec.epochs.back().trainLoss, rec.epochs.front().trainLoss * 0.7);
  EXPECT_GT(rec.epochs.back().valAccuracy, 0.9);
  EXPECT_GT(r.testAccuracy, 0.9);
  EXPECT_EQ(rec.steps.size(), 3u * 12u);  // 384 training samples / 32
  EXPECT_EQ(rec.steps.back().step, 36);
  EXPECT_GE(rec.resources, 1);
  ASSERT_EQ(r.confusion.size(), 4u);
  int64_t total = 0;
  for (const auto& row : r.confusion)
    for (int64_t c : row) total += c;
  EXPECT_EQ(total, 128) << "confusion covers the validation split";
}

// Issue 11: the test pass looked like a hang (13 s of "step 43/43 · ETA 0:00"). The validation
// and test passes report their progress in samples: 0 first, then growing after every batch up to
// the pass's size, in order (validation of each epoch, then the test pass).
TEST(Trainer, ValidationAndTestPassesReportTheirProgressInSamples) {
  Recorder rec;
  TrainingControl control;
  Project p = mlpProject();
  p.training.epochs = 2;
  p.training.evalBatchSize = 20;
  RunResult r = train(p, rec, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  std::vector<PhaseProgress> validation, test;
  for (const PhaseProgress& ph : rec.phases) (ph.phase == RunPhase::Test ? test : validation).push_back(ph);
  // 128 validation samples in batches of 20: 0, 20, ..., 120, 128 -> 8 events per epoch.
  ASSERT_EQ(validation.size(), 2u * 8u);
  EXPECT_EQ(validation.front().done, 0);
  EXPECT_EQ(validation.front().epoch, 1);
  EXPECT_EQ(validation[7].done, 128);
  EXPECT_EQ(validation[8].epoch, 2);
  ASSERT_FALSE(test.empty());
  EXPECT_EQ(test.front().done, 0);
  for (size_t i = 1; i < test.size(); ++i) {
    EXPECT_GT(test[i].done, test[i - 1].done) << "counts increase";
    EXPECT_EQ(test[i].total, 128);
    EXPECT_GE(test[i].elapsedSeconds, test[i - 1].elapsedSeconds);
  }
  EXPECT_EQ(test.size(), 8u);
  EXPECT_EQ(test.back().done, 128) << "ends at the test set's size";
  EXPECT_EQ(test.back().epoch, 2);
  EXPECT_EQ(rec.phases.back().phase, RunPhase::Test) << "the test pass comes last";
  EXPECT_EQ(runPhaseName(RunPhase::Test), "test");
}

TEST(Trainer, StopTakesEffectWithinOneBatch) {
  Recorder rec;
  TrainingControl control;
  rec.onEachStep = [&](const StepMetrics& m) {
    if (m.step == 5) control.requestStop();
  };
  RunResult r = train(mlpProject(), rec, control);
  EXPECT_EQ(r.status, RunStatus::Stopped);
  EXPECT_EQ(rec.steps.size(), 5u);
  EXPECT_EQ(r.epochsCompleted, 0);
}

TEST(Trainer, PauseHoldsTrainingUntilResumed) {
  Recorder rec;
  TrainingControl control;
  std::thread resumer;
  std::atomic<int> stepsWhilePaused{0};
  std::atomic<bool> pausedPhase{false};
  rec.onEachStep = [&](const StepMetrics& m) {
    if (pausedPhase) ++stepsWhilePaused;
    if (m.step == 3) {
      control.pause();
      pausedPhase = true;
      resumer = std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        pausedPhase = false;
        control.resume();
      });
    }
  };
  RunResult r = train(mlpProject(), rec, control);
  resumer.join();
  EXPECT_EQ(r.status, RunStatus::Completed) << r.message;
  EXPECT_EQ(stepsWhilePaused.load(), 0);
  EXPECT_TRUE(rec.logged("paused"));
  EXPECT_TRUE(rec.logged("resumed"));
  EXPECT_EQ(rec.steps.size(), 36u);
}

std::vector<torch::Tensor> weightsOf(const Project& p, const std::string& checkpoint) {
  GraphModule m = compileGraph(p.graph);
  loadCheckpoint(checkpoint, m, nullptr, false);
  std::vector<torch::Tensor> out;
  for (const auto& t : m->parameters()) out.push_back(t.detach().clone());
  for (const auto& t : m->buffers()) out.push_back(t.detach().clone());
  return out;
}

TEST(Trainer, ResumingFromACheckpointGivesTheSameWeightsAsTrainingStraight) {
  Project p = mlpProject(/*dropout=*/true);
  p.training.epochs = 4;
  p.training.optimizer = "sgd";  // momentum state must survive the checkpoint
  p.training.schedule = "cosine";
  TempDir straight, split;
  Recorder r1, r2, r3;
  TrainingControl c1, c2, c3;
  ASSERT_EQ(train(p, r1, c1, straight.str()).status, RunStatus::Completed);

  Project half = p;
  half.training.epochs = 4;
  r2.onEachStep = [&](const StepMetrics& m) {
    if (m.step == 2 * 12 + 3) c2.requestStop();  // stop 3 batches into epoch 3
  };
  ASSERT_EQ(train(half, r2, c2, split.str()).status, RunStatus::Stopped);
  RunResult resumed = train(p, r3, c3, split.str(), split.str("checkpoints/last.pt"));
  ASSERT_EQ(resumed.status, RunStatus::Completed) << resumed.message;
  EXPECT_EQ(r3.steps.front().step, 2 * 12 + 1) << "resumes after the last completed epoch";

  auto a = weightsOf(p, straight.str("checkpoints/last.pt"));
  auto b = weightsOf(p, split.str("checkpoints/last.pt"));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "tensor " << i;
  EXPECT_DOUBLE_EQ(r1.epochs.back().valLoss, r3.epochs.back().valLoss);

  // The resumed run's metrics hold each step exactly once.
  std::ifstream in(split.str("metrics.jsonl"));
  std::string line;
  int stepLines = 0;
  while (std::getline(in, line)) stepLines += line.find("\"kind\":\"step\"") != std::string::npos;
  EXPECT_EQ(stepLines, 4 * 12);
}

TEST(Trainer, NaNLossStopsTheRunNamingTheStep) {
  auto data = blobs();
  data->trainInputs.index_put_({torch::indexing::Slice()}, std::nan(""));
  Recorder rec;
  TrainingControl control;
  RunResult r = train(mlpProject(), rec, control, "", "", data);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.message.find("loss became NaN at step 1"), std::string::npos) << r.message;
}

TEST(Trainer, EarlyStoppingEndsARunThatStopsImproving) {
  Project p = mlpProject();
  p.training.epochs = 10;
  p.training.learningRate = 1e-12;  // nothing changes, so nothing improves after epoch 1
  p.training.patience = 2;
  Recorder rec;
  TrainingControl control;
  RunResult r = train(p, rec, control);
  EXPECT_EQ(r.status, RunStatus::Completed);
  EXPECT_EQ(r.epochsCompleted, 3);
  EXPECT_NE(r.message.find("early stopping"), std::string::npos) << r.message;
}

class TrainerOptimizers : public ::testing::TestWithParam<std::string> {};

TEST_P(TrainerOptimizers, EachOptimizerLowersTheLoss) {
  Project p = mlpProject();
  p.training.optimizer = GetParam();
  p.training.learningRate = GetParam() == "sgd" ? 0.05 : 0.01;
  p.training.weightDecay = 1e-4;
  p.training.nesterov = true;
  Recorder rec;
  TrainingControl control;
  RunResult r = train(p, rec, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  EXPECT_LT(rec.epochs.back().trainLoss, rec.epochs.front().trainLoss) << GetParam();
  EXPECT_GT(rec.epochs.back().valAccuracy, 0.8) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(All, TrainerOptimizers, ::testing::Values("sgd", "adam", "adamw", "rmsprop"));

TEST(LearningRateSchedule, ConstantStepCosineAndWarmup) {
  TrainConfig c;
  c.learningRate = 0.1;
  EXPECT_DOUBLE_EQ(learningRateAt(c, 0, 10, 100), 0.1);
  EXPECT_DOUBLE_EQ(learningRateAt(c, 99, 10, 100), 0.1);
  c.schedule = "step";
  c.stepSize = 2;
  c.gamma = 0.5;
  EXPECT_DOUBLE_EQ(learningRateAt(c, 19, 10, 100), 0.1);   // epoch 1
  EXPECT_DOUBLE_EQ(learningRateAt(c, 20, 10, 100), 0.05);  // epoch 2
  EXPECT_DOUBLE_EQ(learningRateAt(c, 45, 10, 100), 0.025); // epoch 4
  c.schedule = "cosine";
  c.minLearningRate = 0.01;
  EXPECT_DOUBLE_EQ(learningRateAt(c, 0, 10, 100), 0.1);
  EXPECT_NEAR(learningRateAt(c, 50, 10, 100), 0.055, 1e-12);
  EXPECT_NEAR(learningRateAt(c, 100, 10, 100), 0.01, 1e-12);
  c.schedule = "constant";
  c.warmupSteps = 4;
  EXPECT_DOUBLE_EQ(learningRateAt(c, 0, 10, 100), 0.025);
  EXPECT_DOUBLE_EQ(learningRateAt(c, 3, 10, 100), 0.1);
  EXPECT_DOUBLE_EQ(learningRateAt(c, 4, 10, 100), 0.1);
}

TEST(Trainer, StepLearningRatesFollowTheSchedule) {
  Project p = mlpProject();
  p.training.schedule = "step";
  p.training.stepSize = 1;
  p.training.gamma = 0.1;
  Recorder rec;
  TrainingControl control;
  ASSERT_EQ(train(p, rec, control).status, RunStatus::Completed);
  EXPECT_DOUBLE_EQ(rec.steps[0].learningRate, 0.01);
  EXPECT_NEAR(rec.steps[12].learningRate, 0.001, 1e-15);
  EXPECT_NEAR(rec.steps[24].learningRate, 0.0001, 1e-15);
}

TEST(Trainer, CudaRequestedWithoutAGpuFailsAtOnce) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has CUDA";
  Project p = mlpProject();
  p.training.device = "cuda";
  Recorder rec;
  TrainingControl control;
  RunResult r = train(p, rec, control);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.message.find("CUDA was requested"), std::string::npos) << r.message;
  EXPECT_TRUE(rec.steps.empty());
}

TEST(Trainer, DataThatDoesNotFitTheInputIsAClearError) {
  Project p = mlpProject();
  p.graph.setParam(1, "shape", std::vector<int64_t>{9});
  Recorder rec;
  TrainingControl control;
  RunResult r = train(p, rec, control);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.message.find("input1: the data's samples are [8] but this Input declares [9]: set input1.shape to [8]"),
            std::string::npos)
      << r.message;
  Project q = mlpProject();
  q.graph.setParam(4, "out_features", int64_t{3});
  r = train(q, rec, control);
  EXPECT_NE(r.message.find("outputs 3 classes but the data has 4: set " + q.graph.node(4)->name + ".out_features to 4"),
            std::string::npos)
      << r.message;
}

TEST(Trainer, WritesACompleteRunFolderAndEvaluatesItsCheckpoint) {
  TempDir dir;
  Recorder rec;
  TrainingControl control;
  Project p = mlpProject();
  auto data = blobs();
  RunResult r = train(p, rec, control, dir.str(), "", data);
  ASSERT_EQ(r.status, RunStatus::Completed);
  for (const char* f : {"project.json", "metrics.csv", "metrics.jsonl", "log.txt", "result.json",
                        "checkpoints/last.pt", "checkpoints/best.pt"})
    EXPECT_TRUE(fs::exists(dir.str(f))) << f;
  ProjectLoad snapshot = loadProject(dir.str("project.json"));
  ASSERT_TRUE(snapshot.ok()) << snapshot.error;
  EXPECT_EQ(snapshot.project->training, p.training);
  std::ifstream csv(dir.str("metrics.csv"));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("kind,epoch,step,loss", 0), 0u);
  EvalResult e = evaluateCheckpoint(p, dir.str("checkpoints/last.pt"), data);
  ASSERT_TRUE(e.ok) << e.error;
  EXPECT_EQ(e.split, "test");
  EXPECT_DOUBLE_EQ(e.accuracy, r.testAccuracy);
  EvalResult missing = evaluateCheckpoint(p, dir.str("nope.pt"), data);
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("checkpoint not found"), std::string::npos);
}

TEST(Trainer, CheckpointOfAnotherModelIsRejectedWithAMessage) {
  TempDir dir;
  Recorder rec;
  TrainingControl control;
  Project p = mlpProject();
  ASSERT_EQ(train(p, rec, control, dir.str()).status, RunStatus::Completed);
  Project other = mlpProject();
  other.graph.setParam(2, "out_features", int64_t{32});
  EvalResult e = evaluateCheckpoint(other, dir.str("checkpoints/last.pt"), blobs());
  EXPECT_FALSE(e.ok);
  EXPECT_NE(e.error.find("cannot load checkpoint"), std::string::npos) << e.error;
}

}  // namespace
}  // namespace nc::test::trainer_test

// Training memory: the estimate's arithmetic on small graphs (exact bytes), the refusal of a run
// that does not fit (message and through the trainer), the report line, and the /proc readers.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/mman.h>

#include <vector>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/MemoryEstimate.h"
#include "core/Project.h"
#include "core/data/Dataset.h"
#include "core/training/MemoryFit.h"
#include "core/training/ResourceMonitor.h"
#include "core/training/Trainer.h"

namespace nc::test {
namespace {

using namespace nc::core;

/// Input [8] -> Linear 16 -> ReLU -> Linear 4 -> Output.
Project mlp() {
  GraphBuilder b;
  NodeId in = b.input({8});
  NodeId fc1 = b.add("Linear", {{"out_features", int64_t{16}}});
  NodeId act = b.add("ReLU");
  NodeId fc2 = b.add("Linear", {{"out_features", int64_t{4}}});
  NodeId out = b.add("Output");
  b.link(in, fc1);
  b.link(fc1, act);
  b.link(act, fc2);
  b.link(fc2, out);
  Project p;
  p.name = "mlp";
  p.graph = b.graph;
  p.data.kind = "csv";
  p.data.path = "blobs.csv";
  p.data.validationFraction = 0.25;
  p.training.epochs = 1;
  p.training.batchSize = 32;
  p.training.evalBatchSize = 32;
  p.training.optimizer = "adam";
  p.training.threads = 1;
  return p;
}

std::shared_ptr<Dataset> blobs(int64_t n = 128) {
  torch::manual_seed(3);
  auto d = std::make_shared<Dataset>();
  d->trainTargets = torch::randint(0, 4, {n}, torch::kLong);
  d->trainInputs = torch::randn({n, 8});
  d->classNames = {"a", "b", "c", "d"};
  d->sampleShape = TensorShape{{8}, DType::Float32, 0};
  d->description = "blobs";
  return d;
}

struct Logs : TrainingObserver {
  std::vector<std::string> lines;
  void onLog(const std::string& m) override { lines.push_back(m); }
  std::string find(const std::string& prefix) const {
    for (const auto& l : lines)
      if (l.rfind(prefix, 0) == 0) return l;
    return {};
  }
};

TEST(MemoryFit, EstimateCountsWhatAutogradKeepsOnSmallGraphs) {
  {  // The MLP at batch 32, Adam: every figure by hand.
    Project p = mlp();
    GraphAnalysis a = analyze(p.graph);
    ASSERT_TRUE(a.ok());
    MemoryEstimate m = estimateTrainingMemory(p.graph, a, p.training);
    EXPECT_EQ(m.weights, (8 * 16 + 16 + 16 * 4 + 4) * 4);  // 848
    EXPECT_EQ(m.gradients, 848);
    EXPECT_EQ(m.optimizerState, 2 * 848);
    EXPECT_EQ(m.activations, 32 * 4 * (8 + 16 + 16 + 4));  // every node's output
    // Kept for backward: the input (by fc1), the ReLU's result (by ReLU and fc2: once), the
    // logits and the loss's log-probabilities. fc1's output is not kept: ReLU keeps its result.
    EXPECT_EQ(m.saved, 32 * 4 * 8 + 32 * 4 * 16 + 2 * 32 * 4 * 4);
    EXPECT_EQ(m.batch, 32 * 4 * 8 + 32 * 8);  // inputs + int64 targets
    EXPECT_EQ(m.workspace, 2 * 32 * 4 * 16);  // the ReLU's input and output gradients
    EXPECT_EQ(m.allocator, (4096 + 1280 + 4096) / 2);  // glibc's retained share of the per-step memory
    EXPECT_EQ(m.runtime, MemoryEstimate::kRuntimeBytes);
    EXPECT_EQ(m.duringTraining(), 848 + 1696 + 4096 + 1280 + 4096 + 4736 + MemoryEstimate::kRuntimeBytes);
    EXPECT_EQ(m.perBatch(), 4096 + 1280 + 4096 + 4736);
    EXPECT_EQ(m.total(), 848 + m.duringTraining());
    EXPECT_NE(m.note.find("a small model"), std::string::npos) << m.note;
    // A bigger evaluation batch (no autograd) needs more than the training step: the workspace
    // grows so that the total covers the evaluation pass (its widest layer and its batch).
    p.training.evalBatchSize = 128;
    MemoryEstimate e = estimateTrainingMemory(p.graph, a, p.training);
    EXPECT_EQ(satAdd(e.saved, e.batch, e.workspace), 4 * (2 * 32 * 4 * 16) + 4 * 1280);
    // SGD without momentum keeps no optimizer state.
    p.training.optimizer = "sgd";
    p.training.momentum = 0;
    EXPECT_EQ(estimateTrainingMemory(p.graph, a, p.training).optimizerState, 0);
  }
  {  // Conv -> MaxPool -> Flatten (a view) -> Dropout -> Linear: indices, mask, shared storage.
    GraphBuilder b;
    NodeId in = b.input({1, 4, 4});
    NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{2}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
    NodeId pool = b.add("MaxPool2d", {{"kernel_size", int64_t{2}}});
    NodeId flat = b.add("Flatten");
    NodeId drop = b.add("Dropout", {{"p", 0.5}});
    NodeId fc = b.add("Linear", {{"out_features", int64_t{3}}});
    NodeId out = b.add("Output");
    for (auto [x, y] : std::vector<std::pair<NodeId, NodeId>>{{in, conv}, {conv, pool}, {pool, flat}, {flat, drop},
                                                              {drop, fc}, {fc, out}})
      b.link(x, y);
    GraphAnalysis a = analyze(b.graph);
    ASSERT_TRUE(a.ok());
    TrainConfig t;
    t.batchSize = 2;
    t.evalBatchSize = 2;
    MemoryEstimate m = estimateTrainingMemory(b.graph, a, t);
    const int64_t input = 2 * 16 * 4, convOut = 2 * 2 * 16 * 4, pooled = 2 * 2 * 4 * 4, logits = 2 * 3 * 4;
    // conv keeps the input; the pool keeps the conv output and int64 indices; the Flatten view
    // costs nothing; dropout keeps its mask; the Linear keeps the dropped output (a new tensor).
    EXPECT_EQ(m.saved, input + convOut + 2 * 2 * 4 * 8 + pooled + pooled + 2 * logits);
    EXPECT_EQ(m.batch, input + 2 * 8);
    // Without dropout the Linear keeps the pooled output itself (through the views): once.
    b.graph.setParam(drop, "p", 0.0);
    MemoryEstimate noDrop = estimateTrainingMemory(b.graph, a, t);
    EXPECT_EQ(noDrop.saved, input + convOut + 2 * 2 * 4 * 8 + pooled + 2 * logits);
  }
  {  // Recurrent and attention layers grow with the sequence length (and attention with T^2).
    auto seq = [](const std::string& type, int64_t steps) {
      GraphBuilder b;
      NodeId in = b.input({steps, 16});
      NodeId layer = b.add(type, type == "LSTM" ? ParamMap{{"hidden_size", int64_t{32}}, {"output", std::string("sequence")}}
                                                : ParamMap{{"num_heads", int64_t{2}}});
      NodeId out = b.add("Output");
      b.link(in, layer);
      b.link(layer, out);
      GraphAnalysis a = analyze(b.graph);
      EXPECT_TRUE(a.ok()) << type;
      TrainConfig t;
      t.batchSize = 4;
      return estimateTrainingMemory(b.graph, a, t).saved;
    };
    // LSTM: 7 [B, H] per step kept + the input's contiguous copy + the sequence output (logits) twice.
    EXPECT_EQ(seq("LSTM", 10), 7 * 10 * 4 * 32 * 4 + 10 * 4 * 16 * 4 + 2 * 10 * 4 * 32 * 4);
    EXPECT_EQ(seq("LSTM", 20), 2 * seq("LSTM", 10));
    EXPECT_GT(seq("TransformerEncoderLayer", 64) - 2 * seq("TransformerEncoderLayer", 32), 0) << "T^2 term";
  }
}

TEST(MemoryFit, RefusesARunThatDoesNotFitNamingBothNumbers) {
  Project p = mlp();
  GraphAnalysis a = analyze(p.graph);
  MemoryEstimate m = estimateTrainingMemory(p.graph, a, p.training);
  EXPECT_EQ(memoryRefusal(m, p.training, 1 << 20, m.duringTraining()), "") << "exactly enough fits";
  EXPECT_EQ(memoryRefusal(m, p.training, 1 << 20, -1), "") << "unknown free memory: no refusal";
  std::string msg = memoryRefusal(m, p.training, 3 << 20, m.duringTraining() - 1);
  EXPECT_NE(msg.find("not enough memory to train"), std::string::npos) << msg;
  EXPECT_NE(msg.find(memoryText(satAdd(m.total(), 3 << 20))), std::string::npos) << msg;  // estimate + data set
  EXPECT_NE(msg.find("data set 3.0 MiB"), std::string::npos) << msg;
  EXPECT_NE(msg.find("only " + memoryText(m.duringTraining() - 1) + " of memory is available"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("lower the batch size (32 now; about"), std::string::npos) << msg;
  // When even the gradients and optimizer state do not fit, the batch size cannot help.
  msg = memoryRefusal(m, p.training, 0, 100);
  EXPECT_NE(msg.find("make the model smaller"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("lower the batch size"), std::string::npos) << msg;

  // Through the trainer: the run fails before its first step with that message.
  TempDir dir("memfit");
  setAvailableMemoryForTesting(1000);
  Logs logs;
  TrainingControl control;
  TrainJob job;
  job.project = p;
  job.runDirectory = dir.str("run");
  job.dataset = blobs();
  RunResult r = runTraining(job, logs, control);
  setAvailableMemoryForTesting(-1);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.message.find("not enough memory to train"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("only " + memoryText(1000) + " of memory"), std::string::npos) << r.message;
  EXPECT_TRUE(logs.find("epoch 1").empty()) << "no epoch may run";
}

TEST(MemoryFit, ReportLineAndProcReaders) {
  EXPECT_EQ(memoryReportLine(412 << 20, int64_t(1126) << 20, 380 << 20),
            "memory: training peak 412.0 MiB above the 1.10 GiB before training; estimate 380.0 MiB (-8 %)");
  EXPECT_EQ(memoryReportLine(100 << 20, 1 << 30, 125 << 20),
            "memory: training peak 100.0 MiB above the 1.00 GiB before training; estimate 125.0 MiB (+25 %)");
  EXPECT_EQ(memoryText(96 * 1024), "96.0 KiB");

  // The readers: sane numbers on Linux, and the peak follows a touched allocation after a reset.
  const int64_t rss = residentBytes();
  ASSERT_GT(rss, 1 << 20);
  EXPECT_GE(peakResidentBytes(), rss);
  EXPECT_GT(availableMemoryBytes(), 0);
  ASSERT_TRUE(resetPeakResident());
  const int64_t before = residentBytes();
  {
    // Fresh pages straight from the kernel: a malloc'd block may reuse memory that glibc's heap
    // still holds from earlier tests in this process (then nothing new becomes resident).
    const size_t size = size_t(64) << 20;
    void* block = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(block, MAP_FAILED);
    volatile char* bytes = static_cast<char*>(block);  // every page written, not optimised away
    for (size_t i = 0; i < size; i += 4096) bytes[i] = char(i);
    EXPECT_GE(peakResidentBytes() - before, int64_t(60) << 20);
    EXPECT_EQ(bytes[4096], char(4096));
    munmap(block, size);
  }

  // A run logs the estimate after setup and the measured peak after training.
  Logs logs;
  TrainingControl control;
  TrainJob job;
  job.project = mlp();
  job.dataset = blobs();
  RunResult r = runTraining(job, logs, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  std::string summary = logs.find("memory: estimate ");
  EXPECT_NE(summary.find("available"), std::string::npos) << summary;
  std::string report = logs.find("memory: training peak ");
  EXPECT_NE(report.find(" before training; estimate "), std::string::npos) << report;
}

}  // namespace
}  // namespace nc::test

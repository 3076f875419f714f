// Mixed precision: the loss scaler's logic on crafted gradients, the autocast scope (thread-local,
// restored, cache cleared), bfloat16 training of small CNN and Transformer models (loss falls,
// checkpoint float32, outputs close to float32), float16 refused on the CPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/autocast_mode.h>

#include <thread>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/GraphModule.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"
#include "core/training/MixedPrecision.h"
#include "core/training/Optimization.h"
#include "core/training/Trainer.h"

namespace nc::test {
namespace {

using namespace nc::core;

/// One parameter [2] with an SGD(lr 1) optimizer and a gradient set by hand.
struct OneParam {
  torch::Tensor p = torch::zeros({2}, torch::requires_grad());
  torch::optim::SGD sgd{std::vector<torch::Tensor>{p}, torch::optim::SGDOptions(1.0)};
  void setGrad(std::vector<float> g) { p.mutable_grad() = torch::tensor(g); }
  std::vector<torch::Tensor> params() const { return {p}; }
};

TEST(LossScaler, DisabledIsAPassThrough) {
  LossScaler scaler(false);
  OneParam m;
  torch::Tensor loss = torch::tensor(2.5f);
  EXPECT_TRUE(torch::equal(scaler.scaleLoss(loss), loss));
  m.setGrad({1.f, std::numeric_limits<float>::infinity()});
  EXPECT_TRUE(scaler.unscale(m.params())) << "no check when disabled";
  EXPECT_TRUE(scaler.step(m.sgd, m.params()));
  EXPECT_FLOAT_EQ(m.p[0].item<float>(), -1.f) << "stepped with the gradient as it was";
}

TEST(LossScaler, ScalesUnscalesSkipsOverflowsAndAdjustsTheScale) {
  LossScalerOptions o;
  o.initialScale = 1024;
  o.growthInterval = 3;
  LossScaler scaler(true, o);
  OneParam m;
  EXPECT_DOUBLE_EQ(scaler.scale(), 1024);
  EXPECT_FLOAT_EQ(scaler.scaleLoss(torch::tensor(0.5f)).item<float>(), 512.f);

  // A good step: the gradient (scaled by 1024) is divided back before the optimizer sees it.
  m.setGrad({1024.f, -2048.f});
  EXPECT_TRUE(scaler.unscale(m.params()));
  EXPECT_FLOAT_EQ(m.p.grad()[0].item<float>(), 1.f);
  EXPECT_TRUE(scaler.unscale(m.params())) << "a second unscale in the same step changes nothing";
  EXPECT_FLOAT_EQ(m.p.grad()[1].item<float>(), -2.f);
  EXPECT_TRUE(scaler.step(m.sgd, m.params()));
  EXPECT_FLOAT_EQ(m.p[0].item<float>(), -1.f);
  EXPECT_FLOAT_EQ(m.p[1].item<float>(), 2.f);
  EXPECT_DOUBLE_EQ(scaler.scale(), 1024) << "1 good step of 3 before growing";

  // inf and NaN gradients: the step is skipped (weights unchanged) and the scale halves.
  for (float bad : {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::quiet_NaN()}) {
    double before = scaler.scale();
    m.setGrad({bad, 1.f});
    EXPECT_FALSE(scaler.unscale(m.params()));
    EXPECT_FALSE(scaler.step(m.sgd, m.params()));
    EXPECT_FLOAT_EQ(m.p[0].item<float>(), -1.f) << bad;
    EXPECT_FLOAT_EQ(m.p[1].item<float>(), 2.f) << bad;
    EXPECT_DOUBLE_EQ(scaler.scale(), before / 2) << bad;
  }
  EXPECT_EQ(scaler.skippedSteps(), 3);
  EXPECT_DOUBLE_EQ(scaler.scale(), 128);

  // step() unscales by itself when unscale() was not called; 3 good steps in a row double it.
  for (int i = 0; i < 3; ++i) {
    m.setGrad({128.f, 0.f});
    EXPECT_TRUE(scaler.step(m.sgd, m.params()));
  }
  EXPECT_FLOAT_EQ(m.p[0].item<float>(), -4.f) << "3 more steps of gradient 1";
  EXPECT_DOUBLE_EQ(scaler.scale(), 256);
  // An overflow resets the count of good steps.
  m.setGrad({128.f, 0.f});
  scaler.step(m.sgd, m.params());
  m.setGrad({128.f, 0.f});
  scaler.step(m.sgd, m.params());
  m.setGrad({std::numeric_limits<float>::infinity(), 0.f});
  scaler.step(m.sgd, m.params());
  EXPECT_DOUBLE_EQ(scaler.scale(), 128);
  for (int i = 0; i < 2; ++i) {
    m.setGrad({1.f, 0.f});
    scaler.step(m.sgd, m.params());
  }
  EXPECT_DOUBLE_EQ(scaler.scale(), 128) << "only 2 good steps since the overflow";

  // Parameters without a gradient are ignored; the scale never backs off below the floor.
  LossScalerOptions tiny;
  tiny.initialScale = 2;
  tiny.minScale = 1;
  LossScaler floor(true, tiny);
  torch::Tensor unused = torch::zeros({3}, torch::requires_grad());
  for (int i = 0; i < 4; ++i) {
    m.setGrad({std::numeric_limits<float>::quiet_NaN(), 0.f});
    EXPECT_FALSE(floor.step(m.sgd, {m.p, unused}));
  }
  EXPECT_DOUBLE_EQ(floor.scale(), 1);
}

TEST(Autocast, ScopeIsThreadLocalRestoresTheStateAndClearsItsCache) {
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  torch::Tensor w = torch::randn({16, 16}, torch::requires_grad());
  torch::Tensor x = torch::randn({4, 16});
  {
    AutocastScope off(torch::kCPU, std::nullopt);
    EXPECT_FALSE(at::autocast::is_cpu_enabled()) << "float32: no autocast";
  }
  torch::Tensor first;
  {
    AutocastScope scope(torch::kCPU, torch::kBFloat16);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(at::autocast::get_autocast_cpu_dtype(), torch::kBFloat16);
    first = torch::mm(x, w);
    EXPECT_EQ(first.scalar_type(), torch::kBFloat16);
    {
      AutocastScope nested(torch::kCPU, torch::kBFloat16);
      EXPECT_EQ(torch::mm(x, w).scalar_type(), torch::kBFloat16);
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled()) << "the inner scope restores the outer one's state";
    bool otherThread = true;
    std::thread([&] { otherThread = at::autocast::is_cpu_enabled(); }).join();
    EXPECT_FALSE(otherThread) << "autocast is per thread";
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::mm(x, w).scalar_type(), torch::kFloat);
  EXPECT_LT((first.to(torch::kFloat) - torch::mm(x, w)).abs().max().item<double>(),
            0.02 * torch::mm(x, w).abs().max().item<double>())
      << "bfloat16 results are close to float32";

  // The weights change in place (an optimizer step): the next scope must not reuse a cached
  // bfloat16 copy of the old weights.
  {
    torch::NoGradGuard guard;
    w.mul_(-1);
  }
  {
    AutocastScope scope(torch::kCPU, torch::kBFloat16);
    torch::Tensor second = torch::mm(x, w);
    EXPECT_TRUE(torch::allclose(second.to(torch::kFloat), -first.to(torch::kFloat)))
        << "the weights' new values are used";
  }
}

TEST(Autocast, Float16IsRefusedOnTheCpuNamingTheSetting) {
  EXPECT_EQ(precisionRefusal("float32", torch::kCPU), "");
  EXPECT_EQ(precisionRefusal("bfloat16", torch::kCPU), "");
  std::string why = precisionRefusal("float16", torch::kCPU);
  EXPECT_NE(why.find("precision float16"), std::string::npos) << why;
  EXPECT_NE(why.find("CUDA"), std::string::npos) << why;
  EXPECT_NE(why.find("bfloat16"), std::string::npos) << why;
  EXPECT_EQ(precisionRefusal("float16", torch::Device(torch::kCUDA, 0)), "") << "float16 is for CUDA";
  EXPECT_FALSE(autocastType("float32").has_value());
  EXPECT_EQ(*autocastType("bfloat16"), torch::kBFloat16);
  EXPECT_EQ(*autocastType("float16"), torch::kHalf);
}

/// 4 classes of 8x8 grey images: a bright quadrant and a brightness per class, plus noise.
std::shared_ptr<Dataset> quadrants(int64_t n) {
  torch::manual_seed(3);
  auto d = std::make_shared<Dataset>();
  auto make = [&](int64_t count, torch::Tensor& x, torch::Tensor& y) {
    y = torch::randint(0, 4, {count}, torch::kLong);
    x = torch::rand({count, 1, 8, 8}) * 0.3;
    for (int64_t i = 0; i < count; ++i) {
      int64_t c = y[i].item<int64_t>();
      using torch::indexing::Slice;
      x.index({i, 0, Slice((c / 2) * 4, (c / 2) * 4 + 4), Slice((c % 2) * 4, (c % 2) * 4 + 4)}) += 0.7;
      x[i] += 0.15 * double(c);  // and a brightness per class
    }
  };
  make(n, d->trainInputs, d->trainTargets);
  make(n / 4, d->testInputs, d->testTargets);
  d->classNames = {"a", "b", "c", "d"};
  d->sampleShape = TensorShape{{1, 8, 8}, DType::Float32, 0};
  d->description = "quadrants";
  return d;
}

/// Conv -> BatchNorm -> ReLU -> pool -> Linear, as the CNN template in small.
Project smallCnn() {
  GraphBuilder b;
  NodeId in = b.input({1, 8, 8});
  NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{6}}});
  NodeId bn = b.add("BatchNorm2d");
  NodeId act = b.add("ReLU");
  NodeId pool = b.add("MaxPool2d");
  NodeId flat = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{4}}});
  NodeId out = b.add("Output");
  for (auto [a, c] : {std::pair{in, conv}, {conv, bn}, {bn, act}, {act, pool}, {pool, flat}, {flat, fc}, {fc, out}})
    b.link(a, c);
  Project p;
  p.name = "cnn";
  p.graph = b.graph;
  return p;
}

/// Patches -> learned positions -> a pre-norm Transformer layer -> norm -> mean -> Linear, as the
/// Transformer template in small.
Project smallTransformer() {
  GraphBuilder b;
  NodeId in = b.input({1, 8, 8});
  NodeId patch = b.add("Conv2d", {{"out_channels", int64_t{16}}, {"kernel_size", int64_t{4}},
                                  {"stride", int64_t{4}}, {"padding", int64_t{0}}});
  NodeId flat = b.add("Flatten", {{"start_dim", int64_t{2}}});
  NodeId perm = b.add("Permute", {{"dims", std::vector<int64_t>{0, 2, 1}}});
  NodeId pos = b.add("PositionalEncoding", {{"kind", std::string("learned")}});
  NodeId layer = b.add("TransformerEncoderLayer", {{"num_heads", int64_t{2}}, {"dim_feedforward", int64_t{32}},
                                                   {"dropout", 0.0}, {"norm_first", true}});
  NodeId norm = b.add("LayerNorm");
  NodeId poolSeq = b.add("SequencePool");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{4}}});
  NodeId out = b.add("Output");
  for (auto [a, c] : {std::pair{in, patch}, {patch, flat}, {flat, perm}, {perm, pos}, {pos, layer}, {layer, norm},
                      {norm, poolSeq}, {poolSeq, fc}, {fc, out}})
    b.link(a, c);
  Project p;
  p.name = "transformer";
  p.graph = b.graph;
  return p;
}

struct Recorder : TrainingObserver {
  std::vector<EpochMetrics> epochs;
  std::vector<std::string> logs;
  void onEpoch(const EpochMetrics& m) override { epochs.push_back(m); }
  void onLog(const std::string& m) override { logs.push_back(m); }
};

// bfloat16 training on the CPU: both small models learn, the checkpoint (weights, buffers and
// Adam's moments) is float32, and the trained model's outputs under autocast stay close to its
// float32 outputs.
TEST(MixedPrecision, Bfloat16TrainsCnnAndTransformerAndKeepsTheCheckpointFloat32) {
  auto data = quadrants(512);
  for (Project p : {smallCnn(), smallTransformer()}) {
    p.data.validationFraction = 0.25;
    p.training.epochs = 3;
    p.training.batchSize = 16;
    p.training.learningRate = 0.005;
    p.training.threads = 1;
    p.training.precision = "bfloat16";
    TempDir dir("bf16");
    Recorder rec;
    TrainJob job;
    job.project = p;
    job.runDirectory = dir.str();
    job.dataset = data;
    TrainingControl control;
    RunResult r = runTraining(job, rec, control);
    ASSERT_EQ(r.status, RunStatus::Completed) << p.name << ": " << r.message;
    ASSERT_EQ(rec.epochs.size(), 3u);
    EXPECT_LT(rec.epochs.back().trainLoss, rec.epochs.front().trainLoss * 0.8) << p.name;
    EXPECT_GT(r.testAccuracy, 0.8) << p.name;
    bool logged = false;
    for (const auto& l : rec.logs) logged |= l.find("precision: bfloat16") != std::string::npos;
    EXPECT_TRUE(logged) << p.name;

    GraphModule m = compileGraph(p.graph);
    auto optimizer = makeOptimizer(p.training, m->parameters());
    loadCheckpoint(dir.str("checkpoints/last.pt"), m, optimizer.get(), false);
    for (const auto& t : m->named_parameters())
      EXPECT_EQ(t.value().scalar_type(), torch::kFloat) << p.name << " " << t.key();
    for (const auto& t : m->named_buffers())
      if (t.value().is_floating_point())
        EXPECT_EQ(t.value().scalar_type(), torch::kFloat) << p.name << " " << t.key();
    int moments = 0;
    for (const auto& [key, state] : optimizer->state())
      if (auto* s = dynamic_cast<torch::optim::AdamParamState*>(state.get())) {
        EXPECT_EQ(s->exp_avg().scalar_type(), torch::kFloat);
        EXPECT_EQ(s->exp_avg_sq().scalar_type(), torch::kFloat);
        ++moments;
      }
    EXPECT_GT(moments, 0) << p.name << ": Adam's state was saved";

    m->eval();
    torch::NoGradGuard guard;
    torch::Tensor x = data->testInputs.slice(0, 0, 64);
    torch::Tensor full = m->forward(x), half;
    {
      AutocastScope scope(torch::kCPU, torch::kBFloat16);
      half = m->forward(x);
    }
    EXPECT_EQ(half.scalar_type(), torch::kBFloat16) << p.name;
    double spread = full.abs().max().item<double>();
    EXPECT_LT((half.to(torch::kFloat) - full).abs().max().item<double>(), 0.05 * spread + 0.05) << p.name;
    EXPECT_GT(half.argmax(1).eq(full.argmax(1)).to(torch::kFloat).mean().item<double>(), 0.9) << p.name;
  }
}

TEST(MixedPrecision, Float16OnTheCpuIsRefusedBeforeTraining) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has CUDA";
  Project p = smallCnn();
  p.training.precision = "float16";
  TrainJob job;
  job.project = p;
  job.dataset = quadrants(64);
  Recorder rec;
  TrainingControl control;
  RunResult r = runTraining(job, rec, control);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_NE(r.message.find("precision float16 needs a CUDA GPU"), std::string::npos) << r.message;
  EXPECT_TRUE(rec.epochs.empty());
}

}  // namespace
}  // namespace nc::test

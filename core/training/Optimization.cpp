#include "core/training/Optimization.h"

#include <cmath>

namespace nc::core {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainConfig& c, std::vector<torch::Tensor> params) {
  using namespace torch::optim;
  if (c.optimizer == "sgd")
    return std::make_unique<SGD>(params, SGDOptions(c.learningRate)
                                             .momentum(c.momentum)
                                             .nesterov(c.nesterov && c.momentum > 0)
                                             .weight_decay(c.weightDecay));
  if (c.optimizer == "adamw")
    return std::make_unique<AdamW>(params, AdamWOptions(c.learningRate).weight_decay(c.weightDecay));
  if (c.optimizer == "rmsprop")
    return std::make_unique<RMSprop>(params,
                                     RMSpropOptions(c.learningRate).momentum(c.momentum).weight_decay(c.weightDecay));
  return std::make_unique<Adam>(params, AdamOptions(c.learningRate).weight_decay(c.weightDecay));
}

int64_t optimizerStepsPerEpoch(int64_t trainSamples, const TrainConfig& c) {
  const int64_t batch = std::max<int64_t>(c.batchSize, 1), group = std::max<int64_t>(c.accumulateSteps, 1);
  const int64_t batches = (std::max<int64_t>(trainSamples, 0) + batch - 1) / batch;
  return (batches + group - 1) / group;
}

double learningRateAt(const TrainConfig& c, int64_t step, int64_t stepsPerEpoch, int64_t totalSteps) {
  double lr = c.learningRate;
  if (c.schedule == "step") {
    int64_t epoch = stepsPerEpoch > 0 ? step / stepsPerEpoch : 0;
    lr *= std::pow(c.gamma, double(epoch / c.stepSize));
  } else if (c.schedule == "cosine") {
    int64_t span = std::max<int64_t>(1, totalSteps - c.warmupSteps);
    double t = std::clamp(double(step - c.warmupSteps) / double(span), 0.0, 1.0);
    lr = c.minLearningRate + (c.learningRate - c.minLearningRate) * 0.5 * (1.0 + std::cos(M_PI * t));
  }
  if (c.warmupSteps > 0 && step < c.warmupSteps) lr *= double(step + 1) / double(c.warmupSteps);
  return lr;
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

namespace {
void moveTensor(torch::Tensor& t, const torch::Device& device) {
  if (t.defined() && t.device() != device) t = t.to(device);
}
}  // namespace

void moveOptimizerState(torch::optim::Optimizer& optimizer, const torch::Device& device) {
  using namespace torch::optim;
  for (auto& [key, state] : optimizer.state()) {
    if (auto* s = dynamic_cast<AdamParamState*>(state.get())) {
      torch::Tensor a = s->exp_avg(), b = s->exp_avg_sq(), m = s->max_exp_avg_sq();
      moveTensor(a, device), moveTensor(b, device), moveTensor(m, device);
      s->exp_avg(a).exp_avg_sq(b).max_exp_avg_sq(m);
    } else if (auto* s = dynamic_cast<AdamWParamState*>(state.get())) {
      torch::Tensor a = s->exp_avg(), b = s->exp_avg_sq(), m = s->max_exp_avg_sq();
      moveTensor(a, device), moveTensor(b, device), moveTensor(m, device);
      s->exp_avg(a).exp_avg_sq(b).max_exp_avg_sq(m);
    } else if (auto* s = dynamic_cast<SGDParamState*>(state.get())) {
      torch::Tensor m = s->momentum_buffer();
      moveTensor(m, device);
      s->momentum_buffer(m);
    } else if (auto* s = dynamic_cast<RMSpropParamState*>(state.get())) {
      torch::Tensor a = s->square_avg(), m = s->momentum_buffer(), g = s->grad_avg();
      moveTensor(a, device), moveTensor(m, device), moveTensor(g, device);
      s->square_avg(a).momentum_buffer(m).grad_avg(g);
    }
  }
}

torch::Tensor computeLoss(const TrainConfig& c, const torch::Tensor& logits, const torch::Tensor& targets) {
  torch::Tensor flatLogits = logits.dim() == 3 ? logits.reshape({-1, logits.size(2)}) : logits;
  torch::Tensor flatTargets = targets.reshape({-1});
  if (c.loss == "mse") {
    torch::Tensor oneHot = torch::one_hot(flatTargets, flatLogits.size(1)).to(flatLogits.scalar_type());
    return torch::mse_loss(flatLogits, oneHot);
  }
  namespace F = torch::nn::functional;
  return F::cross_entropy(flatLogits, flatTargets, F::CrossEntropyFuncOptions().label_smoothing(c.labelSmoothing));
}

int64_t countCorrect(const torch::Tensor& logits, const torch::Tensor& targets) {
  return logits.argmax(-1).eq(targets).sum().item<int64_t>();
}

}  // namespace nc::core

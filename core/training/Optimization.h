#pragma once
// Optimizers, learning-rate schedules and losses from a TrainConfig. LibTorch-facing.
#include <torch/torch.h>

#include <memory>

#include "core/training/TrainConfig.h"

namespace nc::core {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainConfig& c, std::vector<torch::Tensor> params);

/// Optimizer steps in one epoch of `trainSamples` samples: batches of batchSize, grouped by
/// accumulateSteps (the last batch and the last group may be shorter).
int64_t optimizerStepsPerEpoch(int64_t trainSamples, const TrainConfig& c);

/// Learning rate for optimizer step `step` (0-based) of a run of `totalSteps` steps with
/// `stepsPerEpoch` steps per epoch: linear warm-up, then constant, step decay or cosine.
double learningRateAt(const TrainConfig& c, int64_t step, int64_t stepsPerEpoch, int64_t totalSteps);
void setLearningRate(torch::optim::Optimizer& optimizer, double lr);

/// Moves an optimizer's state tensors (momentum, Adam moments, ...) to `device`, e.g. after
/// loading a checkpoint saved on another device.
void moveOptimizerState(torch::optim::Optimizer& optimizer, const torch::Device& device);

/// Loss of logits [B, C] or [B, L, C] against class ids [B] or [B, L].
torch::Tensor computeLoss(const TrainConfig& c, const torch::Tensor& logits, const torch::Tensor& targets);
/// Number of correct argmax predictions.
int64_t countCorrect(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace nc::core

#pragma once
#include <cstdint>
#include <string>

#include "core/Status.h"

namespace nc::core {

/// How a model is trained. Stored in the project file under "training". Plain values, no torch.
struct TrainConfig {
  int64_t epochs = 3;
  int64_t batchSize = 64;
  std::string optimizer = "adam";      // sgd | adam | adamw | rmsprop
  double learningRate = 1e-3;
  double momentum = 0.9;               // sgd, rmsprop
  bool nesterov = false;               // sgd
  double weightDecay = 0.0;
  std::string schedule = "constant";   // constant | step | cosine
  int64_t stepSize = 1;                // step: epochs between decays
  double gamma = 0.5;                  // step: decay factor
  double minLearningRate = 0.0;        // cosine: floor
  int64_t warmupSteps = 0;             // linear warm-up over this many steps (any schedule)
  std::string loss = "cross_entropy";  // cross_entropy | mse (on one-hot targets)
  double labelSmoothing = 0.0;         // cross_entropy
  double gradClip = 0.0;               // max global gradient norm; 0 = off
  int64_t seed = 42;
  std::string device = "cpu";          // cpu | cuda
  int64_t threads = 0;                 // LibTorch intra-op threads; 0 = its default
  int64_t patience = 0;                // early stopping after this many epochs without improvement; 0 = off
  std::string monitor = "val_accuracy";  // val_accuracy | val_loss: picks the best checkpoint
  // Samples per forward pass in validation, test and eval. Not bigger: on CPU, past ~128 samples the
  // activations leave the caches and a pass gets slower per sample (the CNN template's 10,000-sample
  // test pass: 2.1 s at 128, 11 s at 256, 40 s at 1,000 on this project's 2-core machine).
  int64_t evalBatchSize = 128;
  /// Gradient accumulation: each optimizer step sums the gradients of this many batches of
  /// batchSize samples (effective batch = batchSize x accumulateSteps). The schedule, warm-up and
  /// step counts are in optimizer steps.
  int64_t accumulateSteps = 1;
  /// Arithmetic of the forward pass: "float32", "bfloat16" (autocast; CPU or CUDA) or "float16"
  /// (autocast with dynamic loss scaling; CUDA only). Weights, optimizer state and checkpoints
  /// stay float32 whatever is chosen.
  std::string precision = "float32";

  bool operator==(const TrainConfig& o) const;
};

/// JSON text <-> TrainConfig. Missing keys keep their defaults; unknown keys, wrong types and
/// out-of-range values are errors naming the JSON path (e.g. "/training/learning_rate").
Status trainConfigFromJson(const std::string& json, TrainConfig& out, const std::string& pathPrefix = "/training");
std::string trainConfigToJson(const TrainConfig& config);

}  // namespace nc::core

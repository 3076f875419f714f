#pragma once
// Mixed precision for the trainer: an autocast scope for the forward pass and a dynamic loss
// scaler for float16 (LibTorch 1.13's C++ API has autocast but no GradScaler). LibTorch-facing.
//
// Autocast state is thread-local: an AutocastScope must be created on the thread that runs the
// forward pass (the training worker thread), and it only affects that thread. Weights stay
// float32; autocast casts them per op (cached within the scope; the cache is cleared when the
// outermost scope ends, so an optimizer step never meets a stale low-precision copy).
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "core/training/TrainConfig.h"

namespace nc::core {

/// The low-precision type of a TrainConfig::precision value; nullopt for "float32".
std::optional<torch::ScalarType> autocastType(const std::string& precision);

/// Why `precision` cannot run on `device` ("" = it can): float16 needs CUDA (LibTorch's CPU
/// autocast supports bfloat16 only); unknown values are refused naming the setting.
std::string precisionRefusal(const std::string& precision, const torch::Device& device);

/// Turns autocast on for `device`'s type with `type` for its lifetime, on this thread; restores
/// the previous state (enabled flag, type) afterwards. `type` = nullopt: does nothing.
class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, std::optional<torch::ScalarType> type);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool m_active = false, m_cuda = false, m_wasEnabled = false;
  torch::ScalarType m_previousType = torch::kFloat;
};

struct LossScalerOptions {
  double initialScale = 65536.0;  // 2^16, as PyTorch's GradScaler
  double growthFactor = 2.0;
  double backoffFactor = 0.5;
  int64_t growthInterval = 2000;  // steps without inf/nan before the scale grows
  double minScale = 1.0 / 65536;  // never backs off below this
};

/// Dynamic loss scaling for float16 training, as torch.cuda.amp.GradScaler does it: the loss is
/// multiplied by the scale before backward so small gradients survive float16; before the
/// optimizer step the gradients are divided by it again and checked; a step whose gradients hold
/// an inf or NaN is skipped and the scale halves; after growthInterval good steps it doubles.
/// Disabled (float32, bfloat16): every call is a pass-through.
class LossScaler {
 public:
  explicit LossScaler(bool enabled, LossScalerOptions options = {});

  bool enabled() const { return m_enabled; }
  double scale() const { return m_scale; }
  int64_t skippedSteps() const { return m_skipped; }

  /// loss x scale (loss unchanged when disabled).
  torch::Tensor scaleLoss(const torch::Tensor& loss) const;
  /// Divides the gradients of `params` by the scale, once per optimizer step, and records
  /// whether any is inf/NaN. Returns true when all are finite (always true when disabled).
  bool unscale(const std::vector<torch::Tensor>& params);
  /// Steps the optimizer unless unscale found an inf/NaN (unscales first if not done yet), then
  /// updates the scale. Returns whether the optimizer stepped.
  bool step(torch::optim::Optimizer& optimizer, const std::vector<torch::Tensor>& params);

 private:
  void update();

  bool m_enabled;
  LossScalerOptions m_options;
  double m_scale;
  int64_t m_goodSteps = 0, m_skipped = 0;
  bool m_unscaled = false, m_foundInf = false;
};

}  // namespace nc::core

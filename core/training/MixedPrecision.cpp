#include "core/training/MixedPrecision.h"

#include <ATen/autocast_mode.h>

#include <algorithm>

namespace nc::core {

std::optional<torch::ScalarType> autocastType(const std::string& precision) {
  if (precision == "bfloat16") return torch::kBFloat16;
  if (precision == "float16") return torch::kHalf;
  return std::nullopt;
}

std::string precisionRefusal(const std::string& precision, const torch::Device& device) {
  if (precision == "float32" || precision == "bfloat16") return "";
  if (precision == "float16") {
    if (device.is_cuda()) return "";
    return "precision float16 needs a CUDA GPU (device = cuda): LibTorch's autocast on the CPU supports "
           "bfloat16 only. Set precision to bfloat16 (or float32) to train on the CPU";
  }
  return "precision '" + precision + "' is not one of: float32, bfloat16, float16";
}

AutocastScope::AutocastScope(const torch::Device& device, std::optional<torch::ScalarType> type) {
  if (!type) return;
  m_active = true;
  m_cuda = device.is_cuda();
  if (m_cuda) {
    m_wasEnabled = at::autocast::is_enabled();
    m_previousType = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_autocast_gpu_dtype(*type);
    at::autocast::set_enabled(true);
  } else {
    m_wasEnabled = at::autocast::is_cpu_enabled();
    m_previousType = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_autocast_cpu_dtype(*type);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!m_active) return;
  if (m_cuda) {
    at::autocast::set_enabled(m_wasEnabled);
    at::autocast::set_autocast_gpu_dtype(m_previousType);
  } else {
    at::autocast::set_cpu_enabled(m_wasEnabled);
    at::autocast::set_autocast_cpu_dtype(m_previousType);
  }
  // The cache holds low-precision copies of the weights made during the forward pass; leaving
  // them past the outermost scope would feed the next forward the copies of weights that the
  // optimizer has since changed (and keep their memory).
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
}

LossScaler::LossScaler(bool enabled, LossScalerOptions options)
    : m_enabled(enabled), m_options(options), m_scale(options.initialScale) {}

torch::Tensor LossScaler::scaleLoss(const torch::Tensor& loss) const { return m_enabled ? loss * m_scale : loss; }

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) {
  if (!m_enabled) return true;
  if (m_unscaled) return !m_foundInf;
  torch::NoGradGuard guard;
  const double inverse = 1.0 / m_scale;
  torch::Tensor allFinite;
  for (const torch::Tensor& p : params) {
    torch::Tensor g = p.grad();
    if (!g.defined()) continue;
    g.mul_(inverse);
    torch::Tensor finite = torch::isfinite(g).all();
    allFinite = allFinite.defined() ? allFinite.logical_and(finite) : finite;
  }
  m_foundInf = allFinite.defined() && !allFinite.item<bool>();  // one device sync per step
  m_unscaled = true;
  return !m_foundInf;
}

bool LossScaler::step(torch::optim::Optimizer& optimizer, const std::vector<torch::Tensor>& params) {
  if (!m_enabled) {
    optimizer.step();
    return true;
  }
  unscale(params);
  bool stepped = !m_foundInf;
  if (stepped) optimizer.step();
  else ++m_skipped;
  update();
  return stepped;
}

void LossScaler::update() {
  if (m_foundInf) {
    m_scale = std::max(m_scale * m_options.backoffFactor, m_options.minScale);
    m_goodSteps = 0;
  } else if (++m_goodSteps >= m_options.growthInterval) {
    m_scale *= m_options.growthFactor;
    m_goodSteps = 0;
  }
  m_unscaled = false;
  m_foundInf = false;
}

}  // namespace nc::core

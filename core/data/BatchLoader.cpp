#include "core/data/BatchLoader.h"

#include <algorithm>
#include <random>

namespace nc::core {
namespace {

/// A uniform integer in [0, bound) from rng, the same with every standard library.
uint64_t below(std::mt19937_64& rng, uint64_t bound) {
  return uint64_t((static_cast<unsigned __int128>(rng()) * bound) >> 64);
}

/// SplitMix64 finaliser: turns (seed, counter) pairs into well-spread generator seeds.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// `indices` (int64, 1-D) in a Fisher-Yates order fixed by seed; the global torch RNG is untouched.
torch::Tensor shuffled(const torch::Tensor& indices, uint64_t seed) {
  torch::Tensor out = indices.clone();
  int64_t* p = out.data_ptr<int64_t>();
  std::mt19937_64 rng(seed);
  for (int64_t i = out.numel(); i > 1; --i) std::swap(p[i - 1], p[below(rng, uint64_t(i))]);
  return out;
}

torch::Tensor orderOf(const torch::Tensor& inputs, const torch::Tensor& indices, bool shuffle, uint64_t seed) {
  torch::Tensor order = indices.defined() ? indices.to(torch::kLong).reshape({-1}).contiguous()
                                          : torch::arange(inputs.size(0), torch::kLong);
  return shuffle ? shuffled(order, seed) : order;
}

/// Per-sample random offsets in [0, 2p] (dy, dx) and flip flags, each shaped [B, 1, 1].
struct SampleDraws {
  torch::Tensor dy, dx, flip;
};

SampleDraws draw(int64_t B, const Augmentation& aug, std::mt19937_64& rng) {
  SampleDraws d{torch::zeros({B, 1, 1}, torch::kLong), torch::zeros({B, 1, 1}, torch::kLong),
                torch::zeros({B, 1, 1}, torch::kBool)};
  int64_t *dy = d.dy.data_ptr<int64_t>(), *dx = d.dx.data_ptr<int64_t>();
  bool* flip = d.flip.data_ptr<bool>();
  const uint64_t offsets = uint64_t(2 * aug.cropPadding + 1);
  for (int64_t i = 0; i < B; ++i) {  // a few numbers per sample; the pixels move in one gather
    if (aug.cropPadding > 0) {
      dy[i] = int64_t(below(rng, offsets));
      dx[i] = int64_t(below(rng, offsets));
    }
    if (aug.horizontalFlip) flip[i] = (rng() >> 63) != 0;
  }
  return d;
}

/// Random crop after zero padding and/or random horizontal flip, per sample, of a float
/// [B, C, H, W] batch, as one gather from the padded batch. Random numbers come from rng only.
torch::Tensor augment(const torch::Tensor& x, const Augmentation& aug, std::mt19937_64& rng) {
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3), p = aug.cropPadding;
  const int64_t Wp = W + 2 * p, Hp = H + 2 * p;
  SampleDraws d = draw(B, aug, rng);
  torch::Tensor padded = p > 0 ? torch::constant_pad_nd(x, {p, p, p, p}, 0.0) : x;
  torch::Tensor j = torch::arange(W, torch::kLong).view({1, 1, W});
  torch::Tensor rows = d.dy + torch::arange(H, torch::kLong).view({1, H, 1});  // [B, H, 1]
  torch::Tensor cols = d.dx + torch::where(d.flip, (W - 1) - j, j);            // [B, 1, W]
  torch::Tensor source = (rows * Wp + cols).view({B, 1, H * W}).expand({B, C, H * W});
  return padded.reshape({B, C, Hp * Wp}).gather(2, source).view({B, C, H, W});
}

}  // namespace

BatchLoader::BatchLoader(torch::Tensor inputs, torch::Tensor targets, torch::Tensor indices, int64_t batchSize,
                         bool shuffle, uint64_t seed, Augmentation augmentation, size_t prefetch)
    : m_inputs(std::move(inputs)),
      m_targets(std::move(targets)),
      m_order(orderOf(m_inputs, indices, shuffle, seed)),
      m_batchSize(std::max<int64_t>(batchSize, 1)),
      m_batchCount((m_order.numel() + m_batchSize - 1) / m_batchSize),
      m_seed(seed),
      m_augmentation(augmentation),
      m_prefetch(std::max<size_t>(prefetch, 1)) {
  m_augmentation.cropPadding = std::max<int64_t>(m_augmentation.cropPadding, 0);
  m_worker = std::thread([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  if (m_worker.joinable()) m_worker.join();
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(m_mutex);
  m_changed.wait(lock, [this] { return !m_ready.empty() || m_error || m_delivered == m_batchCount; });
  if (!m_ready.empty()) {
    Batch batch = std::move(m_ready.front());
    m_ready.pop_front();
    ++m_delivered;
    lock.unlock();
    m_changed.notify_all();
    return batch;
  }
  if (m_error) std::rethrow_exception(m_error);
  return std::nullopt;
}

void BatchLoader::work() {
  torch::NoGradGuard noGrad;
  try {
    for (int64_t b = 0; b < m_batchCount; ++b) {
      {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this] { return m_stop || m_ready.size() < m_prefetch; });
        if (m_stop) return;
      }
      Batch batch = make(b);
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_stop) return;
        m_ready.push_back(std::move(batch));
      }
      m_changed.notify_all();
    }
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_error = std::current_exception();
    }
    m_changed.notify_all();
  }
}

Batch BatchLoader::make(int64_t b) {
  const int64_t start = b * m_batchSize;
  torch::Tensor index = m_order.slice(0, start, std::min(start + m_batchSize, m_order.numel()));
  Batch batch;
  batch.inputs = toModelInput(m_inputs.index_select(0, index));
  if (m_targets.defined()) batch.targets = m_targets.index_select(0, index);
  if (m_augmentation.enabled() && batch.inputs.dim() == 4 && batch.inputs.is_floating_point()) {
    std::mt19937_64 rng(mix(m_seed ^ mix(uint64_t(b))));  // per batch: repeatable whatever the timing
    batch.inputs = augment(batch.inputs, m_augmentation, rng);
  }
  return batch;
}

}  // namespace nc::core

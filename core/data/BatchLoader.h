#pragma once
// Batches produced by a background thread so that the training loop never waits on data.
#include <torch/torch.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "core/data/Dataset.h"

namespace nc::core {

struct Batch {
  torch::Tensor inputs;   // model input form (float in [0, 1] for images, int64 for tokens)
  torch::Tensor targets;
};

struct Augmentation {
  int64_t cropPadding = 0;  // random crop after zero padding (images only)
  bool horizontalFlip = false;
  bool enabled() const { return cropPadding > 0 || horizontalFlip; }
};

/// One pass over `indices` of (inputs, targets) in batches of `batchSize` (the last may be
/// smaller). With shuffle, the order is a permutation seeded by `seed`, so a pass is
/// repeatable. A worker thread prepares up to `prefetch` batches ahead.
class BatchLoader {
 public:
  BatchLoader(torch::Tensor inputs, torch::Tensor targets, torch::Tensor indices, int64_t batchSize, bool shuffle,
              uint64_t seed, Augmentation augmentation = {}, size_t prefetch = 4);
  ~BatchLoader();  // stops and joins the worker
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  /// The next batch, or nullopt after the last one. Rethrows a worker error.
  std::optional<Batch> next();
  int64_t batchCount() const { return m_batchCount; }

 private:
  void work();
  Batch make(int64_t b);

  torch::Tensor m_inputs, m_targets, m_order;
  int64_t m_batchSize, m_batchCount;
  uint64_t m_seed;
  Augmentation m_augmentation;
  size_t m_prefetch;

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Batch> m_ready;
  int64_t m_delivered = 0;
  bool m_stop = false;
  std::exception_ptr m_error;
  std::thread m_worker;
};

}  // namespace nc::core

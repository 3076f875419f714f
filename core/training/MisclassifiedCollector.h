#pragma once
// Collects every misclassified sample of a validation pass, batch by batch (issue 14), into a
// MisclassifiedSet for misclassified.json. LibTorch-facing: only the trainer includes it.
#include <torch/torch.h>

#include "core/training/Misclassified.h"

namespace nc::core {

class MisclassifiedCollector {
 public:
  /// `splitIndices`: the pass's rows of the data in order (the validation split), so that a
  /// sample's position in the pass maps to its dataset row.
  MisclassifiedCollector(torch::Tensor splitIndices, int64_t cap = kMisclassifiedCap);
  /// One batch of the pass, in order: `x` the inputs ([N, ...]), `y` the classes ([N]),
  /// `logits` [N, classes]. Batches whose logits are not 2-D are counted but not listed.
  void add(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& logits);
  /// The collected set; the caller fills epoch, class names and the confusion matrix.
  MisclassifiedSet& set() { return m_set; }

 private:
  torch::Tensor m_indices;  // CPU, int64
  int64_t m_seen = 0;
  MisclassifiedSet m_set;
};

}  // namespace nc::core

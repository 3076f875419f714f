#pragma once
// Accuracy of an exported TorchScript archive (float or int8) on a project's held-out data, measured
// through the same data loading and batching as evaluateCheckpoint, so the two figures compare.
// No torch in this header.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/Project.h"
#include "core/Status.h"

namespace nc::core {

struct Dataset;  // core/data/Dataset.h

struct ArchiveEval {
  Status status;
  std::string split;     // "test" or "validation"
  int64_t samples = 0;   // samples evaluated
  double accuracy = 0;   // in [0, 1]
};

/// Runs an exported TorchScript archive (float or int8) on the project's test split (validation if
/// none), through the same data loading as evaluateCheckpoint (core/training/Trainer.h), so the number
/// is comparable. limit > 0 uses only the first `limit` samples. dataset may be preloaded.
/// `cancelled` is polled between batches (a cancelled evaluation has status "cancelled").
ArchiveEval evaluateArchive(const std::string& archive, const Project& project,
                            std::shared_ptr<const Dataset> dataset = nullptr, int64_t limit = 0,
                            const std::function<bool()>& cancelled = {});

}  // namespace nc::core

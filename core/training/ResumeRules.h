#pragma once
// What may change when a run is continued from its checkpoint. Plain values, no torch.
//
// A resumed run must train exactly as the uninterrupted run would have, so everything that
// decides the model, the data, the train/validation split, the batches and the optimizer's
// path must stay as the run was started: the graph (types, names, parameters, connections;
// node positions do not matter), every data setting (path, kind, limit, validation fraction,
// split seed, augmentation, ...), and the training settings batch size, optimizer, learning
// rate and schedule, loss, seed, monitor, etc. What may change: the number of epochs (more
// than already completed), early-stopping patience, threads, device, evaluation batch size and
// precision (weights and optimizer state are float32 in every precision).
#include <string>
#include <vector>

#include "core/Project.h"

namespace nc::core {

/// Training settings that may differ on resume (JSON keys of TrainConfig).
const std::vector<std::string>& resumableTrainingKeys();

/// Each difference between `run` (how the run was started) and `now` (what would continue it)
/// that would break the run, in words: "batch size (training.batch_size) is 64 in the run, 32 now".
std::vector<std::string> resumeConflicts(const Project& run, const Project& now);

}  // namespace nc::core

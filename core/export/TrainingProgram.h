#pragma once
// The training-program export (`export --format pytorch-training`): a folder with model.py and its
// initial weights (the PyTorch-source export), data.py and train.py (our data pipeline and training
// loop in plain PyTorch, for one process or torchrun with DistributedDataParallel), README.txt and
// the project. No torch in this header.
#include <string>

#include "core/Project.h"

namespace nc::core {

struct TrainingProgramOptions {
  /// Weights to start from (a checkpoint of ours); empty = the trainer's own initial weights
  /// (torch::manual_seed(training.seed), then the model), so that train.py starts where our
  /// trainer starts.
  std::string checkpoint;
};

/// The static Python and text files of the folder (name -> contents). They read every setting
/// from project.json at run time: no user text is ever part of them.
const char* trainingProgramDataPy();
const char* trainingProgramTrainPy();
const char* trainingProgramReadme();

/// Writes the folder `outDir`, which must not exist or be an empty folder. Everything is written
/// into a temporary folder beside it first and renamed into place, so a failure leaves nothing
/// (and an empty `outDir` as it was). Errors name the folder, the file or the nodes at fault.
Status exportTrainingProgram(const Project& project, const std::string& outDir,
                             const TrainingProgramOptions& options = {});

}  // namespace nc::core

#pragma once
// import-run: the output folder of an exported training program (train.py, run by python3 or
// torchrun, possibly on another machine) becomes an ordinary run folder of the project, so the
// dashboard, the run list, eval, export and compress treat it like a run trained here.
//
// The training program's folder OUT holds (see TrainingProgram export):
//   metrics.jsonl   step and epoch lines in our format (RunFolder)          required
//   last.state.pt   the final weights: a dict {state key: tensor} written by
//                   torch.save, keys as the PyTorch-source export names them  required
//   best.state.pt   the best epoch's weights, same format                     optional
//   result.json     our result format (status, test accuracy, confusion, ...) optional
//   log.txt         the program's log                                        optional
//   project.json    the project it trained                                   optional
//   checkpoint.pt   train.py's own resume state                              ignored
//
// What is imported and how:
//  - The weights are read strictly (every key present, no extra key, every shape the model's;
//    errors name the file and the key) and written as checkpoints/last.pt and best.pt in our
//    checkpoint format with their .sha256 sidecars (no optimizer state: the imported run can be
//    evaluated, exported, compressed and used as initial weights, not continued with train --resume).
//  - The run's project.json is PROJECT (graph, data, name) with the training settings of
//    OUT/project.json (what the cluster actually ran). A graph that differs from PROJECT's is
//    refused naming the difference; other data settings that differ are warnings.
//  - metrics.jsonl lines that are not valid (bad JSON, a missing or mistyped field, an unknown
//    kind) are SKIPPED with a warning naming the line; a restart (steps going back, as after the
//    program resumed from its checkpoint) keeps the later lines. Text that is not UTF-8 (log,
//    messages, class names) is read as Latin-1, never refused.
//  - The folder is built under a temporary name beside its destination and renamed into place
//    at the end: on any error nothing is left behind.
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/Status.h"

namespace nc::core {

struct ImportRunOptions {
  /// The run folder to create (must not exist, or be an empty folder). Empty: a new folder under
  /// runsRoot named "<project file stem>-<yyyyMMdd-HHmmss>" ("-2", "-3", ... when taken), as
  /// `train` and the GUI name runs.
  std::string runDirectory;
  /// Where runs of the project go. Empty: "<folder of the project file>/runs" (the GUI's place;
  /// `train` run from the project's folder uses the same).
  std::string runsRoot;
};

struct ImportRunResult {
  Status status;
  std::string runDirectory;           // the run folder created (empty on error)
  std::vector<std::string> warnings;  // what was skipped or differs, in words
  int64_t epochs = 0, steps = 0;      // epoch and step lines imported
};

/// A run folder name stem as the GUI makes it from the project file's base name (or an unsaved
/// project's name): every run of characters other than [A-Za-z0-9_.-] becomes one "_"
/// ("my model" -> "my_model", "CNN (Fashion-MNIST)" -> "CNN_Fashion-MNIST_").
std::string runFolderStemFor(const std::string& text);

/// Imports `outDir` as a run of `project` (loaded from `projectPath`; see above). Never throws.
ImportRunResult importRun(const std::string& outDir, const Project& project, const std::string& projectPath,
                          const ImportRunOptions& options = {});

}  // namespace nc::core

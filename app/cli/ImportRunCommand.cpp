// neuralcanvas-cli import-run DIR PROJECT: a training program's output folder (train.py from
// `export --format pytorch-training`, run by python3 or torchrun) becomes a run folder of PROJECT.
#include <iostream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/Project.h"
#include "core/training/ImportRun.h"

namespace nc::app {

namespace {

const char* kImportRunUsage =
    "usage: neuralcanvas-cli import-run DIR PROJECT [--out RUN_DIR] [--runs ROOT]\n\n"
    "Turns DIR, the output folder of a training program exported with\n"
    "`export PROJECT --format pytorch-training` (train.py --out DIR, on one process or under torchrun),\n"
    "into a run folder of PROJECT: project.json, metrics.jsonl and metrics.csv, log.txt, result.json,\n"
    "checkpoints/last.pt and best.pt (with .sha256), so that the GUI's run list and dashboard show it\n"
    "and eval, export and compress work on it.\n\n"
    "DIR must hold metrics.jsonl and last.state.pt; best.state.pt, result.json, log.txt and project.json\n"
    "are read when present. The weights must fit PROJECT's model exactly (every state key, every shape);\n"
    "a DIR/project.json whose graph differs from PROJECT's is refused. Metrics lines that are not valid\n"
    "are skipped with a warning. The new run folder is complete or not there at all.\n\n"
    "options:\n"
    "  --out RUN_DIR  the run folder to create (new or empty)\n"
    "  --runs ROOT    where the run folder goes (default: the runs folder beside PROJECT, where the GUI\n"
    "                 keeps its runs); it is named <project>-<date>-<time>, made unique\n"
    "The imported run has no optimizer state: it cannot be continued with train --resume.\n"
    "Exit status: 0 imported, 1 refused (the message names the file and key), 2 PROJECT unreadable,\n"
    "64 usage.\n";

}  // namespace

int runImportRun(const std::vector<std::string>& args) {
  Options opts(args, {"--out", "--runs"});
  if (auto exit = opts.helpOrUsageError(kImportRunUsage, opts.positional().size() == 2)) return *exit;
  if (opts.has("--out") && opts.has("--runs")) {
    std::cerr << "error: give --out or --runs, not both\n" << kImportRunUsage;
    return kExitUsage;
  }
  const std::string outDir = opts.positional()[0], projectPath = opts.positional()[1];
  core::ProjectLoad load = core::loadProject(projectPath);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  core::ImportRunOptions options;
  options.runDirectory = opts.get("--out");
  options.runsRoot = opts.get("--runs");
  core::ImportRunResult r = core::importRun(outDir, *load.project, projectPath, options);
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  if (!r.status.ok()) {
    std::cerr << "error: " << r.status.message() << "\n";
    return kExitInvalid;
  }
  std::cout << "imported " << r.epochs << (r.epochs == 1 ? " epoch, " : " epochs, ") << r.steps << " steps\n"
            << "run folder: " << r.runDirectory << "\n";
  return kExitOk;
}

}  // namespace nc::app

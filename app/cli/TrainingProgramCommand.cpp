// neuralcanvas-cli export PROJECT --format pytorch-training --out DIR [--checkpoint FILE]
#include <iostream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/Project.h"
#include "core/export/TrainingProgram.h"

namespace nc::app {

using namespace nc::core;

int runExportTrainingProgram(const std::vector<std::string>& args) {
  Options opts(args, {"--checkpoint", "--out", "--format"});
  const char* usage =
      "usage: neuralcanvas-cli export PROJECT --format pytorch-training --out DIR [--checkpoint FILE]\n\n"
      "Writes a folder DIR (new, or an empty folder) with a PyTorch training program for the project:\n"
      "  model.py, model.state.pt  the model as PyTorch source and its starting weights\n"
      "  data.py                   the same data readers, split, normalization, shuffle and augmentation\n"
      "  train.py                  the same training loop (optimizer, schedule, loss, clipping, ...)\n"
      "  README.txt                the commands: python3 train.py, torchrun on one or several machines\n"
      "  project.json              the project (train.py reads every setting from it)\n"
      "Without --checkpoint the weights are the ones our trainer starts from (seeded with\n"
      "training.seed), so one process of train.py follows `neuralcanvas-cli train`; with it, training\n"
      "starts from that checkpoint's weights. Nothing is written when the export fails.\n"
      "Run it with:  python3 DIR/train.py --out RUN   or\n"
      "  python3 -m torch.distributed.run --redirects 1 --tee 1 --nproc_per_node=2 DIR/train.py --out RUN\n"
      "and bring RUN back with: neuralcanvas-cli import-run RUN PROJECT\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1 && opts.has("--out"))) return *exit;
  ProjectLoad load = loadProject(opts.positional()[0]);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  TrainingProgramOptions options;
  options.checkpoint = opts.get("--checkpoint");
  const std::string out = opts.get("--out");
  if (Status s = exportTrainingProgram(*load.project, out, options); !s) {
    std::cerr << "error: " << s.message() << "\nnothing was exported\n";
    return kExitInvalid;
  }
  std::cout << "exported the training program to " << out << " (model.py, model.state.pt, data.py, train.py, "
            << "README.txt, project.json)\n"
            << "train it: python3 " << out << "/train.py --out RUN\n";
  return kExitOk;
}

}  // namespace nc::app

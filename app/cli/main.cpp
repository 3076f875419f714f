// neuralcanvas-cli: the headless front of NeuralCanvas.
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <c10/util/Exception.h>

#include "app/cli/Commands.h"

namespace {

void printUsage(std::ostream& os) {
  os << "usage: neuralcanvas-cli COMMAND [ARGS...]\n\n"
        "commands:\n"
        "  validate FILE     check a project: shapes, parameter counts, issues\n"
        "  layers            list every layer type with its parameters\n"
        "  layout PROJECT    arrange the nodes left to right (the editor's Auto-layout)\n"
        "  train PROJECT     train the model on its data (progress, run folder, checkpoints)\n"
        "  eval PROJECT      evaluate a checkpoint on the test data\n"
        "  export PROJECT    write a TorchScript archive (torch.jit.load in PyTorch)\n"
        "  import MODEL.pt   recover the project from an exported archive\n"
        "  predict MODEL.pt  run an exported model on images, IDX files or text\n"
        "  benchmark MODEL.pt  latency, throughput and memory per batch size and thread count\n"
        "  compress PROJECT  prune and quantize a trained model, compare the variants\n"
        "  import-run DIR PROJECT  bring a PyTorch/torchrun training program's output back as a run\n"
        "  generate MODEL.pt  write text with an exported character-level language model\n"
        "  lr-find PROJECT   learning-rate range test: loss against rate and a suggested rate\n"
        "  sweep PROJECT     offline hyper-parameter sweep: trials as run folders, sweep.json + CSV\n\n"
        "Run 'neuralcanvas-cli COMMAND --help' for the options of a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    printUsage(std::cerr);
    return nc::app::kExitUsage;
  }
  const std::string cmd = args.front();
  args.erase(args.begin());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      printUsage(std::cout);
      return 0;
    }
    if (cmd == "--version") {
      std::cout << "neuralcanvas-cli " << NC_VERSION << "\n";
      return 0;
    }
    if (cmd == "validate") return nc::app::runValidate(args);
    if (cmd == "layers") return nc::app::runLayers(args);
    if (cmd == "layout") return nc::app::runLayout(args);
    if (cmd == "train") return nc::app::runTrain(args);
    if (cmd == "eval") return nc::app::runEval(args);
    if (cmd == "export") return nc::app::runExport(args);
    if (cmd == "import") return nc::app::runImport(args);
    if (cmd == "predict") return nc::app::runPredict(args);
    if (cmd == "benchmark") return nc::app::runBenchmark(args);
    if (cmd == "compress") return nc::app::runCompress(args);
    if (cmd == "import-run") return nc::app::runImportRun(args);
    if (cmd == "generate") return nc::app::runGenerate(args);
    if (cmd == "lr-find") return nc::app::runLrFind(args);
    if (cmd == "sweep") return nc::app::runSweepCommand(args);
    std::cerr << "neuralcanvas-cli: unknown command '" << cmd << "'\n";
    printUsage(std::cerr);
    return nc::app::kExitUsage;
  } catch (const c10::Error& e) {  // LibTorch's what() carries a C++ stack trace: never print it
    std::cerr << "neuralcanvas-cli " << cmd << ": internal error: " << e.what_without_backtrace() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "neuralcanvas-cli " << cmd << ": internal error: " << e.what() << "\n";
    return 3;
  }
}

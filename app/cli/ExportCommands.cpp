// neuralcanvas-cli export / import / predict.
#include <iomanip>
#include <iostream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/Project.h"
#include "core/export/Predictor.h"
#include "core/export/TorchScriptExporter.h"

namespace nc::app {

using namespace nc::core;

int runExport(const std::vector<std::string>& args) {
  Options opts(args, {"--checkpoint", "--out"});
  const char* usage =
      "usage: neuralcanvas-cli export PROJECT [--checkpoint FILE] --out MODEL.pt\n\n"
      "Writes a TorchScript archive that plain PyTorch loads with torch.jit.load. Its forward takes the\n"
      "raw input (images as float in [0, 1], token ids for text), normalizes it itself and returns\n"
      "logits. Without --checkpoint the freshly initialised model is exported. The archive carries\n"
      "the class names, input shape and the project (see 'import').\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1 && opts.has("--out"))) return *exit;
  ProjectLoad load = loadProject(opts.positional()[0]);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  std::vector<GraphIssue> problems = checkExportable(load.project->graph);
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "error: " << p.message << "\n";
    std::cerr << "nothing was exported\n";
    return kExitInvalid;
  }
  ExportOptions options;
  options.checkpoint = opts.get("--checkpoint");
  Status s = exportTorchScript(*load.project, opts.get("--out"), options);
  if (!s) {
    std::cerr << "error: " << s.message() << "\n";
    return kExitInvalid;
  }
  std::cout << "exported " << opts.get("--out") << "\n";
  return kExitOk;
}

int runImport(const std::vector<std::string>& args) {
  Options opts(args, {"--out"});
  const char* usage =
      "usage: neuralcanvas-cli import MODEL.pt --out PROJECT.json\n\n"
      "Recovers the editable project from an archive that NeuralCanvas exported.\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1 && opts.has("--out"))) return *exit;
  ProjectLoad load = importProjectFromArchive(opts.positional()[0]);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  if (Status s = saveProject(*load.project, opts.get("--out")); !s) {
    std::cerr << "error: " << s.message() << "\n";
    return kExitInvalid;
  }
  std::cout << "wrote " << opts.get("--out") << "\n";
  return kExitOk;
}

int runPredict(const std::vector<std::string>& args) {
  Options opts(args, {"--top", "--limit"});
  const char* usage =
      "usage: neuralcanvas-cli predict MODEL.pt INPUT... [--top K] [--limit N]\n\n"
      "Runs an exported model (through torch::jit::load) and prints the top K classes with their\n"
      "probabilities. INPUT: PNG/JPEG/BMP images, IDX image files (first N images), or for text\n"
      "models a text file or the text itself (the next character is predicted).\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() >= 2)) return *exit;
  int top = 3;
  int64_t limit = 10;
  try {
    if (opts.has("--top")) top = int(opts.integer("--top", 1, 1000));
    if (opts.has("--limit")) limit = opts.integer("--limit", 1, 1 << 24);
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  std::vector<std::string> inputs(opts.positional().begin() + 1, opts.positional().end());
  PredictResult r = predict(opts.positional()[0], inputs, top, limit);
  for (const auto& p : r.predictions) {
    std::cout << p.input << ":";
    for (const auto& [name, prob] : p.top) std::cout << "  " << name << " " << std::fixed << std::setprecision(3) << prob;
    std::cout << "\n";
  }
  if (!r.ok()) {
    std::cerr << "error: " << r.error << "\n";
    return kExitInvalid;
  }
  return kExitOk;
}

}  // namespace nc::app

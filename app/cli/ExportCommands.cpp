// neuralcanvas-cli export / import / predict.
#include <iomanip>
#include <iostream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/Project.h"
#include "core/deploy/Quantize.h"
#include "core/export/Predictor.h"
#include "core/export/PythonExporter.h"
#include "core/export/TorchScriptExporter.h"

namespace nc::app {

using namespace nc::core;

namespace {

/// True when the command line asks for `--format NAME` (or --format=NAME).
bool asksForFormat(const std::vector<std::string>& args, const std::string& name) {
  for (size_t i = 0; i < args.size(); ++i)
    if ((args[i] == "--format" && i + 1 < args.size() && args[i + 1] == name) || args[i] == "--format=" + name)
      return true;
  return false;
}

}  // namespace

int runExport(const std::vector<std::string>& args) {
  // ONNX and the training program have options of their own: their files parse the whole command line.
  if (asksForFormat(args, "onnx")) return runExportOnnx(args);
  if (asksForFormat(args, "pytorch-training")) return runExportTrainingProgram(args);
  Options opts(args, {"--checkpoint", "--out", "--format", "--quantize"});
  const char* usage =
      "usage: neuralcanvas-cli export PROJECT [--checkpoint FILE] --out FILE [--format torchscript|python|onnx|pytorch-training]\n"
      "                               [--quantize none|dynamic-int8]\n\n"
      "torchscript (default): writes a TorchScript archive (MODEL.pt) that plain PyTorch loads with\n"
      "torch.jit.load. Its forward takes the raw input (images as float in [0, 1], token ids for text),\n"
      "normalizes it itself and returns logits. The archive carries the class names, input shape and\n"
      "the project (see 'import').\n"
      "python: writes readable PyTorch source (MODEL.py: one nn.Module class built from torch.nn layers,\n"
      "same input and output) and its state dict beside it (MODEL.state.pt); load() in the file reads\n"
      "the weights, so training can continue in plain PyTorch.\n"
      "onnx: writes an ONNX model (opset 13 or later; see 'export --format onnx --help').\n"
      "pytorch-training: writes a folder with a training program for plain PyTorch and torchrun\n"
      "(see 'export --format pytorch-training --help').\n"
      "Without --checkpoint the freshly initialised model is exported.\n\n"
      "--quantize dynamic-int8 (torchscript only): the weights of Linear, LSTM and GRU nodes and of the\n"
      "two feed-forward Linears inside TransformerEncoderLayer are stored as int8 (per output channel)\n"
      "and their inputs are quantized on the fly at each call; everything else (convolutions, attention\n"
      "projections, normalization, embeddings, ...) stays float. Models dominated by those layers get\n"
      "about 4x smaller and faster on CPU, with outputs close to the float model. The archive runs on\n"
      "LibTorch's oneDNN quantized engine; in Python keep torch.backends.quantized.engine = 'onednn'\n"
      "(the default on x86 Linux): QNNPACK runs these archives many times slower on x86.\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1 && opts.has("--out"))) return *exit;
  const std::string format = opts.has("--format") ? opts.get("--format") : "torchscript";
  if (format != "torchscript" && format != "python") {
    std::cerr << "error: unknown --format '" << format << "' (use torchscript, python, onnx or pytorch-training)\n\n" << usage;
    return kExitUsage;
  }
  const bool python = format == "python";
  QuantizeMode quantize = QuantizeMode::None;
  if (opts.has("--quantize")) {
    std::optional<QuantizeMode> mode = parseQuantizeMode(opts.get("--quantize"));
    if (!mode) {
      std::cerr << "error: unknown --quantize '" << opts.get("--quantize") << "' (use none or dynamic-int8)\n\n"
                << usage;
      return kExitUsage;
    }
    quantize = *mode;
  }
  if (python && quantize != QuantizeMode::None) {
    std::cerr << "error: --quantize " << quantizeModeName(quantize)
              << " is not supported with --format python (the PyTorch source keeps float weights; "
                 "quantize the TorchScript export, or use torch.ao.quantization.quantize_dynamic in Python)\n";
    return kExitUsage;
  }
  if (quantize != QuantizeMode::None && !quantizedEngineAvailable()) {
    std::cerr << "error: --quantize " << quantizeModeName(quantize)
              << ": this LibTorch build has no quantized engine (oneDNN, FBGEMM or QNNPACK); nothing was exported\n";
    return kExitInvalid;
  }
  ProjectLoad load = loadProject(opts.positional()[0]);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  std::vector<GraphIssue> problems =
      python ? checkPythonExportable(load.project->graph) : checkExportable(load.project->graph);
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "error: " << p.message << "\n";
    std::cerr << "nothing was exported\n";
    return kExitInvalid;
  }
  ExportOptions options;
  options.checkpoint = opts.get("--checkpoint");
  options.quantize = quantize;
  const std::string out = opts.get("--out");
  Status s = python ? exportPython(*load.project, out, options) : exportTorchScript(*load.project, out, options);
  if (!s) {
    std::cerr << "error: " << s.message() << "\n";
    return kExitInvalid;
  }
  std::cout << "exported " << out;
  if (python) std::cout << " and " << pythonStatePath(out);
  else std::cout << " (SHA-256 in " << archiveChecksumPath(out) << ")";
  std::cout << "\n";
  if (quantize != QuantizeMode::None) {
    std::string summary = quantizationSummary(out);
    std::cout << "quantized " << quantizeModeName(quantize) << " (engine " << currentQuantizedEngineName()
              << "): " << (summary.empty() ? "see the archive's neuralcanvas/meta.json" : summary) << "\n";
    if (summary.rfind("int8: none", 0) == 0)
      std::cout << "note: the model has no Linear, LSTM or GRU node; the archive holds float weights only\n";
  }
  return kExitOk;
}

int runImport(const std::vector<std::string>& args) {
  Options opts(args, {"--out"});
  const char* usage =
      "usage: neuralcanvas-cli import MODEL.pt --out PROJECT.json\n\n"
      "Recovers the editable project from an archive that NeuralCanvas exported, after checking the\n"
      "archive against its recorded SHA-256 (MODEL.pt.sha256 beside it, and its weights' digest inside).\n";
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

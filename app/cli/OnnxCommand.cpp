// neuralcanvas-cli export PROJECT --format onnx --out FILE.onnx [--checkpoint C] [--opset N]
#include <iostream>
#include <stdexcept>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/Project.h"
#include "core/export/OnnxExporter.h"

namespace nc::app {

using namespace nc::core;

int runExportOnnx(const std::vector<std::string>& args) {
  Options opts(args, {"--checkpoint", "--out", "--format", "--opset"});
  const char* usage =
      "usage: neuralcanvas-cli export PROJECT --format onnx --out FILE.onnx [--checkpoint FILE] [--opset N]\n\n"
      "Writes an ONNX model (opset N, 13 by default) that ONNX runtimes such as OpenCV's DNN module or\n"
      "onnxruntime load. Its input (\"input\") is the raw input with a dynamic batch dimension (images as\n"
      "float in [0, 1], token ids for text); it normalizes the input itself and returns logits\n"
      "(\"logits\"). The class names, input shape and dtype are in the model's metadata_props.\n"
      "Without --checkpoint the freshly initialised model is exported.\n\n"
      "Needs Python 3 with PyTorch and onnx (Debian: python3-torch, python3-onnx): /usr/bin/python3,\n"
      "or the interpreter named by the NC_PYTHON environment variable. The file is checked with\n"
      "onnx.checker before it is written.\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1 && opts.has("--out"))) return *exit;
  OnnxOptions options;
  try {
    if (opts.has("--opset")) options.opset = int(opts.integer("--opset", 13, 99));
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n\n" << usage;
    return kExitUsage;
  }
  options.checkpoint = opts.get("--checkpoint");
  ProjectLoad load = loadProject(opts.positional()[0]);
  if (!load.ok()) {
    std::cerr << "error: " << load.error << "\n";
    return kExitUnreadable;
  }
  std::vector<GraphIssue> problems = checkOnnxExportable(load.project->graph);
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "error: " << p.message << "\n";
    std::cerr << "nothing was exported\n";
    return kExitInvalid;
  }
  const std::string out = opts.get("--out");
  if (Status s = exportOnnx(*load.project, out, options); !s) {
    std::cerr << "error: " << s.message() << "\n";
    return kExitInvalid;
  }
  std::cout << "exported " << out << " (ONNX opset " << options.opset << ", checked with onnx.checker)\n";
  return kExitOk;
}

}  // namespace nc::app

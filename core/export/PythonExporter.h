#pragma once
// PyTorch source export: a graph (and optionally a checkpoint's weights) becomes a readable Python
// file with one nn.Module class built from PyTorch's own layers, plus the state dict it loads, so
// that training can continue in plain PyTorch. No torch in this header.
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/ShapeInference.h"
#include "core/export/TorchScriptExporter.h"

namespace nc::core {

class GraphModule;

/// Nodes that cannot be exported to PyTorch source, with the reason naming the node (empty when
/// all can; the graph's own errors when it is not valid).
std::vector<GraphIssue> checkPythonExportable(const Graph& graph);

/// The state dict file written beside a source file: "out/model.py" -> "out/model.state.pt"
/// (any other name gets ".state.pt" appended).
std::string pythonStatePath(const std::string& sourcePath);

/// The generated source of `sourcePath` (which names the state dict file load() reads by default)
/// for display and tests. options.checkpoint, when set, is read for the shapes of the input
/// normalization. Empty, with *error set, when the project cannot be exported.
std::string generatePythonSource(const Project& project, const ExportOptions& options = {},
                                 const std::string& sourcePath = "model.py", std::string* error = nullptr);

/// Writes `sourcePath` (Python, see generatePythonSource) and pythonStatePath(sourcePath) (the
/// weights as a dict of tensors that torch.load reads and load_state_dict(strict=True) accepts),
/// each atomically. The model class takes the raw input (images as float in [0, 1], token ids)
/// and normalizes it itself, like the TorchScript export.
Status exportPython(const Project& project, const std::string& sourcePath, const ExportOptions& options = {});

/// The inverse of the state dict that exportPython writes: reads `stateFile`, a dict
/// {key: tensor} written by torch.save in Python (e.g. `torch.save(dict(model.state_dict()), f)`
/// for the exported model class) or by exportPython, and loads it into `model`, which must be
/// compiled from `project.graph`. The keys are those exportPython gives (same naming code).
/// Strict: a missing key, an unexpected key, a shape or kind (floating/integer) that differs is
/// an error naming the file and the key, and then `model` is left unchanged. Floating tensors of
/// another precision are converted to the model's; the input normalization takes the file's shape.
Status loadPythonState(const Project& project, const std::string& stateFile, GraphModule& model);

}  // namespace nc::core

#pragma once
// ONNX export: the project's model (and optionally a checkpoint's weights) as an .onnx file that
// ONNX runtimes (OpenCV's DNN module, onnxruntime, ...) load. Produced through the PyTorch-source
// export and torch.onnx.export in a Python interpreter that has torch and onnx, then verified with
// onnx.checker. No torch in this header.
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/ShapeInference.h"

namespace nc::core {

struct OnnxOptions {
  std::string checkpoint;  // weights; empty = freshly initialised model
  int opset = 13;          // 13 or later
  std::string python;      // interpreter with torch and onnx; empty = $NC_PYTHON or /usr/bin/python3
};

/// Nodes that cannot be written to ONNX, naming each node and why (empty when all can; the graph's
/// own errors when it is invalid). Checked before anything is written.
std::vector<GraphIssue> checkOnnxExportable(const Graph& graph);

/// Writes outPath (.onnx) atomically: the model with input normalization inside the graph (as the
/// TorchScript export), a dynamic batch dimension, the class names and input shape (and dtype) in the
/// model's metadata_props, verified with onnx.checker before it is moved into place.
/// The error names the node / the file / the Python problem (python or its modules missing: say which
/// package to install: python3-torch, python3-onnx).
Status exportOnnx(const Project& project, const std::string& outPath, const OnnxOptions& options = {});

/// One model of exportOnnxMany(): the project must outlive the call; `checkpoint` as in OnnxOptions.
struct OnnxJob {
  const Project* project = nullptr;
  std::string outPath;
  std::string checkpoint;
};

/// exportOnnx() for several models with ONE Python process (each start of Python with torch costs
/// seconds): one Status per job, in order; options.checkpoint is ignored (each job has its own).
std::vector<Status> exportOnnxMany(const std::vector<OnnxJob>& jobs, const OnnxOptions& options = {});

}  // namespace nc::core

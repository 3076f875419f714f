#pragma once
// TorchScript export: a graph (and optionally a checkpoint's weights) becomes a torch::jit archive
// that plain PyTorch loads with torch.jit.load. No torch in this header.
#include <map>
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/ShapeInference.h"

namespace nc::core {

/// Nodes that cannot be exported, with the reason (empty when all can).
std::vector<GraphIssue> checkExportable(const Graph& graph);

struct ExportOptions {
  std::string checkpoint;               // weights to export; empty = the freshly initialised model
  std::vector<std::string> classNames;  // stored in the metadata (empty = read from the project's data)
};

/// The generated TorchScript source of the model's forward (for display and tests).
std::string generateTorchScript(const Graph& graph, std::string* error = nullptr);

/// Writes the archive atomically. Extra files: "neuralcanvas/meta.json" (class names, input
/// shape and dtype, NeuralCanvas version) and "neuralcanvas/project.json" (the source project).
Status exportTorchScript(const Project& project, const std::string& outPath, const ExportOptions& options = {});

/// Reads the project stored in an archive that NeuralCanvas exported.
ProjectLoad importProjectFromArchive(const std::string& archivePath);

}  // namespace nc::core

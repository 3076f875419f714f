#pragma once
// TorchScript export: a graph (and optionally a checkpoint's weights) becomes a torch::jit archive
// that plain PyTorch loads with torch.jit.load. No torch in this header.
#include <map>
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/ShapeInference.h"
#include "core/deploy/Quantize.h"

namespace nc::core {

/// Nodes that cannot be exported, with the reason (empty when all can).
std::vector<GraphIssue> checkExportable(const Graph& graph);

struct ExportOptions {
  std::string checkpoint;               // weights to export; empty = the freshly initialised model
  std::vector<std::string> classNames;  // stored in the metadata (empty = read from the project's data)
  /// DynamicInt8: the weights of Linear, LSTM and GRU nodes and of TransformerEncoderLayer's
  /// feed-forward Linears become int8 (packed for the quantized engine; activations are quantized
  /// on the fly); everything else stays float. meta.json's "quantization" records the mode ("none" /
  /// "dynamic-int8") for every export, and for quantized ones "quantized": {"int8": [{"name",
  /// "type"}...], "float": [...]} (nodes with weights, by how they were exported).
  QuantizeMode quantize = QuantizeMode::None;
};

/// The generated TorchScript source of the model's forward (for display and tests).
std::string generateTorchScript(const Graph& graph, std::string* error = nullptr);

/// Writes the archive atomically and durably (commitTempFile), then its checksum file
/// archiveChecksumPath(outPath) ("<sha256 hex>  <file name>", as sha256sum writes). Extra files:
/// "neuralcanvas/meta.json" (class names, for byte-level text models also "vocabulary_bytes",
/// input shape and dtype, NeuralCanvas version, "weights_sha256": see verifyArchive) and
/// "neuralcanvas/project.json" (the source project). Every name in the generated code comes
/// from one NameScope, so no node name can make two attributes or variables collide.
Status exportTorchScript(const Project& project, const std::string& outPath, const ExportOptions& options = {});

/// "model.pt" -> "model.pt.sha256".
std::string archiveChecksumPath(const std::string& archivePath);

/// Checks an exported archive before use: the file's SHA-256 against archiveChecksumPath(path)
/// when that file exists, and (for NeuralCanvas exports that recorded it) the SHA-256 of its
/// weights -- every parameter and buffer sorted by name: name, dtype, sizes, raw bytes -- against
/// meta.json's "weights_sha256". An error names the file and says what is wrong (missing, not an
/// archive, damaged). Archives without recorded checksums (other tools, older exports) pass.
Status verifyArchive(const std::string& archivePath);

/// Reads the project stored in an archive that NeuralCanvas exported (verifyArchive() first).
ProjectLoad importProjectFromArchive(const std::string& archivePath);

}  // namespace nc::core

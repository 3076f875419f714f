#pragma once
// Shared by the exporters (TorchScript and PyTorch source): the identifiers they give nodes in
// generated code, derived from the node names and unique within a model, and the graph errors
// that stop any export. No torch in this header.
#include <map>
#include <string>
#include <vector>

#include "core/Graph.h"
#include "core/ShapeInference.h"

namespace nc::core {

/// A node name as an identifier valid in TorchScript and Python: letters, digits and '_', not
/// starting with a digit, never a keyword or a name the generated code uses ("self", "x",
/// "torch", "nn", "F", ...): "conv 1" -> "conv_1", "1x1" -> "v_1x1", "class" -> "class_".
std::string exportIdentifier(const std::string& name);

/// exportIdentifier() of each node's name, made unique by appending "_<id>" (in `nodes` order).
std::map<NodeId, std::string> nodeIdentifiers(const Graph& graph, const std::vector<NodeId>& nodes);

/// The errors of an analysed graph (warnings left out): why it cannot be exported at all.
std::vector<GraphIssue> analysisErrors(const GraphAnalysis& analysis);

}  // namespace nc::core

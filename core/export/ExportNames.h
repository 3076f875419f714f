#pragma once
// Names the exporters give nodes in generated code (TorchScript and PyTorch source): identifiers
// derived from the node names, unique within a model. No torch in this header.
#include <map>
#include <string>
#include <vector>

#include "core/Graph.h"

namespace nc::core {

/// A node name as an identifier valid in TorchScript and Python: letters, digits and '_', not
/// starting with a digit, never a keyword or a name the generated code uses ("self", "x",
/// "torch", "nn", "F", ...): "conv 1" -> "conv_1", "1x1" -> "v_1x1", "class" -> "class_".
std::string exportIdentifier(const std::string& name);

/// exportIdentifier() of each node's name, made unique by appending "_<id>" (in `nodes` order).
std::map<NodeId, std::string> nodeIdentifiers(const Graph& graph, const std::vector<NodeId>& nodes);

}  // namespace nc::core

#pragma once
// Finding a layer type by what a person types: its name, its palette category, words of its
// documentation, or a common synonym from other tools ("dense" -> Linear). No Qt, no torch.
#include <string>
#include <vector>

namespace nc::core {

/// Names of the registered layer types (core/LayerRegistry.h) that match `query`, best first.
///
/// Case-insensitive; spaces, '-' and '_' are ignored when comparing with names ("batch norm" finds
/// BatchNorm2d). Ranking, best first: exact name, name prefix, synonym ("fc", "fully connected",
/// "attention", "conv", "rnn", "norm", "pool", "token", ...), name substring, category, words of the
/// documentation. A query of several words must match every word somewhere. Ties keep the palette
/// order (LayerRegistry::all()). An empty (or blank) query returns every type in palette order.
std::vector<std::string> searchLayerTypes(const std::string& query);

}  // namespace nc::core

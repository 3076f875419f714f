#pragma once
// Whole-graph edits the editor offers beyond single-node operations: copying a selection out of a
// graph, pasting it back with fresh ids and names, and arranging the DAG in layers. No Qt.
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "core/Graph.h"
#include "core/LayoutDirection.h"

namespace nc::core {

/// The selected nodes (same ids, names, parameters, positions) and the edges between them.
Graph subgraph(const Graph& graph, const std::set<NodeId>& nodes);

/// Inserts every node of `fragment` into `target` under a new id, shifted by (dx, dy), renamed
/// where its name is taken ("conv1" -> "conv2", ...), and re-creates the fragment's edges.
/// Returns the new ids in the fragment's id order.
std::vector<NodeId> pasteGraph(Graph& target, const Graph& fragment, double dx, double dy);

/// A name not used in `graph`: `wanted` itself if free, else its stem plus the first free number.
std::string freeNodeName(const Graph& graph, const std::string& wanted);

struct LayoutSpacing {
  LayoutDirection direction = LayoutDirection::TopDown;
  double column = 320;  // distance between layer columns (left to right): card plus edge label
  double row = 130;     // distance between nodes within a column
  /// Long chains wrap into bands of at most this many columns, one band below the other, so a
  /// 15-layer CNN stays readable in a window; 0 = one band however long.
  int wrapColumns = 0;
};

/// Positions for a left-to-right layered drawing of the graph: each node sits one column after
/// its deepest predecessor (longest path), and nodes within a column are ordered by a few
/// barycentre sweeps to keep edge crossings few. Nodes on cycles go to a final column.
/// Columns are centred vertically on y = 0 (in the first band); the first column has x = 0.
std::map<NodeId, std::pair<double, double>> layeredLayout(const Graph& graph, LayoutSpacing spacing = {});

/// Number of pairs of edges between adjacent columns that cross, for a layout (tests, tuning).
int countCrossings(const Graph& graph, const std::map<NodeId, std::pair<double, double>>& positions);

}  // namespace nc::core

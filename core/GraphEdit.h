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

/// How far apart layeredLayout places nodes. The defaults suit the editor's cards (about 172 px
/// wide, 50 to 110 px tall) with a tensor shape label on each edge between them.
struct LayoutSpacing {
  LayoutDirection direction = LayoutDirection::TopDown;
  double betweenLayers = 150;  // along the flow: from one layer's nodes to the next layer's
  double withinLayer = 260;    // across the flow: between neighbouring nodes of one layer

  /// The editor's spacing for a direction: TopDown rows 150 apart with nodes 260 apart in a row;
  /// LeftRight columns 320 apart (card plus a horizontal shape label) with nodes 130 apart.
  static LayoutSpacing forDirection(LayoutDirection direction);
};

/// Positions (a card's top-left corner) for a layered drawing of the graph, never wrapped: each
/// node sits one layer after its deepest predecessor (longest path); an edge spanning several
/// layers reserves a slot in each layer it passes, so no node is placed on its straight path;
/// nodes within a layer are ordered by barycentre sweeps to keep edge crossings few. Nodes on
/// cycles go to a final layer.
///   TopDown (default): layer k is the row y = k * betweenLayers; each row is centred on x = 0.
///   LeftRight: layer k is the column x = k * betweenLayers; each column is centred on y = 0.
/// Within a layer the starting order is the current one (along whichever axis the layer's nodes are
/// spread more), so re-running it, or switching direction, moves nodes as little as possible.
std::map<NodeId, std::pair<double, double>> layeredLayout(const Graph& graph, LayoutSpacing spacing = {});

/// Number of pairs of edges between the same two layers that cross, for a layout drawn in
/// `direction` (layers are rows for TopDown, columns for LeftRight). For tests and tuning.
int countCrossings(const Graph& graph, const std::map<NodeId, std::pair<double, double>>& positions,
                   LayoutDirection direction = LayoutDirection::TopDown);

}  // namespace nc::core

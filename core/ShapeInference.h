#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/Graph.h"
#include "core/TensorShape.h"

namespace nc::core {

enum class Severity { Error, Warning };

/// A problem found in the graph. node = -1 for graph-level problems (no Input, ...).
struct GraphIssue {
  NodeId node = -1;
  Severity severity = Severity::Error;
  std::string message;
};

/// Shapes on every output port and issues on every node, for the editor and the compiler.
struct GraphAnalysis {
  std::map<NodeId, TensorShape> outputShapes;  // one output per node (Output nodes have none)
  std::map<NodeId, std::vector<TensorShape>> inputShapes;  // shapes that reached each node
  std::vector<GraphIssue> issues;
  std::vector<NodeId> order;      // topological order of the nodes outside cycles
  std::vector<NodeId> live;       // nodes on a path Input -> Output, in topological order
  NodeId inputNode = -1, outputNode = -1;

  bool ok() const;  // no issue of severity Error
  const TensorShape* shapeOf(NodeId node) const;
  std::vector<const GraphIssue*> issuesFor(NodeId node) const;
  /// The shape reaching the Output node (the model's output).
  const TensorShape* modelOutput() const;
};

/// Runs shape inference and the graph-level checks (cycles, unconnected inputs, missing or
/// duplicate Input/Output, nodes not on a path from Input to Output).
GraphAnalysis analyze(const Graph& graph);

/// Per-sample totals over the live nodes of an analysed graph.
struct GraphSummary {
  int64_t params = 0;
  int64_t flops = 0;
};
GraphSummary summarize(const Graph& graph, const GraphAnalysis& analysis);
int64_t nodeParamCount(const Node& node, const GraphAnalysis& analysis);
int64_t nodeFlops(const Node& node, const GraphAnalysis& analysis);

}  // namespace nc::core

#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/Params.h"
#include "core/Status.h"

namespace nc::core {

class LayerType;
using NodeId = int64_t;

/// Longest node name accepted, in bytes.
constexpr size_t kMaxNodeNameBytes = 1024;
/// Largest |x| or |y| of a node position.
constexpr double kMaxNodeCoordinate = 1e9;

struct PortRef {
  NodeId node = -1;
  int port = 0;
  bool operator==(const PortRef& o) const { return node == o.node && port == o.port; }
  bool operator<(const PortRef& o) const { return node != o.node ? node < o.node : port < o.port; }
};

/// An edge from an output port to an input port.
struct Edge {
  PortRef from;
  PortRef to;
  bool operator==(const Edge& o) const { return from == o.from && to == o.to; }
};

struct Node {
  NodeId id = -1;
  std::string type;  // LayerRegistry name
  std::string name;  // shown to the user, unique in the graph
  ParamMap params;   // complete: one value for every ParamSpec of the type
  double x = 0, y = 0;
  const LayerType* layer = nullptr;  // resolved from type
};

/// Told about every change of a Graph (the GUI adapts this into Qt signals).
class GraphObserver {
 public:
  virtual ~GraphObserver() = default;
  virtual void nodeAdded(NodeId) {}
  virtual void nodeRemoved(NodeId) {}
  virtual void edgeAdded(const Edge&) {}
  virtual void edgeRemoved(const Edge&) {}
  virtual void paramChanged(NodeId, const std::string& /*param*/) {}
  virtual void nodeMoved(NodeId) {}
  virtual void nodeRenamed(NodeId) {}
};

/// The model graph: nodes with stable integer ids, edges between ports. No Qt, no torch.
/// Operations that a user can get wrong return a Status naming what is wrong.
class Graph {
 public:
  Graph() = default;
  Graph(const Graph& other);
  Graph& operator=(const Graph& other);

  /// Adds a node of a registered type with default parameters. Name defaults to
  /// "<type lowercase><n>". Returns the new id.
  std::optional<NodeId> addNode(const std::string& type, double x = 0, double y = 0, std::string* error = nullptr);
  /// Inserts a fully described node (loading, undo). Its id must be unused; params are validated;
  /// the name must be non-empty UTF-8 of at most kMaxNodeNameBytes; the position finite.
  Status insertNode(Node node);
  Status removeNode(NodeId id);
  Status connect(PortRef from, PortRef to);
  Status disconnect(PortRef to);
  Status setParam(NodeId id, const std::string& name, const ParamValue& value);
  Status rename(NodeId id, const std::string& name);
  /// Refuses non-finite coordinates and coordinates beyond +-1e9.
  Status move(NodeId id, double x, double y);

  /// Whether connect(from, to) would succeed, and why not.
  Status canConnect(PortRef from, PortRef to) const;
  /// True when adding from->to would close a cycle.
  bool wouldCreateCycle(NodeId from, NodeId to) const;

  const Node* node(NodeId id) const;
  const std::map<NodeId, Node>& nodes() const { return m_nodes; }
  const std::vector<Edge>& edges() const { return m_edges; }
  /// The edge feeding an input port, if any.
  std::optional<Edge> edgeInto(PortRef to) const;
  std::vector<Edge> edgesFrom(NodeId id) const;
  int inputCount(NodeId id) const;
  /// An id no node has (normally one past the largest; the smallest free one once ids reach
  /// the int64 limit).
  NodeId nextId() const;
  void clear();

  void addObserver(GraphObserver* o);
  void removeObserver(GraphObserver* o);

 private:
  std::string uniqueName(const std::string& base) const;
  Status checkNode(NodeId id) const;

  std::map<NodeId, Node> m_nodes;
  std::vector<Edge> m_edges;
  // Indexes kept in step with m_nodes / m_edges, so that loading and editing large graphs
  // stays O(log n) per operation.
  std::map<std::string, NodeId> m_names;
  std::map<PortRef, PortRef> m_sources;  // input port -> the output feeding it
  NodeId m_nextId = 1;
  std::vector<GraphObserver*> m_observers;  // not copied
};

}  // namespace nc::core

#include "core/Graph.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/LayerRegistry.h"

namespace nc::core {

Graph::Graph(const Graph& other) : m_nodes(other.m_nodes), m_edges(other.m_edges), m_nextId(other.m_nextId) {}

Graph& Graph::operator=(const Graph& other) {
  m_nodes = other.m_nodes;
  m_edges = other.m_edges;
  m_nextId = other.m_nextId;
  return *this;
}

void Graph::clear() {
  while (!m_nodes.empty()) removeNode(m_nodes.begin()->first);
  m_nextId = 1;
}

std::string Graph::uniqueName(const std::string& base) const {
  std::set<std::string> used;
  for (const auto& [id, n] : m_nodes) used.insert(n.name);
  for (int i = 1;; ++i) {
    std::string candidate = base + std::to_string(i);
    if (!used.count(candidate)) return candidate;
  }
}

std::optional<NodeId> Graph::addNode(const std::string& type, double x, double y, std::string* error) {
  const LayerType* layer = LayerRegistry::instance().find(type);
  if (!layer) {
    if (error) *error = "unknown layer type '" + type + "'";
    return std::nullopt;
  }
  std::string base = type;
  std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  Node n;
  n.id = m_nextId;
  n.type = type;
  n.name = uniqueName(base);
  n.params = layer->defaults();
  n.x = x;
  n.y = y;
  Status s = insertNode(std::move(n));
  if (!s) {
    if (error) *error = s.message();
    return std::nullopt;
  }
  return m_nextId - 1;
}

Status Graph::insertNode(Node node) {
  if (node.id <= 0) return Status::error("node id must be positive");
  if (m_nodes.count(node.id)) return Status::error("node id " + std::to_string(node.id) + " is already used");
  node.layer = LayerRegistry::instance().find(node.type);
  if (!node.layer) return Status::error("unknown layer type '" + node.type + "'");
  if (Status s = node.layer->validateParams(node.params); !s) return s;
  for (const auto& [id, n] : m_nodes)
    if (n.name == node.name) return Status::error("node name '" + node.name + "' is already used");
  if (node.name.empty()) return Status::error("node name must not be empty");
  NodeId id = node.id;
  m_nextId = std::max(m_nextId, id + 1);
  m_nodes.emplace(id, std::move(node));
  for (auto* o : m_observers) o->nodeAdded(id);
  return {};
}

Status Graph::checkNode(NodeId id) const {
  if (!m_nodes.count(id)) return Status::error("no node with id " + std::to_string(id));
  return {};
}

Status Graph::removeNode(NodeId id) {
  if (Status s = checkNode(id); !s) return s;
  std::vector<Edge> incident;
  for (const auto& e : m_edges)
    if (e.from.node == id || e.to.node == id) incident.push_back(e);
  for (const auto& e : incident) disconnect(e.to);
  m_nodes.erase(id);
  for (auto* o : m_observers) o->nodeRemoved(id);
  return {};
}

int Graph::inputCount(NodeId id) const {
  const Node* n = node(id);
  if (!n) return 0;
  return int(n->layer->inputPorts(Params(n->params)).size());
}

bool Graph::wouldCreateCycle(NodeId from, NodeId to) const {
  if (from == to) return true;
  // A cycle appears when `from` is reachable from `to`.
  std::vector<NodeId> stack{to};
  std::set<NodeId> seen;
  while (!stack.empty()) {
    NodeId cur = stack.back();
    stack.pop_back();
    if (cur == from) return true;
    if (!seen.insert(cur).second) continue;
    for (const auto& e : m_edges)
      if (e.from.node == cur) stack.push_back(e.to.node);
  }
  return false;
}

Status Graph::canConnect(PortRef from, PortRef to) const {
  const Node* src = node(from.node);
  const Node* dst = node(to.node);
  if (!src) return Status::error("no node with id " + std::to_string(from.node));
  if (!dst) return Status::error("no node with id " + std::to_string(to.node));
  if (from.node == to.node) return Status::error("a node cannot be connected to itself (" + src->name + ")");
  if (from.port < 0 || from.port >= src->layer->outputCount())
    return Status::error(src->name + " has no output port " + std::to_string(from.port));
  auto ports = dst->layer->inputPorts(Params(dst->params));
  if (to.port < 0 || to.port >= int(ports.size()))
    return Status::error(dst->name + " has no input port " + std::to_string(to.port));
  if (edgeInto(to))
    return Status::error("input '" + ports[size_t(to.port)] + "' of " + dst->name + " is already connected");
  return {};
}

Status Graph::connect(PortRef from, PortRef to) {
  if (Status s = canConnect(from, to); !s) return s;
  Edge e{from, to};
  m_edges.push_back(e);
  for (auto* o : m_observers) o->edgeAdded(e);
  return {};
}

Status Graph::disconnect(PortRef to) {
  auto it = std::find_if(m_edges.begin(), m_edges.end(), [&](const Edge& e) { return e.to == to; });
  if (it == m_edges.end()) return Status::error("input port " + std::to_string(to.port) + " of node " +
                                                std::to_string(to.node) + " is not connected");
  Edge e = *it;
  m_edges.erase(it);
  for (auto* o : m_observers) o->edgeRemoved(e);
  return {};
}

Status Graph::setParam(NodeId id, const std::string& name, const ParamValue& value) {
  if (Status s = checkNode(id); !s) return s;
  Node& n = m_nodes.at(id);
  const ParamSpec* spec = n.layer->paramSpec(name);
  if (!spec) return Status::error(n.type + " has no parameter '" + name + "'");
  if (Status s = spec->validate(value); !s) return Status::error(n.name + ": " + s.message());
  n.params[name] = value;
  // Fewer input ports (e.g. Concat inputs lowered) drop the edges into ports that vanished.
  int ports = inputCount(id);
  std::vector<Edge> gone;
  for (const auto& e : m_edges)
    if (e.to.node == id && e.to.port >= ports) gone.push_back(e);
  for (const auto& e : gone) disconnect(e.to);
  for (auto* o : m_observers) o->paramChanged(id, name);
  return {};
}

Status Graph::rename(NodeId id, const std::string& name) {
  if (Status s = checkNode(id); !s) return s;
  if (name.empty()) return Status::error("node name must not be empty");
  for (const auto& [other, n] : m_nodes)
    if (other != id && n.name == name) return Status::error("node name '" + name + "' is already used");
  m_nodes.at(id).name = name;
  for (auto* o : m_observers) o->nodeRenamed(id);
  return {};
}

Status Graph::move(NodeId id, double x, double y) {
  if (Status s = checkNode(id); !s) return s;
  m_nodes.at(id).x = x;
  m_nodes.at(id).y = y;
  for (auto* o : m_observers) o->nodeMoved(id);
  return {};
}

const Node* Graph::node(NodeId id) const {
  auto it = m_nodes.find(id);
  return it == m_nodes.end() ? nullptr : &it->second;
}

std::optional<Edge> Graph::edgeInto(PortRef to) const {
  for (const auto& e : m_edges)
    if (e.to == to) return e;
  return std::nullopt;
}

std::vector<Edge> Graph::edgesFrom(NodeId id) const {
  std::vector<Edge> out;
  for (const auto& e : m_edges)
    if (e.from.node == id) out.push_back(e);
  return out;
}

void Graph::addObserver(GraphObserver* o) { m_observers.push_back(o); }
void Graph::removeObserver(GraphObserver* o) {
  m_observers.erase(std::remove(m_observers.begin(), m_observers.end(), o), m_observers.end());
}

}  // namespace nc::core

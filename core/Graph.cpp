#include "core/Graph.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "core/JsonDocument.h"

#include "core/LayerRegistry.h"

namespace nc::core {

Graph::Graph(const Graph& other)
    : m_nodes(other.m_nodes),
      m_edges(other.m_edges),
      m_names(other.m_names),
      m_sources(other.m_sources),
      m_nextId(other.m_nextId) {}

Graph& Graph::operator=(const Graph& other) {
  m_nodes = other.m_nodes;
  m_edges = other.m_edges;
  m_names = other.m_names;
  m_sources = other.m_sources;
  m_nextId = other.m_nextId;
  return *this;
}

void Graph::clear() {
  // Edges first, then nodes, each told to the observers: linear however large the graph.
  std::vector<Edge> edges;
  edges.swap(m_edges);
  m_sources.clear();
  for (const auto& e : edges)
    for (auto* o : m_observers) o->edgeRemoved(e);
  while (!m_nodes.empty()) {
    NodeId id = m_nodes.begin()->first;
    m_names.erase(m_nodes.begin()->second.name);
    m_nodes.erase(m_nodes.begin());
    for (auto* o : m_observers) o->nodeRemoved(id);
  }
  m_nextId = 1;
}

NodeId Graph::nextId() const {
  if (m_nextId > 0 && !m_nodes.count(m_nextId)) return m_nextId;
  // Ids reached the int64 limit (a node with id 9223372036854775807): the smallest free id.
  NodeId candidate = 1;
  for (const auto& [id, n] : m_nodes) {
    if (id > candidate) break;
    if (id == candidate) ++candidate;
  }
  return candidate;
}

std::string Graph::uniqueName(const std::string& base) const {
  for (int i = 1;; ++i) {
    std::string candidate = base + std::to_string(i);
    if (!m_names.count(candidate)) return candidate;
  }
}

namespace {
Status checkName(const std::string& name) {
  if (name.empty()) return Status::error("node name must not be empty");
  if (name.size() > kMaxNodeNameBytes)
    return Status::error("node name " + describeJson(nlohmann::json(toUtf8(name))) + " is longer than " +
                         std::to_string(kMaxNodeNameBytes) + " bytes");
  if (!isValidUtf8(name))
    return Status::error("node name '" + printableExcerpt(name) + "' is not valid UTF-8 text");
  return {};
}

Status checkPosition(double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y) || std::fabs(x) > kMaxNodeCoordinate || std::fabs(y) > kMaxNodeCoordinate) {
    std::ostringstream os;
    os << "position (" << x << ", " << y << ") is not a pair of finite numbers within +-1e9";
    return Status::error(os.str());
  }
  return {};
}
}  // namespace

std::optional<NodeId> Graph::addNode(const std::string& type, double x, double y, std::string* error) {
  const LayerType* layer = LayerRegistry::instance().find(type);
  if (!layer) {
    if (error) *error = "unknown layer type '" + type + "'";
    return std::nullopt;
  }
  std::string base = type;
  std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  Node n;
  n.id = nextId();
  n.type = type;
  n.name = uniqueName(base);
  n.params = layer->defaults();
  n.x = x;
  n.y = y;
  const NodeId id = n.id;
  Status s = insertNode(std::move(n));
  if (!s) {
    if (error) *error = s.message();
    return std::nullopt;
  }
  return id;
}

Status Graph::insertNode(Node node) {
  if (node.id <= 0) return Status::error("node id must be positive");
  if (m_nodes.count(node.id)) return Status::error("node id " + std::to_string(node.id) + " is already used");
  node.layer = LayerRegistry::instance().find(node.type);
  if (!node.layer) return Status::error("unknown layer type '" + node.type + "'");
  if (Status s = node.layer->validateParams(node.params); !s) return s;
  if (Status s = checkName(node.name); !s) return s;
  if (m_names.count(node.name)) return Status::error("node name '" + printableExcerpt(node.name) + "' is already used");
  if (Status s = checkPosition(node.x, node.y); !s) return Status::error(node.name + ": " + s.message());
  NodeId id = node.id;
  if (id < std::numeric_limits<NodeId>::max()) m_nextId = std::max(m_nextId, id + 1);  // (no overflow)
  m_names.emplace(node.name, id);
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
  m_names.erase(m_nodes.at(id).name);
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
  std::multimap<NodeId, NodeId> next;  // built once: O(E log E), not O(E) per visited node
  for (const auto& e : m_edges) next.emplace(e.from.node, e.to.node);
  std::vector<NodeId> stack{to};
  std::set<NodeId> seen;
  while (!stack.empty()) {
    NodeId cur = stack.back();
    stack.pop_back();
    if (cur == from) return true;
    if (!seen.insert(cur).second) continue;
    auto [lo, hi] = next.equal_range(cur);
    for (auto it = lo; it != hi; ++it) stack.push_back(it->second);
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
  if (m_sources.count(to))
    return Status::error("input '" + ports[size_t(to.port)] + "' of " + dst->name + " is already connected");
  return {};
}

Status Graph::connect(PortRef from, PortRef to) {
  if (Status s = canConnect(from, to); !s) return s;
  Edge e{from, to};
  m_edges.push_back(e);
  m_sources.emplace(to, from);
  for (auto* o : m_observers) o->edgeAdded(e);
  return {};
}

Status Graph::disconnect(PortRef to) {
  auto it = m_sources.count(to) ? std::find_if(m_edges.begin(), m_edges.end(), [&](const Edge& e) { return e.to == to; })
                                 : m_edges.end();
  if (it == m_edges.end()) return Status::error("input port " + std::to_string(to.port) + " of node " +
                                                std::to_string(to.node) + " is not connected");
  Edge e = *it;
  m_edges.erase(it);
  m_sources.erase(to);
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
  if (Status s = checkName(name); !s) return s;
  if (auto it = m_names.find(name); it != m_names.end() && it->second != id)
    return Status::error("node name '" + printableExcerpt(name) + "' is already used");
  m_names.erase(m_nodes.at(id).name);
  m_names[name] = id;
  m_nodes.at(id).name = name;
  for (auto* o : m_observers) o->nodeRenamed(id);
  return {};
}

Status Graph::move(NodeId id, double x, double y) {
  if (Status s = checkNode(id); !s) return s;
  if (Status s = checkPosition(x, y); !s) return Status::error(m_nodes.at(id).name + ": " + s.message());
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
  auto it = m_sources.find(to);
  if (it == m_sources.end()) return std::nullopt;
  return Edge{it->second, to};
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

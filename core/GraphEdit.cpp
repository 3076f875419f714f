#include "core/GraphEdit.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace nc::core {

Graph subgraph(const Graph& graph, const std::set<NodeId>& nodes) {
  Graph out;
  for (NodeId id : nodes)
    if (const Node* n = graph.node(id)) out.insertNode(*n);
  for (const Edge& e : graph.edges())
    if (nodes.count(e.from.node) && nodes.count(e.to.node)) out.connect(e.from, e.to);
  return out;
}

std::string freeNodeName(const Graph& graph, const std::string& wanted) {
  std::set<std::string> used;
  for (const auto& [id, n] : graph.nodes()) used.insert(n.name);
  if (!used.count(wanted)) return wanted;
  size_t end = wanted.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(wanted[end - 1]))) --end;
  std::string stem = end > 0 ? wanted.substr(0, end) : wanted;
  for (int i = 1;; ++i) {
    std::string candidate = stem + std::to_string(i);
    if (!used.count(candidate)) return candidate;
  }
}

std::vector<NodeId> pasteGraph(Graph& target, const Graph& fragment, double dx, double dy) {
  std::map<NodeId, NodeId> newId;
  std::vector<NodeId> created;
  for (const auto& [id, n] : fragment.nodes()) {
    Node copy = n;
    copy.id = target.nextId();
    copy.name = freeNodeName(target, n.name);
    copy.x += dx;
    copy.y += dy;
    if (target.insertNode(copy)) {
      newId[id] = copy.id;
      created.push_back(copy.id);
    }
  }
  for (const Edge& e : fragment.edges()) {
    auto from = newId.find(e.from.node), to = newId.find(e.to.node);
    if (from != newId.end() && to != newId.end())
      target.connect({from->second, e.from.port}, {to->second, e.to.port});
  }
  return created;
}

namespace {

/// Column of every node: longest path from a source; nodes left on cycles go one past the end.
std::map<NodeId, int> assignColumns(const Graph& graph) {
  std::map<NodeId, int> indegree, column;
  std::map<NodeId, std::vector<NodeId>> next;  // built once (Graph::edgesFrom is linear per call)
  for (const auto& [id, n] : graph.nodes()) indegree[id] = 0;
  for (const Edge& e : graph.edges()) {
    ++indegree[e.to.node];
    next[e.from.node].push_back(e.to.node);
  }
  std::vector<NodeId> ready;
  for (const auto& [id, d] : indegree)
    if (d == 0) ready.push_back(id);
  int deepest = 0;
  while (!ready.empty()) {
    NodeId id = ready.back();
    ready.pop_back();
    int c = column[id];
    deepest = std::max(deepest, c);
    for (NodeId to : next[id]) {
      column[to] = std::max(column[to], c + 1);
      if (--indegree[to] == 0) ready.push_back(to);
    }
  }
  for (const auto& [id, d] : indegree)
    if (d > 0) column[id] = deepest + 1;
  return column;
}

/// Mean index of `neighbours` within the adjacent column (`index`), or -1 when none is there.
double barycentre(const std::vector<NodeId>& neighbours, const std::map<NodeId, int>& index) {
  double sum = 0;
  int count = 0;
  for (NodeId n : neighbours) {
    auto it = index.find(n);
    if (it == index.end()) continue;
    sum += it->second;
    ++count;
  }
  return count ? sum / count : -1;
}

}  // namespace

std::map<NodeId, std::pair<double, double>> layeredLayout(const Graph& graph, LayoutSpacing spacing) {
  std::map<NodeId, int> column = assignColumns(graph);
  int columns = 0;
  for (const auto& [id, c] : column) columns = std::max(columns, c + 1);
  std::vector<std::vector<NodeId>> order(static_cast<size_t>(columns));
  // Start from the current vertical order, so a layout the user arranged changes least.
  std::vector<NodeId> byY;
  for (const auto& [id, n] : graph.nodes()) byY.push_back(id);
  std::stable_sort(byY.begin(), byY.end(),
                   [&](NodeId a, NodeId b) { return graph.node(a)->y < graph.node(b)->y; });
  for (NodeId id : byY) order[size_t(column[id])].push_back(id);

  std::map<NodeId, std::vector<NodeId>> preds, succs;
  for (const Edge& e : graph.edges()) {
    preds[e.to.node].push_back(e.from.node);
    succs[e.from.node].push_back(e.to.node);
  }
  auto sweep = [&](int c, int neighbourColumn, std::map<NodeId, std::vector<NodeId>>& links) {
    std::map<NodeId, int> index;
    for (size_t i = 0; i < order[size_t(neighbourColumn)].size(); ++i) index[order[size_t(neighbourColumn)][i]] = int(i);
    std::vector<std::pair<double, NodeId>> keyed;
    auto& col = order[size_t(c)];
    for (size_t i = 0; i < col.size(); ++i) {
      double b = barycentre(links[col[i]], index);
      keyed.push_back({b < 0 ? double(i) : b, col[i]});  // nodes without neighbours keep their place
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < col.size(); ++i) col[i] = keyed[i].second;
  };
  for (int pass = 0; pass < 4; ++pass) {
    for (int c = 1; c < columns; ++c) sweep(c, c - 1, preds);
    for (int c = columns - 2; c >= 0; --c) sweep(c, c + 1, succs);
  }

  size_t tallest = 1;
  for (const auto& col : order) tallest = std::max(tallest, col.size());
  const int perBand = spacing.wrapColumns > 0 ? spacing.wrapColumns : std::max(columns, 1);
  const double bandHeight = spacing.row * double(tallest) + spacing.row * 0.6;
  std::map<NodeId, std::pair<double, double>> positions;
  for (int c = 0; c < columns; ++c) {
    const auto& col = order[size_t(c)];
    double top = -spacing.row * double(col.size() - 1) / 2 + double(c / perBand) * bandHeight;
    for (size_t i = 0; i < col.size(); ++i)
      positions[col[i]] = {double(c % perBand) * spacing.column, top + double(i) * spacing.row};
  }
  return positions;
}

int countCrossings(const Graph& graph, const std::map<NodeId, std::pair<double, double>>& positions) {
  auto pos = [&](NodeId id) { return positions.at(id); };
  int crossings = 0;
  const auto& edges = graph.edges();
  for (size_t i = 0; i < edges.size(); ++i)
    for (size_t j = i + 1; j < edges.size(); ++j) {
      auto a0 = pos(edges[i].from.node), a1 = pos(edges[i].to.node);
      auto b0 = pos(edges[j].from.node), b1 = pos(edges[j].to.node);
      if (a0.first != b0.first || a1.first != b1.first) continue;  // only edges spanning the same columns
      if ((a0.second - b0.second) * (a1.second - b1.second) < 0) ++crossings;
    }
  return crossings;
}

}  // namespace nc::core

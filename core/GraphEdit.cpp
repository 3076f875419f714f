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

LayoutSpacing LayoutSpacing::forDirection(LayoutDirection direction) {
  LayoutSpacing s;
  s.direction = direction;
  if (direction == LayoutDirection::LeftRight) {
    s.betweenLayers = 320;  // a 172 px card plus room for a shape label written along the edge
    s.withinLayer = 130;    // the tallest usual card (~110 px) plus a gap
  }
  return s;
}

namespace {

/// Layer of every node: longest path from a source; nodes left on cycles go one past the end.
std::vector<int> assignLayers(const std::vector<std::vector<int>>& next, std::vector<int> indegree) {
  const size_t n = indegree.size();
  std::vector<int> layer(n, 0);
  std::vector<int> ready;
  for (size_t i = 0; i < n; ++i)
    if (indegree[i] == 0) ready.push_back(int(i));
  int deepest = 0;
  while (!ready.empty()) {
    int v = ready.back();
    ready.pop_back();
    deepest = std::max(deepest, layer[size_t(v)]);
    for (int to : next[size_t(v)]) {
      layer[size_t(to)] = std::max(layer[size_t(to)], layer[size_t(v)] + 1);
      if (--indegree[size_t(to)] == 0) ready.push_back(to);
    }
  }
  for (size_t i = 0; i < n; ++i)
    if (indegree[i] > 0) layer[i] = deepest + 1;
  return layer;
}

/// Crossings between two adjacent layers: pairs of links (upper slot, lower slot) whose order
/// differs at the two ends. Counted as inversions with a Fenwick tree, O(E log V).
int64_t crossingsBetween(std::vector<std::pair<int, int>> links, size_t lowerSize) {
  std::sort(links.begin(), links.end());
  std::vector<int64_t> tree(lowerSize + 1, 0);
  int64_t count = 0, seen = 0;
  for (const auto& [upper, lower] : links) {
    // links already added whose lower slot is greater than this one's cross it
    int64_t atMost = 0;
    for (size_t i = size_t(lower) + 1; i > 0; i -= i & (~i + 1)) atMost += tree[i];
    count += seen - atMost;
    for (size_t i = size_t(lower) + 1; i <= lowerSize; i += i & (~i + 1)) ++tree[i];
    ++seen;
  }
  return count;
}

/// The layered drawing's bookkeeping: real nodes are 0..real-1, the slots reserved for long edges
/// follow. `down[v]` / `up[v]` are links to the next / previous layer only.
struct Layering {
  size_t real = 0;
  std::vector<int> layer;
  std::vector<std::vector<int>> down, up;
  std::vector<std::vector<int>> order;  // per layer, left-to-right (or top-to-bottom) slots
  std::vector<int> slot;                // index of each vertex within its layer

  void renumber(size_t l) {
    for (size_t i = 0; i < order[l].size(); ++i) slot[size_t(order[l][i])] = int(i);
  }
  int64_t crossings() const {
    int64_t total = 0;
    for (size_t l = 0; l + 1 < order.size(); ++l) {
      std::vector<std::pair<int, int>> links;
      for (int v : order[l])
        for (int w : down[size_t(v)]) links.push_back({slot[size_t(v)], slot[size_t(w)]});
      total += crossingsBetween(std::move(links), order[l + 1].size());
    }
    return total;
  }
  /// Reorders layer l by the mean slot of each vertex's links into the neighbouring layer.
  void sweep(size_t l, bool fromAbove) {
    auto& row = order[l];
    std::vector<std::pair<double, int>> keyed;
    keyed.reserve(row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      const auto& links = fromAbove ? up[size_t(row[i])] : down[size_t(row[i])];
      double sum = 0;
      for (int w : links) sum += slot[size_t(w)];
      keyed.push_back({links.empty() ? double(i) : sum / double(links.size()), row[i]});  // unlinked keep their place
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < row.size(); ++i) row[i] = keyed[i].second;
    renumber(l);
  }
};

/// No more slots than this are reserved for long edges (a pathological graph stays near-linear).
constexpr size_t kMaxEdgeSlots = 200000;

}  // namespace

std::map<NodeId, std::pair<double, double>> layeredLayout(const Graph& graph, LayoutSpacing spacing) {
  if (graph.nodes().empty()) return {};
  const bool topDown = spacing.direction == LayoutDirection::TopDown;
  Layering g;
  std::vector<NodeId> ids;
  std::map<NodeId, int> index;
  for (const auto& [id, n] : graph.nodes()) {
    index[id] = int(ids.size());
    ids.push_back(id);
  }
  g.real = ids.size();
  {
    std::vector<std::vector<int>> next(g.real);
    std::vector<int> indegree(g.real, 0);
    for (const Edge& e : graph.edges()) {
      next[size_t(index[e.from.node])].push_back(index[e.to.node]);
      ++indegree[size_t(index[e.to.node])];
    }
    g.layer = assignLayers(next, indegree);
  }
  g.down.resize(g.real);
  g.up.resize(g.real);
  size_t extra = 0;
  for (const Edge& e : graph.edges()) {
    int from = index[e.from.node], to = index[e.to.node];
    int a = g.layer[size_t(from)], b = g.layer[size_t(to)];
    if (b <= a) continue;  // an edge into the cycle layer from within it: not part of the ordering
    if (b - a > 1 && extra + size_t(b - a - 1) > kMaxEdgeSlots) continue;
    int prev = from;
    for (int l = a + 1; l <= b; ++l) {
      int v = to;
      if (l < b) {  // a slot for the edge in a layer it passes through
        v = int(g.layer.size());
        g.layer.push_back(l);
        g.down.emplace_back();
        g.up.emplace_back();
        ++extra;
      }
      g.down[size_t(prev)].push_back(v);
      g.up[size_t(v)].push_back(prev);
      prev = v;
    }
  }
  int layers = 0;
  for (int l : g.layer) layers = std::max(layers, l + 1);
  g.order.assign(size_t(layers), {});
  g.slot.assign(g.layer.size(), 0);

  // Start from the current order within each layer, along the axis its nodes are spread over more
  // (so switching direction keeps the arrangement); edge slots start after the nodes.
  {
    std::vector<std::vector<int>> realIn(static_cast<size_t>(layers));
    for (size_t v = 0; v < g.real; ++v) realIn[size_t(g.layer[v])].push_back(int(v));
    for (size_t l = 0; l < size_t(layers); ++l) {
      double minX = 1e300, maxX = -1e300, minY = 1e300, maxY = -1e300;
      for (int v : realIn[l]) {
        const Node* n = graph.node(ids[size_t(v)]);
        minX = std::min(minX, n->x), maxX = std::max(maxX, n->x);
        minY = std::min(minY, n->y), maxY = std::max(maxY, n->y);
      }
      const double spreadX = maxX - minX, spreadY = maxY - minY;
      const bool byX = spreadX > spreadY || (spreadX == spreadY && topDown);
      std::stable_sort(realIn[l].begin(), realIn[l].end(), [&](int a, int b) {
        const Node* na = graph.node(ids[size_t(a)]);
        const Node* nb = graph.node(ids[size_t(b)]);
        return byX ? na->x < nb->x : na->y < nb->y;
      });
      g.order[l] = realIn[l];
    }
    for (size_t v = g.real; v < g.layer.size(); ++v) g.order[size_t(g.layer[v])].push_back(int(v));
    for (size_t l = 0; l < size_t(layers); ++l) g.renumber(l);
  }

  // Barycentre sweeps down and up; keep the best order seen.
  std::vector<std::vector<int>> best = g.order;
  int64_t fewest = g.crossings();
  for (int pass = 0; pass < 6 && fewest > 0; ++pass) {
    for (size_t l = 1; l < size_t(layers); ++l) g.sweep(l, true);
    for (size_t l = size_t(layers) - 1; l-- > 0;) g.sweep(l, false);
    int64_t now = g.crossings();
    if (now < fewest) {
      fewest = now;
      best = g.order;
    }
  }

  std::map<NodeId, std::pair<double, double>> positions;
  for (size_t l = 0; l < best.size(); ++l) {
    const auto& row = best[l];
    const double first = -spacing.withinLayer * double(row.size() - 1) / 2;  // centred on 0
    const double along = double(l) * spacing.betweenLayers;
    for (size_t i = 0; i < row.size(); ++i) {
      if (size_t(row[i]) >= g.real) continue;
      const double across = first + double(i) * spacing.withinLayer;
      positions[ids[size_t(row[i])]] = topDown ? std::make_pair(across, along) : std::make_pair(along, across);
    }
  }
  return positions;
}

int countCrossings(const Graph& graph, const std::map<NodeId, std::pair<double, double>>& positions,
                   LayoutDirection direction) {
  // (layer coordinate, position within the layer) of a node
  auto at = [&](NodeId id) {
    auto p = positions.at(id);
    return direction == LayoutDirection::TopDown ? std::make_pair(p.second, p.first) : p;
  };
  int crossings = 0;
  const auto& edges = graph.edges();
  for (size_t i = 0; i < edges.size(); ++i)
    for (size_t j = i + 1; j < edges.size(); ++j) {
      auto a0 = at(edges[i].from.node), a1 = at(edges[i].to.node);
      auto b0 = at(edges[j].from.node), b1 = at(edges[j].to.node);
      if (a0.first != b0.first || a1.first != b1.first) continue;  // only edges spanning the same layers
      if ((a0.second - b0.second) * (a1.second - b1.second) < 0) ++crossings;
    }
  return crossings;
}

}  // namespace nc::core

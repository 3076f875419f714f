#include "core/ShapeInference.h"

#include <algorithm>
#include <queue>
#include <set>

#include "core/CheckedMath.h"
#include "core/LayerType.h"

namespace nc::core {

bool GraphAnalysis::ok() const {
  return std::none_of(issues.begin(), issues.end(), [](const GraphIssue& i) { return i.severity == Severity::Error; });
}

const TensorShape* GraphAnalysis::shapeOf(NodeId node) const {
  auto it = outputShapes.find(node);
  return it == outputShapes.end() ? nullptr : &it->second;
}

std::vector<const GraphIssue*> GraphAnalysis::issuesFor(NodeId node) const {
  std::vector<const GraphIssue*> out;
  for (const auto& i : issues)
    if (i.node == node) out.push_back(&i);
  return out;
}

const TensorShape* GraphAnalysis::modelOutput() const {
  auto it = inputShapes.find(outputNode);
  if (it == inputShapes.end() || it->second.empty()) return nullptr;
  return &it->second.front();
}

namespace {

struct Adjacency {
  std::map<NodeId, std::vector<NodeId>> succ, pred;
  std::map<NodeId, std::vector<std::optional<PortRef>>> inputs;  // per input port: source
};

Adjacency buildAdjacency(const Graph& g) {
  Adjacency a;
  for (const auto& [id, n] : g.nodes()) {
    a.succ[id];
    a.pred[id];
    a.inputs[id].resize(n.layer->inputPorts(Params(n.params)).size());
  }
  for (const auto& e : g.edges()) {
    a.succ[e.from.node].push_back(e.to.node);
    a.pred[e.to.node].push_back(e.from.node);
    auto& ins = a.inputs[e.to.node];
    if (e.to.port < int(ins.size())) ins[size_t(e.to.port)] = e.from;
  }
  return a;
}

std::set<NodeId> reach(NodeId start, const std::map<NodeId, std::vector<NodeId>>& next) {
  std::set<NodeId> seen;
  std::vector<NodeId> stack{start};
  while (!stack.empty()) {
    NodeId cur = stack.back();
    stack.pop_back();
    if (!seen.insert(cur).second) continue;
    for (NodeId n : next.at(cur)) stack.push_back(n);
  }
  return seen;
}

/// Nodes that lie on a cycle (a strongly connected component of more than one node), among the
/// nodes that Kahn's algorithm could not order. Iterative Tarjan: linear, no recursion.
std::set<NodeId> nodesOnCycles(const Graph& g, const Adjacency& adj, const std::set<NodeId>& ordered) {
  std::map<NodeId, int64_t> index, low;
  std::set<NodeId> onStack, result;
  std::vector<NodeId> stack;
  int64_t counter = 0;
  struct Frame {
    NodeId node;
    size_t next;
  };
  auto visit = [&](NodeId v, std::vector<Frame>& calls) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    onStack.insert(v);
    calls.push_back({v, 0});
  };
  for (const auto& [root, n] : g.nodes()) {
    if (ordered.count(root) || index.count(root)) continue;
    std::vector<Frame> calls;
    visit(root, calls);
    while (!calls.empty()) {
      const NodeId v = calls.back().node;
      const auto& succ = adj.succ.at(v);
      if (calls.back().next < succ.size()) {
        const NodeId w = succ[calls.back().next++];
        if (ordered.count(w)) continue;  // ordered nodes are on no cycle
        if (!index.count(w)) visit(w, calls);
        else if (onStack.count(w)) low[v] = std::min(low[v], index[w]);
        continue;
      }
      if (low[v] == index[v]) {  // v roots a component: pop it
        std::vector<NodeId> component;
        NodeId w;
        do {
          w = stack.back();
          stack.pop_back();
          onStack.erase(w);
          component.push_back(w);
        } while (w != v);
        if (component.size() > 1) result.insert(component.begin(), component.end());
      }
      calls.pop_back();
      if (!calls.empty()) low[calls.back().node] = std::min(low[calls.back().node], low[v]);
    }
  }
  return result;
}

/// 1234567 -> "1,234,567"
std::string grouped(int64_t n) {
  std::string s = std::to_string(n);
  for (int i = int(s.size()) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3) s.insert(size_t(i), ",");
  return s;
}

std::string limitText(int64_t limit, int log2) {
  return "the limit of 2^" + std::to_string(log2) + " (" + grouped(limit) + ")";
}

/// Why a shape is not acceptable (an empty dimension, more elements than the limit), or "".
std::string sizeProblem(const TensorShape& s) {
  for (int64_t d : s.dims)
    if (d < 1) return "its output " + s.str() + " has a dimension of size " + std::to_string(d);
  std::optional<int64_t> n = checkedProduct(s.dims);
  if (!n) return "its output " + s.str() + " has more elements per sample than a 64-bit integer can count";
  if (*n > kMaxElementsPerSample)
    return "its output " + s.str() + " has " + grouped(*n) + " elements per sample, more than " +
           limitText(kMaxElementsPerSample, 40);
  return {};
}

void checkEndpoints(const Graph& g, GraphAnalysis& r) {
  std::vector<NodeId> inputs, outputs;
  for (const auto& [id, n] : g.nodes()) {
    if (n.layer->isInput()) inputs.push_back(id);
    if (n.layer->isOutput()) outputs.push_back(id);
  }
  if (inputs.empty()) r.issues.push_back({-1, Severity::Error, "the graph has no Input node"});
  if (outputs.empty()) r.issues.push_back({-1, Severity::Error, "the graph has no Output node"});
  for (size_t i = 1; i < inputs.size(); ++i)
    r.issues.push_back({inputs[i], Severity::Error,
                        "only one Input is supported; " + g.node(inputs[0])->name + " is already the Input"});
  for (size_t i = 1; i < outputs.size(); ++i)
    r.issues.push_back({outputs[i], Severity::Error,
                        "only one Output is supported; " + g.node(outputs[0])->name + " is already the Output"});
  if (!inputs.empty()) r.inputNode = inputs[0];
  if (!outputs.empty()) r.outputNode = outputs[0];
}

}  // namespace

GraphAnalysis analyze(const Graph& g) {
  GraphAnalysis r;
  checkEndpoints(g, r);
  Adjacency adj = buildAdjacency(g);

  // Kahn's algorithm; nodes left over sit on or behind a cycle.
  std::map<NodeId, size_t> indegree;
  for (const auto& [id, preds] : adj.pred) indegree[id] = preds.size();
  std::queue<NodeId> ready;
  for (const auto& [id, d] : indegree)
    if (d == 0) ready.push(id);
  while (!ready.empty()) {
    NodeId cur = ready.front();
    ready.pop();
    r.order.push_back(cur);
    for (NodeId s : adj.succ[cur])
      if (--indegree[s] == 0) ready.push(s);
  }
  std::set<NodeId> ordered(r.order.begin(), r.order.end());
  // Only nodes that are themselves on a cycle are reported; nodes downstream of one are simply
  // left without a shape.
  for (NodeId id : nodesOnCycles(g, adj, ordered))
    r.issues.push_back({id, Severity::Error,
                        g.node(id)->name + " is part of a cycle; a model must flow one way from Input to Output"});

  for (NodeId id : r.order) {
    const Node& n = *g.node(id);
    const auto& ports = adj.inputs[id];
    auto portNames = n.layer->inputPorts(Params(n.params));
    std::vector<TensorShape> in;
    bool complete = true;
    for (size_t p = 0; p < ports.size(); ++p) {
      if (!ports[p]) {
        std::string port = ports.size() > 1 ? "input '" + portNames[p] + "'" : "its input";
        r.issues.push_back({id, Severity::Error, n.name + ": " + port + " is not connected"});
        complete = false;
        continue;
      }
      const TensorShape* s = r.shapeOf(ports[p]->node);
      if (!s) {
        complete = false;  // upstream problem, already reported there
        continue;
      }
      in.push_back(*s);
    }
    if (!complete) continue;
    r.inputShapes[id] = in;
    Params params(n.params);
    ShapeResult res = n.layer->infer(LayerContext{params, in});
    if (!res.ok()) {
      r.issues.push_back({id, Severity::Error, res.error});
      continue;
    }
    if (res.output) {
      if (std::string problem = sizeProblem(*res.output); !problem.empty()) {
        r.issues.push_back({id, Severity::Error, n.name + ": " + problem});
        continue;
      }
      r.outputShapes[id] = *res.output;
    }
    // Counts saturate instead of overflowing; absurd ones are errors on the node.
    const LayerContext ctx{params, r.inputShapes[id]};
    const int64_t count = n.layer->paramCount(ctx);
    if (count > kMaxParameters)
      r.issues.push_back({id, Severity::Error,
                          n.name + " would have " + (count == kSaturated ? "more than 9.2e18" : grouped(count)) +
                              " parameters, more than " + limitText(kMaxParameters, 40)});
    static const TensorShape kNone;
    const int64_t flops = n.layer->flops(ctx, res.output ? *res.output : kNone);
    if (flops > kMaxFlopsPerSample)
      r.issues.push_back({id, Severity::Error,
                          n.name + " would need " + (flops == kSaturated ? "more than 9.2e18" : grouped(flops)) +
                              " FLOPs per sample, more than " + limitText(kMaxFlopsPerSample, 50)});
  }

  // Nodes that do not take part in computing the Output.
  if (r.inputNode >= 0 && r.outputNode >= 0) {
    std::set<NodeId> fromInput = reach(r.inputNode, adj.succ);
    std::set<NodeId> toOutput = reach(r.outputNode, adj.pred);
    if (!toOutput.count(r.inputNode) && ordered.count(r.outputNode))
      r.issues.push_back({r.outputNode, Severity::Error, "the Output is not reachable from the Input"});
    for (NodeId id : r.order) {
      const Node& n = *g.node(id);
      bool a = fromInput.count(id) > 0, b = toOutput.count(id) > 0;
      // (!a && b: fed by a node with an unconnected input, which is reported already.)
      if (a && b)
        r.live.push_back(id);
      else if (!a && !b)
        r.issues.push_back({id, Severity::Warning, n.name + " is not connected to the model and is ignored"});
      else if (a && !b)
        r.issues.push_back({id, Severity::Warning, n.name + "'s result never reaches the Output and is ignored"});
    }
    const int64_t total = summarize(g, r).params;
    if (total > kMaxParameters)
      r.issues.push_back({-1, Severity::Error,
                          "the model would have " + (total == kSaturated ? "more than 9.2e18" : grouped(total)) +
                              " parameters, more than " + limitText(kMaxParameters, 40)});
  }
  return r;
}

namespace {
/// Whether shape inference succeeded for the node (only then may its counts be computed: a
/// layer's counts may assume the input checks of its infer()).
bool inferred(const Node& n, const GraphAnalysis& a) {
  return a.inputShapes.count(n.id) && (a.shapeOf(n.id) || n.layer->isOutput());
}
}  // namespace

int64_t nodeParamCount(const Node& n, const GraphAnalysis& a) {
  if (!inferred(n, a)) return 0;
  auto it = a.inputShapes.find(n.id);
  Params p(n.params);
  return n.layer->paramCount(LayerContext{p, it->second});
}

int64_t nodeFlops(const Node& n, const GraphAnalysis& a) {
  if (!inferred(n, a)) return 0;
  auto it = a.inputShapes.find(n.id);
  const TensorShape* out = a.shapeOf(n.id);
  static const TensorShape kNone;
  Params p(n.params);
  return n.layer->flops(LayerContext{p, it->second}, out ? *out : kNone);
}

GraphSummary summarize(const Graph& g, const GraphAnalysis& a) {
  GraphSummary s;
  for (NodeId id : a.live) {
    s.params = satAdd(s.params, nodeParamCount(*g.node(id), a));
    s.flops = satAdd(s.flops, nodeFlops(*g.node(id), a));
  }
  return s;
}

}  // namespace nc::core

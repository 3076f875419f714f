#pragma once
// Graphs the benchmarks share.
#include "core/Graph.h"

namespace nc::bench {

/// A residual MLP tower: Input -> Flatten -> Linear, then blocks of Linear -> ReLU -> Add(skip),
/// until the graph holds about `target` nodes, then Linear(10) -> Output. Nodes are placed in a
/// left-to-right chain as an editor would show them.
inline core::Graph residualTower(int target) {
  using core::NodeId;
  core::Graph g;
  double x = 0;
  auto add = [&](const char* type) {
    NodeId id = *g.addNode(type, x, (g.nodes().size() % 3) * 120.0);
    x += 230;
    return id;
  };
  NodeId in = add("Input");
  NodeId prev = add("Flatten");
  g.connect({in, 0}, {prev, 0});
  NodeId lin = add("Linear");
  g.connect({prev, 0}, {lin, 0});
  prev = lin;
  while (int(g.nodes().size()) + 5 < target) {
    NodeId a = add("Linear");
    NodeId r = add("ReLU");
    NodeId sum = add("Add");
    g.connect({prev, 0}, {a, 0});
    g.connect({a, 0}, {r, 0});
    g.connect({r, 0}, {sum, 0});
    g.connect({prev, 0}, {sum, 1});
    prev = sum;
  }
  NodeId head = add("Linear");
  g.setParam(head, "out_features", int64_t{10});
  NodeId out = add("Output");
  g.connect({prev, 0}, {head, 0});
  g.connect({head, 0}, {out, 0});
  return g;
}

}  // namespace nc::bench

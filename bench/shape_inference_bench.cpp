// Shape-inference benchmark: how long the editor's full re-analysis of a 200-node graph takes.
// Prints median and 99th percentile over many runs. Usage: nc_bench_shape_inference [nodes] [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/Graph.h"
#include "core/ShapeInference.h"

using namespace nc::core;

namespace {

/// A residual MLP tower: Input -> Flatten -> Linear, then blocks of Linear -> ReLU -> Add(skip),
/// until the graph holds about `target` nodes, then Linear(10) -> Output.
Graph buildGraph(int target) {
  Graph g;
  NodeId in = *g.addNode("Input");
  NodeId prev = *g.addNode("Flatten");
  g.connect({in, 0}, {prev, 0});
  NodeId lin = *g.addNode("Linear");
  g.connect({prev, 0}, {lin, 0});
  prev = lin;
  while (int(g.nodes().size()) + 5 < target) {
    NodeId a = *g.addNode("Linear");
    NodeId r = *g.addNode("ReLU");
    NodeId add = *g.addNode("Add");
    g.connect({prev, 0}, {a, 0});
    g.connect({a, 0}, {r, 0});
    g.connect({r, 0}, {add, 0});
    g.connect({prev, 0}, {add, 1});
    prev = add;
  }
  NodeId head = *g.addNode("Linear");
  g.setParam(head, "out_features", int64_t{10});
  NodeId out = *g.addNode("Output");
  g.connect({prev, 0}, {head, 0});
  g.connect({head, 0}, {out, 0});
  return g;
}

}  // namespace

int main(int argc, char** argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 200;
  int runs = argc > 2 ? std::atoi(argv[2]) : 2000;
  Graph g = buildGraph(nodes);
  GraphAnalysis first = analyze(g);
  if (!first.ok()) {
    std::fprintf(stderr, "benchmark graph is invalid: %s\n", first.issues.front().message.c_str());
    return 1;
  }
  std::vector<double> ms;
  ms.reserve(size_t(runs));
  // Each run is one editor edit: change a parameter, then re-analyse the whole graph.
  NodeId target = g.nodes().rbegin()->first - 1;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    g.setParam(target, "out_features", int64_t{10 + i % 2});
    GraphAnalysis a = analyze(g);
    auto t1 = std::chrono::steady_clock::now();
    if (a.order.size() != g.nodes().size()) return 1;
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("shape inference, %zu nodes, %zu edges, %d runs (edit + full re-analysis)\n", g.nodes().size(),
              g.edges().size(), runs);
  std::printf("  median %.3f ms   p99 %.3f ms   max %.3f ms   (target: a few ms)\n", ms[ms.size() / 2],
              ms[size_t(double(ms.size()) * 0.99)], ms.back());
  return 0;
}

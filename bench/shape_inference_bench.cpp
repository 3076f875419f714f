// Shape-inference benchmark: how long the editor's full re-analysis of a 200-node graph takes.
// Prints median and 99th percentile over many runs. Usage: nc_bench_shape_inference [nodes] [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/Graph.h"
#include "core/ShapeInference.h"
#include "bench/BenchGraphs.h"

using namespace nc::core;


int main(int argc, char** argv) {
  int nodes = argc > 1 ? std::atoi(argv[1]) : 200;
  int runs = argc > 2 ? std::atoi(argv[2]) : 2000;
  Graph g = nc::bench::residualTower(nodes);
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

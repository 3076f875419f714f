// Editor benchmark: how the canvas copes with a 200-node graph. Offscreen; prints median and
// 99th percentile of (1) a parameter edit as the inspector makes it (undo snapshot, shape
// re-analysis, scene re-sync of every card and edge label), (2) a move as a drag commits it,
// (3) one full repaint of a 1600x1000 view showing the whole graph, and (4) auto-layout.
// The reference is a 60 Hz frame: 16.7 ms. Usage: nc_bench_editor [nodes] [runs]
#include <QApplication>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "bench/BenchGraphs.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"

using namespace nc;

namespace {

void report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("  %-34s median %7.2f ms   p99 %7.2f ms   max %7.2f ms   frame ratio (p99/16.7) %.2f\n", what,
              ms[ms.size() / 2], ms[size_t(double(ms.size()) * 0.99)], ms.back(), ms[size_t(double(ms.size()) * 0.99)] / 16.7);
}

std::vector<double> time(int runs, const std::function<void(int)>& body) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    body(i);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QApplication app(argc, argv);
  int nodes = argc > 1 ? std::atoi(argv[1]) : 200;
  int runs = argc > 2 ? std::atoi(argv[2]) : 200;
  core::Project project;
  project.name = "bench";
  project.graph = bench::residualTower(nodes);
  widgets::GraphEditor editor;
  widgets::GraphScene scene(&editor);
  widgets::GraphView view(&scene);
  view.resize(1600, 1000);
  editor.setProject(project);
  if (!editor.analysis().ok()) {
    std::fprintf(stderr, "benchmark graph is invalid\n");
    return 1;
  }
  std::printf("editor, %zu nodes, %zu edges, %d runs each\n", editor.graph().nodes().size(), editor.graph().edges().size(), runs);
  core::NodeId target = editor.graph().nodes().rbegin()->first - 1;
  report("parameter edit (undoable + re-sync)", time(runs, [&](int i) {
           editor.setParam(target, "out_features", int64_t{10 + i % 2});
         }));
  core::NodeId mover = editor.graph().nodes().begin()->first + 5;
  report("move commit", time(runs, [&](int i) {
           editor.moveNodes({{mover, QPointF(1000 + i, 40)}});
         }));
  view.fitToContents();
  QImage frame(view.size(), QImage::Format_ARGB32_Premultiplied);
  report("full repaint, whole graph in view", time(std::max(20, runs / 10), [&](int) {
           QPainter p(&frame);
           view.render(&p);
         }));
  report("auto-layout (undoable + re-sync)", time(std::max(20, runs / 10), [&](int) { editor.autoLayout(); }));
  return 0;
}

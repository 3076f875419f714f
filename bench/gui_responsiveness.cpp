// GUI responsiveness while training: builds the training panel offscreen, trains the CNN template
// on the real Fashion-MNIST data for a while, and measures how late a 10 ms timer fires on the GUI
// thread (the event loop's stalls), plus how often the charts were redrawn.
//
//   nc_bench_gui_responsiveness [--seconds N] [--threads N] [--limit N] [--screenshot FILE.png]
//
// --limit uses only the first N training samples (short epochs, for a screenshot with validation
// points). The screenshot (optional) is taken halfway through the measurement.
#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/gui/TrainingController.h"
#include "app/gui/TrainingPanel.h"
#include "widgets/TrainingDashboard.h"

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QApplication app(argc, argv);
  QApplication::setApplicationName("NeuralCanvasBench");
  double seconds = 20;
  int threads = -1;
  long long limit = 0;
  QString screenshot;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--limit") limit = std::atoll(argv[i + 1]);
    else if (a == "--screenshot") screenshot = argv[i + 1];
  }

  const std::string templatePath = std::string(NC_RESOURCE_DIR) + "/templates/cnn.json";
  nc::core::ProjectLoad load = nc::core::loadProject(templatePath);
  if (!load.ok()) {
    std::fprintf(stderr, "%s\n", load.error.c_str());
    return 1;
  }
  nc::core::Project project = *load.project;
  if (threads >= 0) project.training.threads = threads;
  if (limit > 0) project.data.limit = limit;
  project.training.epochs = std::max<int64_t>(project.training.epochs, 50);  // outlasts the measurement

  QTemporaryDir runs;
  nc::app::TrainingPanel panel;
  panel.setRunsRootOverride(runs.path());
  panel.setProjectSource([&] { return project; }, [] { return QString(); });
  panel.setSettings(project.data, project.training);
  panel.resize(1600, 1000);
  panel.show();

  int stepBatches = 0;
  QObject::connect(panel.controller(), &nc::app::TrainingController::steps,
                   [&](const QList<nc::core::StepMetrics>&) { ++stepBatches; });
  bool finished = false;
  QObject::connect(&panel, &nc::app::TrainingPanel::runFinished, [&] { finished = true; });

  // The probe: a 10 ms timer; lateness = time since the previous tick minus 10 ms.
  std::vector<double> lateMs;
  double worstMs = 0, worstAt = 0;  // the longest stall and when it ended (seconds into the run)
  QElapsedTimer clock;
  qint64 last = -1;
  bool measuring = false;
  QTimer probe;
  probe.setTimerType(Qt::PreciseTimer);
  probe.setInterval(10);
  QObject::connect(&probe, &QTimer::timeout, [&] {
    qint64 now = clock.nsecsElapsed();
    if (measuring && last >= 0) {
      lateMs.push_back(std::max(0.0, double(now - last) / 1e6 - 10.0));
      if (lateMs.back() > worstMs) {
        worstMs = lateMs.back();
        worstAt = double(now) / 1e9;
      }
    }
    last = now;
  });

  if (!panel.start()) {
    std::fprintf(stderr, "training did not start\n");
    return 1;
  }
  clock.start();
  probe.start();
  // Measure from the first step on (loading 60,000 images happens in the worker meanwhile).
  QElapsedTimer wall;
  wall.start();
  while (panel.dashboard()->stepCount() == 0 && !finished && wall.elapsed() < 120000) app.processEvents(QEventLoop::WaitForMoreEvents, 50);
  int updatesAtStart = panel.dashboard()->chartUpdates(), stepsAtStart = panel.dashboard()->stepCount();
  measuring = true;
  last = -1;
  QEventLoop loop;
  if (!screenshot.isEmpty())
    QTimer::singleShot(int(seconds * 500), &panel, [&] {
      panel.dashboard()->refreshNow();
      std::printf("screenshot: %s %s\n", qPrintable(screenshot), panel.grab().save(screenshot) ? "written" : "FAILED");
    });
  QTimer::singleShot(int(seconds * 1000), &loop, &QEventLoop::quit);
  loop.exec();
  measuring = false;
  int steps = panel.dashboard()->stepCount() - stepsAtStart;
  int updates = panel.dashboard()->chartUpdates() - updatesAtStart;

  QElapsedTimer stopClock;
  stopClock.start();
  panel.stop();
  while (panel.isRunActive()) app.processEvents(QEventLoop::WaitForMoreEvents, 50);
  double stopMs = double(stopClock.elapsed());

  std::printf("measured %.1f s of training (CNN template, Fashion-MNIST, batch %lld, threads %lld)\n", seconds,
              static_cast<long long>(project.training.batchSize), static_cast<long long>(project.training.threads));
  std::printf("timer ticks: %zu   lateness ms: p50 %.2f  p99 %.2f  max %.2f\n", lateMs.size(), percentile(lateMs, 50),
              percentile(lateMs, 99), worstMs);
  std::printf("longest stall ended %.1f s after start; stalls over 50 ms: %zu\n", worstAt,
              size_t(std::count_if(lateMs.begin(), lateMs.end(), [](double v) { return v > 50; })));
  std::printf("steps shown: %d (%.1f/s)   step batches: %d (%.1f/s)   chart redraws: %d (%.1f/s)\n", steps,
              steps / seconds, stepBatches, stepBatches / seconds, updates, updates / seconds);
  std::printf("stop took %.0f ms\n", stopMs);
  return 0;
}

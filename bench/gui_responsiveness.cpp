// GUI responsiveness while training: builds the training panel offscreen, trains the CNN template
// on the real Fashion-MNIST data for a while, and measures how late a 10 ms timer fires on the GUI
// thread (the event loop's stalls), plus how often the charts were redrawn. Every event the GUI
// thread delivers is timed too: the slowest ones are listed with their receiver, to find stalls.
//
//   nc_bench_gui_responsiveness [--seconds N] [--threads N] [--limit N] [--load N]
//                               [--screenshot FILE.png]
//
// --load N starts N extra processes that each spin one core (a CPU-bound neighbour, as a build or
//   another training would be) for the whole measurement; they are killed at the end.
// --limit uses only the first N training samples (short epochs: more validation passes, run-list
//   refreshes and checkpoints per minute; also for a screenshot with validation points).
// The screenshot (optional) is taken halfway through the measurement.
// The load average is printed before and after: figures from an overloaded machine mean little.
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
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

std::string loadAverage() {
  QFile f("/proc/loadavg");
  if (!f.open(QIODevice::ReadOnly)) return "?";
  return f.readAll().trimmed().toStdString();
}

/// Child processes that each spin a core until killed (and die with this process).
std::vector<pid_t> startBusyProcesses(int count) {
  std::vector<pid_t> children;
  for (int i = 0; i < count; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      volatile unsigned long long x = 0;
      for (;;) x = x + 1;
    }
    if (pid > 0) children.push_back(pid);
  }
  return children;
}

void stopBusyProcesses(const std::vector<pid_t>& children) {
  for (pid_t pid : children) kill(pid, SIGKILL);
  for (pid_t pid : children) waitpid(pid, nullptr, 0);
}

/// The slowest event deliveries on the GUI thread (outermost only), with what received them.
struct SlowEvent {
  double ms = 0;
  double at = 0;  // seconds since the clock started
  QEvent::Type type = QEvent::None;
  std::string receiver;
};

class TimedApplication : public QApplication {
 public:
  using QApplication::QApplication;
  bool notify(QObject* receiver, QEvent* event) override {
    if (m_depth > 0 || !clock.isValid()) {
      ++m_depth;
      bool r = QApplication::notify(receiver, event);
      --m_depth;
      return r;
    }
    ++m_depth;
    qint64 t0 = clock.nsecsElapsed();
    QEvent::Type type = event->type();
    std::string name = receiver->metaObject()->className();
    if (!receiver->objectName().isEmpty()) name += " '" + receiver->objectName().toStdString() + "'";
    bool r = QApplication::notify(receiver, event);
    --m_depth;
    double ms = double(clock.nsecsElapsed() - t0) / 1e6;
    if (measuring && ms >= 5) {
      slow.push_back({ms, double(t0) / 1e9, type, name});
      std::sort(slow.begin(), slow.end(), [](const SlowEvent& a, const SlowEvent& b) { return a.ms > b.ms; });
      if (slow.size() > 8) slow.pop_back();
    }
    return r;
  }
  QElapsedTimer clock;
  bool measuring = false;
  std::vector<SlowEvent> slow;

 private:
  int m_depth = 0;
};

}  // namespace

int main(int argc, char** argv) {
  // Parse first: the busy processes are forked before any thread exists.
  double seconds = 20;
  int threads = -1, load = 0;
  long long limit = 0;
  QString screenshot;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seconds") seconds = std::atof(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else if (a == "--limit") limit = std::atoll(argv[i + 1]);
    else if (a == "--load") load = std::max(0, std::atoi(argv[i + 1]));
    else if (a == "--screenshot") screenshot = argv[i + 1];
  }
  std::printf("load average before: %s\n", loadAverage().c_str());
  std::vector<pid_t> busy = startBusyProcesses(load);

  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  TimedApplication app(argc, argv);
  QApplication::setApplicationName("NeuralCanvasBench");

  const std::string templatePath = std::string(NC_RESOURCE_DIR) + "/templates/cnn.json";
  nc::core::ProjectLoad load_ = nc::core::loadProject(templatePath);
  if (!load_.ok()) {
    std::fprintf(stderr, "%s\n", load_.error.c_str());
    stopBusyProcesses(busy);
    return 1;
  }
  nc::core::Project project = *load_.project;
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

  int stepBatches = 0, epochs = 0;
  QObject::connect(panel.controller(), &nc::app::TrainingController::steps,
                   [&](const QList<nc::core::StepMetrics>&) { ++stepBatches; });
  QObject::connect(panel.controller(), &nc::app::TrainingController::epoch,
                   [&](const nc::core::EpochMetrics&) { ++epochs; });
  bool finished = false;
  QObject::connect(&panel, &nc::app::TrainingPanel::runFinished, [&] { finished = true; });

  // The probe: a 10 ms timer; lateness = time since the previous tick minus 10 ms.
  std::vector<double> lateMs;
  double worstMs = 0, worstAt = 0;  // the longest stall and when it ended (seconds into the run)
  QElapsedTimer& clock = app.clock;
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
    stopBusyProcesses(busy);
    return 1;
  }
  clock.start();
  probe.start();
  // Measure from the first step on (loading 60,000 images happens in the worker meanwhile).
  QElapsedTimer wall;
  wall.start();
  while (panel.dashboard()->stepCount() == 0 && !finished && wall.elapsed() < 120000) app.processEvents(QEventLoop::WaitForMoreEvents, 50);
  int updatesAtStart = panel.dashboard()->chartUpdates(), stepsAtStart = panel.dashboard()->stepCount();
  int epochsAtStart = epochs;
  measuring = true;
  app.measuring = true;
  last = -1;
  const double startedAt = double(clock.nsecsElapsed()) / 1e9;
  QEventLoop loop;
  if (!screenshot.isEmpty())
    QTimer::singleShot(int(seconds * 500), &panel, [&] {
      panel.dashboard()->refreshNow();
      std::printf("screenshot: %s %s\n", qPrintable(screenshot), panel.grab().save(screenshot) ? "written" : "FAILED");
    });
  QTimer::singleShot(int(seconds * 1000), &loop, &QEventLoop::quit);
  loop.exec();
  measuring = false;
  app.measuring = false;
  const std::string loadAfter = loadAverage();
  int steps = panel.dashboard()->stepCount() - stepsAtStart;
  int updates = panel.dashboard()->chartUpdates() - updatesAtStart;

  QElapsedTimer stopClock;
  stopClock.start();
  panel.stop();
  while (panel.isRunActive()) app.processEvents(QEventLoop::WaitForMoreEvents, 50);
  double stopMs = double(stopClock.elapsed());
  stopBusyProcesses(busy);

  std::printf("measured %.1f s of training (CNN template, Fashion-MNIST%s, batch %lld, threads %lld), %d busy "
              "process(es) beside it\n",
              seconds, limit > 0 ? (", limit " + std::to_string(limit)).c_str() : "",
              static_cast<long long>(project.training.batchSize), static_cast<long long>(project.training.threads),
              load);
  std::printf("load average after: %s\n", loadAfter.c_str());
  std::printf("timer ticks: %zu   lateness ms: p50 %.2f  p99 %.2f  max %.2f\n", lateMs.size(), percentile(lateMs, 50),
              percentile(lateMs, 99), worstMs);
  std::printf("longest stall ended %.1f s after the first step; stalls over 50 ms: %zu\n", worstAt - startedAt,
              size_t(std::count_if(lateMs.begin(), lateMs.end(), [](double v) { return v > 50; })));
  std::printf("steps shown: %d (%.1f/s)   step batches: %d (%.1f/s)   epochs ended: %d   chart redraws: %d (%.1f/s)\n",
              steps, steps / seconds, stepBatches, stepBatches / seconds, epochs - epochsAtStart, updates,
              updates / seconds);
  std::printf("slowest event deliveries on the GUI thread (>= 5 ms):\n");
  for (const SlowEvent& e : app.slow)
    std::printf("  %7.1f ms at %6.1f s  event %d  to %s\n", e.ms, e.at - startedAt, int(e.type), e.receiver.c_str());
  std::printf("stop took %.0f ms\n", stopMs);
  return 0;
}

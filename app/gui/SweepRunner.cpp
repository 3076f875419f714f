#include "app/gui/SweepRunner.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace nc::app {
namespace {

class SignalSweepObserver : public core::SweepObserver {
 public:
  explicit SignalSweepObserver(SweepWorker& worker) : m_worker(worker) {}
  void onTrialStarted(const core::SweepTrial& t) override { Q_EMIT m_worker.trialStarted(t); }
  void onTrialEpoch(const core::SweepTrial& t, const core::EpochMetrics&) override { Q_EMIT m_worker.trialEpoch(t); }
  void onTrialFinished(const core::SweepTrial& t) override { Q_EMIT m_worker.trialFinished(t); }
  void onLog(const std::string& line) override { Q_EMIT m_worker.log(QString::fromStdString(line)); }

 private:
  SweepWorker& m_worker;
};

void registerSweepTypes() {
  static const bool done = [] {
    qRegisterMetaType<nc::core::SweepTrial>();
    qRegisterMetaType<nc::core::SweepResult>();
    return true;
  }();
  (void)done;
}

}  // namespace

SweepWorker::SweepWorker(core::Project project, core::SweepSpec spec, QString directory,
                         std::shared_ptr<core::TrainingControl> control)
    : m_project(std::move(project)), m_spec(std::move(spec)), m_directory(std::move(directory)), m_control(std::move(control)) {}

void SweepWorker::run() {
  core::SweepResult result;
  try {
    SignalSweepObserver observer(*this);
    result = core::runSweep(m_project, m_spec, m_directory.toStdString(), observer, *m_control);
  } catch (const std::exception& e) {
    result.ok = false;
    result.error = std::string("sweep failed: ") + e.what();
  } catch (...) {
    result.ok = false;
    result.error = "sweep failed";
  }
  Q_EMIT finished(result);
}

SweepRunner::SweepRunner(QObject* parent) : QObject(parent) { registerSweepTypes(); }

SweepRunner::~SweepRunner() {
  const QSignalBlocker block(this);
  shutdown();
}

bool SweepRunner::start(const core::Project& project, const core::SweepSpec& spec, const QString& directory) {
  if (m_thread.isActive()) return false;
  m_control = std::make_shared<core::TrainingControl>();
  m_directory = directory;
  auto* worker = new SweepWorker(project, spec, directory, m_control);
  connect(worker, &SweepWorker::trialStarted, this, &SweepRunner::trialStarted);
  connect(worker, &SweepWorker::trialEpoch, this, &SweepRunner::trialEpoch);
  connect(worker, &SweepWorker::trialFinished, this, &SweepRunner::trialFinished);
  connect(worker, &SweepWorker::log, this, &SweepRunner::log);
  connect(worker, &SweepWorker::finished, this, &SweepRunner::finished);
  m_thread.start(worker, "sweep", &SweepWorker::run, &SweepWorker::finished, this, [this]() {
    m_thread.release();
    Q_EMIT activeChanged(false);
  });
  Q_EMIT activeChanged(true);
  return true;
}

void SweepRunner::stop() {
  if (m_thread.isActive()) m_control->requestStop();
}

bool SweepRunner::isStopping() const { return m_thread.isActive() && m_control && m_control->stopRequested(); }

void SweepRunner::shutdown() {
  if (!m_thread.isActive()) return;
  m_control->requestStop();
  if (!m_thread.shutdown(this, kShutdownWaitMs)) {
    std::fprintf(stderr, "neuralcanvas: the sweep did not stop within %d s; exiting\n", kShutdownWaitMs / 1000);
    std::fflush(stderr);
    std::_Exit(1);
  }
}

}  // namespace nc::app

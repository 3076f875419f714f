#include "app/gui/SweepRunner.h"

#include <QDeadlineTimer>
#include <QThread>
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
  if (m_thread) return false;
  m_control = std::make_shared<core::TrainingControl>();
  m_directory = directory;
  m_thread = new QThread();
  m_thread->setObjectName("sweep");
  m_worker = new SweepWorker(project, spec, directory, m_control);
  m_worker->moveToThread(m_thread);
  connect(m_thread, &QThread::started, m_worker, &SweepWorker::run);
  connect(m_worker, &SweepWorker::trialStarted, this, &SweepRunner::trialStarted);
  connect(m_worker, &SweepWorker::trialEpoch, this, &SweepRunner::trialEpoch);
  connect(m_worker, &SweepWorker::trialFinished, this, &SweepRunner::trialFinished);
  connect(m_worker, &SweepWorker::log, this, &SweepRunner::log);
  connect(m_worker, &SweepWorker::finished, this, &SweepRunner::finished);
  connect(m_worker, &SweepWorker::finished, m_thread, &QThread::quit, Qt::DirectConnection);
  connect(m_thread, &QThread::finished, this, &SweepRunner::onThreadFinished);
  m_thread->start();
  Q_EMIT activeChanged(true);
  return true;
}

void SweepRunner::stop() {
  if (m_thread) m_control->requestStop();
}

bool SweepRunner::isStopping() const { return m_thread && m_control && m_control->stopRequested(); }

void SweepRunner::onThreadFinished() {
  if (!m_thread) return;
  m_thread->wait();
  delete m_worker;
  m_worker = nullptr;
  delete m_thread;
  m_thread = nullptr;
  Q_EMIT activeChanged(false);
}

void SweepRunner::shutdown() {
  if (!m_thread) return;
  m_control->requestStop();
  disconnect(m_worker, nullptr, this, nullptr);
  disconnect(m_thread, nullptr, this, nullptr);
  m_thread->quit();
  if (!m_thread->wait(QDeadlineTimer(kShutdownWaitMs))) {
    std::fprintf(stderr, "neuralcanvas: the sweep did not stop within %d s; exiting\n", kShutdownWaitMs / 1000);
    std::fflush(stderr);
    std::_Exit(1);
  }
  delete m_worker;
  m_worker = nullptr;
  delete m_thread;
  m_thread = nullptr;
}

}  // namespace nc::app

#include "app/gui/TrainingController.h"

#include <QDeadlineTimer>
#include <QThread>
#include <cstdio>
#include <cstdlib>

namespace nc::app {

TrainingController::TrainingController(QObject* parent) : QObject(parent) { TrainingWorker::registerTypes(); }

TrainingController::~TrainingController() {
  const QSignalBlocker block(this);
  shutdown();
}

bool TrainingController::start(const core::TrainJob& job) {
  if (m_thread) return false;
  m_control = std::make_shared<core::TrainingControl>();
  m_runDirectory = QString::fromStdString(job.runDirectory);
  m_paused = false;
  m_thread = new QThread();
  m_thread->setObjectName("training");
  m_worker = new TrainingWorker(job, m_control);
  m_worker->moveToThread(m_thread);
  connect(m_thread, &QThread::started, m_worker, &TrainingWorker::run);
  connect(m_worker, &TrainingWorker::steps, this, &TrainingController::steps);
  connect(m_worker, &TrainingWorker::epoch, this, &TrainingController::epoch);
  connect(m_worker, &TrainingWorker::resource, this, &TrainingController::resource);
  connect(m_worker, &TrainingWorker::phase, this, &TrainingController::phase);
  connect(m_worker, &TrainingWorker::log, this, &TrainingController::log);
  connect(m_worker, &TrainingWorker::diagnostics, this, &TrainingController::diagnostics);
  connect(m_worker, &TrainingWorker::histograms, this, &TrainingController::histograms);
  connect(m_worker, &TrainingWorker::alarm, this, &TrainingController::alarm);
  connect(m_worker, &TrainingWorker::weightsSnapshot, this, &TrainingController::weightsSnapshot);
  connect(m_worker, &TrainingWorker::finished, this, &TrainingController::finished);
  // quit() is thread-safe: called directly, it does not depend on the GUI thread's event loop
  // (which shutdown() blocks). The worker's queued events reach this object before the thread's
  // finished signal does.
  connect(m_worker, &TrainingWorker::finished, m_thread, &QThread::quit, Qt::DirectConnection);
  connect(m_thread, &QThread::finished, this, &TrainingController::onThreadFinished);
  m_thread->start();
  Q_EMIT started(m_runDirectory);
  Q_EMIT activeChanged(true);
  return true;
}

void TrainingController::pause() {
  if (!m_thread || m_paused) return;
  m_control->pause();
  m_paused = true;
  Q_EMIT pausedChanged(true);
}

void TrainingController::resume() {
  if (!m_thread || !m_paused) return;
  m_control->resume();
  m_paused = false;
  Q_EMIT pausedChanged(false);
}

void TrainingController::stop() {
  if (!m_thread) return;
  m_control->requestStop();  // also wakes a paused trainer
}

void TrainingController::requestWeightsSnapshot() {
  if (m_thread && m_control) m_control->requestWeightsSnapshot();
}

bool TrainingController::isStopping() const { return m_thread && m_control && m_control->stopRequested(); }

void TrainingController::shutdown() {
  if (!m_thread) return;
  m_control->requestStop();
  disconnect(m_worker, nullptr, this, nullptr);
  disconnect(m_thread, nullptr, this, nullptr);
  m_thread->quit();
  if (!m_thread->wait(QDeadlineTimer(kShutdownWaitMs))) {
    // Destroying a running QThread aborts, and leaking it lets it outlive main() (and the torch
    // and Qt state it uses). Checkpoints, metrics and result files are written atomically, so
    // ending the process here loses at most the epoch under way, as a kill would.
    std::fprintf(stderr,
                 "neuralcanvas: the training thread did not stop within %d s; exiting without it (the "
                 "checkpoints of finished epochs are kept)\n",
                 kShutdownWaitMs / 1000);
    std::fflush(stderr);
    std::_Exit(4);
  }
  release();
  m_paused = false;
  Q_EMIT activeChanged(false);
}

void TrainingController::onThreadFinished() {
  release();
  if (m_paused) {
    m_paused = false;
    Q_EMIT pausedChanged(false);
  }
  Q_EMIT activeChanged(false);
}

void TrainingController::release() {
  // QThread::finished may arrive before the thread has fully returned: wait (briefly) for that.
  // Then the worker, which lived there, can be deleted from here.
  m_thread->wait();
  delete m_worker;
  m_worker = nullptr;
  delete m_thread;
  m_thread = nullptr;
}

}  // namespace nc::app

#include "app/gui/TrainingController.h"

#include <cstdio>
#include <cstdlib>

namespace nc::app {

TrainingController::TrainingController(QObject* parent) : QObject(parent) { TrainingWorker::registerTypes(); }

TrainingController::~TrainingController() {
  const QSignalBlocker block(this);
  shutdown();
}

bool TrainingController::start(const core::TrainJob& job) {
  if (m_thread.isActive()) return false;
  m_control = std::make_shared<core::TrainingControl>();
  m_runDirectory = QString::fromStdString(job.runDirectory);
  m_paused = false;
  auto* worker = new TrainingWorker(job, m_control);
  connect(worker, &TrainingWorker::steps, this, &TrainingController::steps);
  connect(worker, &TrainingWorker::epoch, this, &TrainingController::epoch);
  connect(worker, &TrainingWorker::resource, this, &TrainingController::resource);
  connect(worker, &TrainingWorker::phase, this, &TrainingController::phase);
  connect(worker, &TrainingWorker::log, this, &TrainingController::log);
  connect(worker, &TrainingWorker::diagnostics, this, &TrainingController::diagnostics);
  connect(worker, &TrainingWorker::histograms, this, &TrainingController::histograms);
  connect(worker, &TrainingWorker::alarm, this, &TrainingController::alarm);
  connect(worker, &TrainingWorker::weightsSnapshot, this, &TrainingController::weightsSnapshot);
  connect(worker, &TrainingWorker::finished, this, &TrainingController::finished);
  m_thread.start(worker, "training", &TrainingWorker::run, &TrainingWorker::finished, this,
                 [this]() { onThreadFinished(); });
  Q_EMIT started(m_runDirectory);
  Q_EMIT activeChanged(true);
  return true;
}

void TrainingController::pause() {
  if (!m_thread.isActive() || m_paused) return;
  m_control->pause();
  m_paused = true;
  Q_EMIT pausedChanged(true);
}

void TrainingController::resume() {
  if (!m_thread.isActive() || !m_paused) return;
  m_control->resume();
  m_paused = false;
  Q_EMIT pausedChanged(false);
}

void TrainingController::stop() {
  if (!m_thread.isActive()) return;
  m_control->requestStop();  // also wakes a paused trainer
}

void TrainingController::requestWeightsSnapshot() {
  if (m_thread.isActive() && m_control) m_control->requestWeightsSnapshot();
}

bool TrainingController::isStopping() const { return m_thread.isActive() && m_control && m_control->stopRequested(); }

void TrainingController::shutdown() {
  if (!m_thread.isActive()) return;
  m_control->requestStop();
  if (!m_thread.shutdown(this, kShutdownWaitMs)) {
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
  m_paused = false;
  Q_EMIT activeChanged(false);
}

void TrainingController::onThreadFinished() {
  m_thread.release();
  if (m_paused) {
    m_paused = false;
    Q_EMIT pausedChanged(false);
  }
  Q_EMIT activeChanged(false);
}

}  // namespace nc::app

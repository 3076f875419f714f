#include "app/gui/TrainingWorker.h"

#include <chrono>
#include <exception>

namespace nc::app {
namespace {

using Clock = std::chrono::steady_clock;

/// Adapts the trainer's callbacks (on the worker thread) into the worker's signals.
class SignalObserver : public core::TrainingObserver {
 public:
  explicit SignalObserver(TrainingWorker& worker) : m_worker(worker) {}

  void onStep(const core::StepMetrics& m) override {
    m_pending.append(m);
    auto now = Clock::now();
    if (m.batch == m.batchesPerEpoch || now - m_lastSent >= std::chrono::milliseconds(TrainingWorker::kStepIntervalMs))
      flush(now);
  }
  void onEpoch(const core::EpochMetrics& m) override {
    flush(Clock::now());
    Q_EMIT m_worker.epoch(m);
  }
  void onResource(const core::ResourceSample& s) override { Q_EMIT m_worker.resource(s); }
  void onPhase(const core::PhaseProgress& p) override {
    auto now = Clock::now();
    bool edge = p.done == 0 || p.done >= p.total;
    if (!edge && now - m_lastPhase < std::chrono::milliseconds(TrainingWorker::kStepIntervalMs)) return;
    flush(now);  // the steps before the pass come first
    m_lastPhase = now;
    Q_EMIT m_worker.phase(p);
  }
  void onLog(const std::string& line) override {
    // Steps first, so that "paused" follows the last step before the pause (which stays shown).
    flush(Clock::now());
    Q_EMIT m_worker.log(QString::fromStdString(line));
  }
  void onDiagnostics(const core::DiagnosticsSample& d) override { Q_EMIT m_worker.diagnostics(d); }
  void onHistograms(const core::EpochHistograms& h) override { Q_EMIT m_worker.histograms(h); }
  void onAlarm(const core::TrainingAlarm& a) override {
    flush(Clock::now());
    Q_EMIT m_worker.alarm(a);
  }
  void onWeightsSnapshot(std::shared_ptr<const core::WeightsSnapshot> s) override {
    Q_EMIT m_worker.weightsSnapshot(std::move(s));
  }
  void onFinished(const core::RunResult&) override { flush(Clock::now()); }

 private:
  void flush(Clock::time_point now) {
    m_lastSent = now;
    if (m_pending.isEmpty()) return;
    Q_EMIT m_worker.steps(m_pending);
    m_pending.clear();
  }

  TrainingWorker& m_worker;
  QList<core::StepMetrics> m_pending;
  Clock::time_point m_lastSent{}, m_lastPhase{};
};

}  // namespace

TrainingWorker::TrainingWorker(core::TrainJob job, std::shared_ptr<core::TrainingControl> control)
    : m_job(std::move(job)), m_control(std::move(control)) {}

void TrainingWorker::registerTypes() {
  qRegisterMetaType<core::StepMetrics>();
  qRegisterMetaType<core::EpochMetrics>();
  qRegisterMetaType<core::ResourceSample>();
  qRegisterMetaType<core::RunResult>();
  qRegisterMetaType<core::PhaseProgress>();
  qRegisterMetaType<QList<core::StepMetrics>>();
  qRegisterMetaType<core::DiagnosticsSample>();
  qRegisterMetaType<core::EpochHistograms>();
  qRegisterMetaType<core::TrainingAlarm>();
  qRegisterMetaType<std::shared_ptr<const core::WeightsSnapshot>>();
}

void TrainingWorker::run() {
  core::RunResult result;
  try {
    SignalObserver observer(*this);
    result = core::runTraining(m_job, observer, *m_control);
  } catch (const std::exception& e) {
    result.status = core::RunStatus::Failed;
    result.message = std::string("training stopped by an internal error: ") + e.what();
  } catch (...) {
    result.status = core::RunStatus::Failed;
    result.message = "training stopped by an unknown internal error";
  }
  if (result.runDirectory.empty()) result.runDirectory = m_job.runDirectory;
  Q_EMIT finished(result);
}

}  // namespace nc::app

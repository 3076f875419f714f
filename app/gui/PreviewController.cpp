#include "app/gui/PreviewController.h"

#include <QEvent>
#include <QFileInfo>
#include <QMetaObject>
#include <QMutex>
#include <QThread>
#include <atomic>
#include <algorithm>
#include <exception>

#include "app/gui/TrainingController.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/NodeItem.h"
#include "widgets/PreviewPane.h"

namespace nc::app {

/// What the GUI thread and the worker share: the single pending request (newest wins) and the
/// engine, which only the worker thread touches.
struct PreviewController::Shared {
  QMutex mutex;
  std::optional<Request> pending;
  bool draining = false;  // a drain is queued or running on the worker
  bool computing = false;
  std::atomic<int> computations{0};
  core::PreviewEngine engine;
};

namespace {
/// Lives on the worker thread; its signal carries results back (queued) to the GUI thread.
class PreviewWorker : public QObject {
  Q_OBJECT
 Q_SIGNALS:
  void computed(std::shared_ptr<const nc::core::PreviewResult> result, quint64 generation, bool withWeights);
};
}  // namespace

PreviewController::PreviewController(widgets::GraphEditor* editor, widgets::GraphScene* scene,
                                     widgets::PreviewPane* pane, QObject* parent)
    : QObject(parent), m_editor(editor), m_scene(scene), m_pane(pane), m_shared(std::make_shared<Shared>()) {
  qRegisterMetaType<std::shared_ptr<const nc::core::PreviewResult>>();
  m_thread = new QThread;
  m_thread->setObjectName("previewThread");
  auto* worker = new PreviewWorker;
  worker->moveToThread(m_thread);
  m_worker = worker;
  connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
  connect(worker, &PreviewWorker::computed, this, &PreviewController::onResult, Qt::QueuedConnection);
  m_thread->start(QThread::LowPriority);

  m_debounce.setSingleShot(true);
  m_debounce.setInterval(kDebounceMs);
  connect(&m_debounce, &QTimer::timeout, this, [this]() { requestNow(false); });
  m_snapshotTimer.setInterval(kSnapshotIntervalMs);
  connect(&m_snapshotTimer, &QTimer::timeout, this, [this]() {
    if (m_training && m_training->isActive() && wanted()) m_training->requestWeightsSnapshot();
  });

  connect(m_editor, &widgets::GraphEditor::changed, this, [this]() { schedule(); });
  connect(m_pane, &widgets::PreviewPane::sampleChanged, this, [this]() { schedule(); });
  connect(m_scene, &QGraphicsScene::selectionChanged, this, &PreviewController::selectionChanged);
  m_pane->installEventFilter(this);
}

PreviewController::~PreviewController() {
  m_thread->quit();
  m_thread->wait();  // at most the computation running
  delete m_thread;
}

bool PreviewController::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_pane && event->type() == QEvent::Show) schedule();
  return QObject::eventFilter(watched, event);
}

void PreviewController::setTrainingController(TrainingController* training) {
  m_training = training;
  if (!training) return;
  connect(training, &TrainingController::activeChanged, this, &PreviewController::onTrainingActive);
  connect(training, &TrainingController::weightsSnapshot, this, &PreviewController::onSnapshot);
}

void PreviewController::setThumbnailsEnabled(bool enabled) {
  if (enabled == m_thumbnails) return;
  m_thumbnails = enabled;
  if (enabled) {
    updateThumbnails();
    schedule();
  } else {
    for (auto& [id, item] : m_scene->nodeItems()) item->clearThumbnail();
  }
}

bool PreviewController::wanted() const { return m_thumbnails || m_pane->isVisible(); }

bool PreviewController::isBusy() const {
  // Until the newest request's result has reached the GUI thread (it may be on its way in the
  // event queue after the worker went idle).
  return m_debounce.isActive() || m_received < m_generation;
}

int PreviewController::computations() const { return m_shared->computations.load(); }

void PreviewController::schedule(bool force) {
  m_force = m_force || force;
  m_debounce.start();
}

std::string PreviewController::modelKey(const core::Project& project) {
  // Positions, the flow, the name and the training settings other than the seed do not change
  // what a node outputs: leave them out, so moving cards computes nothing.
  core::Project p;
  p.graph = project.graph;
  for (const auto& [id, node] : project.graph.nodes()) p.graph.move(id, 0, 0);
  p.data = project.data;
  p.training.seed = project.training.seed;
  return core::serializeProject(p);
}

void PreviewController::requestNow(bool force) {
  m_debounce.stop();
  force = force || m_force;
  m_force = false;
  if (!wanted()) {
    m_lastKey.clear();  // compute once shown
    return;
  }
  // After a run, its trained preview stays until the model is edited.
  if (!m_trainingActive && m_snapshot && m_runProject && modelKey(m_editor->project()) != m_runKey) {
    m_snapshot.reset();
    m_runProject.reset();
    m_snapshotFailed = false;
  }
  Request r;
  const bool useRun = m_snapshot && m_runProject && !m_snapshotFailed;
  r.project = useRun ? *m_runProject : m_editor->project();
  if (useRun) r.weights = m_snapshot;
  r.sample = m_pane->sampleIndex();
  QString note;
  if (m_trainingActive && !m_snapshot) note = tr("Training: the run's first weights are on their way; untrained weights until then.");
  else if (m_snapshotFailed) note = tr("The run's weights do not fit the graph in the editor: showing the untrained editor graph.");
  else if (useRun && m_trainingActive) note = tr("Live weights of the running training, refreshed every %1 s.").arg(m_snapshotTimer.interval() / 1000);
  else if (useRun) note = tr("Weights of the finished run (until the model is edited).");
  m_pane->setNote(note);
  std::string key = modelKey(r.project);
  const bool same = key == m_lastKey && r.sample == m_lastSample && !r.weights && !m_lastWithWeights;
  if (same && !force) return;
  m_lastKey = std::move(key);
  m_lastSample = r.sample;
  m_lastWithWeights = bool(r.weights);
  r.generation = ++m_generation;
  m_pane->setBusy(true);
  post(std::move(r));
}

void PreviewController::post(Request request) {
  std::shared_ptr<Shared> shared = m_shared;
  bool startDrain = false;
  {
    QMutexLocker lock(&shared->mutex);
    shared->pending = std::move(request);  // replaces a request not started yet
    if (!shared->draining) shared->draining = startDrain = true;
  }
  if (!startDrain) return;
  auto* worker = static_cast<PreviewWorker*>(m_worker);
  QMetaObject::invokeMethod(worker, [shared, worker]() {
    for (;;) {
      Request r;
      {
        QMutexLocker lock(&shared->mutex);
        if (!shared->pending) {
          shared->draining = false;
          return;
        }
        r = std::move(*shared->pending);
        shared->pending.reset();
        shared->computing = true;
      }
      auto result = std::make_shared<core::PreviewResult>();
      try {
        *result = shared->engine.compute(r.project, r.sample, r.weights.get());
      } catch (const std::exception& e) {
        result->ok = false;
        result->error = std::string("preview failed: ") + e.what();
      }
      shared->computations.fetch_add(1);
      {
        QMutexLocker lock(&shared->mutex);
        shared->computing = false;
      }
      Q_EMIT worker->computed(result, r.generation, bool(r.weights));
    }
  }, Qt::QueuedConnection);
}

void PreviewController::onResult(std::shared_ptr<const core::PreviewResult> result, quint64 generation,
                                 bool withWeights) {
  m_received = std::max(m_received, generation);
  if (withWeights && !result->ok && m_snapshot && generation == m_generation) {
    // The run's weights (or its project) cannot be previewed: fall back to the editor's graph.
    m_snapshotFailed = true;
    m_pane->setNote(tr("The run's weights cannot be previewed (%1): showing the untrained editor graph.")
                        .arg(QString::fromStdString(result->error)));
    requestNow(true);
    return;
  }
  // A result overtaken by a newer request is not shown: the newer one follows.
  if (generation != m_generation) return;
  m_last = result;
  ++m_applied;
  m_pane->setBusy(false);
  // A sample index out of range: the picker follows the result's range; a failed result keeps
  // the last valid preview greyed (the pane does that).
  m_pane->setResult(result);
  if (m_pane->node() < 0) selectionChanged();
  if (m_thumbnails) updateThumbnails();  // greyed when this result failed
  Q_EMIT resultApplied();
}

void PreviewController::updateThumbnails() {
  std::shared_ptr<const core::PreviewResult> r = m_pane->result();  // the last valid one
  if (!m_thumbnails || !r) return;
  const bool grey = m_pane->isGreyed();
  std::map<core::NodeId, const core::NodePreview*> byId;
  for (const core::NodePreview& n : r->nodes) byId[n.nodeId] = &n;
  for (auto& [id, item] : m_scene->nodeItems()) {
    auto it = byId.find(id);
    if (it == byId.end() || it->second->nodeName != item->name().toStdString()) item->clearThumbnail();
    else item->setThumbnail(widgets::previewThumbnail(*it->second, grey));
  }
}

void PreviewController::selectionChanged() {
  const std::set<core::NodeId> selected = m_scene->selectedNodes();
  if (selected.size() == 1) m_pane->setNode(*selected.begin());
  else if (m_pane->node() >= 0 && !m_editor->graph().node(m_pane->node())) m_pane->setNode(-1);  // deleted
}

void PreviewController::onTrainingActive(bool active) {
  m_trainingActive = active;
  if (active) {
    m_runEnded = false;
    m_snapshot.reset();
    m_snapshotFailed = false;
    m_runProject = m_editor->project();  // the editor is read-only during the run
    m_runKey = modelKey(*m_runProject);
    m_snapshotTimer.start();
    if (m_training && wanted()) m_training->requestWeightsSnapshot();
  } else {
    m_runEnded = true;
    m_snapshotTimer.stop();
  }
  schedule(true);
}

void PreviewController::onSnapshot(std::shared_ptr<const core::WeightsSnapshot> snapshot) {
  if (!snapshot) return;
  // The run folder's project.json is the graph being trained (a resumed run may train another
  // graph than the editor's).
  if (m_training && !m_training->runDirectory().isEmpty() && m_runProject && !m_snapshot) {
    const QString file = m_training->runDirectory() + "/project.json";
    if (QFileInfo::exists(file)) {
      core::ProjectLoad load = core::loadProject(file.toStdString());
      if (load.ok()) {
        m_runProject = std::move(*load.project);
      }
    }
  }
  m_snapshot = std::move(snapshot);
  m_snapshotFailed = false;
  requestNow(true);
}

}  // namespace nc::app

#include "PreviewController.moc"

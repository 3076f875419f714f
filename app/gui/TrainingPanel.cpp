#include "app/gui/TrainingPanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardPaths>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

#include "app/gui/LrFinderDialog.h"
#include "app/gui/TrainingController.h"
#include "widgets/DiagnosticsView.h"
#include "core/ShapeInference.h"
#include "core/data/DataPath.h"
#include "core/data/DatasetInfo.h"
#include "core/export/PythonExporter.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/ImportRun.h"
#include "core/training/Trainer.h"
#include "widgets/RunHistory.h"
#include "widgets/RunList.h"
#include "widgets/TrainingDashboard.h"
#include "widgets/TrainingSettingsForm.h"


namespace nc::app {
namespace {

QString errorSummary(const core::GraphAnalysis& analysis) {
  QStringList messages;
  for (const auto& issue : analysis.issues)
    if (issue.severity == core::Severity::Error) messages << QString::fromStdString(issue.message);
  return messages.join("; ");
}

}  // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent), m_controller(new TrainingController(this)) {
  m_form = new widgets::TrainingSettingsForm(this);
  m_dashboard = new widgets::TrainingDashboard(this);
  m_runs = new widgets::RunList(this);

  auto* scroll = new QScrollArea(this);
  scroll->setWidget(m_form);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setMinimumWidth(std::max(340, m_form->sizeHint().width() + 24));

  // The settings take the left column's full height; the runs share the area under the charts
  // with the log, where their columns (started, settings) have room.
  QWidget* left = scroll;
  m_dashboard->addDetailsTab(buildRunsBox(), tr("Runs"));

  auto* right = new QWidget(this);
  auto* rightLayout = new QVBoxLayout(right);
  rightLayout->setContentsMargins(0, 0, 0, 0);
  rightLayout->addWidget(buildControls());
  rightLayout->addWidget(m_dashboard, 1);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setSizes({400, 1200});
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_form, &widgets::TrainingSettingsForm::settingsChanged, this, &TrainingPanel::settingsChanged);
  connect(m_controller, &TrainingController::steps, this, [this](const QList<core::StepMetrics>& steps) {
    m_dashboard->appendSteps(steps);
    if (!m_listedActiveRun) {
      m_listedActiveRun = true;  // the trainer has created the run folder by now
      m_runs->refresh();
    }
  });
  connect(m_controller, &TrainingController::epoch, this, [this](const core::EpochMetrics& e) {
    m_dashboard->appendEpoch(e);
    m_runs->refresh();
  });
  connect(m_controller, &TrainingController::resource, m_dashboard, &widgets::TrainingDashboard::appendResource);
  connect(m_controller, &TrainingController::phase, m_dashboard, &widgets::TrainingDashboard::appendPhase);
  connect(m_controller, &TrainingController::log, m_dashboard, &widgets::TrainingDashboard::appendLog);
  // Diagnostics (issue 14): norms, epoch histograms and alarms go to the dashboard's Diagnostics tab;
  // an alarm also goes to the log view.
  widgets::DiagnosticsView* diagnostics = m_dashboard->diagnosticsView();
  connect(m_controller, &TrainingController::diagnostics, diagnostics, &widgets::DiagnosticsView::appendSample);
  connect(m_controller, &TrainingController::histograms, diagnostics, &widgets::DiagnosticsView::setHistograms);
  connect(m_controller, &TrainingController::alarm, this, [this](const core::TrainingAlarm& a) {
    m_dashboard->diagnosticsView()->appendAlarm(a);
    m_dashboard->appendLog(tr("alarm: %1").arg(QString::fromStdString(a.message)));
  });
  connect(m_controller, &TrainingController::finished, this, &TrainingPanel::onFinished);
  connect(m_controller, &TrainingController::activeChanged, this, &TrainingPanel::onActiveChanged);
  connect(m_controller, &TrainingController::pausedChanged, this, [this](bool paused) {
    m_dashboard->setStatusText(paused ? tr("Paused") : tr("Running"));
    m_dashboard->setPaused(paused);
    m_runs->setActiveRunPaused(paused);
    updateButtons();
  });
  connect(m_runs, &widgets::RunList::selectionChangedTo, this, &TrainingPanel::onRunSelection);
  connect(m_runs, &widgets::RunList::runActivated, this, &TrainingPanel::showRun);
  connect(m_runs, &widgets::RunList::refreshed, this, [this] {
    updateRunsCount();
    updateButtons();
  });
  updateButtons();
}

TrainingPanel::~TrainingPanel() { shutdown(); }

QWidget* TrainingPanel::buildControls() {
  auto* bar = new QWidget(this);
  auto* row = new QHBoxLayout(bar);
  row->setContentsMargins(4, 4, 4, 0);
  m_start = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), bar);
  m_start->setToolTip(tr("Train the current model with these settings (the graph is checked first)"));
  m_pause = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), bar);
  m_pause->setToolTip(tr("Pause or resume after the current batch"));
  m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), bar);
  m_stop->setToolTip(tr("Stop after the current batch; the checkpoint of the last finished epoch stays"));
  connect(m_start, &QPushButton::clicked, this, [this] { start(); });
  connect(m_pause, &QPushButton::clicked, this, [this] { isPaused() ? resume() : pause(); });
  connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stop);
  row->addWidget(m_start);
  row->addWidget(m_pause);
  row->addWidget(m_stop);
  m_findLr = new QPushButton(tr("Find learning rate…"), bar);
  m_findLr->setObjectName("findLearningRate");
  m_findLr->setToolTip(tr("Learning-rate range test on a copy of the model: loss against the rate and a suggested rate"));
  connect(m_findLr, &QPushButton::clicked, this, [this] { findLearningRate(); });
  row->addSpacing(12);
  row->addWidget(m_findLr);
  row->addStretch(1);
  return bar;
}

QWidget* TrainingPanel::buildRunsBox() {
  auto* box = new QWidget(this);
  box->setObjectName("runsPage");
  auto* v = new QVBoxLayout(box);
  v->setContentsMargins(2, 2, 2, 2);
  v->setSpacing(2);
  v->addWidget(m_runs, 1);
  auto* row = new QHBoxLayout();
  m_continue = new QToolButton(box);
  m_continue->setText(tr("Continue"));
  m_continue->setToolTip(tr("Continue the selected run from its last checkpoint (up to the epochs set above)"));
  connect(m_continue, &QToolButton::clicked, this, [this] {
    QStringList selected = m_runs->selectedRuns();
    if (selected.size() == 1) resumeRun(selected.front());
  });
  auto* show = new QToolButton(box);
  show->setText(tr("Show"));
  show->setToolTip(tr("Show the selected run's curves and confusion matrix (or double-click it)"));
  connect(show, &QToolButton::clicked, this, [this] {
    QStringList selected = m_runs->selectedRuns();
    if (!selected.isEmpty()) showRun(selected.front());
  });
  m_export = new QToolButton(box);
  m_export->setObjectName("exportButton");
  m_export->setText(tr("Export ▾"));
  m_export->setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }");  // drawn over the text
  m_export->setToolTip(tr("Export the selected (or current) run's best checkpoint"));
  m_export->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(m_export);
  connect(menu->addAction(tr("TorchScript archive (.pt)…")), &QAction::triggered, this,
          [this] { exportWithDialog(ExportFormat::TorchScript); });
  connect(menu->addAction(tr("PyTorch source (.py + weights)…")), &QAction::triggered, this,
          [this] { exportWithDialog(ExportFormat::Python); });
  m_export->setMenu(menu);
  auto* refresh = new QToolButton(box);
  refresh->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
  refresh->setToolTip(tr("Re-read the runs folder"));
  connect(refresh, &QToolButton::clicked, this, &TrainingPanel::refreshRuns);
  m_showAll = new QCheckBox(tr("Show all runs"), box);
  m_showAll->setObjectName("showAllRuns");
  m_showAll->setToolTip(tr("List the runs of every project in this runs folder, not only the open project's"));
  connect(m_showAll, &QCheckBox::toggled, this, &TrainingPanel::setShowAllRuns);
  row->addWidget(m_continue);
  auto* import = new QToolButton(box);
  import->setObjectName("importRunButton");
  import->setText(tr("Import run…"));
  import->setToolTip(tr("Add the output folder of the exported training program (train.py --out, run by python3 or "
                        "torchrun) to this project's runs"));
  connect(import, &QToolButton::clicked, this, [this] {
    QString out = QFileDialog::getExistingDirectory(this, tr("Import a training program's output folder"));
    if (out.isEmpty()) return;
    if (core::Status s = importRun(out); !s.ok())
      QMessageBox::warning(this, tr("Import failed"), QString::fromStdString(s.message()));
  });
  row->addWidget(show);
  row->addWidget(m_export);
  row->addWidget(import);
  row->addSpacing(16);
  row->addWidget(m_showAll);
  row->addStretch(1);
  row->addWidget(refresh);
  v->addLayout(row);
  return box;
}

void TrainingPanel::setProjectSource(std::function<core::Project()> snapshot, std::function<QString()> projectPath) {
  m_snapshot = std::move(snapshot);
  m_projectPath = std::move(projectPath);
  refreshRuns();
}

TrainingPanel::Identity TrainingPanel::currentIdentity() const {
  Identity id;
  id.path = m_projectPath ? m_projectPath() : QString();
  if (!id.path.isEmpty()) id.path = QFileInfo(id.path).absoluteFilePath();
  if (m_snapshot) {
    try {
      id.name = QString::fromStdString(m_snapshot().name);
    } catch (const std::exception&) {
    }
  }
  return id;
}

namespace {

bool isTemplateFile(const QString& path) {
#ifdef NC_RESOURCE_DIR
  return !path.isEmpty() &&
         QDir::cleanPath(QFileInfo(path).absoluteFilePath()).startsWith(QDir::cleanPath(NC_RESOURCE_DIR) + "/");
#else
  Q_UNUSED(path);
  return false;
#endif
}

}  // namespace

void TrainingPanel::setProject(const QString& projectPath, const core::Project& project, ProjectChange change) {
  Identity id{projectPath.isEmpty() ? QString() : QFileInfo(projectPath).absoluteFilePath(),
              QString::fromStdString(project.name)};
  if (change == ProjectChange::Opened && !isRunActive()) m_form->setSettings(project.data, project.training);
  adoptIdentity(id, change);
  m_runs->setRunsRoot(runsRoot());
  m_runs->refresh();
}

void TrainingPanel::adoptIdentity(const Identity& id, ProjectChange change) {
  m_identity = id;
  m_hasIdentity = true;
  widgets::RunOwner owner;
  if (!id.path.isEmpty() && !isTemplateFile(id.path)) {
    owner.stems << widgets::runFolderStem(QFileInfo(id.path).completeBaseName());
  } else {
    owner.stems << widgets::runFolderStem(id.name.isEmpty() ? QStringLiteral("untitled") : id.name);
    if (!id.path.isEmpty()) owner.stems << widgets::runFolderStem(QFileInfo(id.path).completeBaseName());
    owner.projectName = id.name;
  }
  m_runs->setOwner(owner);
  if (change != ProjectChange::Opened || isRunActive()) return;
  // Another project: nothing of the previous one's runs stays on display.
  m_currentRun.clear();
  m_shownRun.clear();
  m_runs->selectRuns({});
  if (m_showAll->isChecked()) m_showAll->setChecked(false);
  m_dashboard->reset();
  updateButtons();
}

void TrainingPanel::setShowAllRuns(bool all) {
  if (m_showAll->isChecked() != all) m_showAll->setChecked(all);  // comes back here through toggled
  else m_runs->setShowAll(all);
}

void TrainingPanel::updateRunsCount() {
  int hidden = m_runs->hiddenCount();
  m_showAll->setText(hidden > 0 ? tr("Show all runs (%1 more)").arg(hidden) : tr("Show all runs"));
}

void TrainingPanel::showMessage(const QString& text) {
  m_dashboard->setMessage(text, widgets::TrainingDashboard::MessageKind::Error);
}

void TrainingPanel::setSettings(const core::DataConfig& data, const core::TrainConfig& training) {
  m_form->setSettings(data, training);
}

core::DataConfig TrainingPanel::dataConfig() const { return m_form->dataConfig(); }
core::TrainConfig TrainingPanel::trainConfig() const { return m_form->trainConfig(); }
void TrainingPanel::setDataset(std::shared_ptr<const core::Dataset> dataset) { m_dataset = std::move(dataset); }
bool TrainingPanel::isRunActive() const { return m_controller->isActive(); }
bool TrainingPanel::isPaused() const { return m_controller->isPaused(); }
void TrainingPanel::pause() { m_controller->pause(); }
void TrainingPanel::resume() { m_controller->resume(); }
void TrainingPanel::stop() {
  if (!isRunActive()) return;
  m_dashboard->setStatusText(tr("Stopping…"));
  m_controller->stop();
}

void TrainingPanel::shutdown() {
  if (!isRunActive()) return;
  m_dashboard->appendLog(tr("stopping the run (window closing); the last checkpoint stays"));
  m_controller->shutdown();
}

QString TrainingPanel::runsRoot() const {
  if (!m_runsRootOverride.isEmpty()) return m_runsRootOverride;
  QString path = m_projectPath ? m_projectPath() : QString();
  if (isTemplateFile(path)) path.clear();  // a template: its folder is not the user's
  if (path.isEmpty())
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("runs");
  return QFileInfo(path).absoluteDir().filePath("runs");
}

void TrainingPanel::setRunsRootOverride(const QString& root) {
  m_runsRootOverride = root;
  refreshRuns();
}

void TrainingPanel::refreshRuns() {
  Identity id = currentIdentity();
  if (!m_hasIdentity || !(id == m_identity)) {
    // A saved project is known by its file: renaming it is not another project.
    bool same = m_hasIdentity && !id.path.isEmpty() && id.path == m_identity.path;
    adoptIdentity(id, m_hasIdentity && !same ? ProjectChange::Opened : ProjectChange::Saved);
  }
  m_runs->setRunsRoot(runsRoot());
  m_runs->refresh();
}

bool TrainingPanel::showNewestRun() {
  refreshRuns();
  m_runs->waitForRefresh();
  const QStringList runs = m_runs->runs();
  if (runs.isEmpty()) return false;
  m_runs->selectRuns({runs.front()});
  showRun(runs.front());
  return true;
}

QString TrainingPanel::newRunDirectory(const core::Project& project) const {
  QString path = m_projectPath ? m_projectPath() : QString();
  QString stem = !path.isEmpty() ? QFileInfo(path).completeBaseName()
                 : !project.name.empty() ? QString::fromStdString(project.name)
                                         : QStringLiteral("untitled");
  stem = widgets::runFolderStem(stem);
  QDir root(runsRoot());
  QString base = stem + "-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
  QString name = base;
  for (int i = 2; root.exists(name); ++i) name = base + "-" + QString::number(i);
  return root.filePath(name);
}

bool TrainingPanel::start() {
  if (isRunActive()) return false;
  if (QString why = m_startBlocker ? m_startBlocker() : QString(); !why.isEmpty()) {
    Q_EMIT statusMessage(why);
    return false;
  }
  if (!m_snapshot) {
    Q_EMIT statusMessage(tr("No project to train"));
    return false;
  }
  core::Project project;
  try {
    project = m_snapshot();
  } catch (const std::exception& e) {
    Q_EMIT statusMessage(tr("Cannot read the project: %1").arg(e.what()));
    return false;
  }
  project.data = m_form->dataConfig();
  project.training = m_form->trainConfig();
  core::GraphAnalysis analysis = core::analyze(project.graph);
  if (!analysis.ok()) {
    QString message = tr("Not started: the model has errors (%1)").arg(errorSummary(analysis));
    m_dashboard->appendLog(message);
    showMessage(message + tr(". The problems list on the Model tab shows where."));
    Q_EMIT statusMessage(message);
    Q_EMIT problemsRefusedStart();
    return false;
  }
  if (!m_dataset) {
    // The data against the graph, from the data's headers (cached: the editor read them while
    // the graph was edited), so that a wrong class count is refused here rather than after the
    // data has loaded. The trainer makes the same checks, in the same words.
    QString file = m_projectPath ? m_projectPath() : QString();
    core::DatasetInfo info =
        core::peekDataset(project.data, file.isEmpty() ? std::string() : core::projectFolder(file.toStdString()));
    QStringList problems;
    for (const core::DatasetIssue& issue : core::checkAgainstDataset(project.graph, analysis, info))
      problems << QString::fromStdString(core::describeDatasetIssue(project.graph, issue));
    if (!problems.isEmpty()) {
      QString message = tr("Not started: the model does not match the data: %1").arg(problems.join("; "));
      m_dashboard->appendLog(message);
      showMessage(message);
      Q_EMIT statusMessage(message);
      Q_EMIT problemsRefusedStart();
      return false;
    }
  }
  refreshRuns();
  QString dir = newRunDirectory(project);
  m_dashboard->beginRun(QFileInfo(dir).fileName(), project.training.epochs);
  return launch(project, dir, {});
}

bool TrainingPanel::resumeRun(const QString& runDirectory) {
  if (isRunActive()) return false;
  QDir dir(runDirectory);
  QString checkpoint = dir.filePath("checkpoints/last.pt");
  core::ProjectLoad load = core::loadProject(dir.filePath("project.json").toStdString());
  QString problem = !load.ok() ? QString::fromStdString(load.error)
                    : !QFileInfo::exists(checkpoint) ? tr("%1 has no checkpoint yet (no epoch finished)").arg(runDirectory)
                                                     : QString();
  if (problem.isEmpty() && !core::analyze(load.project->graph).ok()) problem = tr("the run's model has errors");
  if (!problem.isEmpty()) {
    m_dashboard->appendLog(tr("Cannot continue: %1").arg(problem));
    showMessage(tr("Cannot continue: %1").arg(problem));
    Q_EMIT statusMessage(tr("Cannot continue: %1").arg(problem));
    return false;
  }
  core::Project project = *load.project;
  project.training.epochs = std::max(project.training.epochs, m_form->trainConfig().epochs);
  widgets::RunCurves history = widgets::readRunCurves(runDirectory);
  // The trainer redoes a partly finished epoch: keep the steps up to the last finished one.
  int64_t lastStep = history.epochs.empty() ? 0 : history.epochs.back().step;
  history.steps.erase(std::remove_if(history.steps.begin(), history.steps.end(),
                                     [&](const core::StepMetrics& s) { return s.step > lastStep; }),
                      history.steps.end());
  m_dashboard->beginRun(QFileInfo(runDirectory).fileName(), project.training.epochs);
  m_dashboard->loadHistory(history);
  return launch(project, dir.absolutePath(), checkpoint);
}

bool TrainingPanel::launch(const core::Project& project, const QString& runDirectory, const QString& checkpoint) {
  if (QString why = m_startBlocker ? m_startBlocker() : QString(); !why.isEmpty()) {
    Q_EMIT statusMessage(why);
    return false;
  }
  core::TrainJob job;
  job.project = project;
  // A relative path typed into the form is relative to the project file, as when it is loaded.
  if (QString file = m_projectPath ? m_projectPath() : QString(); !file.isEmpty())
    job.project.data.path = core::resolveDataPath(job.project.data.path, core::projectFolder(file.toStdString()));
  job.runDirectory = runDirectory.toStdString();
  job.resumeCheckpoint = checkpoint.toStdString();
  job.dataset = m_dataset;
  m_currentRun = runDirectory;
  m_shownRun = runDirectory;
  m_dashboard->setLiveRunDirectory(runDirectory);  // the misclassified gallery follows the run
  m_listedActiveRun = false;
  m_dashboard->appendLog((checkpoint.isEmpty() ? tr("starting run in %1") : tr("continuing run in %1")).arg(runDirectory));
  if (!m_controller->start(job)) return false;
  m_dashboard->setStatusText(tr("Running"));
  m_runs->setActiveRun(runDirectory);
  onRunSelection(m_runs->selectedRuns());
  Q_EMIT statusMessage(tr("Training started"));
  return true;
}

void TrainingPanel::onActiveChanged(bool active) {
  m_form->setEditable(!active);
  if (!active) m_runs->setActiveRun({});
  updateButtons();
  Q_EMIT runActiveChanged(active);
}

void TrainingPanel::onFinished(const core::RunResult& result) {
  m_dashboard->finishRun(result);
  m_runs->refresh();
  QString status = QString::fromStdString(core::runStatusName(result.status));
  QString message = result.message.empty() ? tr("Run %1").arg(status)
                                           : tr("Run %1: %2").arg(status, QString::fromStdString(result.message));
  if (result.status == core::RunStatus::Failed) m_dashboard->setStatusText(tr("Failed"));
  Q_EMIT statusMessage(message);
  Q_EMIT runFinished(result);
}

void TrainingPanel::onRunSelection(const QStringList& directories) {
  QList<widgets::RunCurves> runs;
  for (const QString& dir : directories)
    if (dir != m_shownRun) runs << widgets::readRunCurves(dir);
  m_dashboard->setComparison(runs);
  updateButtons();
}

void TrainingPanel::showRun(const QString& directory) {
  if (isRunActive() || directory.isEmpty()) return;
  m_shownRun = directory;
  core::RunResult result = widgets::readRunResult(directory);
  result.runDirectory = directory.toStdString();  // the dashboard reads the run's samples from it
  m_dashboard->showRun(widgets::readRunCurves(directory), result);
  onRunSelection(m_runs->selectedRuns());
}

void TrainingPanel::updateButtons() {
  bool active = isRunActive();
  m_start->setEnabled(!active);
  m_pause->setEnabled(active);
  m_stop->setEnabled(active);
  m_findLr->setEnabled(!active);
  m_pause->setText(isPaused() ? tr("Resume") : tr("Pause"));
  m_pause->setIcon(style()->standardIcon(isPaused() ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
  QStringList selected = m_runs->selectedRuns();
  m_continue->setEnabled(!active && selected.size() == 1 &&
                         QFileInfo::exists(QDir(selected.front()).filePath("checkpoints/last.pt")));
  m_export->setEnabled(!active && (selected.size() == 1 || !m_currentRun.isEmpty()));
  m_export->setToolTip(active ? tr("Export is available once the run has ended (it would change the run's random numbers)")
                              : tr("Export the selected (or current) run's best checkpoint"));
}

core::Status TrainingPanel::exportRun(const QString& runDirectory, const QString& outPath, ExportFormat format) {
  if (isRunActive())
    return core::Status::error(
        tr("Export is not available while a run is training: building the model to export would draw from the "
           "random numbers the run uses, and the run would no longer follow its seed. Export once the run has "
           "ended (or stop it).")
            .toStdString());
  try {
    core::ProjectLoad load = core::loadProject(QDir(runDirectory).filePath("project.json").toStdString());
    if (!load.ok()) return core::Status::error(load.error);
    core::ExportOptions options;
    options.checkpoint = widgets::bestCheckpoint(runDirectory).toStdString();
    if (options.checkpoint.empty())
      return core::Status::error(runDirectory.toStdString() + ": no checkpoint to export yet (no epoch finished)");
    options.classNames = widgets::readRunResult(runDirectory).classNames;
    if (format == ExportFormat::TorchScript) return core::exportTorchScript(*load.project, outPath.toStdString(), options);
    return core::exportPython(*load.project, outPath.toStdString(), options);
  } catch (const std::exception& e) {
    return core::Status::error(std::string("export failed: ") + e.what());
  }
}

core::Status TrainingPanel::importRun(const QString& outDirectory) {
  if (isRunActive())
    return core::Status::error(tr("Import is not available while a run is training (building the model would draw from "
                                  "the random numbers the run uses); import once it has ended")
                                   .toStdString());
  if (!m_snapshot) return core::Status::error(tr("No project to import the run into").toStdString());
  core::Project project;
  try {
    project = m_snapshot();
  } catch (const std::exception& e) {
    return core::Status::error(std::string("cannot read the project: ") + e.what());
  }
  project.data = m_form->dataConfig();
  project.training = m_form->trainConfig();
  core::ImportRunOptions options;
  options.runsRoot = runsRoot().toStdString();
  QString file = m_projectPath ? m_projectPath() : QString();
  QApplication::setOverrideCursor(Qt::WaitCursor);
  core::ImportRunResult r = core::importRun(outDirectory.toStdString(), project, file.toStdString(), options);
  QApplication::restoreOverrideCursor();
  auto logWarnings = [&] {
    for (const auto& w : r.warnings) m_dashboard->appendLog(tr("import: %1").arg(QString::fromStdString(w)));
  };
  if (!r.status.ok()) {
    logWarnings();
    showMessage(tr("Import failed: %1").arg(QString::fromStdString(r.status.message())));
    return r.status;
  }
  QString dir = QString::fromStdString(r.runDirectory);
  refreshRuns();
  showRun(dir);
  logWarnings();
  m_dashboard->appendLog(tr("imported %1 as run %2").arg(outDirectory, QFileInfo(dir).fileName()));
  Q_EMIT statusMessage(tr("Imported run %1").arg(QFileInfo(dir).fileName()));
  return {};
}

void TrainingPanel::exportWithDialog(ExportFormat format) {
  QStringList selected = m_runs->selectedRuns();
  QString run = selected.size() == 1 ? selected.front() : m_currentRun;
  if (run.isEmpty()) return;
  if (isRunActive()) {
    QMessageBox::information(this, tr("Export"), QString::fromStdString(exportRun(run, {}, format).message()));
    return;
  }
  bool script = format == ExportFormat::TorchScript;
  QString suggested = QDir(run).filePath(script ? "model.pt" : "model.py");
  QString out = QFileDialog::getSaveFileName(this, script ? tr("Export TorchScript") : tr("Export PyTorch source"),
                                             suggested, script ? tr("TorchScript (*.pt)") : tr("Python (*.py)"));
  if (out.isEmpty()) return;
  QApplication::setOverrideCursor(Qt::WaitCursor);
  core::Status status = exportRun(run, out, format);
  QApplication::restoreOverrideCursor();
  if (!status.ok()) {
    QMessageBox::warning(this, tr("Export failed"), QString::fromStdString(status.message()));
    return;
  }
  m_dashboard->appendLog(tr("exported %1 to %2").arg(QFileInfo(run).fileName(), out));
  Q_EMIT statusMessage(tr("Exported to %1").arg(out));
}

void TrainingPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (!isRunActive()) refreshRuns();
}

bool TrainingPanel::findLearningRate() {
  if (isRunActive() || !m_snapshot) return false;
  core::Project project;
  try {
    project = m_snapshot();
  } catch (const std::exception& e) {
    Q_EMIT statusMessage(tr("Cannot read the project: %1").arg(e.what()));
    return false;
  }
  project.data = m_form->dataConfig();
  project.training = m_form->trainConfig();
  if (QString file = m_projectPath ? m_projectPath() : QString(); !file.isEmpty())
    project.data.path = core::resolveDataPath(project.data.path, core::projectFolder(file.toStdString()));
  auto* dialog = new LrFinderDialog(project, m_dataset, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowModality(Qt::WindowModal);  // no training starts while it runs (shared RNG)
  connect(dialog, &LrFinderDialog::rateChosen, this, [this](double rate) {
    m_form->setValueText("training/learning_rate", QString::number(rate, 'g', 6));
  });
  dialog->show();
  dialog->start();
  return true;
}

}  // namespace nc::app

#include "app/gui/SweepPanel.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "app/gui/SweepRunner.h"
#include "core/JsonUtil.h"
#include "core/data/DataPath.h"
#include "widgets/GraphEditor.h"
#include "widgets/ParallelCoordinates.h"
#include "widgets/ParetoChart.h"
#include "widgets/SweepTrialModel.h"
#include "widgets/WheelGuard.h"

namespace nc::app {

namespace {

// "\"adam\"" -> "adam"; numbers as written.
QString choiceText(const std::string& json) {
  if (json.size() >= 2 && json.front() == '"' && json.back() == '"') return QString::fromStdString(json.substr(1, json.size() - 2));
  return QString::fromStdString(json);
}

bool numberOf(const std::string& json, double& out) {
  bool ok = false;
  out = QString::fromStdString(json).toDouble(&ok);
  return ok;
}

bool sameValue(const std::string& a, const std::string& b) {
  if (a == b) return true;
  double x = 0, y = 0;
  return numberOf(a, x) && numberOf(b, y) && x == y;
}

bool finished(const core::SweepTrial& t) {
  return t.status == "completed" || t.status == "stopped_early" || t.status == "failed";
}

const QColor kCurveColors[] = {QColor(31, 119, 180), QColor(214, 39, 40), QColor(44, 160, 44), QColor(148, 103, 189),
                               QColor(255, 127, 14), QColor(23, 190, 207), QColor(140, 86, 75), QColor(227, 119, 194)};

}  // namespace

SweepPanel::SweepPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("sweepPanel");
  m_runner = new SweepRunner(this);
  buildUi();
  connect(m_runner, &SweepRunner::trialStarted, this, [this](const core::SweepTrial& t) {
    upsertTrial(t);
    setStatus(tr("Trial %1 of %2 running…").arg(t.index).arg(m_state.spec.trials));
  });
  connect(m_runner, &SweepRunner::trialEpoch, this, &SweepPanel::upsertTrial);
  connect(m_runner, &SweepRunner::trialFinished, this, [this](const core::SweepTrial& t) {
    upsertTrial(t);
    setStatus(tr("Trial %1 %2.").arg(t.index).arg(QString::fromStdString(t.status).replace('_', ' ')));
  });
  connect(m_runner, &SweepRunner::finished, this, [this](const core::SweepResult& result) {
    if (!result.state.trials.empty() || result.ok) {
      m_state = result.state;
      refreshViews();
    }
    if (!result.ok && !result.stopped) {
      fail(tr("The sweep failed: %1").arg(QString::fromStdString(result.error)));
    } else {
      m_lastError.clear();
      setStatus(result.stopped ? tr("Sweep stopped: Resume continues it.") : tr("Sweep finished: %1 trials in %2.")
                                                                               .arg(m_state.trials.size())
                                                                               .arg(m_directory));
    }
    Q_EMIT sweepFinished(result.ok || result.stopped);
  });
  connect(m_runner, &SweepRunner::activeChanged, this, [this](bool active) {
    updateButtons();
    Q_EMIT runningChanged(active);
  });
  updateButtons();
}

SweepPanel::~SweepPanel() { m_runner->shutdown(); }

void SweepPanel::buildUi() {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(6, 6, 6, 6);

  // --- Set-up
  auto* setup = new QGroupBox(tr("Sweep set-up"));
  auto* setupLayout = new QVBoxLayout(setup);
  m_rowsLayout = new QVBoxLayout;
  m_rowsLayout->setSpacing(2);
  setupLayout->addLayout(m_rowsLayout);
  auto* controls = new QHBoxLayout;
  auto* addParam = new QPushButton(tr("Add parameter"));
  addParam->setObjectName("sweepAddParam");
  connect(addParam, &QPushButton::clicked, this, [this]() { addParamRow(); });
  controls->addWidget(addParam);
  controls->addSpacing(12);
  auto label = [&](const QString& text, QWidget* field) {
    auto* l = new QLabel(text);
    l->setBuddy(field);
    controls->addWidget(l);
    controls->addWidget(field);
  };
  auto number = [&](const QString& text, const char* name, int min, int max, int value) {
    auto* field = new QSpinBox;
    field->setObjectName(name);
    field->setRange(min, max);
    field->setValue(value);
    label(text, field);
    return field;
  };
  m_trials = number(tr("&Trials"), "sweepTrials", 1, 1000, 12);
  m_strategy = new QComboBox;
  m_strategy->setObjectName("sweepStrategy");
  m_strategy->addItems({"random", "grid"});
  label(tr("Strate&gy"), m_strategy);
  m_epochs = number(tr("&Epochs per trial"), "sweepEpochs", 1, 1000, 2);
  m_limit = number(tr("&Limit"), "sweepLimit", 0, 100'000'000, 0);
  m_limit->setSpecialValueText(tr("all"));
  m_limit->setToolTip(tr("Training samples per trial (0 = all), like train --limit"));
  m_median = new QCheckBox(tr("&Median early stop"));
  m_median->setObjectName("sweepMedian");
  m_median->setToolTip(tr("Stop a trial whose validation accuracy is below the median of earlier trials at the same epoch"));
  controls->addWidget(m_median);
  controls->addStretch(1);
  m_run = new QPushButton(tr("Run"));
  m_run->setObjectName("sweepRun");
  m_stop = new QPushButton(tr("Stop"));
  m_stop->setObjectName("sweepStop");
  m_resume = new QPushButton(tr("Resume"));
  m_resume->setObjectName("sweepResume");
  m_open = new QPushButton(tr("Open sweep…"));
  m_open->setObjectName("sweepOpen");
  connect(m_run, &QPushButton::clicked, this, [this]() { run(); });
  connect(m_stop, &QPushButton::clicked, this, &SweepPanel::stop);
  connect(m_resume, &QPushButton::clicked, this, [this]() { resume(); });
  connect(m_open, &QPushButton::clicked, this, [this]() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a sweep folder"), sweepsRoot());
    if (dir.isEmpty()) return;
    if (core::Status s = openSweep(dir); !s.ok()) fail(QString::fromStdString(s.message()));
  });
  for (QPushButton* b : {m_run, m_stop, m_resume, m_open}) controls->addWidget(b);
  setupLayout->addLayout(controls);
  auto* statusRow = new QHBoxLayout;
  m_status = new QLabel;
  m_status->setObjectName("sweepStatus");
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_folder = new QLabel;
  m_folder->setObjectName("sweepFolder");
  m_folder->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_folder->setStyleSheet("color: palette(placeholder-text);");
  statusRow->addWidget(m_status, 1);
  statusRow->addWidget(m_folder);
  setupLayout->addLayout(statusRow);
  outer->addWidget(setup);

  // --- Results
  m_model = new widgets::SweepTrialModel(this);
  m_filter = new widgets::SweepTrialFilter(this);
  m_filter->setSourceModel(m_model);
  m_table = new QTableView;
  m_table->setObjectName("sweepTable");
  m_table->setModel(m_filter);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(0, Qt::AscendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setDefaultSectionSize(22);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->setAlternatingRowColors(true);
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &SweepPanel::tableSelectionChanged);

  auto* tableBox = new QWidget;
  auto* tableLayout = new QVBoxLayout(tableBox);
  tableLayout->setContentsMargins(0, 0, 0, 0);
  auto* tableTitle = new QHBoxLayout;
  tableTitle->addWidget(new QLabel(tr("<b>Trials</b> (click a header to sort; drag on a chart axis to filter)")), 1);
  m_apply = new QPushButton(tr("Apply to project"));
  m_apply->setObjectName("sweepApply");
  m_apply->setToolTip(tr("Copy the selected trial's settings into the project (one Undo restores them)"));
  connect(m_apply, &QPushButton::clicked, this, [this]() { applySelected(); });
  tableTitle->addWidget(m_apply);
  tableLayout->addLayout(tableTitle);
  tableLayout->addWidget(m_table, 1);

  m_parallel = new widgets::ParallelCoordinates;
  m_parallel->setObjectName("sweepParallel");
  connect(m_parallel, &widgets::ParallelCoordinates::brushChanged, this, &SweepPanel::brushChanged);
  connect(m_parallel, &widgets::ParallelCoordinates::rowClicked, this, &SweepPanel::rowClicked);

  m_pareto = new widgets::ParetoChart;
  m_pareto->setObjectName("sweepPareto");
  connect(m_pareto, &widgets::ParetoChart::rowClicked, this, &SweepPanel::rowClicked);
  auto* paretoBox = new QWidget;
  auto* paretoLayout = new QVBoxLayout(paretoBox);
  paretoLayout->setContentsMargins(0, 0, 0, 0);
  auto* paretoTitle = new QHBoxLayout;
  paretoTitle->addWidget(new QLabel(tr("<b>Accuracy against cost</b>")), 1);
  m_cost = new QComboBox;
  m_cost->setObjectName("sweepCost");
  m_cost->addItems({tr("FLOPs"), tr("parameters")});
  connect(m_cost, &QComboBox::currentIndexChanged, this, [this](int i) {
    m_pareto->setCost(i == 0 ? widgets::ParetoChart::Cost::Flops : widgets::ParetoChart::Cost::Params);
  });
  paretoTitle->addWidget(new QLabel(tr("against")));
  paretoTitle->addWidget(m_cost);
  paretoLayout->addLayout(paretoTitle);
  paretoLayout->addWidget(m_pareto, 1);

  m_curves = new QChartView(new QChart());
  m_curves->setObjectName("sweepCurves");
  m_curves->setRenderHint(QPainter::Antialiasing);
  m_curves->chart()->setTitle(tr("Validation curves of the selected trials"));
  m_curves->chart()->legend()->setAlignment(Qt::AlignBottom);
  m_curves->chart()->setMargins(QMargins(4, 4, 4, 4));

  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(tableBox);
  auto* parallelBox = new QWidget;
  auto* parallelLayout = new QVBoxLayout(parallelBox);
  parallelLayout->setContentsMargins(0, 0, 0, 0);
  parallelLayout->addWidget(new QLabel(tr("<b>Parallel coordinates</b> (colour: best validation accuracy)")));
  parallelLayout->addWidget(m_parallel, 1);
  top->addWidget(parallelBox);
  top->setStretchFactor(0, 1);
  top->setStretchFactor(1, 1);
  top->setSizes({1000, 1000});
  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(paretoBox);
  bottom->addWidget(m_curves);
  m_curves->setMinimumWidth(320);
  bottom->setStretchFactor(0, 1);
  bottom->setStretchFactor(1, 1);
  bottom->setSizes({1000, 1000});
  auto* results = new QSplitter(Qt::Vertical);
  results->addWidget(top);
  results->addWidget(bottom);
  results->setStretchFactor(0, 1);
  results->setStretchFactor(1, 1);
  outer->addWidget(results, 1);
  refreshCurves();
  widgets::guardWheelInTree(this);  // in a scroll area: a wheel turn scrolls, it does not change a field
}

void SweepPanel::setEditor(widgets::GraphEditor* editor) {
  m_editor = editor;
  connect(editor, &widgets::GraphEditor::changed, this, [this]() {
    m_targetsDirty = true;
    if (isVisible()) refreshTargets();
  });
  connect(editor, &widgets::GraphEditor::readOnlyChanged, this, &SweepPanel::updateButtons);
  m_targetsDirty = true;
  if (m_rows.empty()) {
    addParamRow("training.learning_rate", "1e-4:1e-2:log");
  }
  refreshTargets();
}

void SweepPanel::setProjectPath(std::function<QString()> path) { m_projectPath = std::move(path); }

QString SweepPanel::sweepsRoot() const {
  if (!m_rootOverride.isEmpty()) return m_rootOverride;
  const QString path = m_projectPath ? m_projectPath() : QString();
  if (path.isEmpty() || path.startsWith(QDir::cleanPath(NC_RESOURCE_DIR) + "/"))
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("sweeps");  // as runs
  return QFileInfo(path).absoluteDir().filePath("sweeps");
}

void SweepPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_targetsDirty) refreshTargets();
}

int SweepPanel::addParamRow(const QString& target, const QString& spec) {
  ParamRow row;
  row.widget = new QWidget;
  auto* layout = new QHBoxLayout(row.widget);
  layout->setContentsMargins(0, 0, 0, 0);
  row.target = new QComboBox;
  row.target->setObjectName(QString("sweepTarget%1").arg(m_rows.size()));
  row.target->setEditable(true);
  row.target->setInsertPolicy(QComboBox::NoInsert);
  row.target->setMinimumContentsLength(26);
  row.target->addItems(m_targetNames);
  row.target->completer()->setFilterMode(Qt::MatchContains);
  row.target->completer()->setCompletionMode(QCompleter::PopupCompletion);
  row.target->setToolTip(tr("What to sweep: a training setting (training.learning_rate) or a node's parameter "
                            "by node name (conv1.out_channels)"));
  row.target->setEditText(target);
  row.spec = new QLineEdit(spec);
  row.spec->setObjectName(QString("sweepSpec%1").arg(m_rows.size()));
  row.spec->setPlaceholderText(tr("values: 1e-4:1e-2:log, 0.1:0.5, or 16,32,64, or adam,sgd"));
  row.error = new QLabel;
  row.error->setStyleSheet("color: #b41e1e;");
  row.error->setWordWrap(true);
  auto* remove = new QToolButton;
  remove->setText(QStringLiteral("✕"));
  remove->setToolTip(tr("Remove this parameter"));
  layout->addWidget(new QLabel(tr("Parameter")));
  layout->addWidget(row.target, 2);
  layout->addWidget(new QLabel(tr("values")));
  layout->addWidget(row.spec, 2);
  layout->addWidget(row.error, 3);
  layout->addWidget(remove);
  m_rowsLayout->addWidget(row.widget);
  widgets::guardWheel(row.target);
  m_rows.push_back(row);
  QWidget* w = row.widget;
  auto revalidate = [this, w]() {
    for (ParamRow& r : m_rows)
      if (r.widget == w) validateRow(r);
    updateButtons();
  };
  connect(row.target, &QComboBox::currentTextChanged, this, revalidate);
  connect(row.spec, &QLineEdit::textChanged, this, revalidate);
  connect(remove, &QToolButton::clicked, this, [this, w]() {
    auto it = std::find_if(m_rows.begin(), m_rows.end(), [w](const ParamRow& r) { return r.widget == w; });
    if (it == m_rows.end()) return;
    m_rows.erase(it);
    w->deleteLater();
    updateButtons();
  });
  validateRow(m_rows.back());
  updateButtons();
  return int(m_rows.size()) - 1;
}

QComboBox* SweepPanel::paramTarget(int row) const {
  return row >= 0 && row < paramRowCount() ? m_rows[size_t(row)].target : nullptr;
}
QLineEdit* SweepPanel::paramSpec(int row) const {
  return row >= 0 && row < paramRowCount() ? m_rows[size_t(row)].spec : nullptr;
}
QString SweepPanel::paramError(int row) const {
  return row >= 0 && row < paramRowCount() ? m_rows[size_t(row)].error->text() : QString();
}

void SweepPanel::refreshTargets() {
  m_targetsDirty = false;
  if (!m_editor) return;
  const core::Project& p = m_editor->project();
  QStringList names;
  auto addKeys = [&](const std::string& json, const QString& prefix) {
    core::JsonParse parsed = core::parseJson(json);
    if (!parsed.ok() || !parsed.value.is_object()) return;
    for (auto it = parsed.value.begin(); it != parsed.value.end(); ++it)
      names << prefix + QString::fromStdString(it.key());
  };
  addKeys(core::trainConfigToJson(p.training), "training.");
  for (const auto& [id, node] : p.graph.nodes())
    for (const auto& [param, value] : node.params) names << QString::fromStdString(node.name + "." + param);
  addKeys(core::dataConfigToJson(p.data), "data.");
  if (names != m_targetNames) {
    m_targetNames = names;
    for (ParamRow& r : m_rows) {
      const QSignalBlocker block(r.target);
      const QString text = r.target->currentText();
      r.target->clear();
      r.target->addItems(names);
      r.target->setEditText(text);
    }
  }
  for (ParamRow& r : m_rows) validateRow(r);
  updateButtons();
}

void SweepPanel::validateRow(ParamRow& row) {
  const QString target = row.target->currentText().trimmed(), spec = row.spec->text().trimmed();
  QString error;
  if (target.isEmpty() && spec.isEmpty()) error = tr("choose a parameter and its values");
  else if (target.isEmpty()) error = tr("choose a parameter");
  else if (spec.isEmpty()) error = tr("enter the values to try");
  else if (m_editor) {
    core::SweepParam parsed;
    if (core::Status s = core::parseSweepParam((target + "=" + spec).toStdString(), m_editor->project(), parsed); !s.ok())
      error = QString::fromStdString(s.message());
  }
  row.error->setText(error);
  row.error->setToolTip(error);
  row.spec->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("border: 1px solid #d04040;"));
}

bool SweepPanel::collectSpec(core::SweepSpec& spec) {
  if (!m_editor) return false;
  spec = core::SweepSpec{};
  for (ParamRow& r : m_rows) {
    validateRow(r);
    if (!r.error->text().isEmpty()) {
      fail(tr("Parameter %1: %2").arg(r.target->currentText().trimmed(), r.error->text()));
      return false;
    }
    core::SweepParam param;
    core::Status s = core::parseSweepParam(
        (r.target->currentText().trimmed() + "=" + r.spec->text().trimmed()).toStdString(), m_editor->project(), param);
    if (!s.ok()) {
      fail(QString::fromStdString(s.message()));
      return false;
    }
    spec.params.push_back(param);
  }
  if (spec.params.empty()) {
    fail(tr("Add at least one parameter to sweep."));
    return false;
  }
  spec.trials = m_trials->value();
  spec.strategy = m_strategy->currentText().toStdString();
  spec.epochs = m_epochs->value();
  spec.limit = m_limit->value();
  spec.medianStop = m_median->isChecked();
  spec.seed = 0;
  return true;
}

core::Project SweepPanel::resolvedProject(core::Project project) const {
  // A relative data path is relative to the project file, as when training from the Training tab.
  if (QString file = m_projectPath ? m_projectPath() : QString(); !file.isEmpty())
    project.data.path = core::resolveDataPath(project.data.path, core::projectFolder(file.toStdString()));
  return project;
}

bool SweepPanel::start(const core::Project& project, const core::SweepSpec& spec, const QString& directory) {
  if (m_runner->isActive()) {
    fail(tr("A sweep is already running."));
    return false;
  }
  if (m_trainingActive) {
    fail(tr("A training run is active: start the sweep once it has ended (or stop the run on the Training tab)."));
    return false;
  }
  if (!m_runner->start(project, spec, directory)) {
    fail(tr("The sweep could not start."));
    return false;
  }
  m_lastError.clear();
  m_directory = directory;
  m_folder->setText(QDir::toNativeSeparators(directory));
  return true;
}

bool SweepPanel::run() {
  if (!m_editor) return false;
  if (m_runner->isActive()) {
    fail(tr("A sweep is already running."));
    return false;
  }
  if (m_trainingActive) {
    fail(tr("A training run is active: start the sweep once it has ended (or stop the run on the Training tab)."));
    return false;
  }
  core::SweepSpec spec;
  if (!collectSpec(spec)) return false;
  QString name = QString::fromStdString(m_editor->project().name).trimmed();
  name.replace(QRegularExpression("[^A-Za-z0-9_.-]+"), "-");
  if (name.isEmpty()) name = "project";
  const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
  QDir root(sweepsRoot());
  QString dir = root.filePath(name + "-sweep-" + stamp);
  for (int n = 2; QFileInfo::exists(dir); ++n) dir = root.filePath(QString("%1-sweep-%2-%3").arg(name, stamp).arg(n));
  if (!QDir().mkpath(dir)) {
    fail(tr("Cannot create the sweep folder %1").arg(dir));
    return false;
  }
  const core::Project project = resolvedProject(m_editor->project());
  m_state = core::SweepState{};
  m_state.spec = spec;
  m_state.projectJson = core::serializeProject(m_editor->project());
  m_selected.clear();
  m_parallel->clearBrushes();
  refreshViews();
  if (!start(project, spec, dir)) return false;
  setStatus(tr("Sweep started: %1 trials of %2 epochs.").arg(spec.trials).arg(spec.epochs));
  return true;
}

bool SweepPanel::resume() {
  if (m_directory.isEmpty()) {
    fail(tr("Open a sweep folder first (Open sweep…)."));
    return false;
  }
  core::ProjectLoad base = core::parseProject(m_state.projectJson);
  core::Project project = base.ok() ? *base.project : (m_editor ? m_editor->project() : core::Project{});
  core::SweepSpec spec;  // no params: the spec sweep.json holds
  spec.trials = m_state.spec.trials;
  if (!start(resolvedProject(project), spec, m_directory)) return false;
  setStatus(tr("Sweep resumed."));
  return true;
}

void SweepPanel::stop() {
  if (!m_runner->isActive()) return;
  m_runner->stop();
  setStatus(tr("Stopping after the current batch…"));
  updateButtons();
}

bool SweepPanel::isRunning() const { return m_runner->isActive(); }

core::Status SweepPanel::openSweep(const QString& directory) {
  if (m_runner->isActive()) return core::Status::error("a sweep is running: stop it before opening another");
  core::SweepState state;
  if (core::Status s = core::loadSweep(directory.toStdString(), state); !s.ok()) return s;
  m_state = std::move(state);
  m_directory = QFileInfo(directory).absoluteFilePath();
  m_folder->setText(QDir::toNativeSeparators(m_directory));
  // The set-up fields show the sweep's spec.
  for (ParamRow& r : m_rows) r.widget->deleteLater();
  m_rows.clear();
  for (const core::SweepParam& p : m_state.spec.params) {
    const std::string& text = p.text;
    const size_t eq = text.find('=');
    addParamRow(QString::fromStdString(eq == std::string::npos ? p.target : text.substr(0, eq)),
                QString::fromStdString(eq == std::string::npos ? std::string() : text.substr(eq + 1)));
  }
  m_trials->setValue(int(m_state.spec.trials));
  m_strategy->setCurrentText(QString::fromStdString(m_state.spec.strategy));
  m_epochs->setValue(int(m_state.spec.epochs));
  m_limit->setValue(int(m_state.spec.limit));
  m_median->setChecked(m_state.spec.medianStop);
  m_selected.clear();
  m_parallel->clearBrushes();
  refreshViews();
  m_lastError.clear();
  int done = 0;
  for (const core::SweepTrial& t : m_state.trials) done += finished(t) ? 1 : 0;
  setStatus(tr("Opened a sweep of %1 trials (%2 finished).").arg(m_state.trials.size()).arg(done));
  updateButtons();
  return {};
}

void SweepPanel::setTrainingActive(bool active) {
  m_trainingActive = active;
  updateButtons();
}

void SweepPanel::upsertTrial(const core::SweepTrial& trial) {
  if (trial.index < 1) return;
  const size_t i = size_t(trial.index - 1);
  if (m_state.trials.size() <= i) {
    const size_t old = m_state.trials.size();
    m_state.trials.resize(i + 1);
    for (size_t k = old; k < i; ++k) m_state.trials[k].index = int64_t(k + 1);
  }
  m_state.trials[i] = trial;
  refreshViews();
}

void SweepPanel::refreshViews() {
  m_syncingSelection = true;
  m_model->setState(m_state);
  m_syncingSelection = false;

  // Parallel coordinates: an axis per swept target, then the metric.
  const std::vector<std::string>& targets = m_model->targets();
  std::vector<widgets::ParallelAxis> axes;
  std::vector<std::vector<double>> rows(m_state.trials.size());
  for (const std::string& target : targets) {
    const core::SweepParam* param = nullptr;
    for (const core::SweepParam& p : m_state.spec.params)
      if (p.target == target) param = &p;
    widgets::ParallelAxis axis;
    axis.title = QString::fromStdString(target);
    std::vector<std::string> choices;
    if (param && param->range) {
      axis.scale = param->log ? widgets::ParallelAxis::Scale::Log : widgets::ParallelAxis::Scale::Linear;
      axis.low = param->low;
      axis.high = param->high;
    } else {
      if (param) choices = param->choices;
      for (const core::SweepTrial& t : m_state.trials) {
        const std::string v = widgets::SweepTrialModel::valueOf(t, target);
        if (!v.empty() && std::none_of(choices.begin(), choices.end(), [&](const std::string& c) { return sameValue(c, v); }))
          choices.push_back(v);
      }
      axis.scale = widgets::ParallelAxis::Scale::Categorical;
      for (const std::string& c : choices) axis.categories << choiceText(c);
    }
    for (size_t r = 0; r < m_state.trials.size(); ++r) {
      const std::string v = widgets::SweepTrialModel::valueOf(m_state.trials[r], target);
      double value = NAN;
      if (axis.scale == widgets::ParallelAxis::Scale::Categorical) {
        for (size_t c = 0; c < choices.size(); ++c)
          if (!v.empty() && sameValue(choices[c], v)) value = double(c);
      } else if (!v.empty()) {
        numberOf(v, value);
      }
      rows[r].push_back(value);
    }
    axes.push_back(axis);
  }
  widgets::ParallelAxis metric;
  metric.title = tr("best val accuracy");
  metric.low = INFINITY;
  metric.high = -INFINITY;
  axes.push_back(metric);
  for (size_t r = 0; r < m_state.trials.size(); ++r) rows[r].push_back(m_state.trials[r].bestValAccuracy);
  m_parallel->setData(std::move(axes), std::move(rows));

  std::vector<widgets::ParetoChart::Point> points;
  for (size_t r = 0; r < m_state.trials.size(); ++r) {
    const core::SweepTrial& t = m_state.trials[r];
    if (!std::isfinite(t.bestValAccuracy) || (t.flops <= 0 && t.params <= 0)) continue;
    if (t.status == "pending") continue;
    points.push_back({int(r), tr("trial %1").arg(t.index), double(t.flops), double(t.params), t.bestValAccuracy});
  }
  m_pareto->setPoints(std::move(points));
  brushChanged();
  selectTrials(m_selected);  // the table keeps the selection through a reset (a new trial while running)
}

void SweepPanel::brushChanged() {
  if (m_parallel->anyBrush()) {
    const std::vector<int> rows = m_parallel->brushedRows();
    m_filter->setAllowedRows(std::set<int>(rows.begin(), rows.end()));
  } else {
    m_filter->setAllowedRows(std::nullopt);
  }
}

void SweepPanel::selectTrials(const std::set<int>& rows) {
  m_selected.clear();
  for (int r : rows)
    if (r >= 0 && r < int(m_state.trials.size())) m_selected.insert(r);
  // The table follows (rows hidden by a brush cannot be selected there, the charts still show them).
  m_syncingSelection = true;
  QItemSelection selection;
  for (int r : m_selected) {
    const QModelIndex proxy = m_filter->mapFromSource(m_model->index(r, 0));
    if (proxy.isValid()) selection.select(proxy, proxy.sibling(proxy.row(), m_filter->columnCount() - 1));
  }
  m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
  if (!m_selected.empty()) {
    const QModelIndex proxy = m_filter->mapFromSource(m_model->index(*m_selected.begin(), 0));
    if (proxy.isValid()) {
      m_table->selectionModel()->setCurrentIndex(proxy, QItemSelectionModel::NoUpdate);
      m_table->scrollTo(proxy);
    }
  }
  m_syncingSelection = false;
  m_parallel->setSelectedRows(m_selected);
  m_pareto->setSelectedRows(m_selected);
  refreshCurves();
  updateButtons();
}

std::vector<int> SweepPanel::rankedTrials() const {
  std::vector<int> rows;
  for (size_t r = 0; r < m_state.trials.size(); ++r)
    if (std::isfinite(m_state.trials[r].bestValAccuracy)) rows.push_back(int(r));
  std::stable_sort(rows.begin(), rows.end(), [this](int a, int b) {
    return m_state.trials[size_t(a)].bestValAccuracy > m_state.trials[size_t(b)].bestValAccuracy;
  });
  return rows;
}

void SweepPanel::tableSelectionChanged() {
  if (m_syncingSelection) return;
  std::set<int> rows;
  for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
    rows.insert(m_filter->mapToSource(index).row());
  m_selected = rows;
  m_parallel->setSelectedRows(m_selected);
  m_pareto->setSelectedRows(m_selected);
  refreshCurves();
  updateButtons();
}

void SweepPanel::rowClicked(int row, bool add) {
  std::set<int> rows = add ? m_selected : std::set<int>{};
  if (add && rows.count(row)) rows.erase(row);
  else rows.insert(row);
  selectTrials(rows);
}

void SweepPanel::refreshCurves() {
  QChart* c = m_curves->chart();
  c->removeAllSeries();
  for (QAbstractAxis* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
  m_curveTrials.clear();
  auto* x = new QValueAxis();
  x->setTitleText(tr("epoch"));
  x->setLabelFormat("%d");
  auto* acc = new QValueAxis();
  acc->setTitleText(tr("validation accuracy"));
  acc->setLabelFormat("%.3f");
  auto* loss = new QValueAxis();
  loss->setTitleText(tr("validation loss (dashed)"));
  loss->setLabelFormat("%.2f");
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(acc, Qt::AlignLeft);
  c->addAxis(loss, Qt::AlignRight);
  double maxEpoch = 1, accLo = INFINITY, accHi = -INFINITY, lossHi = 0;
  int colour = 0;
  for (int r : m_selected) {
    if (r < 0 || r >= int(m_state.trials.size())) continue;
    const core::SweepTrial& t = m_state.trials[size_t(r)];
    const QColor col = kCurveColors[colour++ % 8];
    auto* a = new QLineSeries();
    a->setName(tr("trial %1 accuracy").arg(t.index));
    a->setPen(QPen(col, 2.2));
    a->setPointsVisible(true);
    auto* l = new QLineSeries();
    l->setName(tr("trial %1 loss").arg(t.index));
    l->setPen(QPen(col, 1.6, Qt::DashLine));
    for (const core::SweepEpoch& e : t.epochs) {
      maxEpoch = std::max(maxEpoch, double(e.epoch));
      if (std::isfinite(e.valAccuracy)) {
        a->append(double(e.epoch), e.valAccuracy);
        accLo = std::min(accLo, e.valAccuracy);
        accHi = std::max(accHi, e.valAccuracy);
      }
      if (std::isfinite(e.valLoss)) {
        l->append(double(e.epoch), e.valLoss);
        lossHi = std::max(lossHi, e.valLoss);
      }
    }
    c->addSeries(a);
    c->addSeries(l);
    a->attachAxis(x);
    a->attachAxis(acc);
    l->attachAxis(x);
    l->attachAxis(loss);
    m_curveTrials.push_back(r);
  }
  x->setRange(maxEpoch > 1 ? 1 : 0, std::max(2.0, maxEpoch));
  x->setTickCount(int(std::min(11.0, std::max(2.0, maxEpoch)) + (maxEpoch > 1 ? 0 : 1)));
  if (!std::isfinite(accLo)) accLo = 0, accHi = 1;
  const double pad = std::max(0.01, (accHi - accLo) * 0.1);
  acc->setRange(std::max(0.0, accLo - pad), std::min(1.0, accHi + pad));
  loss->setRange(0, lossHi > 0 ? lossHi * 1.1 : 1);
  c->legend()->setVisible(!m_curveTrials.empty());
  c->setTitle(m_curveTrials.empty() ? tr("Validation curves: click a trial (table row, line or point)")
                                    : tr("Validation curves of the selected trials"));
}

bool SweepPanel::applySelected() {
  if (!m_editor) return false;
  int row = -1;
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  if (current.isValid() && m_selected.count(m_filter->mapToSource(current).row())) row = m_filter->mapToSource(current).row();
  else if (m_selected.size() == 1) row = *m_selected.begin();
  if (row < 0 || row >= int(m_state.trials.size())) {
    fail(tr("Select one trial to apply."));
    return false;
  }
  const core::SweepTrial trial = m_state.trials[size_t(row)];
  if (trial.values.empty()) {
    fail(tr("Trial %1 has no values to apply.").arg(trial.index));
    return false;
  }
  const bool ok = m_editor->applyProjectEdit(tr("Apply sweep trial %1").arg(trial.index), [&trial](core::Project& p) {
    return core::applySweepValues(p, trial.values);
  });
  if (!ok) {
    fail(tr("Cannot apply trial %1: %2").arg(trial.index).arg(m_editor->lastError()));
    return false;
  }
  QStringList parts;
  for (const core::SweepValue& v : trial.values) parts << QString::fromStdString(v.target) + " = " + choiceText(v.json);
  setStatus(tr("Applied trial %1 to the project: %2 (Edit > Undo restores the previous settings).")
                .arg(trial.index)
                .arg(parts.join(", ")));
  return true;
}

void SweepPanel::updateButtons() {
  const bool running = m_runner->isActive();
  bool rowsValid = !m_rows.empty();
  for (const ParamRow& r : m_rows) rowsValid = rowsValid && r.error->text().isEmpty();
  m_run->setEnabled(!running && !m_trainingActive && rowsValid && m_editor);
  m_run->setToolTip(m_trainingActive ? tr("A training run is active: sweep once it has ended") : tr("Start a new sweep"));
  bool unfinished = m_state.trials.size() < size_t(std::max<int64_t>(0, m_state.spec.trials));
  for (const core::SweepTrial& t : m_state.trials) unfinished = unfinished || !finished(t);
  m_resume->setEnabled(!running && !m_trainingActive && !m_directory.isEmpty() && unfinished);
  m_stop->setEnabled(running && !m_runner->isStopping());
  m_open->setEnabled(!running);
  m_apply->setEnabled(!m_selected.empty() && m_editor && !m_editor->readOnly());
  if (m_trainingActive && !running) m_status->setText(tr("A training run is active: a sweep can start once it has ended."));
}

void SweepPanel::fail(const QString& message) {
  m_lastError = message;
  m_status->setText(message);
  m_status->setStyleSheet("color: #b41e1e;");
  Q_EMIT statusMessage(message);
  if (m_interactive && isVisible()) QMessageBox::warning(this, tr("Sweep"), message);
}

void SweepPanel::setStatus(const QString& message) {
  m_status->setText(message);
  m_status->setStyleSheet(QString());
  Q_EMIT statusMessage(message);
}

QString SweepPanel::statusText() const { return m_status->text(); }

}  // namespace nc::app

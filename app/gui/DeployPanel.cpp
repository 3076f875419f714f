#include "app/gui/DeployPanel.h"

#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <chrono>
#include <set>

#include "app/gui/CompressDialog.h"
#include "app/gui/GeneratePanel.h"
#include "core/FileIO.h"
#include "core/ShapeInference.h"
#include "core/export/OnnxExporter.h"
#include "core/export/TorchScriptExporter.h"
#include "widgets/DeployCharts.h"
#include "widgets/RunList.h"
#include "widgets/WheelGuard.h"

namespace nc::app {
namespace {

/// "1, 8,32" -> {1, 8, 32} (sorted, unique); nullopt-like empty result with `error` set when bad.
std::vector<int64_t> parseList(const QString& text, int64_t lo, int64_t hi, const QString& what, QString* error) {
  std::set<int64_t> values;
  for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    const qlonglong v = part.trimmed().toLongLong(&ok);
    if (part.trimmed().isEmpty()) continue;
    if (!ok || v < lo || v > hi) {
      *error = QObject::tr("%1: '%2' is not a whole number from %3 to %4").arg(what, part.trimmed()).arg(lo).arg(hi);
      return {};
    }
    values.insert(v);
  }
  if (values.empty()) *error = QObject::tr("%1: give at least one number (e.g. 1,8,32)").arg(what);
  return {values.begin(), values.end()};
}

QString caseText(const core::BenchmarkCase& c) {
  return QObject::tr("batch %1, %2 thread(s): p50 %3 ms, %4 samples/s")
      .arg(c.batchSize)
      .arg(c.threads)
      .arg(widgets::deployMsText(c.p50Ms), widgets::deployCountText(int64_t(c.samplesPerSecond + 0.5)));
}

QString readText(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

QString nodeNamed(const core::Graph& graph, const core::GraphIssue& issue) {
  const core::Node* n = issue.node >= 0 ? graph.node(issue.node) : nullptr;
  const QString message = QString::fromStdString(issue.message);
  if (!n) return message;
  const QString name = QString::fromStdString(n->name);
  return message.startsWith(name) ? message : name + ": " + message;
}

}  // namespace

DeployPanel::DeployPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("deployPanel");
  m_charts = new widgets::BenchmarkCharts(this);
  m_compression = new widgets::CompressionView(this);
  m_resultTabs = new QTabWidget(this);
  m_resultTabs->setObjectName("deployResults");
  m_resultTabs->addTab(m_charts, tr("Latency && throughput"));
  m_resultTabs->addTab(m_compression, tr("Compression"));
  m_generate = new GeneratePanel(this);
  m_resultTabs->addTab(m_generate, tr("Generate"));
  m_resultTabs->setTabVisible(m_resultTabs->indexOf(m_generate), false);  // language-model runs only

  // The controls scroll (their fields take the wheel only when focused); the results take the rest.
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName("deployControlsScroll");
  QWidget* controls = buildControls();
  scroll->setWidget(controls);
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setMinimumWidth(360);
  widgets::guardWheelInTree(controls);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(scroll);
  split->addWidget(m_resultTabs);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setSizes({380, 1100});
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_runs, &widgets::RunList::selectionChangedTo, this, [this](const QStringList&) { onRunSelection(); });
  connect(m_runs, &widgets::RunList::refreshed, this, [this]() {
    // The newest run with a checkpoint is selected when none is (a new project, a finished run).
    if (m_runs->selectedRuns().isEmpty() && !m_runs->runs().isEmpty()) {
      QString pick = m_runs->runs().front();
      for (const QString& dir : m_runs->runs())
        if (!widgets::bestCheckpoint(dir).isEmpty()) {
          pick = dir;
          break;
        }
      m_runs->selectRuns({pick});
    }
    onRunSelection();
  });
  updateButtons();
}

DeployPanel::~DeployPanel() {
  if (m_cancelFlag) m_cancelFlag->store(true);
  joinWorker();
}

QWidget* DeployPanel::buildControls() {
  auto* box = new QWidget(this);
  auto* v = new QVBoxLayout(box);
  v->setContentsMargins(6, 6, 6, 6);

  auto* runBox = new QGroupBox(tr("Run"), box);
  auto* runLayout = new QVBoxLayout(runBox);
  m_runs = new widgets::RunList(runBox);
  m_runs->setObjectName("deployRuns");
  m_runs->setSelectionMode(QAbstractItemView::SingleSelection);
  m_runs->setMinimumHeight(130);
  m_runs->setMaximumHeight(190);
  for (int c : {int(widgets::RunList::kDate), int(widgets::RunList::kSettings)}) m_runs->setColumnHidden(c, true);
  m_runs->setColumnWidth(widgets::RunList::kName, 200);
  m_runInfo = new QLabel(runBox);
  m_runInfo->setObjectName("deployRunInfo");
  m_runInfo->setWordWrap(true);
  m_runInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
  runLayout->addWidget(m_runs);
  runLayout->addWidget(m_runInfo);
  v->addWidget(runBox);

  auto* benchBox = new QGroupBox(tr("Benchmark"), box);
  auto* form = new QFormLayout(benchBox);
  m_batchSizes = new QLineEdit(QStringLiteral("1,8,32,128"), benchBox);
  m_batchSizes->setObjectName("batchSizes");
  const QRegularExpression listPattern(QStringLiteral("[0-9 ,]*"));
  m_batchSizes->setValidator(new QRegularExpressionValidator(listPattern, m_batchSizes));
  m_batchSizes->setToolTip(tr("Batch sizes to measure, separated by commas"));
  m_threads = new QLineEdit(QString::number(std::max(1, QThread::idealThreadCount())), benchBox);
  m_threads->setObjectName("benchmarkThreads");
  m_threads->setValidator(new QRegularExpressionValidator(listPattern, m_threads));
  m_threads->setToolTip(tr("Thread counts to measure, separated by commas (one curve each)"));
  m_seconds = new QDoubleSpinBox(benchBox);
  m_seconds->setObjectName("benchmarkSeconds");
  m_seconds->setRange(0.01, 60);
  m_seconds->setDecimals(2);
  m_seconds->setSingleStep(0.5);
  m_seconds->setValue(2.0);
  m_seconds->setSuffix(tr(" s"));
  m_seconds->setToolTip(tr("Measured time per case (batch size and thread count), after the warm-up runs"));
  form->addRow(tr("Batch sizes"), m_batchSizes);
  form->addRow(tr("Threads"), m_threads);
  form->addRow(tr("Time per case"), m_seconds);
  auto* buttons = new QHBoxLayout();
  m_measure = new QPushButton(tr("Measure"), benchBox);
  m_measure->setObjectName("measureButton");
  m_measure->setToolTip(tr("Export the run's best checkpoint to deploy/model.pt and time it per batch size and thread count"));
  m_cancel = new QPushButton(tr("Cancel"), benchBox);
  m_cancel->setObjectName("deployCancel");
  connect(m_measure, &QPushButton::clicked, this, [this]() { measure(); });
  connect(m_cancel, &QPushButton::clicked, this, &DeployPanel::cancel);
  buttons->addWidget(m_measure);
  buttons->addWidget(m_cancel);
  buttons->addStretch(1);
  form->addRow(buttons);
  m_progress = new QProgressBar(benchBox);
  m_progress->setObjectName("deployProgress");
  m_progress->setTextVisible(true);
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(QString());
  m_progressText = new QLabel(benchBox);
  m_progressText->setObjectName("deployProgressText");
  m_progressText->setWordWrap(true);
  form->addRow(m_progress);
  form->addRow(m_progressText);
  v->addWidget(benchBox);

  auto* archiveBox = new QGroupBox(tr("Archive"), box);
  auto* archiveLayout = new QVBoxLayout(archiveBox);
  m_archive = new QLabel(archiveBox);
  m_archive->setObjectName("deployArchive");
  m_archive->setWordWrap(true);
  m_archive->setTextInteractionFlags(Qt::TextSelectableByMouse);
  archiveLayout->addWidget(m_archive);
  v->addWidget(archiveBox);

  auto* shipBox = new QGroupBox(tr("Compress and export"), box);
  auto* shipLayout = new QVBoxLayout(shipBox);
  auto* row = new QHBoxLayout();
  m_compress = new QPushButton(tr("Compress…"), shipBox);
  m_compress->setObjectName("compressButton");
  m_compress->setToolTip(tr("Prune channels and/or quantize to int8, then compare the variants' accuracy, size and latency"));
  connect(m_compress, &QPushButton::clicked, this, [this]() { compressWithDialog(); });
  m_export = new QToolButton(shipBox);
  m_export->setObjectName("deployExport");
  m_export->setText(tr("Export ▾"));
  m_export->setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }");
  m_export->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(m_export);
  connect(menu->addAction(tr("TorchScript (.pt)…")), &QAction::triggered, this,
          [this]() { exportWithDialog(ExportFormat::TorchScript); });
  connect(menu->addAction(tr("TorchScript, int8 dynamic (.pt)…")), &QAction::triggered, this,
          [this]() { exportWithDialog(ExportFormat::TorchScriptInt8); });
  connect(menu->addAction(tr("ONNX (.onnx)…")), &QAction::triggered, this,
          [this]() { exportWithDialog(ExportFormat::Onnx); });
  m_export->setMenu(menu);
  row->addWidget(m_compress);
  row->addWidget(m_export);
  row->addStretch(1);
  shipLayout->addLayout(row);
  m_openPruned = new QPushButton(tr("Open pruned project"), shipBox);
  m_openPruned->setObjectName("openPrunedProject");
  m_openPruned->setToolTip(tr("Open the pruned variant's project (its graph with fewer channels) in the editor"));
  connect(m_openPruned, &QPushButton::clicked, this, [this]() {
    for (const core::CompressVariant& variant : m_compressReport.variants)
      if (!variant.project.empty()) {
        Q_EMIT openProjectRequested(QString::fromStdString(variant.project));
        return;
      }
  });
  shipLayout->addWidget(m_openPruned, 0, Qt::AlignLeft);
  v->addWidget(shipBox);
  v->addStretch(1);
  return box;
}

void DeployPanel::setRuns(const QString& root, const widgets::RunOwner& owner) {
  if (m_hasRoot && root == m_root && owner == m_owner) return;
  const bool otherProject = !m_hasRoot || !(owner == m_owner);
  m_hasRoot = true;
  m_root = root;
  m_owner = owner;
  if (isBusy()) return;  // the job's run stays on display; the list follows once it ends
  m_runs->setOwner(owner);
  m_runs->setRunsRoot(root);
  if (otherProject) m_runs->selectRuns({});  // the newest run of the new project is selected on refresh
  m_runs->refresh();
}

void DeployPanel::refreshRuns() {
  if (!m_hasRoot || isBusy()) return;
  m_runs->refresh();
}

void DeployPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refreshRuns();
}

void DeployPanel::setTrainingActive(bool active) {
  m_trainingActive = active;
  m_generate->setTrainingActive(active);
  if (active && isBusy()) {
    cancel();  // its figures would be skewed by the training run, and the run by it
    Q_EMIT statusMessage(tr("Deploy: the job was cancelled because a training run started"));
  }
  updateButtons();
  if (!active) refreshRuns();  // the run just trained is offered
}

void DeployPanel::selectRun(const QString& directory) {
  m_runs->selectRuns({directory});
  onRunSelection();
}

void DeployPanel::onRunSelection() {
  if (isBusy()) return;
  const QStringList selected = m_runs->selectedRuns();
  const QString run = selected.isEmpty() ? QString() : selected.front();
  if (run == m_run && !run.isEmpty()) {
    updateButtons();
    return;
  }
  m_run = run;
  showSaved();
}

void DeployPanel::showSaved() {
  m_benchmark = core::BenchmarkReport{};
  m_compressReport = core::CompressReport{};
  m_charts->clear();
  m_compression->clear();
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(QString());
  m_progressText->clear();
  if (!m_run.isEmpty()) {
    const QString saved = QDir(m_run).filePath("deploy/benchmark.json");
    if (QFileInfo::exists(saved)) {
      core::BenchmarkReport report = core::parseBenchmarkJson(readText(saved).toStdString());
      if (report.ok()) {
        m_benchmark = std::move(report);
        m_charts->setReport(m_benchmark);
        m_progressText->setText(tr("Measured %1").arg(QFileInfo(saved).lastModified().toString("yyyy-MM-dd HH:mm")));
      } else {
        m_progressText->setText(tr("%1 cannot be read: %2").arg(saved, QString::fromStdString(report.error)));
      }
    }
    const QString reportPath = latestCompressReport(m_run);
    if (!reportPath.isEmpty()) {
      core::CompressReport report = core::loadCompressReport(reportPath.toStdString());
      m_compressReport = report;
      m_compression->setReport(report);
    }
  }
  const bool languageModel = GeneratePanel::isLanguageModelRun(m_run);
  m_generate->setRun(languageModel ? m_run : QString());
  m_resultTabs->setTabVisible(m_resultTabs->indexOf(m_generate), languageModel);
  updateArchiveText();
  updateButtons();
}

void DeployPanel::updateArchiveText() {
  if (m_run.isEmpty()) {
    m_runInfo->setText(tr("No run selected. Train the model on the Training tab; its runs are listed here."));
    m_archive->setText(QString());
    return;
  }
  const QString checkpoint = widgets::bestCheckpoint(m_run);
  m_runInfo->setText(checkpoint.isEmpty()
                         ? tr("%1 has no checkpoint yet (no epoch finished).").arg(QFileInfo(m_run).fileName())
                         : tr("%1 — weights %2").arg(QFileInfo(m_run).fileName(),
                                                     QDir(m_run).relativeFilePath(checkpoint)));
  if (!m_benchmark.ok() || m_benchmark.archive.empty()) {
    m_archive->setText(tr("Not measured yet: Measure exports the checkpoint to deploy/model.pt and times it."));
    return;
  }
  QStringList shape;
  for (int64_t d : m_benchmark.inputShape) shape << QString::number(d);
  m_archive->setText(tr("<b>%1</b><br>%2 · %3 parameters · quantization %4<br>input [%5] %6")
                         .arg(QFileInfo(QString::fromStdString(m_benchmark.archive)).fileName().toHtmlEscaped(),
                              widgets::deployBytesText(m_benchmark.fileBytes),
                              widgets::deployCountText(m_benchmark.parameters),
                              QString::fromStdString(m_benchmark.quantization.empty() ? "none" : m_benchmark.quantization).toHtmlEscaped(),
                              shape.join(", "), QString::fromStdString(m_benchmark.inputDtype).toHtmlEscaped()));
  m_archive->setToolTip(QString::fromStdString(m_benchmark.archive));
}

void DeployPanel::updateButtons() {
  const bool busy = isBusy();
  const bool hasWeights = !m_run.isEmpty() && !widgets::bestCheckpoint(m_run).isEmpty();
  const bool can = !busy && !m_trainingActive && hasWeights;
  m_measure->setEnabled(can);
  m_compress->setEnabled(can);
  m_export->setEnabled(can);
  m_cancel->setEnabled(busy);
  m_runs->setEnabled(!busy);
  for (QWidget* w : std::initializer_list<QWidget*>{m_batchSizes, m_threads, m_seconds}) w->setEnabled(!busy);
  bool pruned = false;
  for (const core::CompressVariant& variant : m_compressReport.variants)
    pruned = pruned || (!variant.project.empty() && QFileInfo::exists(QString::fromStdString(variant.project)));
  m_openPruned->setEnabled(!busy && pruned);
  const QString why = m_trainingActive ? tr("Available once the training run has ended")
                      : !hasWeights    ? tr("Select a run with a checkpoint")
                                       : QString();
  m_measure->setToolTip(why.isEmpty() ? tr("Export the run's best checkpoint to deploy/model.pt and time it per batch size and thread count") : why);
}

bool DeployPanel::refuse(const QString& message) {
  m_lastError = message;
  Q_EMIT statusMessage(message);
  m_progressText->setText(message);
  return false;
}

QString DeployPanel::nextCompressFolder(const QString& runDirectory) {
  QDir deploy(QDir(runDirectory).filePath("deploy"));
  for (int n = 1;; ++n) {
    const QString name = QStringLiteral("compress-%1").arg(n);
    if (!deploy.exists(name)) return deploy.filePath(name);
  }
}

QString DeployPanel::latestCompressReport(const QString& runDirectory) {
  QDir deploy(QDir(runDirectory).filePath("deploy"));
  int best = 0;
  QString path;
  for (const QString& name : deploy.entryList({"compress-*"}, QDir::Dirs | QDir::NoDotAndDotDot)) {
    bool ok = false;
    const int n = name.mid(int(qstrlen("compress-"))).toInt(&ok);
    const QString report = deploy.filePath(name + "/report.json");
    if (ok && n > best && QFileInfo::exists(report)) {
      best = n;
      path = report;
    }
  }
  return path;
}

// --- jobs ---------------------------------------------------------------------------------------

bool DeployPanel::startJob(JobKind kind, const QString& firstStage,
                           std::function<void(const std::function<bool()>&,
                                              const std::function<void(std::function<void()>)>&)> work) {
  if (isBusy()) return refuse(tr("Busy: wait for the current job or cancel it"));
  joinWorker();
  m_job = kind;
  m_lastError.clear();
  m_cancelFlag = std::make_shared<std::atomic<bool>>(false);
  setStage(firstStage, 0, 0);
  updateButtons();
  auto flag = m_cancelFlag;
  m_thread = std::thread([this, flag, work = std::move(work)]() {
    auto cancelled = [flag]() { return flag->load(); };
    // The destructor joins this thread before the panel goes, so `this` outlives every post;
    // events still queued when it goes are dropped with it.
    auto post = [this](std::function<void()> fn) {
      QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
    };
    try {
      work(cancelled, post);
    } catch (const std::exception& e) {
      const QString message = QString::fromUtf8(e.what());
      post([this, message]() { endJob(false, tr("Failed: %1").arg(message)); });
    }
  });
  return true;
}

void DeployPanel::joinWorker() {
  if (m_thread.joinable()) m_thread.join();
}

void DeployPanel::cancel() {
  if (!isBusy() || !m_cancelFlag) return;
  m_cancelFlag->store(true);
  m_progressText->setText(tr("Cancelling…"));
  m_cancel->setEnabled(false);
}

void DeployPanel::setStage(const QString& text, int done, int total) {
  if (total > 0) {
    m_progress->setRange(0, total);
    m_progress->setValue(std::clamp(done, 0, total));
  } else {
    m_progress->setRange(0, 0);  // busy indicator
  }
  m_progress->setFormat(total > 0 ? QString() : text);
  m_progressText->setText(text);
}

void DeployPanel::endJob(bool ok, const QString& message) {
  joinWorker();
  const JobKind kind = m_job;
  m_job = JobKind::None;
  if (m_progress->maximum() == 0) m_progress->setRange(0, 1);
  if (ok) m_progress->setValue(m_progress->maximum());
  m_progress->setFormat(ok ? tr("Done") : QString());
  m_progressText->setText(message);
  if (!ok) m_lastError = message;
  updateArchiveText();
  updateButtons();
  Q_EMIT statusMessage(message);
  if (!ok && m_interactive && kind == JobKind::Export && !message.contains(tr("Cancelled")))
    QMessageBox::warning(this, tr("Export failed"), message);
  // The runs list may have moved on while the job ran (another project opened).
  if (m_hasRoot && (m_runs->runsRoot() != m_root || !(m_runs->owner() == m_owner))) {
    m_runs->setOwner(m_owner);
    m_runs->setRunsRoot(m_root);
    m_runs->selectRuns({});
    m_runs->refresh();
  }
  Q_EMIT jobFinished(ok);
}

QString DeployPanel::deployArchive(const QString& run, const QString& checkpoint, QString* error,
                                   const std::function<void()>& beforeExport) {
  const QDir dir(run);
  const QString model = dir.filePath("deploy/model.pt");
  // The export is reused while it is newer than the checkpoint (and intact).
  const QFileInfo modelInfo(model), checkpointInfo(checkpoint);
  if (modelInfo.exists() && modelInfo.lastModified() >= checkpointInfo.lastModified() &&
      core::verifyArchive(model.toStdString()).ok())
    return model;
  core::ProjectLoad load = core::loadProject(dir.filePath("project.json").toStdString());
  if (!load.ok()) {
    *error = QString::fromStdString(load.error);
    return {};
  }
  if (!QDir().mkpath(dir.filePath("deploy"))) {
    *error = tr("Cannot create %1").arg(dir.filePath("deploy"));
    return {};
  }
  if (beforeExport) beforeExport();
  core::ExportOptions exportOptions;
  exportOptions.checkpoint = checkpoint.toStdString();
  exportOptions.classNames = widgets::readRunResult(run).classNames;
  if (core::Status s = core::exportTorchScript(*load.project, model.toStdString(), exportOptions); !s) {
    *error = tr("Export failed: %1").arg(QString::fromStdString(s.message()));
    return {};
  }
  return model;
}

bool DeployPanel::measure() {
  if (m_trainingActive) return refuse(tr("Measure is available once the training run has ended"));
  if (m_run.isEmpty()) return refuse(tr("Select a run to measure"));
  const QString checkpoint = widgets::bestCheckpoint(m_run);
  if (checkpoint.isEmpty()) return refuse(tr("%1 has no checkpoint yet (no epoch finished)").arg(m_run));
  QString error;
  core::BenchmarkOptions options;
  options.batchSizes = parseList(m_batchSizes->text(), 1, 65536, tr("Batch sizes"), &error);
  if (!error.isEmpty()) return refuse(error);
  for (int64_t t : parseList(m_threads->text(), 1, 256, tr("Threads"), &error)) options.threads.push_back(int(t));
  if (!error.isEmpty()) return refuse(error);
  options.secondsPerCase = m_seconds->value();
  const QString run = m_run;
  const int total = int(options.batchSizes.size() * options.threads.size());
  const bool started = startJob(
      JobKind::Measure, tr("Preparing…"),
      [this, run, checkpoint, options, total](const std::function<bool()>& cancelled,
                                              const std::function<void(std::function<void()>)>& post) {
        auto fail = [&](const QString& message) { post([this, message]() { endJob(false, message); }); };
        const QDir dir(run);
        QString error;
        const QString model = deployArchive(run, checkpoint, &error, [&]() {
          const QString stage = tr("Exporting %1 to deploy/model.pt…").arg(dir.relativeFilePath(checkpoint));
          post([this, stage]() { setStage(stage, 0, 0); });
        });
        if (model.isEmpty()) return fail(error);
        if (cancelled()) return fail(tr("Cancelled"));
        post([this, total]() { setStage(tr("Case 1 of %1…").arg(total), 0, total); });
        auto progress = [&](int done, int all, const core::BenchmarkCase& last) {
          const QString text = tr("Case %1 of %2 — %3").arg(done).arg(all).arg(caseText(last));
          post([this, text, done, all]() { setStage(text, done, all); });
        };
        core::BenchmarkReport report = core::benchmarkArchive(model.toStdString(), options, progress, cancelled);
        if (!report.ok()) {
          if (report.error == "cancelled" || cancelled()) return fail(tr("Cancelled"));
          return fail(QString::fromStdString(report.error));
        }
        const QString saved = dir.filePath("deploy/benchmark.json");
        core::Status written = core::writeFileAtomic(saved.toStdString(), core::benchmarkJson(report));
        post([this, report, run, saved, written]() {
          if (run == m_run) {
            m_benchmark = report;
            m_charts->setReport(report);
            m_resultTabs->setCurrentWidget(m_charts);
          }
          endJob(true, written.ok() ? tr("Measured %1 case(s); saved to %2").arg(report.cases.size()).arg(saved)
                                    : tr("Measured, but %1").arg(QString::fromStdString(written.message())));
        });
      });
  return started;
}

bool DeployPanel::compress(core::CompressOptions options) {
  if (m_trainingActive) return refuse(tr("Compress is available once the training run has ended"));
  if (m_run.isEmpty()) return refuse(tr("Select a run to compress"));
  if (options.checkpoint.empty()) options.checkpoint = widgets::bestCheckpoint(m_run).toStdString();
  if (options.checkpoint.empty()) return refuse(tr("%1 has no checkpoint yet (no epoch finished)").arg(m_run));
  if (options.outDir.empty()) options.outDir = nextCompressFolder(m_run).toStdString();
  if (options.threads <= 0) {
    QString error;
    std::vector<int64_t> threads = parseList(m_threads->text(), 1, 256, tr("Threads"), &error);
    if (error.isEmpty() && !threads.empty()) options.threads = int(threads.front());
  }
  const QString run = m_run;
  return startJob(JobKind::Compress, tr("Starting…"),
                  [this, run, options](const std::function<bool()>& cancelled,
                                       const std::function<void(std::function<void()>)>& post) {
                    core::ProjectLoad load = core::loadProject(QDir(run).filePath("project.json").toStdString());
                    if (!load.ok()) {
                      const QString message = QString::fromStdString(load.error);
                      post([this, message]() { endJob(false, message); });
                      return;
                    }
                    // Stage texts at most about ten times a second (fine-tuning reports often).
                    auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
                    auto progress = [&](const std::string& stage, double fraction) {
                      const auto now = std::chrono::steady_clock::now();
                      if (now - last < std::chrono::milliseconds(100) && fraction < 1) return;
                      last = now;
                      const QString text = QString::fromStdString(stage);
                      const int permille = int(std::clamp(fraction, 0.0, 1.0) * 1000);
                      post([this, text, permille]() {
                        setStage(text, permille, 1000);
                        m_progress->setFormat(QStringLiteral("%p %"));
                      });
                    };
                    core::CompressReport report = core::compressModel(*load.project, options, progress, cancelled);
                    post([this, report, run]() {
                      const bool ok = report.status.ok();
                      const bool wasCancelled = !ok && (report.status.message() == "cancelled");
                      if (ok && run == m_run) {
                        m_compressReport = report;
                        m_compression->setReport(report);
                        m_resultTabs->setCurrentWidget(m_compression);
                      }
                      endJob(ok, ok ? tr("Compressed: %1 variant(s); report %2")
                                          .arg(report.variants.size())
                                          .arg(QString::fromStdString(report.reportPath))
                                    : wasCancelled ? tr("Cancelled")
                                                   : tr("Compression failed: %1").arg(QString::fromStdString(report.status.message())));
                    });
                  });
}

bool DeployPanel::compressWithDialog() {
  if (m_run.isEmpty() || isBusy() || m_trainingActive) return compress({});  // says why
  core::ProjectLoad load = core::loadProject(QDir(m_run).filePath("project.json").toStdString());
  if (!load.ok()) return refuse(QString::fromStdString(load.error));
  CompressDialog dialog(*load.project, this);
  dialog.setOutputFolder(nextCompressFolder(m_run));
  if (dialog.exec() != QDialog::Accepted) return false;
  return compress(dialog.options());
}

bool DeployPanel::exportTo(ExportFormat format, const QString& path) {
  if (m_trainingActive)
    return refuse(tr("Export is available once the training run has ended (building the model would change the "
                     "run's random numbers)"));
  if (m_run.isEmpty()) return refuse(tr("Select a trained run to export (the Training tab trains one)"));
  const QString checkpoint = widgets::bestCheckpoint(m_run);
  if (checkpoint.isEmpty()) return refuse(tr("%1 has no checkpoint yet (no epoch finished)").arg(m_run));
  core::ProjectLoad load = core::loadProject(QDir(m_run).filePath("project.json").toStdString());
  if (!load.ok()) return refuse(QString::fromStdString(load.error));
  // Refused before anything is written, naming the nodes.
  std::vector<core::GraphIssue> issues =
      format == ExportFormat::Onnx ? core::checkOnnxExportable(load.project->graph) : core::checkExportable(load.project->graph);
  if (!issues.empty()) {
    QStringList lines;
    for (const core::GraphIssue& issue : issues) lines << nodeNamed(load.project->graph, issue);
    const QString message = (format == ExportFormat::Onnx ? tr("Cannot export to ONNX: %1") : tr("Cannot export: %1"))
                                .arg(lines.join("; "));
    refuse(message);
    if (m_interactive) QMessageBox::warning(this, tr("Export"), message);
    return false;
  }
  const QString run = m_run;
  core::Project project = *load.project;
  return startJob(JobKind::Export, tr("Exporting to %1…").arg(path),
                  [this, run, project, checkpoint, format, path](const std::function<bool()>&,
                                                                 const std::function<void(std::function<void()>)>& post) {
                    core::Status status;
                    if (format == ExportFormat::Onnx) {
                      core::OnnxOptions options;
                      options.checkpoint = checkpoint.toStdString();
                      status = core::exportOnnx(project, path.toStdString(), options);
                    } else {
                      core::ExportOptions options;
                      options.checkpoint = checkpoint.toStdString();
                      options.classNames = widgets::readRunResult(run).classNames;
                      options.quantize = format == ExportFormat::TorchScriptInt8 ? core::QuantizeMode::DynamicInt8
                                                                                 : core::QuantizeMode::None;
                      status = core::exportTorchScript(project, path.toStdString(), options);
                    }
                    const QString message = status.ok() ? tr("Exported %1 to %2").arg(QFileInfo(run).fileName(), path)
                                                        : tr("Export failed: %1").arg(QString::fromStdString(status.message()));
                    post([this, status, message]() { endJob(status.ok(), message); });
                  });
}

void DeployPanel::exportWithDialog(ExportFormat format) {
  if (m_run.isEmpty() || m_trainingActive || isBusy()) {
    exportTo(format, {});  // says why
    if (m_interactive && !m_lastError.isEmpty()) QMessageBox::information(this, tr("Export"), m_lastError);
    return;
  }
  if (!m_interactive) {
    refuse(tr("Export needs a file name: use exportTo() without dialogs"));
    return;
  }
  const bool onnx = format == ExportFormat::Onnx;
  const QString stem = format == ExportFormat::TorchScriptInt8 ? "model-int8" : "model";
  const QString suggested = QDir(m_run).filePath(stem + (onnx ? ".onnx" : ".pt"));
  const QString title = onnx ? tr("Export ONNX")
                        : format == ExportFormat::TorchScriptInt8 ? tr("Export TorchScript (int8 dynamic)")
                                                                  : tr("Export TorchScript");
  QString out = QFileDialog::getSaveFileName(this, title, suggested, onnx ? tr("ONNX (*.onnx)") : tr("TorchScript (*.pt)"));
  if (out.isEmpty()) return;
  if (QFileInfo(out).suffix().isEmpty()) out += onnx ? ".onnx" : ".pt";
  exportTo(format, out);
}

}  // namespace nc::app

#include "widgets/TrainingDashboard.h"

#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSlider>
#include <QSplitter>
#include <QScrollArea>
#include <QTabWidget>
#include <QTextStream>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <iterator>

#include "widgets/ConfusionMatrixView.h"
#include "widgets/ClassMetricsTable.h"
#include "widgets/MisclassifiedGallery.h"
#include "widgets/DiagnosticsView.h"
#include "widgets/SampleGridView.h"
#include "widgets/MetricChart.h"
#include "widgets/WheelGuard.h"

#include <QChart>

namespace nc::widgets {
namespace {

constexpr int kRefreshIntervalMs = 150;
constexpr double kMiB = 1024.0 * 1024.0;
const QColor kTrainColor(31, 119, 180), kValColor(255, 127, 14), kLrColor(148, 103, 189),
    kThroughputColor(44, 160, 44), kCpuColor(214, 39, 40), kGpuColor(140, 86, 75), kMemoryColor(23, 190, 207);
const QColor kComparisonColors[] = {QColor(44, 160, 44), QColor(148, 103, 189), QColor(140, 86, 75),
                                    QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34)};

QColor faint(QColor c) {
  c.setAlpha(70);
  return c;
}

QString duration(double seconds) {
  auto s = int64_t(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

/// A count with thousands separators ("10,000"), whatever the locale's default options say
/// (the C locale omits them).
QString grouped(int64_t n) {
  QLocale locale;
  locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
  return locale.toString(qlonglong(n));
}

QString csvNumber(double v) { return std::isfinite(v) ? QString::number(v, 'g', 8) : QString(); }

}  // namespace

/// The series behind the charts. Shared pointers: a chart curve keeps its series alive.
struct TrainingDashboard::Metrics {
  std::shared_ptr<MetricSeries> trainLoss = std::make_shared<MetricSeries>(),
                                valLoss = std::make_shared<MetricSeries>(),
                                trainAccuracy = std::make_shared<MetricSeries>(),
                                valAccuracy = std::make_shared<MetricSeries>(),
                                learningRate = std::make_shared<MetricSeries>(),
                                throughput = std::make_shared<MetricSeries>(),
                                cpu = std::make_shared<MetricSeries>(), gpuUtil = std::make_shared<MetricSeries>(),
                                resident = std::make_shared<MetricSeries>(),
                                gpuMemory = std::make_shared<MetricSeries>();
  void clear() {
    for (auto* s : {&trainLoss, &valLoss, &trainAccuracy, &valAccuracy, &learningRate, &throughput, &cpu, &gpuUtil,
                    &resident, &gpuMemory})
      (*s)->clear();
  }
};

TrainingDashboard::TrainingDashboard(QWidget* parent) : QWidget(parent), m_data(std::make_unique<Metrics>()) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  layout->addWidget(buildHeader());
  m_message = new QLabel(this);
  m_message->setObjectName("trainingMessage");
  m_message->setWordWrap(true);
  m_message->setTextFormat(Qt::PlainText);
  m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_message->setContentsMargins(8, 4, 8, 4);
  m_message->hide();
  layout->addWidget(m_message);

  m_tabs = new QTabWidget(this);
  m_chartsPage = new QWidget(m_tabs);
  buildCharts();
  m_tabs->addTab(m_chartsPage, tr("Charts"));
  m_confusion = new ConfusionMatrixView(m_tabs);
  // The confusion matrix with the per-class table beside it (issue 14).
  m_classTable = new ClassMetricsTable;
  auto* confusionSplit = new QSplitter(Qt::Horizontal, m_tabs);
  confusionSplit->addWidget(m_confusion);
  confusionSplit->addWidget(m_classTable);
  confusionSplit->setStretchFactor(0, 1);
  confusionSplit->setStretchFactor(1, 1);
  m_tabs->addTab(confusionSplit, tr("Confusion matrix"));
  m_samples = new SampleGridView;
  auto* samplesScroll = new QScrollArea(m_tabs);
  samplesScroll->setWidget(m_samples);
  samplesScroll->setWidgetResizable(true);
  m_tabs->addTab(samplesScroll, tr("Validation samples"));
  m_gallery = new MisclassifiedGallery(m_tabs);
  m_tabs->addTab(m_gallery, tr("Misclassified"));
  connect(m_confusion, &ConfusionMatrixView::cellClicked, this, [this](int trueClass, int predictedClass) {
    m_gallery->setFilters(trueClass, trueClass == predictedClass ? -1 : predictedClass);
    m_tabs->setCurrentWidget(m_gallery);
  });
  connect(m_classTable, &ClassMetricsTable::classActivated, this, [this](int trueClass) {
    m_gallery->setFilters(trueClass, -1);
    m_tabs->setCurrentWidget(m_gallery);
  });
  connect(m_gallery, &MisclassifiedGallery::loaded, this, &TrainingDashboard::showLiveValidation);
  m_diagnostics = new DiagnosticsView(m_tabs);
  m_tabs->addTab(m_diagnostics, tr("Diagnostics"));

  m_log = new QPlainTextEdit(this);
  m_log->setReadOnly(true);
  m_log->setMaximumBlockCount(5000);
  m_log->setPlaceholderText(tr("The run's messages appear here."));
  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  mono.setPointSizeF(mono.pointSizeF() * 0.9);
  m_log->setFont(mono);

  m_details = new QTabWidget(this);
  m_details->setDocumentMode(true);
  m_details->addTab(m_log, tr("Log"));

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(m_tabs);
  split->addWidget(m_details);
  split->setStretchFactor(0, 5);
  split->setStretchFactor(1, 2);
  split->setSizes({560, 210});
  layout->addWidget(split, 1);

  m_refreshTimer.setSingleShot(true);
  m_refreshTimer.setInterval(kRefreshIntervalMs);
  connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
    m_refreshCursor = 0;
    refreshSome();
  });
}

TrainingDashboard::~TrainingDashboard() = default;

QWidget* TrainingDashboard::buildHeader() {
  auto* header = new QWidget(this);
  auto* row = new QHBoxLayout(header);
  row->setContentsMargins(4, 2, 4, 2);
  m_status = new QLabel(tr("No run yet"), header);
  m_status->setMinimumWidth(150);
  QFont bold = m_status->font();
  bold.setBold(true);
  m_status->setFont(bold);
  m_progress = new QProgressBar(header);
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setTextVisible(true);
  m_progress->setFormat(tr("Not started"));
  m_progress->setMinimumWidth(260);

  m_smoothingSlider = new QSlider(Qt::Horizontal, header);
  m_smoothingSlider->setRange(0, 99);
  m_smoothingSlider->setValue(60);
  m_smoothingSlider->setFixedWidth(120);
  m_smoothingSlider->setToolTip(tr("Smoothing of the per-step curves (exponential moving average, as in TensorBoard)"));
  m_smoothingLabel = new QLabel(tr("Smoothing 0.60"), header);
  connect(m_smoothingSlider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
  guardWheel(m_smoothingSlider);  // the panel scrolls; the slider moves only when focused

  auto* png = new QToolButton(header);
  png->setText(tr("PNG…"));
  png->setToolTip(tr("Save the charts as a PNG image"));
  connect(png, &QToolButton::clicked, this, &TrainingDashboard::exportPngWithDialog);
  auto* csv = new QToolButton(header);
  csv->setText(tr("CSV…"));
  csv->setToolTip(tr("Save this run's metrics (steps, epochs, resources) as CSV"));
  connect(csv, &QToolButton::clicked, this, &TrainingDashboard::exportCsvWithDialog);

  row->addWidget(m_status);
  row->addWidget(m_progress, 1);
  row->addSpacing(12);
  row->addWidget(m_smoothingLabel);
  row->addWidget(m_smoothingSlider);
  row->addSpacing(12);
  row->addWidget(png);
  row->addWidget(csv);
  return header;
}

void TrainingDashboard::buildCharts() {
  using Draw = MetricChart::Draw;
  m_loss = new MetricChart(tr("Loss"), tr("step"), tr("loss"), m_chartsPage);
  m_loss->addCurve(tr("train (raw)"), m_data->trainLoss, Draw::Envelope, faint(kTrainColor), Qt::SolidLine, 1.0, false);
  m_loss->addCurve(tr("train"), m_data->trainLoss, Draw::Smoothed, kTrainColor);
  m_loss->addCurve(tr("validation"), m_data->valLoss, Draw::Markers, kValColor);
  m_loss->setIncludeZero(true);
  m_lossBase = m_loss->curveCount();

  m_accuracy = new MetricChart(tr("Accuracy"), tr("step"), tr("accuracy (%)"), m_chartsPage);
  m_accuracy->addCurve(tr("train (raw)"), m_data->trainAccuracy, Draw::Envelope, faint(kTrainColor), Qt::SolidLine,
                       1.0, false);
  m_accuracy->addCurve(tr("train"), m_data->trainAccuracy, Draw::Smoothed, kTrainColor);
  m_accuracy->addCurve(tr("validation"), m_data->valAccuracy, Draw::Markers, kValColor);
  m_accuracyBase = m_accuracy->curveCount();

  m_lr = new MetricChart(tr("Learning rate"), tr("step"), tr("learning rate"), m_chartsPage);
  m_lr->addCurve(tr("learning rate"), m_data->learningRate, Draw::Envelope, kLrColor);
  m_lr->setIncludeZero(true);

  m_throughput = new MetricChart(tr("Throughput"), tr("step"), tr("samples / s"), m_chartsPage);
  m_throughput->addCurve(tr("samples/s"), m_data->throughput, Draw::Envelope, kThroughputColor);
  m_throughput->setIncludeZero(true);
  m_throughput->setYIntegers(true);

  m_cpu = new MetricChart(tr("CPU"), tr("seconds"), tr("utilisation (%)"), m_chartsPage);
  m_cpu->addCurve(tr("CPU (100 = one core)"), m_data->cpu, Draw::Envelope, kCpuColor);
  m_cpu->setIncludeZero(true);
  m_cpu->setYIntegers(true);

  m_memory = new MetricChart(tr("Memory"), tr("seconds"), tr("MiB"), m_chartsPage);
  m_memory->addCurve(tr("resident (this process)"), m_data->resident, Draw::Envelope, kMemoryColor);
  m_memory->setIncludeZero(true);
  m_memory->setYIntegers(true);

  auto* grid = new QGridLayout(m_chartsPage);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setSpacing(2);
  grid->addWidget(m_loss, 0, 0);
  grid->addWidget(m_accuracy, 0, 1);
  grid->addWidget(m_lr, 0, 2);
  grid->addWidget(m_throughput, 1, 0);
  grid->addWidget(m_cpu, 1, 1);
  grid->addWidget(m_memory, 1, 2);
}

void TrainingDashboard::clearData() {
  m_data->clear();
  m_steps.clear();
  m_epochs.clear();
  m_resources.clear();
  m_sessionFirstStep = -1;
  m_resourceOffset = m_lastResourceSeconds = 0;
  m_finished = false;
  m_inPhase = false;
  for (MetricChart* c : {m_loss, m_accuracy, m_lr, m_throughput, m_cpu, m_memory}) c->invalidate();
  m_confusion->clear();
  m_classTable->clear();
  m_gallery->clear();
  m_diagnostics->clear();
}

void TrainingDashboard::beginRun(const QString& name, int64_t epochs) {
  clearData();
  m_runName = name;
  m_plannedEpochs = epochs;
  m_paused = false;
  m_log->clear();
  clearMessage();
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(tr("Starting…"));
  setStatusText(tr("Starting"));
  m_tabs->setCurrentWidget(m_chartsPage);
  refreshNow();
}

void TrainingDashboard::reset() {
  clearData();
  setComparison({});
  m_runName.clear();
  m_plannedEpochs = 0;
  m_paused = false;
  m_log->clear();
  clearMessage();
  m_samples->clear();
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(tr("Not started"));
  setStatusText(tr("No run yet"));
  m_tabs->setCurrentWidget(m_chartsPage);
  refreshNow();
}

void TrainingDashboard::setMessage(const QString& text, MessageKind kind) {
  m_message->setText(text);
  m_message->setToolTip(text);
  m_message->setStyleSheet(kind == MessageKind::Error
                               ? QStringLiteral("QLabel { background: #fdecea; color: #8a1c12; border: 1px solid #f1b0a8; "
                                                "border-radius: 3px; }")
                               : QStringLiteral("QLabel { background: #fdf6e3; color: #5c4a00; border: 1px solid #e8d9a0; "
                                                "border-radius: 3px; }"));
  m_message->setVisible(!text.isEmpty());
}

QString TrainingDashboard::messageText() const { return m_message->text(); }

void TrainingDashboard::addDetailsTab(QWidget* page, const QString& title) {
  m_details->insertTab(0, page, title);
  m_details->setCurrentIndex(0);
}

void TrainingDashboard::showDetailsTab(const QString& title) {
  for (int i = 0; i < m_details->count(); ++i)
    if (m_details->tabText(i) == title) m_details->setCurrentIndex(i);
}

void TrainingDashboard::appendPhase(const core::PhaseProgress& p) {
  if (m_finished) return;
  m_inPhase = true;
  m_phase = p;
  if (p.phase == core::RunPhase::Loading) {
    m_progress->setRange(0, 0);  // busy: the amount of data is not known yet
    m_progress->setFormat(tr("loading the data…"));
    if (!m_paused) setStatusText(tr("Loading data"));
    return;
  }
  int64_t total = std::max<int64_t>(p.total, 1);
  m_progress->setRange(0, int(std::min<int64_t>(total, INT32_MAX)));
  m_progress->setValue(int(std::min(p.done, total)));
  bool test = p.phase == core::RunPhase::Test;
  QString counts = QStringLiteral("%1 / %2").arg(grouped(p.done), grouped(p.total));
  QString text = test ? tr("testing %1").arg(counts)
                      : tr("Epoch %1/%2 · validating %3").arg(p.epoch).arg(m_plannedEpochs).arg(counts);
  if (m_paused) text += tr(" · paused after this pass");
  m_progress->setFormat(text);
  if (!m_paused) setStatusText(test ? tr("Testing") : tr("Validating"));
}

void TrainingDashboard::setPaused(bool paused) {
  if (paused == m_paused) return;
  m_paused = paused;
  if (!paused) m_sessionFirstStep = -1;  // the ETA measures the speed afresh, without the pause
  if (m_inPhase) appendPhase(m_phase);
  else updateProgress();
}

QString TrainingDashboard::progressText() const { return m_progress->format(); }

void TrainingDashboard::loadHistory(const RunCurves& history) {
  for (const auto& s : history.steps) addStep(s);
  for (const auto& e : history.epochs) addEpoch(e);
  m_sessionFirstStep = -1;  // the ETA counts only the resumed session's speed
  scheduleRefresh();
}

void TrainingDashboard::addStep(const core::StepMetrics& m) {
  m_steps.push_back(m);
  double x = double(m.step);
  m_data->trainLoss->append(x, m.loss);
  m_data->trainAccuracy->append(x, m.accuracy * 100.0);
  m_data->learningRate->append(x, m.learningRate);
  m_data->throughput->append(x, m.samplesPerSecond);
}

void TrainingDashboard::addEpoch(const core::EpochMetrics& m) {
  m_epochs.push_back(m);
  m_data->valLoss->append(double(m.step), m.valLoss);
  m_data->valAccuracy->append(double(m.step), m.valAccuracy * 100.0);
}

void TrainingDashboard::appendSteps(const QList<core::StepMetrics>& steps) {
  if (steps.isEmpty()) return;
  for (const auto& s : steps) addStep(s);
  if (m_inPhase && !m_paused) setStatusText(tr("Running"));
  m_inPhase = false;
  if (m_sessionFirstStep < 0) {
    m_sessionFirstStep = steps.front().step;
    m_sessionFirstSeconds = steps.front().elapsedSeconds;
  }
  updateProgress();
  scheduleRefresh();
}

void TrainingDashboard::appendEpoch(const core::EpochMetrics& epoch) {
  addEpoch(epoch);
  // The validation pass wrote misclassified.json (with its confusion matrix) before this epoch
  // was reported: the gallery, matrix and per-class table follow the live run.
  if (!m_liveRun.isEmpty() && !m_finished) m_gallery->loadRun(m_liveRun);
  if (m_inPhase && !m_paused) setStatusText(tr("Running"));
  m_inPhase = false;
  updateProgress();
  scheduleRefresh();
}

void TrainingDashboard::appendResource(const core::ResourceSample& s) {
  // A resumed trainer restarts its clock: keep the time axis increasing.
  if (s.elapsedSeconds + m_resourceOffset < m_lastResourceSeconds) m_resourceOffset = m_lastResourceSeconds;
  double x = s.elapsedSeconds + m_resourceOffset;
  m_lastResourceSeconds = x;
  m_resources.push_back(s);
  m_data->cpu->append(x, s.processCpuPercent);
  m_data->resident->append(x, double(s.residentBytes) / kMiB);
  if (s.gpuUtilizationPercent >= 0 || s.gpuAllocatedBytes >= 0) {
    if (!m_gpuCurves) {
      m_gpuCurves = true;
      m_cpu->chart()->setTitle(tr("CPU and GPU"));
      m_cpu->addCurve(tr("GPU"), m_data->gpuUtil, MetricChart::Draw::Envelope, kGpuColor);
      m_memory->addCurve(tr("GPU allocated"), m_data->gpuMemory, MetricChart::Draw::Envelope, kGpuColor);
    }
    if (s.gpuUtilizationPercent >= 0) m_data->gpuUtil->append(x, s.gpuUtilizationPercent);
    if (s.gpuAllocatedBytes >= 0) m_data->gpuMemory->append(x, double(s.gpuAllocatedBytes) / kMiB);
  }
  scheduleRefresh();
}

void TrainingDashboard::appendLog(const QString& line) {
  m_log->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + line);
}

void TrainingDashboard::setStatusText(const QString& text) { m_status->setText(text); }
QString TrainingDashboard::statusText() const { return m_status->text(); }
QString TrainingDashboard::logText() const { return m_log->toPlainText(); }

void TrainingDashboard::updateProgress() {
  if (m_steps.empty()) return;
  if (m_inPhase && !m_finished) return;  // the pass under way keeps the bar
  const core::StepMetrics& last = m_steps.back();
  int64_t perEpoch = std::max<int64_t>(last.batchesPerEpoch, 1);
  int64_t total = std::max<int64_t>(m_plannedEpochs, 1) * perEpoch;
  int64_t epochsDone = m_epochs.empty() ? 0 : m_epochs.back().epoch;
  m_progress->setRange(0, int(std::min<int64_t>(total, INT32_MAX)));
  m_progress->setValue(int(std::min<int64_t>(last.step, total)));
  QString text = tr("Epoch %1/%2 · step %L3/%L4 · %L5 samples/s")
                     .arg(std::max(last.epoch, epochsDone))
                     .arg(m_plannedEpochs)
                     .arg(last.step)
                     .arg(total)
                     .arg(last.samplesPerSecond, 0, 'f', 0);
  double spent = last.elapsedSeconds - m_sessionFirstSeconds;
  int64_t done = last.step - m_sessionFirstStep;
  if (m_finished) {
    text = tr("Epoch %1/%2 · step %3 · done").arg(epochsDone).arg(m_plannedEpochs).arg(grouped(last.step));
  } else if (m_paused) {
    text += tr(" · paused");
  } else if (done > 0 && spent > 0.5) {
    double eta = double(total - last.step) * spent / double(done);
    text += tr(" · ETA %1").arg(duration(eta));
  }
  m_progress->setFormat(text);
}

void TrainingDashboard::finishRun(const core::RunResult& r) {
  m_finished = true;
  m_paused = false;
  m_inPhase = false;
  QString status = QString::fromStdString(core::runStatusName(r.status));
  status[0] = status[0].toUpper();
  setStatusText(status);
  const QString message = QString::fromStdString(r.message);
  if (m_progress->maximum() == 0) m_progress->setRange(0, 1);  // a busy bar (loading) stops
  if (r.status == core::RunStatus::Failed) {
    // The bar is one line: the reason goes to the message area, wrapped, where it can be read.
    m_progress->setFormat(tr("Failed"));
    m_progress->setValue(m_progress->minimum());
    setMessage(message.isEmpty() ? tr("The run failed.") : tr("The run failed: %1").arg(message), MessageKind::Error);
  } else if (r.status == core::RunStatus::Stopped) {
    if (m_steps.empty()) {
      m_progress->setFormat(tr("stopped before the first step"));
    } else {
      updateProgress();  // the bar keeps the position it stopped at
      const core::StepMetrics& last = m_steps.back();
      m_progress->setFormat(tr("stopped at epoch %1, step %2").arg(last.epoch).arg(grouped(last.step)));
    }
    if (!message.isEmpty()) setMessage(tr("Stopped: %1").arg(message), MessageKind::Info);
  } else {
    updateProgress();
    m_progress->setValue(m_progress->maximum());
    if (r.testAccuracy >= 0)
      m_progress->setFormat(m_progress->format() + tr(" · test accuracy %1 %").arg(r.testAccuracy * 100.0, 0, 'f', 2));
    if (!message.isEmpty()) setMessage(message, MessageKind::Info);  // early stopping
  }
  if (!r.confusion.empty()) {
    QStringList names;
    for (const auto& n : r.classNames) names << QString::fromStdString(n);
    m_confusion->setMatrix(r.confusion, names);
    m_classTable->setMatrix(r.confusion, names);
  }
  m_liveRun.clear();
  if (!r.runDirectory.empty()) m_gallery->loadRun(QString::fromStdString(r.runDirectory));
  else m_gallery->clear();
  if (!r.runDirectory.empty()) m_samples->loadRun(QString::fromStdString(r.runDirectory));
  else m_samples->clear();
  if (!r.runDirectory.empty()) m_diagnostics->loadRun(QString::fromStdString(r.runDirectory));  // the files hold all
  refreshNow();
}

void TrainingDashboard::showRun(const RunCurves& curves, const core::RunResult& result) {
  clearData();
  m_runName = curves.name;
  m_log->clear();
  clearMessage();
  loadHistory(curves);
  if (!m_steps.empty()) m_plannedEpochs = std::max<int64_t>(m_plannedEpochs, m_steps.back().epoch);
  finishRun(result);
  setStatusText(curves.name);
}

void TrainingDashboard::setComparison(const QList<RunCurves>& runs) {
  m_loss->removeCurvesFrom(m_lossBase);
  m_accuracy->removeCurvesFrom(m_accuracyBase);
  m_comparisonCount = 0;
  for (const RunCurves& run : runs) {
    QColor color = kComparisonColors[m_comparisonCount % int(std::size(kComparisonColors))];
    auto loss = std::make_shared<MetricSeries>(), valLoss = std::make_shared<MetricSeries>(),
         valAccuracy = std::make_shared<MetricSeries>();
    for (const auto& s : run.steps) loss->append(double(s.step), s.loss);
    for (const auto& e : run.epochs) {
      valLoss->append(double(e.step), e.valLoss);
      valAccuracy->append(double(e.step), e.valAccuracy * 100.0);
    }
    m_loss->addCurve(run.name, loss, MetricChart::Draw::Smoothed, color, Qt::DashLine, 1.5);
    m_loss->addCurve(run.name + tr(" val"), valLoss, MetricChart::Draw::Markers, color, Qt::DotLine, 1.5, false);
    m_accuracy->addCurve(run.name + tr(" val"), valAccuracy, MetricChart::Draw::Markers, color, Qt::DashLine, 1.5);
    ++m_comparisonCount;
  }
  refreshNow();
}

void TrainingDashboard::setSmoothing(double weight) {
  weight = std::clamp(weight, 0.0, 0.99);
  for (MetricChart* c : {m_loss, m_accuracy}) c->setSmoothing(weight);
  m_smoothingLabel->setText(tr("Smoothing %1").arg(weight, 0, 'f', 2));
  int v = int(std::lround(weight * 100));
  if (m_smoothingSlider->value() != v) {
    const QSignalBlocker block(m_smoothingSlider);
    m_smoothingSlider->setValue(v);
  }
  scheduleRefresh();
}

double TrainingDashboard::smoothing() const { return m_smoothingSlider->value() / 100.0; }

void TrainingDashboard::scheduleRefresh() {
  if (!m_refreshTimer.isActive()) m_refreshTimer.start();
}

void TrainingDashboard::refreshSome() {
  // One chart per event-loop turn: redrawing a chart costs several milliseconds (more on a busy
  // machine), and six in one go would hold the GUI thread for all of them at once.
  const MetricChart* charts[] = {m_loss, m_accuracy, m_lr, m_throughput, m_cpu, m_memory};
  const int count = int(std::size(charts));
  while (m_refreshCursor < count) {
    MetricChart* c = const_cast<MetricChart*>(charts[m_refreshCursor++]);
    if (!c->refresh()) continue;
    ++m_chartUpdates;
    if (m_refreshCursor < count) QTimer::singleShot(0, this, &TrainingDashboard::refreshSome);
    return;
  }
}

void TrainingDashboard::refreshNow() {
  m_refreshTimer.stop();
  m_refreshCursor = 6;  // a staggered refresh under way has nothing left to do
  for (MetricChart* c : {m_loss, m_accuracy, m_lr, m_throughput, m_cpu, m_memory})
    if (c->refresh()) ++m_chartUpdates;
}

void TrainingDashboard::setLiveRunDirectory(const QString& runDirectory) { m_liveRun = runDirectory; }

void TrainingDashboard::showLiveValidation(bool ok) {
  const core::MisclassifiedSet* set = m_gallery->set();
  if (!ok || m_finished || m_liveRun.isEmpty() || !set || set->confusion.empty()) return;
  QStringList names;
  for (const auto& n : set->classNames) names << QString::fromStdString(n);
  m_confusion->setMatrix(set->confusion, names);
  m_classTable->setMatrix(set->confusion, names);
}

void TrainingDashboard::showTab(const QString& title) {
  for (int i = 0; i < m_tabs->count(); ++i)
    if (m_tabs->tabText(i) == title) m_tabs->setCurrentIndex(i);
}

bool TrainingDashboard::exportChartsPng(const QString& path) {
  refreshNow();
  return m_chartsPage->grab().save(path, "PNG");
}

bool TrainingDashboard::exportCsv(const QString& path, QString* error) const {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    if (error) *error = tr("cannot write %1: %2").arg(path, f.errorString());
    return false;
  }
  QTextStream out(&f);
  out << "kind,epoch,step,seconds,loss,accuracy,learning_rate,samples_per_s,val_loss,val_accuracy,"
         "cpu_percent,resident_bytes,gpu_allocated_bytes,gpu_utilization_percent\n";
  for (const auto& s : m_steps)
    out << "step," << s.epoch << ',' << s.step << ',' << csvNumber(s.elapsedSeconds) << ',' << csvNumber(s.loss) << ','
        << csvNumber(s.accuracy) << ',' << csvNumber(s.learningRate) << ',' << csvNumber(s.samplesPerSecond)
        << ",,,,,,\n";
  for (const auto& e : m_epochs)
    out << "epoch," << e.epoch << ',' << e.step << ',' << csvNumber(e.seconds) << ',' << csvNumber(e.trainLoss) << ','
        << csvNumber(e.trainAccuracy) << ",," << csvNumber(e.samplesPerSecond) << ',' << csvNumber(e.valLoss) << ','
        << csvNumber(e.valAccuracy) << ",,,,\n";
  for (const auto& r : m_resources)
    out << "resource,,," << csvNumber(r.elapsedSeconds) << ",,,,,,," << csvNumber(r.processCpuPercent) << ','
        << r.residentBytes << ',' << (r.gpuAllocatedBytes >= 0 ? QString::number(r.gpuAllocatedBytes) : QString())
        << ',' << (r.gpuUtilizationPercent >= 0 ? csvNumber(r.gpuUtilizationPercent) : QString()) << '\n';
  out.flush();
  if (f.error() != QFileDevice::NoError) {
    if (error) *error = tr("cannot write %1: %2").arg(path, f.errorString());
    return false;
  }
  return true;
}

void TrainingDashboard::exportPngWithDialog() {
  QString path = QFileDialog::getSaveFileName(this, tr("Save charts"), m_runName + "-charts.png", tr("PNG image (*.png)"));
  if (path.isEmpty()) return;
  if (!exportChartsPng(path)) appendLog(tr("could not save the charts to %1").arg(path));
}

void TrainingDashboard::exportCsvWithDialog() {
  QString path = QFileDialog::getSaveFileName(this, tr("Save metrics"), m_runName + "-metrics.csv", tr("CSV (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportCsv(path, &error)) appendLog(error);
}

}  // namespace nc::widgets

#include "widgets/DiagnosticsView.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QListWidget>
#include <QLogValueAxis>
#include <QPainter>
#include <QSplitter>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

#include "core/training/Diagnostics.h"
#include "widgets/MetricChart.h"

namespace nc::widgets {

namespace {

constexpr int kRefreshMs = 300;

QColor nodeColor(int i) {
  static const QColor palette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                   QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
                                   QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34),
                                   QColor(23, 190, 207)};
  return palette[i % 10];
}

double metricOf(const core::NodeDiagnostics& n, DiagnosticsView::Metric m) {
  switch (m) {
    case DiagnosticsView::Metric::WeightNorm: return n.weightNorm;
    case DiagnosticsView::Metric::GradNorm: return n.gradNorm;
    case DiagnosticsView::Metric::UpdateRatio: return n.updateRatio;
  }
  return 0;
}

QString alarmTitle(const std::string& kind) {
  if (kind == "exploding_gradients") return QObject::tr("Exploding gradients");
  if (kind == "vanishing_gradients") return QObject::tr("Vanishing gradients");
  if (kind == "dead_relu") return QObject::tr("Dead ReLU");
  if (kind == "non_finite") return QObject::tr("NaN/inf");
  return QString::fromStdString(kind);
}

}  // namespace

// ---- HistogramWidget ----

HistogramWidget::HistogramWidget(const QString& title, QWidget* parent) : QWidget(parent), m_title(title) {
  setMinimumSize(180, 110);
}

void HistogramWidget::setHistogram(const core::HistogramData& h) {
  m_data = h;
  update();
}

void HistogramWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  p.setPen(palette().text().color());
  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  const int lineH = fontMetrics().height();
  p.drawText(QRect(6, 2, width() - 12, lineH), Qt::AlignLeft | Qt::AlignVCenter, m_title);
  p.setFont(font());
  QRect plot(8, lineH + 6, width() - 16, height() - 2 * lineH - 12);
  int64_t top = 0;
  for (int64_t c : m_data.counts) top = std::max(top, c);
  if (top == 0 || plot.width() < 10 || plot.height() < 10) {
    p.setPen(palette().placeholderText().color());
    p.drawText(plot, Qt::AlignCenter, tr("No histogram yet"));
    return;
  }
  const int bins = int(m_data.counts.size());
  const double w = double(plot.width()) / bins;
  for (int i = 0; i < bins; ++i) {
    double h = double(m_data.counts[size_t(i)]) / double(top) * plot.height();
    QRectF bar(plot.left() + i * w, plot.bottom() - h, std::max(1.0, w - 1), h);
    p.fillRect(bar, QColor(31, 119, 180));
  }
  p.setPen(palette().mid().color());
  p.drawLine(plot.bottomLeft(), plot.bottomRight());
  p.setPen(palette().text().color());
  QRect labels(plot.left(), plot.bottom() + 3, plot.width(), lineH);
  p.drawText(labels, Qt::AlignLeft, QString::number(m_data.min, 'g', 3));
  p.drawText(labels, Qt::AlignRight, QString::number(m_data.max, 'g', 3));
  p.drawText(labels, Qt::AlignHCenter, tr("max count %1").arg(top));
}

// ---- DiagnosticsView ----

DiagnosticsView::DiagnosticsView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Chart:"), this));
  m_metricPicker = new QComboBox(this);
  m_metricPicker->setObjectName("diagnosticsMetric");
  m_metricPicker->addItems({tr("Weight norm"), tr("Gradient norm"), tr("Update / weight ratio")});
  bar->addWidget(m_metricPicker);
  bar->addSpacing(16);
  m_histogramTitle = new QLabel(tr("Histograms of:"), this);
  bar->addWidget(m_histogramTitle);
  m_nodePicker = new QComboBox(this);
  m_nodePicker->setObjectName("diagnosticsNode");
  m_nodePicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  bar->addWidget(m_nodePicker);
  bar->addStretch(1);
  layout->addLayout(bar);

  auto* split = new QSplitter(Qt::Horizontal, this);
  QChart* chart = newStyledChart(tr("Weight norm per node"));
  m_chartView = new QChartView(chart, split);
  m_chartView->setRenderHint(QPainter::Antialiasing);
  split->addWidget(m_chartView);
  auto* right = new QWidget(split);
  auto* rightLayout = new QVBoxLayout(right);
  rightLayout->setContentsMargins(0, 0, 0, 0);
  m_weights = new HistogramWidget(tr("Weights (latest epoch)"), right);
  m_gradients = new HistogramWidget(tr("Gradients (latest epoch)"), right);
  rightLayout->addWidget(m_weights, 1);
  rightLayout->addWidget(m_gradients, 1);
  m_alarms = new QListWidget(right);
  m_alarms->setObjectName("diagnosticsAlarms");
  m_alarms->setWordWrap(true);
  rightLayout->addWidget(new QLabel(tr("Alarms"), right));
  rightLayout->addWidget(m_alarms, 1);
  split->addWidget(right);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({600, 400});  // the chart gets the larger share
  layout->addWidget(split, 1);

  m_refresh.setSingleShot(true);
  m_refresh.setInterval(kRefreshMs);
  connect(&m_refresh, &QTimer::timeout, this, &DiagnosticsView::refreshNow);
  connect(m_metricPicker, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { refreshNow(); });
  connect(m_nodePicker, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { updateHistograms(); });
  connect(m_alarms, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row < 0 || row >= int(m_alarmData.size())) return;
    const core::TrainingAlarm& a = m_alarmData[size_t(row)];
    showNode(a.nodeId);
    Q_EMIT nodeActivated(qint64(a.nodeId));
  });
  rebuildChart();
}

QChart* DiagnosticsView::chart() const { return m_chartView->chart(); }

void DiagnosticsView::clear() {
  m_samples.clear();
  m_histograms = {};
  m_alarmData.clear();
  m_alarms->clear();
  updateNodePicker();
  updateHistograms();
  refreshNow();
}

void DiagnosticsView::loadRun(const QString& directory) {
  core::RunDiagnostics d = core::readRunDiagnostics(directory.toStdString());
  m_samples = std::move(d.samples);
  m_histograms = d.histograms.empty() ? core::EpochHistograms{} : d.histograms.back();
  m_alarmData.clear();
  m_alarms->clear();
  for (const auto& a : d.alarms) appendAlarm(a);
  updateNodePicker();
  updateHistograms();
  refreshNow();
}

void DiagnosticsView::appendSample(const core::DiagnosticsSample& s) {
  m_samples.push_back(s);
  scheduleRefresh();
}

void DiagnosticsView::setHistograms(const core::EpochHistograms& h) {
  m_histograms = h;
  updateNodePicker();
  updateHistograms();
}

void DiagnosticsView::appendAlarm(const core::TrainingAlarm& a) {
  m_alarmData.push_back(a);
  auto* item = new QListWidgetItem(tr("%1 · %2 (step %3)\n%4")
                                       .arg(alarmTitle(a.kind), QString::fromStdString(a.nodeName))
                                       .arg(a.step)
                                       .arg(QString::fromStdString(a.message)));
  item->setData(Qt::UserRole, qint64(a.nodeId));
  item->setForeground(a.kind == "non_finite" || a.kind == "exploding_gradients" ? QColor(180, 30, 30)
                                                                                  : QColor(160, 90, 0));
  m_alarms->addItem(item);
}

void DiagnosticsView::setMetric(Metric m) { m_metricPicker->setCurrentIndex(int(m)); }

DiagnosticsView::Metric DiagnosticsView::metric() const {
  return Metric(std::clamp(m_metricPicker->currentIndex(), 0, 2));
}

bool DiagnosticsView::showNode(int64_t nodeId) {
  int i = m_nodePicker->findData(qint64(nodeId));
  if (i < 0) return false;
  m_nodePicker->setCurrentIndex(i);
  return true;
}

void DiagnosticsView::scheduleRefresh() {
  m_dirty = true;
  if (!m_refresh.isActive()) m_refresh.start();
}

void DiagnosticsView::refreshNow() {
  m_refresh.stop();
  m_dirty = false;
  rebuildChart();
  if (m_nodePicker->count() == 0) updateNodePicker();
}

void DiagnosticsView::updateNodePicker() {
  // Nodes of the histograms, else of the samples, in their (topological) order.
  std::vector<std::pair<int64_t, std::string>> nodes;
  if (!m_histograms.nodes.empty())
    for (const auto& n : m_histograms.nodes) nodes.emplace_back(n.nodeId, n.nodeName);
  else if (!m_samples.empty())
    for (const auto& n : m_samples.back().nodes) nodes.emplace_back(n.nodeId, n.nodeName);
  qint64 current = m_nodePicker->currentData().isValid() ? m_nodePicker->currentData().toLongLong() : -1;
  QSignalBlocker block(m_nodePicker);
  m_nodePicker->clear();
  for (const auto& [id, name] : nodes) m_nodePicker->addItem(QString::fromStdString(name), qint64(id));
  int keep = m_nodePicker->findData(current);
  m_nodePicker->setCurrentIndex(keep >= 0 ? keep : (m_nodePicker->count() ? 0 : -1));
}

void DiagnosticsView::updateHistograms() {
  qint64 id = m_nodePicker->currentData().isValid() ? m_nodePicker->currentData().toLongLong() : -1;
  core::HistogramData none;
  const core::NodeHistograms* found = nullptr;
  for (const auto& n : m_histograms.nodes)
    if (n.nodeId == id) found = &n;
  m_weights->setHistogram(found ? found->weights : none);
  m_gradients->setHistogram(found ? found->gradients : none);
  QString epoch = m_histograms.epoch > 0 ? tr(" (epoch %1)").arg(m_histograms.epoch) : QString();
  m_histogramTitle->setText(tr("Histograms%1 of:").arg(epoch));
}

void DiagnosticsView::rebuildChart() {
  QChart* c = chart();
  c->removeAllSeries();
  for (QAbstractAxis* a : c->axes()) {
    c->removeAxis(a);
    delete a;
  }
  const Metric m = metric();
  static const char* titles[] = {"Weight norm per node", "Gradient norm per node (before clipping)",
                                 "Update / weight ratio per node"};
  c->setTitle(tr(titles[int(m)]));
  // One line per node, in the order the nodes first appear.
  std::vector<int64_t> order;
  std::map<int64_t, QLineSeries*> lines;
  double lo = HUGE_VAL, hi = 0, firstStep = HUGE_VAL, lastStep = 0;
  for (const auto& s : m_samples)
    for (const auto& n : s.nodes) {
      double v = metricOf(n, m);
      auto it = lines.find(n.nodeId);
      if (it == lines.end()) {
        auto* line = new QLineSeries(c);
        line->setName(QString::fromStdString(n.nodeName));
        QPen pen(nodeColor(int(order.size())));
        pen.setWidthF(1.8);
        line->setPen(pen);
        it = lines.emplace(n.nodeId, line).first;
        order.push_back(n.nodeId);
      }
      if (!(v > 0) || !std::isfinite(v)) continue;  // a log axis shows positive values only
      it->second->append(double(s.step), v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      firstStep = std::min(firstStep, double(s.step));
      lastStep = std::max(lastStep, double(s.step));
    }
  auto* x = new QValueAxis(c);
  x->setTitleText(tr("step"));
  x->setLabelFormat("%d");
  if (lastStep > 0) x->setRange(firstStep, std::max(lastStep, firstStep + 1));
  else x->setRange(0, 1);
  auto* y = new QLogValueAxis(c);
  y->setBase(10);
  y->setMinorTickCount(8);
  y->setLabelFormat("%g");
  if (hi > 0) {
    double a = std::pow(10.0, std::floor(std::log10(lo))), b = std::pow(10.0, std::ceil(std::log10(hi)));
    y->setRange(a, b > a ? b : a * 10);
  } else {
    y->setRange(1e-3, 1);
  }
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  for (int64_t id : order) {
    QLineSeries* line = lines[id];
    c->addSeries(line);
    line->attachAxis(x);
    line->attachAxis(y);
  }
  c->legend()->setVisible(!order.empty());
}

}  // namespace nc::widgets

#include "widgets/DeployCharts.h"
#include "widgets/MetricChart.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

namespace nc::widgets {

QString deployBytesText(int64_t bytes) {
  if (bytes < 0) return QStringLiteral("—");
  if (bytes >= (int64_t(1) << 30)) return QString::number(double(bytes) / double(int64_t(1) << 30), 'f', 2) + " GiB";
  if (bytes >= (int64_t(1) << 20)) return QString::number(double(bytes) / double(1 << 20), 'f', 2) + " MiB";
  if (bytes >= 1024) return QString::number(double(bytes) / 1024.0, 'f', 1) + " KiB";
  return QString::number(bytes) + " B";
}

QString deployMsText(double ms) {
  if (!std::isfinite(ms) || ms < 0) return QStringLiteral("—");
  if (ms >= 1000) return QLocale(QLocale::English).toString(ms, 'f', 0);
  if (ms >= 100) return QString::number(ms, 'f', 0);
  if (ms >= 10) return QString::number(ms, 'f', 1);
  if (ms >= 1) return QString::number(ms, 'f', 2);
  if (ms == 0) return QStringLiteral("0");
  // Three significant digits below 1 ms: 0.123, 0.0123.
  const int decimals = std::clamp(2 - int(std::floor(std::log10(ms))), 3, 9);
  return QString::number(ms, 'f', decimals);
}

QString deployFlopsText(int64_t n) {
  if (n >= 1'000'000'000) return QString::number(double(n) / 1e9, 'f', 2) + " G";
  if (n >= 1'000'000) return QString::number(double(n) / 1e6, 'f', 2) + " M";
  return QLocale(QLocale::English).toString(qlonglong(n));
}

QString deployCountText(int64_t n) {
  if (n >= 10'000'000) return QString::number(double(n) / 1e6, 'f', 2) + " M";
  return QLocale(QLocale::English).toString(qlonglong(n));
}

namespace {

const QColor kPalette[] = {QColor(0x2b, 0x6c, 0xb0), QColor(0xdd, 0x6b, 0x20), QColor(0x2f, 0x85, 0x5a),
                           QColor(0x80, 0x5a, 0xd5), QColor(0xc5, 0x30, 0x30), QColor(0x31, 0x97, 0x95)};

QColor colorFor(size_t i) { return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))]; }


void styleAxis(QAbstractAxis* axis, const QString& title) {
  QFont small = axis->labelsFont();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  axis->setLabelsFont(small);
  axis->setTitleFont(small);
  axis->setTitleText(title);
  axis->setGridLineColor(QColor(225, 225, 225));
  axis->setMinorGridLineColor(QColor(242, 242, 242));
}

/// A log axis whose labelled ticks (powers of the base) are distinct and inside the range: base 2
/// up to about ten doublings (batch sizes 1, 2, 4 ... 1024), base 10 beyond. The range is padded
/// so that the first and last points are not on the frame.
QLogValueAxis* batchAxis(double lo, double hi) {
  auto* axis = new QLogValueAxis();
  lo = std::max(lo, 1.0);
  hi = std::max(hi, lo);
  const bool wide = hi / lo > 1024;
  axis->setBase(wide ? 10.0 : 2.0);
  axis->setMinorTickCount(wide ? 8 : 0);
  axis->setLabelFormat(QStringLiteral("%g"));
  axis->setRange(lo / 1.45, hi * 1.45);
  return axis;
}

/// Log axis base 10 over whole decades, so at least two labelled ticks show ("0.1", "1", "10").
QLogValueAxis* decadeAxis(double lo, double hi) {
  auto* axis = new QLogValueAxis();
  if (!(lo > 0) || !std::isfinite(lo)) lo = 1e-3;
  if (!(hi > lo) || !std::isfinite(hi)) hi = lo * 10;
  const double a = std::pow(10.0, std::floor(std::log10(lo)));
  double b = std::pow(10.0, std::ceil(std::log10(hi)));
  if (b <= a) b = a * 10;
  axis->setBase(10.0);
  axis->setMinorTickCount(8);
  axis->setLabelFormat(QStringLiteral("%g"));
  axis->setRange(a, b);
  return axis;
}

/// A linear axis from 0 to a round maximum with about five ticks of round values.
QValueAxis* zeroBasedAxis(double hi, bool integers) {
  auto* axis = new QValueAxis();
  if (!(hi > 0) || !std::isfinite(hi)) hi = 1;
  const double raw = hi / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double n = raw / magnitude;
  double interval = (n <= 1 ? 1.0 : n <= 2 ? 2.0 : n <= 5 ? 5.0 : 10.0) * magnitude;
  if (integers) interval = std::max(1.0, std::round(interval));
  const double top = std::ceil(hi * 1.05 / interval) * interval;
  axis->setRange(0, top);
  axis->setTickType(QValueAxis::TicksDynamic);
  axis->setTickAnchor(0);
  axis->setTickInterval(interval);
  if (integers || interval >= 1) {
    axis->setLabelFormat(QStringLiteral("%.0f"));
  } else {
    const int decimals = std::clamp(int(std::ceil(-std::log10(interval) - 1e-9)), 1, 6);
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
  }
  return axis;
}

void clearChart(QChart* chart) {
  chart->removeAllSeries();
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
}

QTableWidgetItem* cell(const QString& text, bool number = true) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  if (number) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QString threadsText(int threads) {
  return threads == 1 ? QObject::tr("1 thread") : QObject::tr("%1 threads").arg(threads);
}

QChartView* newChartView(QChart* chart, QWidget* parent) {
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing, true);
  view->setMinimumSize(280, 200);
  return view;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// BenchmarkCharts

BenchmarkCharts::BenchmarkCharts(QWidget* parent) : QWidget(parent) {
  m_latency = newChartView(newStyledChart(tr("Latency per batch (p50; band to p99, dots p95)")), this);
  m_latency->setObjectName("latencyChart");
  m_throughput = newChartView(newStyledChart(tr("Throughput (samples per second)")), this);
  m_throughput->setObjectName("throughputChart");
  m_table = new QTableWidget(0, 9, this);
  m_table->setObjectName("benchmarkTable");
  m_table->setHorizontalHeaderLabels({tr("Threads"), tr("Batch"), tr("Runs"), tr("p50 (ms)"), tr("p95 (ms)"),
                                      tr("p99 (ms)"), tr("Mean (ms)"), tr("Samples/s"), tr("Peak memory")});
  m_table->verticalHeader()->setVisible(false);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_table->setAlternatingRowColors(true);

  auto* charts = new QSplitter(Qt::Horizontal, this);
  charts->addWidget(m_latency);
  charts->addWidget(m_throughput);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(charts);
  split->addWidget(m_table);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({520, 300});  // the charts get most of the height
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  clear();
}

void BenchmarkCharts::clear() {
  m_cases = 0;
  m_table->setRowCount(0);
  for (QChartView* view : {m_latency, m_throughput}) {
    clearChart(view->chart());
    view->chart()->legend()->hide();
  }
  // Empty charts keep their axes' titles so the page reads as what it will show.
  auto* x1 = batchAxis(1, 128);
  styleAxis(x1, tr("batch size (samples, log scale)"));
  auto* y1 = decadeAxis(0.1, 100);
  styleAxis(y1, tr("latency (ms, log)"));
  m_latency->chart()->addAxis(x1, Qt::AlignBottom);
  m_latency->chart()->addAxis(y1, Qt::AlignLeft);
  auto* x2 = batchAxis(1, 128);
  styleAxis(x2, tr("batch size (samples, log scale)"));
  auto* y2 = zeroBasedAxis(1000, true);
  styleAxis(y2, tr("samples/s"));
  m_throughput->chart()->addAxis(x2, Qt::AlignBottom);
  m_throughput->chart()->addAxis(y2, Qt::AlignLeft);
}

void BenchmarkCharts::setReport(const core::BenchmarkReport& report) {
  clear();
  std::vector<core::BenchmarkCase> cases;
  for (const core::BenchmarkCase& c : report.cases)
    if (c.batchSize > 0 && c.runs > 0) cases.push_back(c);
  if (cases.empty()) return;
  std::sort(cases.begin(), cases.end(), [](const core::BenchmarkCase& a, const core::BenchmarkCase& b) {
    return a.threads != b.threads ? a.threads < b.threads : a.batchSize < b.batchSize;
  });
  m_cases = int(cases.size());

  std::map<int, std::vector<core::BenchmarkCase>> byThreads;
  double bLo = 1e300, bHi = 0, lLo = 1e300, lHi = 0, tHi = 0;
  for (const core::BenchmarkCase& c : cases) {
    byThreads[c.threads].push_back(c);
    bLo = std::min(bLo, double(c.batchSize));
    bHi = std::max(bHi, double(c.batchSize));
    for (double v : {c.p50Ms, c.p95Ms, c.p99Ms})
      if (v > 0 && std::isfinite(v)) {
        lLo = std::min(lLo, v);
        lHi = std::max(lHi, v);
      }
    if (std::isfinite(c.samplesPerSecond)) tHi = std::max(tHi, c.samplesPerSecond);
  }

  QChart* lat = m_latency->chart();
  QChart* thr = m_throughput->chart();
  clearChart(lat);
  clearChart(thr);
  auto* lx = batchAxis(bLo, bHi);
  styleAxis(lx, tr("batch size (samples, log scale)"));
  auto* ly = decadeAxis(lLo, lHi);
  styleAxis(ly, tr("latency (ms, log)"));
  lat->addAxis(lx, Qt::AlignBottom);
  lat->addAxis(ly, Qt::AlignLeft);
  auto* tx = batchAxis(bLo, bHi);
  styleAxis(tx, tr("batch size (samples, log scale)"));
  auto* ty = zeroBasedAxis(tHi, tHi >= 10);
  styleAxis(ty, tr("samples/s"));
  thr->addAxis(tx, Qt::AlignBottom);
  thr->addAxis(ty, Qt::AlignLeft);

  size_t colorIndex = 0;
  for (const auto& [threads, list] : byThreads) {
    const QColor color = colorFor(colorIndex++);
    const QString name = threadsText(threads);
    auto* p50 = new QLineSeries();
    p50->setObjectName(QStringLiteral("p50 %1").arg(threads));
    p50->setName(name);
    auto* p95 = new QScatterSeries();
    p95->setObjectName(QStringLiteral("p95 %1").arg(threads));
    p95->setName(name + tr(" p95"));
    auto* upper = new QLineSeries();
    auto* lower = new QLineSeries();
    auto* through = new QLineSeries();
    through->setObjectName(QStringLiteral("throughput %1").arg(threads));
    through->setName(name);
    for (const core::BenchmarkCase& c : list) {
      const double b = double(c.batchSize);
      const double floor = lLo;  // a 0 (unmeasurable) latency stays on the log axis
      p50->append(b, std::max(c.p50Ms, floor));
      p95->append(b, std::max(c.p95Ms, floor));
      upper->append(b, std::max(c.p99Ms, floor));
      lower->append(b, std::max(c.p50Ms, floor));
      through->append(b, c.samplesPerSecond);
    }
    auto* band = new QAreaSeries(upper, lower);
    band->setObjectName(QStringLiteral("band %1").arg(threads));
    band->setName(name + tr(" p50–p99"));
    QColor fill = color;
    fill.setAlpha(45);
    band->setBrush(fill);
    band->setPen(Qt::NoPen);
    QPen line(color, 2);
    line.setCosmetic(true);
    p50->setPen(line);
    p50->setPointsVisible(true);
    p50->setMarkerSize(7);
    p95->setColor(color);
    p95->setBorderColor(color);
    p95->setMarkerSize(6);
    p95->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    through->setPen(line);
    through->setPointsVisible(true);
    through->setMarkerSize(7);
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{band, p50, p95}) {
      lat->addSeries(s);
      s->attachAxis(lx);
      s->attachAxis(ly);
    }
    thr->addSeries(through);
    through->attachAxis(tx);
    through->attachAxis(ty);
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{band, p95})
      for (QLegendMarker* marker : lat->legend()->markers(s)) marker->setVisible(false);
    // Hovering a point shows its figures.
    const std::vector<core::BenchmarkCase> figures = list;
    auto tip = [figures, name](const QPointF& point, bool state) {
      if (!state) {
        QToolTip::hideText();
        return;
      }
      for (const core::BenchmarkCase& c : figures)
        if (std::abs(double(c.batchSize) - point.x()) < 0.5)
          QToolTip::showText(QCursor::pos(), tr("batch %1, %2: p50 %3 ms, p95 %4 ms, p99 %5 ms, %6 samples/s")
                                                 .arg(c.batchSize)
                                                 .arg(name, deployMsText(c.p50Ms), deployMsText(c.p95Ms),
                                                      deployMsText(c.p99Ms),
                                                      deployCountText(int64_t(std::llround(c.samplesPerSecond)))));
    };
    QObject::connect(p50, &QXYSeries::hovered, this, tip);
    QObject::connect(through, &QXYSeries::hovered, this, tip);
  }
  lat->legend()->setVisible(true);
  thr->legend()->setVisible(true);

  m_table->setRowCount(int(cases.size()));
  for (int row = 0; row < int(cases.size()); ++row) {
    const core::BenchmarkCase& c = cases[size_t(row)];
    m_table->setItem(row, 0, cell(QString::number(c.threads)));
    m_table->setItem(row, 1, cell(QString::number(c.batchSize)));
    m_table->setItem(row, 2, cell(deployCountText(c.runs)));
    m_table->setItem(row, 3, cell(deployMsText(c.p50Ms)));
    m_table->setItem(row, 4, cell(deployMsText(c.p95Ms)));
    m_table->setItem(row, 5, cell(deployMsText(c.p99Ms)));
    m_table->setItem(row, 6, cell(deployMsText(c.meanMs)));
    m_table->setItem(row, 7, cell(deployCountText(int64_t(std::llround(c.samplesPerSecond)))));
    m_table->setItem(row, 8, cell(c.peakMemoryBytes > 0 ? deployBytesText(c.peakMemoryBytes) : QStringLiteral("—")));
  }
}

// ---------------------------------------------------------------------------------------------
// CompressionView

namespace {

const core::CompressVariant* baselineOf(const core::CompressReport& report) {
  for (const core::CompressVariant& v : report.variants)
    if (v.name == "fp32") return &v;
  return report.variants.empty() ? nullptr : &report.variants.front();
}

/// value / base, or NaN when either is unknown.
double ratio(double value, double base) {
  if (!(base > 0) || !(value >= 0) || !std::isfinite(value) || !std::isfinite(base)) return std::nan("");
  return value / base;
}

QString withRatio(const QString& text, double r, bool isBaseline) {
  if (isBaseline || !std::isfinite(r)) return text;
  return QStringLiteral("%1 (%2×)").arg(text, QString::number(r, 'f', r < 0.1 ? 3 : 2));
}

}  // namespace

CompressionView::CompressionView(QWidget* parent) : QWidget(parent) {
  m_table = new QTableWidget(0, kColumnCount, this);
  m_table->setObjectName("compressionTable");
  m_table->setHorizontalHeaderLabels({tr("Variant"), tr("Test accuracy"), tr("Δ accuracy"), tr("File size"),
                                      tr("Parameters"), tr("FLOPs / sample"), tr("Latency b1 (ms)"),
                                      tr("Latency b32 (ms)"), tr("Note")});
  m_table->verticalHeader()->setVisible(false);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setAlternatingRowColors(true);
  m_table->setToolTip(tr("Ratios in brackets are against the FP32 variant; Δ accuracy in percentage points"));

  m_chart = newChartView(newStyledChart(tr("Compared with FP32 (ratio, lower is smaller / faster)")), this);
  m_chart->setObjectName("compressionChart");
  m_notes = new QLabel(this);
  m_notes->setObjectName("compressionNotes");
  m_notes->setWordWrap(true);
  m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(m_table);
  split->addWidget(m_chart);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  split->setSizes({220, 520});  // four variants fit; the chart gets the rest
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split, 1);
  layout->addWidget(m_notes);
  clear();
}

void CompressionView::clear() {
  m_rows = 0;
  m_table->setRowCount(0);
  clearChart(m_chart->chart());
  m_chart->chart()->legend()->hide();
  m_notes->setText(tr("No compression report for this run yet: Compress… prunes and quantizes the model and "
                      "compares the variants here."));
}

void CompressionView::setReport(const core::CompressReport& report) {
  clear();
  const core::CompressVariant* base = baselineOf(report);
  QStringList notes;
  if (!report.status.ok()) notes << tr("Failed: %1").arg(QString::fromStdString(report.status.message()).toHtmlEscaped());
  for (const std::string& n : report.notes) notes << QString::fromStdString(n).toHtmlEscaped();
  if (!base) {
    if (!notes.isEmpty()) m_notes->setText(notes.join("<br>"));
    return;
  }
  m_rows = int(report.variants.size());
  m_table->setRowCount(m_rows);

  QChart* chart = m_chart->chart();
  auto* sizeSet = new QBarSet(tr("file size"));
  auto* flopsSet = new QBarSet(tr("FLOPs"));
  auto* lat1Set = new QBarSet(tr("latency b1"));
  auto* lat32Set = new QBarSet(tr("latency b32"));
  auto* accSet = new QBarSet(tr("accuracy"));
  QStringList categories;
  double top = 1.0;
  for (int row = 0; row < m_rows; ++row) {
    const core::CompressVariant& v = report.variants[size_t(row)];
    const bool isBase = &v == base;
    const bool hasAcc = v.testAccuracy >= 0 && std::isfinite(v.testAccuracy);
    const bool baseAcc = base->testAccuracy >= 0 && std::isfinite(base->testAccuracy);
    m_table->setItem(row, kVariant, cell(QString::fromStdString(v.name), false));
    m_table->item(row, kVariant)->setToolTip(QString::fromStdString(v.archive));
    m_table->setItem(row, kAccuracy, cell(hasAcc ? QString::number(v.testAccuracy * 100, 'f', 2) + " %" : QStringLiteral("—")));
    QString change = QStringLiteral("—");
    if (isBase) change = QStringLiteral("0");
    else if (hasAcc && baseAcc) {
      const double points = (v.testAccuracy - base->testAccuracy) * 100;
      change = (points >= 0 ? QStringLiteral("+") : QString()) + QString::number(points, 'f', 2);
    }
    m_table->setItem(row, kAccuracyChange, cell(change));
    const double rSize = ratio(double(v.fileBytes), double(base->fileBytes));
    const double rParams = ratio(double(v.parameters), double(base->parameters));
    const double rFlops = ratio(double(v.flops), double(base->flops));
    const double r1 = ratio(v.latencyMsBatch1, base->latencyMsBatch1);
    const double r32 = ratio(v.latencyMsBatch32, base->latencyMsBatch32);
    m_table->setItem(row, kSize, cell(withRatio(v.fileBytes > 0 ? deployBytesText(v.fileBytes) : QStringLiteral("—"), rSize, isBase)));
    m_table->setItem(row, kParams, cell(withRatio(v.parameters > 0 ? deployCountText(v.parameters) : QStringLiteral("—"), rParams, isBase)));
    m_table->setItem(row, kFlops, cell(withRatio(v.flops > 0 ? deployFlopsText(v.flops) : QStringLiteral("—"), rFlops, isBase)));
    m_table->setItem(row, kLatency1, cell(withRatio(v.latencyMsBatch1 > 0 ? deployMsText(v.latencyMsBatch1) : QStringLiteral("—"), r1, isBase)));
    m_table->setItem(row, kLatency32, cell(withRatio(v.latencyMsBatch32 > 0 ? deployMsText(v.latencyMsBatch32) : QStringLiteral("—"), r32, isBase)));
    m_table->setItem(row, kNote, cell(QString::fromStdString(v.note), false));
    m_table->item(row, kNote)->setToolTip(QString::fromStdString(v.note));

    categories << QString::fromStdString(v.name);
    const double rAcc = hasAcc && baseAcc && base->testAccuracy > 0 ? v.testAccuracy / base->testAccuracy : std::nan("");
    for (auto [set, r] : {std::pair{sizeSet, rSize}, std::pair{flopsSet, rFlops}, std::pair{lat1Set, r1},
                          std::pair{lat32Set, r32}, std::pair{accSet, rAcc}}) {
      set->append(std::isfinite(r) ? r : 0.0);
      if (std::isfinite(r)) top = std::max(top, r);
    }
  }
  auto* series = new QBarSeries();
  series->setObjectName("ratios");
  size_t colorIndex = 0;
  for (QBarSet* set : {sizeSet, flopsSet, lat1Set, lat32Set, accSet}) {
    set->setColor(colorFor(colorIndex++));
    set->setBorderColor(set->color());
    series->append(set);
  }
  chart->addSeries(series);
  // Each bar carries its ratio ("0.27"), so the chart reads without the table.
  for (QBarSet* set : series->barSets()) {
    set->setLabelColor(QColor(60, 60, 60));
    QFont f = set->labelFont();
    f.setPointSizeF(f.pointSizeF() * 0.75);
    set->setLabelFont(f);
  }
  series->setLabelsFormat(QStringLiteral("@value"));
  series->setLabelsPrecision(2);
  series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
  series->setLabelsVisible(true);
  auto* x = new QBarCategoryAxis();
  x->append(categories);
  styleAxis(x, tr("variant"));
  auto* y = zeroBasedAxis(top * 1.1, false);
  styleAxis(y, tr("ratio to FP32 (×)"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  chart->legend()->setVisible(true);
  if (report.evalSamples > 0)
    notes.prepend(tr("Accuracy of each archive on %1 %2 samples.")
                      .arg(deployCountText(report.evalSamples), QString::fromStdString(report.evalSplit.empty() ? "test" : report.evalSplit).toHtmlEscaped()));
  if (!report.reportPath.empty())
    notes.prepend(tr("Report: %1").arg(QString::fromStdString(report.reportPath).toHtmlEscaped()));
  m_notes->setText(notes.join("<br>"));
}

}  // namespace nc::widgets

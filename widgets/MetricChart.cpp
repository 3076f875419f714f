#include "widgets/MetricChart.h"

#include <QChart>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace nc::widgets {
namespace {

/// A tick interval of 1, 2 or 5 times a power of ten giving about `ticks` intervals over `range`.
double niceInterval(double range, int ticks) {
  double raw = range / std::max(ticks, 1);
  if (!(raw > 0) || !std::isfinite(raw)) return 1.0;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double n = raw / magnitude;
  return (n < 1.5 ? 1.0 : n < 3.0 ? 2.0 : n < 7.0 ? 5.0 : 10.0) * magnitude;
}

/// The printf format that labels ticks `interval` apart, up to `maxAbs`, with as many
/// significant digits as tell neighbouring ticks apart and no more ("0.0002", "0.41002", "80").
QString labelFormatFor(double interval, double maxAbs) {
  if (!(interval > 0) || !std::isfinite(interval)) return QStringLiteral("%.3g");
  int top = maxAbs > 0 && std::isfinite(maxAbs) ? int(std::floor(std::log10(maxAbs))) : 0;
  int step = int(std::floor(std::log10(interval) + 1e-9));
  int digits = std::max(top - step + 1, top + 1);  // %g switches to exponents below top + 1 digits
  return QStringLiteral("%.%1g").arg(std::clamp(digits, 1, 15));
}

/// Follows the data exactly while putting the ticks on round values (multiples of the interval).
/// Range and interval change together: with dynamic ticks, setting either one alone against the
/// other's old value can ask Qt Charts for hundreds of thousands of ticks (e.g. x growing from
/// [0, 1] to [0, 50000] with the old 0.25 interval), so ticks are fixed while both change.
/// Integer axes (steps, epochs, whole percentages) never get ticks between integers, whose
/// labels would repeat ("0 0 1 1 1"); other axes get labels with the digits their ticks need.
void setRangeWithRoundTicks(QValueAxis* axis, double lo, double hi, bool integers) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return;
  if (hi <= lo) hi = lo + 1;
  double interval = niceInterval(hi - lo, 4);
  if (integers) interval = std::max(1.0, std::round(interval));
  axis->setTickType(QValueAxis::TicksFixed);
  axis->setRange(lo, hi);
  axis->setTickInterval(interval);
  axis->setTickType(QValueAxis::TicksDynamic);
  axis->setLabelFormat(integers ? QStringLiteral("%.0f") : labelFormatFor(interval, std::max(std::abs(lo), std::abs(hi))));
}

}  // namespace

QChart* newStyledChart(const QString& title) {
  auto* chart = new QChart();
  chart->setTitle(title);
  QFont titleFont = chart->titleFont();
  titleFont.setBold(true);
  titleFont.setPointSizeF(titleFont.pointSizeF() * 0.95);
  chart->setTitleFont(titleFont);
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->setBackgroundRoundness(0);
  chart->legend()->setAlignment(Qt::AlignBottom);
  QFont small = chart->legend()->font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  chart->legend()->setFont(small);
  return chart;
}

MetricChart::MetricChart(const QString& title, const QString& xTitle, const QString& yTitle, QWidget* parent)
    : QChartView(parent) {
  QChart* chart = newStyledChart(title);
  const QFont small = chart->legend()->font();  // the legend's reduced size

  m_x = new QValueAxis();
  m_y = new QValueAxis();
  for (QValueAxis* axis : {m_x, m_y}) {
    axis->setLabelsFont(small);
    axis->setTitleFont(small);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(0.25);
    axis->setRange(0, 1);
    axis->setGridLineColor(QColor(225, 225, 225));
  }
  m_x->setTitleText(xTitle);
  m_x->setLabelFormat("%.0f");  // steps, epochs, seconds: integer ticks
  m_y->setTitleText(yTitle);
  m_y->setLabelFormat("%.3g");
  chart->addAxis(m_x, Qt::AlignBottom);
  chart->addAxis(m_y, Qt::AlignLeft);
  fitAxes();

  setChart(chart);
  setRenderHint(QPainter::Antialiasing, true);
  setMinimumSize(260, 180);
}

int MetricChart::addCurve(const QString& name, std::shared_ptr<const MetricSeries> data, Draw draw,
                          const QColor& color, Qt::PenStyle style, qreal width, bool inLegend) {
  auto* series = new QLineSeries();
  series->setName(name);
  QPen pen(color, width, style);
  pen.setCosmetic(true);
  series->setPen(pen);
  if (draw == Draw::Markers) {
    series->setPointsVisible(true);
    series->setMarkerSize(6);
  }
  chart()->addSeries(series);
  series->attachAxis(m_x);
  series->attachAxis(m_y);
  if (!inLegend)
    for (QLegendMarker* marker : chart()->legend()->markers(series)) marker->setVisible(false);
  m_curves.push_back({std::move(data), draw, series, -1});
  return int(m_curves.size()) - 1;
}

void MetricChart::removeCurvesFrom(int index) {
  while (int(m_curves.size()) > std::max(index, 0)) {
    QLineSeries* series = m_curves.back().series;
    chart()->removeSeries(series);
    delete series;
    m_curves.pop_back();
  }
  fitAxes();
}

int MetricChart::drawnPoints(int curve) const {
  return curve >= 0 && curve < curveCount() ? int(m_curves[size_t(curve)].series->count()) : 0;
}

void MetricChart::setSmoothing(double weight) {
  if (weight == m_smoothing) return;
  m_smoothing = weight;
  for (Curve& c : m_curves)
    if (c.draw == Draw::Smoothed) c.drawnSize = -1;
}

void MetricChart::setFixedYRange(double lo, double hi) {
  m_fixedY = true;
  m_fixedLo = lo;
  m_fixedHi = hi;
  setRangeWithRoundTicks(m_y, lo, hi, m_yIntegers);
}

void MetricChart::setYIntegers(bool on) {
  m_yIntegers = on;
  fitAxes();
}

void MetricChart::invalidate() {
  for (Curve& c : m_curves) c.drawnSize = -1;
}

bool MetricChart::hasData() const {
  return std::any_of(m_curves.begin(), m_curves.end(), [](const Curve& c) { return !c.data->empty(); });
}

bool MetricChart::refresh() {
  bool changed = false;
  for (Curve& c : m_curves) {
    if (c.drawnSize == c.data->size()) continue;
    c.drawnSize = c.data->size();
    c.series->replace(c.draw == Draw::Smoothed ? c.data->smoothed(m_smoothing, kBuckets) : c.data->envelope(kBuckets));
    changed = true;
  }
  if (!changed) return false;
  fitAxes();  // also when a curve became empty (a new run), so the old range does not linger
  ++m_updates;
  return true;
}

void MetricChart::fitAxes() {
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  bool any = false;
  for (const Curve& c : m_curves) {
    double a, b, lo, hi;
    if (!c.data->bounds(a, b, lo, hi)) continue;
    x0 = any ? std::min(x0, a) : a;
    x1 = any ? std::max(x1, b) : b;
    y0 = any ? std::min(y0, lo) : lo;
    y1 = any ? std::max(y1, hi) : hi;
    any = true;
  }
  if (!any) {
    // No data yet: a plain frame with a few distinct labels.
    setRangeWithRoundTicks(m_x, 0, 10, true);
    if (!m_fixedY) setRangeWithRoundTicks(m_y, 0, m_yIntegers ? 10 : 1, m_yIntegers);
    return;
  }
  if (x1 <= x0) x1 = x0 + 1;
  setRangeWithRoundTicks(m_x, x0, x1, /*integers=*/true);
  if (m_fixedY) return;
  if (m_includeZero) y0 = std::min(y0, 0.0);
  double pad = (y1 - y0) * 0.05;
  if (pad <= 0) pad = std::max(std::abs(y1) * 0.05, 1e-6);
  double lo = m_includeZero && y0 >= 0 ? 0.0 : y0 - pad, hi = y1 + pad;
  if (m_yIntegers && hi - lo < 2) {  // at least two whole-number ticks
    lo = std::floor(lo);
    hi = std::max(std::ceil(hi), lo + 2);
  }
  setRangeWithRoundTicks(m_y, lo, hi, m_yIntegers);
}

}  // namespace nc::widgets

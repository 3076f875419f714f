#include "widgets/ParallelCoordinates.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <limits>

namespace nc::widgets {

namespace {
constexpr double kMarginLeft = 56, kMarginRight = 56, kMarginTop = 34, kMarginBottom = 24;
constexpr double kAxisGrab = 12;  // pixels either side of an axis that start a brush

double distanceToSegment(QPointF p, QPointF a, QPointF b) {
  const QPointF d = b - a;
  const double len2 = d.x() * d.x() + d.y() * d.y();
  double t = len2 > 0 ? ((p.x() - a.x()) * d.x() + (p.y() - a.y()) * d.y()) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  const QPointF q = a + t * d - p;
  return std::sqrt(q.x() * q.x() + q.y() * q.y());
}

QString compactNumber(double v) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e6 || a < 1e-2) return QString::number(v, 'g', 2);
  if (a >= 100) return QString::number(v, 'f', 0);
  return QString::number(v, 'g', 3);
}
}  // namespace

ParallelCoordinates::ParallelCoordinates(QWidget* parent) : QWidget(parent) {
  setMouseTracking(false);
  setAutoFillBackground(true);
  setToolTip(tr("Drag along an axis to keep only the trials in that interval; double-click the axis to clear it.\n"
                "Click a line to show that trial's curves (Ctrl adds it to the selection)."));
}

void ParallelCoordinates::setData(std::vector<ParallelAxis> axes, std::vector<std::vector<double>> rows) {
  std::vector<std::optional<std::pair<double, double>>> brushes(axes.size());
  for (size_t a = 0; a < axes.size(); ++a)
    for (size_t b = 0; b < m_axes.size(); ++b)
      if (m_axes[b].title == axes[a].title && m_axes[b].scale == axes[a].scale && b < m_brushes.size())
        brushes[a] = m_brushes[b];
  // Widen numeric ranges to the data so no line leaves its axis.
  for (size_t a = 0; a < axes.size(); ++a) {
    ParallelAxis& ax = axes[a];
    if (ax.scale == ParallelAxis::Scale::Categorical) continue;
    for (const auto& row : rows) {
      if (a >= row.size() || !std::isfinite(row[a])) continue;
      if (ax.scale == ParallelAxis::Scale::Log && row[a] <= 0) continue;
      ax.low = std::min(ax.low, row[a]);
      ax.high = std::max(ax.high, row[a]);
    }
    if (!std::isfinite(ax.low) || !std::isfinite(ax.high)) ax.low = 0, ax.high = 1;
    if (!(ax.high > ax.low)) {
      const double pad = ax.scale == ParallelAxis::Scale::Log ? ax.low * 0.5 : std::max(std::fabs(ax.low) * 0.05, 0.01);
      ax.low -= pad;
      ax.high += pad;
      if (ax.scale == ParallelAxis::Scale::Log && ax.low <= 0) ax.low = ax.high / 10;
    }
  }
  m_axes = std::move(axes);
  m_rows = std::move(rows);
  m_brushes = std::move(brushes);
  if (m_colorAxis >= int(m_axes.size())) m_colorAxis = -1;
  update();
}

void ParallelCoordinates::setColorAxis(int axis) {
  m_colorAxis = axis;
  update();
}

void ParallelCoordinates::setSelectedRows(const std::set<int>& rows) {
  m_selected = rows;
  update();
}

void ParallelCoordinates::setBrush(int a, double from, double to) {
  if (a < 0 || a >= axisCount()) return;
  if (from > to) std::swap(from, to);
  m_brushes[size_t(a)] = std::make_pair(std::clamp(from, 0.0, 1.0), std::clamp(to, 0.0, 1.0));
  update();
  Q_EMIT brushChanged();
}

void ParallelCoordinates::clearBrush(int a) {
  if (a < 0 || a >= axisCount() || !m_brushes[size_t(a)]) return;
  m_brushes[size_t(a)].reset();
  update();
  Q_EMIT brushChanged();
}

void ParallelCoordinates::clearBrushes() {
  if (!anyBrush()) return;
  for (auto& b : m_brushes) b.reset();
  update();
  Q_EMIT brushChanged();
}

bool ParallelCoordinates::hasBrush(int a) const {
  return a >= 0 && a < axisCount() && m_brushes[size_t(a)].has_value();
}

bool ParallelCoordinates::anyBrush() const {
  return std::any_of(m_brushes.begin(), m_brushes.end(), [](const auto& b) { return b.has_value(); });
}

bool ParallelCoordinates::isRowBrushed(int r) const {
  if (r < 0 || r >= rowCount()) return false;
  for (int a = 0; a < axisCount(); ++a) {
    const auto& b = m_brushes[size_t(a)];
    if (!b) continue;
    const double v = size_t(a) < m_rows[size_t(r)].size() ? m_rows[size_t(r)][size_t(a)] : NAN;
    const double t = normalized(a, v);
    if (!std::isfinite(t) || t < b->first - 1e-9 || t > b->second + 1e-9) return false;
  }
  return true;
}

std::vector<int> ParallelCoordinates::brushedRows() const {
  std::vector<int> out;
  for (int r = 0; r < rowCount(); ++r)
    if (isRowBrushed(r)) out.push_back(r);
  return out;
}

double ParallelCoordinates::normalized(int a, double value) const {
  if (a < 0 || a >= axisCount() || !std::isfinite(value)) return NAN;
  const ParallelAxis& ax = m_axes[size_t(a)];
  switch (ax.scale) {
    case ParallelAxis::Scale::Categorical: {
      const int n = int(ax.categories.size());
      if (n <= 0 || value < 0 || value > n - 1) return NAN;
      return n == 1 ? 0.5 : value / (n - 1);
    }
    case ParallelAxis::Scale::Log:
      if (value <= 0 || ax.low <= 0) return NAN;
      return (std::log(value) - std::log(ax.low)) / (std::log(ax.high) - std::log(ax.low));
    case ParallelAxis::Scale::Linear:
      return (value - ax.low) / (ax.high - ax.low);
  }
  return NAN;
}

double ParallelCoordinates::axisX(int a) const {
  const double left = kMarginLeft, right = width() - kMarginRight;
  if (axisCount() <= 1) return (left + right) / 2;
  return left + (right - left) * a / (axisCount() - 1);
}

namespace {
/// The span axis `a`'s title may use: from half-way to the previous axis (or the widget's left
/// edge) to half-way to the next one (or the right edge), 3 px clear of each.
std::pair<double, double> titleSpan(const ParallelCoordinates& pc, int a) {
  const double x = pc.axisX(a);
  const double lo = a == 0 ? 2.0 : (pc.axisX(a - 1) + x) / 2 + 3;
  const double hi = a + 1 >= pc.axisCount() ? pc.width() - 2.0 : (x + pc.axisX(a + 1)) / 2 - 3;
  return {lo, std::max(lo, hi)};
}

QFont boldOf(const QFont& f) {
  QFont bold = f;
  bold.setBold(true);
  return bold;
}
}  // namespace

QString ParallelCoordinates::titleText(int a) const {
  if (a < 0 || a >= axisCount()) return {};
  const ParallelAxis& ax = m_axes[size_t(a)];
  const auto [lo, hi] = titleSpan(*this, a);
  return QFontMetrics(boldOf(font()))
      .elidedText(ax.title + (ax.scale == ParallelAxis::Scale::Log ? tr(" (log)") : QString()), Qt::ElideMiddle,
                  int(hi - lo) - 4);
}

QRectF ParallelCoordinates::titleRect(int a) const {
  if (a < 0 || a >= axisCount()) return {};
  const auto [lo, hi] = titleSpan(*this, a);
  const double textWidth = std::min(hi - lo, double(QFontMetrics(boldOf(font())).horizontalAdvance(titleText(a)) + 4));
  // Centred on the axis where there is room; the outer titles shift inwards rather than being cut.
  const double left = std::clamp(axisX(a) - textWidth / 2, lo, hi - textWidth);
  return QRectF(left, 4, textWidth, kMarginTop - 12);
}

double ParallelCoordinates::axisTop() const { return kMarginTop; }
double ParallelCoordinates::axisBottom() const { return std::max(kMarginTop + 10, height() - kMarginBottom); }

QPointF ParallelCoordinates::pointFor(int a, double value) const {
  const double t = normalized(a, value);
  return {axisX(a), axisBottom() - (std::isfinite(t) ? t : 0) * (axisBottom() - axisTop())};
}

double ParallelCoordinates::positionAt(double y) const {
  return std::clamp((axisBottom() - y) / (axisBottom() - axisTop()), 0.0, 1.0);
}

int ParallelCoordinates::axisNear(double x) const {
  int best = -1;
  double bestDistance = kAxisGrab;
  for (int a = 0; a < axisCount(); ++a) {
    const double d = std::fabs(axisX(a) - x);
    if (d <= bestDistance) {
      bestDistance = d;
      best = a;
    }
  }
  return best;
}

int ParallelCoordinates::rowAt(QPointF at, double tolerance) const {
  int best = -1;
  double bestDistance = tolerance;
  for (int r = 0; r < rowCount(); ++r) {
    std::optional<QPointF> previous;
    for (int a = 0; a < axisCount(); ++a) {
      const double v = size_t(a) < m_rows[size_t(r)].size() ? m_rows[size_t(r)][size_t(a)] : NAN;
      if (!std::isfinite(normalized(a, v))) continue;
      const QPointF p = pointFor(a, v);
      if (previous) {
        const double d = distanceToSegment(at, *previous, p);
        if (d <= bestDistance) {
          bestDistance = d;
          best = r;
        }
      }
      previous = p;
    }
  }
  return best;
}

QColor ParallelCoordinates::metricColor(double t) {
  if (!std::isfinite(t)) return QColor(150, 150, 150);
  t = std::clamp(t, 0.0, 1.0);
  // A blue -> teal -> yellow-orange ramp (legible on white, ordered in lightness).
  const QColor stops[] = {QColor(49, 54, 149), QColor(33, 145, 140), QColor(120, 198, 65), QColor(240, 160, 20)};
  const double x = t * 3;
  const int i = std::min(2, int(x));
  const double f = x - i;
  auto mix = [f](int u, int v) { return int(u + (v - u) * f); };
  return QColor(mix(stops[i].red(), stops[i + 1].red()), mix(stops[i].green(), stops[i + 1].green()),
                mix(stops[i].blue(), stops[i + 1].blue()));
}

QString ParallelCoordinates::tickText(int a, double position) const {
  const ParallelAxis& ax = m_axes[size_t(a)];
  if (ax.scale == ParallelAxis::Scale::Log)
    return compactNumber(std::exp(std::log(ax.low) + position * (std::log(ax.high) - std::log(ax.low))));
  return compactNumber(ax.low + position * (ax.high - ax.low));
}

void ParallelCoordinates::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), palette().base());
  if (m_axes.empty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter, tr("No trials yet"));
    return;
  }
  const int colorAxis = m_colorAxis >= 0 ? m_colorAxis : axisCount() - 1;
  const bool brushing = anyBrush();
  auto drawRow = [&](int r, bool top) {
    QPainterPath path;
    bool started = false;
    for (int a = 0; a < axisCount(); ++a) {
      const double v = size_t(a) < m_rows[size_t(r)].size() ? m_rows[size_t(r)][size_t(a)] : NAN;
      if (!std::isfinite(normalized(a, v))) continue;
      const QPointF pt = pointFor(a, v);
      if (!started) path.moveTo(pt);
      else path.lineTo(pt);
      started = true;
    }
    const bool in = !brushing || isRowBrushed(r);
    const double metric = size_t(colorAxis) < m_rows[size_t(r)].size() ? m_rows[size_t(r)][size_t(colorAxis)] : NAN;
    QColor c = in ? metricColor(normalized(colorAxis, metric)) : QColor(205, 205, 205);
    if (!in) c.setAlpha(160);
    p.setPen(QPen(c, top ? 3.2 : 1.6));
    p.drawPath(path);
  };
  // Grey lines first, then the brushed ones, then the selected ones on top.
  for (int pass = 0; pass < 2; ++pass)
    for (int r = 0; r < rowCount(); ++r)
      if (!m_selected.count(r) && (isRowBrushed(r) || !brushing) == (pass == 1)) drawRow(r, false);
  for (int r : m_selected)
    if (r >= 0 && r < rowCount()) drawRow(r, true);

  const QFontMetrics fm(font());
  const QColor text = palette().color(QPalette::Text);
  for (int a = 0; a < axisCount(); ++a) {
    const ParallelAxis& ax = m_axes[size_t(a)];
    const double x = axisX(a);
    if (const auto& b = m_brushes[size_t(a)]) {
      const double y0 = axisBottom() - b->second * (axisBottom() - axisTop());
      const double y1 = axisBottom() - b->first * (axisBottom() - axisTop());
      p.setPen(QPen(QColor(30, 90, 200), 1));
      p.setBrush(QColor(30, 90, 200, 60));
      p.drawRect(QRectF(x - 7, y0, 14, std::max(2.0, y1 - y0)));
      p.setBrush(Qt::NoBrush);
    }
    p.setPen(QPen(text, 1.4));
    p.drawLine(QPointF(x, axisTop()), QPointF(x, axisBottom()));
    // Title above the axis (titleRect: elided to its own room, never over a neighbour's).
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(titleRect(a), Qt::AlignHCenter | Qt::AlignBottom, titleText(a));
    p.setFont(font());
    p.setPen(palette().color(QPalette::Text));
    auto tick = [&](double t, const QString& label) {
      const double y = axisBottom() - t * (axisBottom() - axisTop());
      p.drawLine(QPointF(x - 3, y), QPointF(x + 3, y));
      p.drawText(QRectF(x + 5, y - fm.height() / 2.0, 80, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, label);
    };
    if (ax.scale == ParallelAxis::Scale::Categorical) {
      const int n = int(ax.categories.size());
      for (int i = 0; i < n; ++i) tick(n == 1 ? 0.5 : double(i) / (n - 1), fm.elidedText(ax.categories[i], Qt::ElideRight, 70));
    } else {
      for (double t : {0.0, 0.5, 1.0}) tick(t, tickText(a, t));
    }
  }
}

void ParallelCoordinates::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  m_pressAt = event->position();
  m_dragged = false;
  m_dragAxis = axisNear(m_pressAt.x());
  m_dragFrom = positionAt(m_pressAt.y());
  event->accept();
}

void ParallelCoordinates::mouseMoveEvent(QMouseEvent* event) {
  if (!(event->buttons() & Qt::LeftButton)) return;
  const QPointF at = event->position();
  if (m_dragAxis >= 0 && std::fabs(at.y() - m_pressAt.y()) >= 3) {
    m_dragged = true;
    setBrush(m_dragAxis, m_dragFrom, positionAt(at.y()));
  }
  event->accept();
}

void ParallelCoordinates::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mouseReleaseEvent(event);
  if (m_dragAxis >= 0 && (m_dragged || std::fabs(event->position().y() - m_pressAt.y()) >= 3)) {
    setBrush(m_dragAxis, m_dragFrom, positionAt(event->position().y()));
  } else {
    const int r = rowAt(event->position());
    if (r >= 0) Q_EMIT rowClicked(r, event->modifiers() & Qt::ControlModifier);
  }
  m_dragAxis = -1;
  m_dragged = false;
  event->accept();
}

void ParallelCoordinates::mouseDoubleClickEvent(QMouseEvent* event) {
  const int a = axisNear(event->position().x());
  if (a >= 0) clearBrush(a);
  event->accept();
}

}  // namespace nc::widgets

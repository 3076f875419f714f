#include "widgets/ParetoChart.h"

#include <QChart>
#include <QLineSeries>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "widgets/ParallelCoordinates.h"

namespace nc::widgets {

std::vector<size_t> paretoFront(const std::vector<double>& cost, const std::vector<double>& accuracy) {
  std::vector<size_t> order;
  for (size_t i = 0; i < std::min(cost.size(), accuracy.size()); ++i)
    if (std::isfinite(cost[i]) && std::isfinite(accuracy[i])) order.push_back(i);
  // Cheapest first; at equal cost the most accurate first (it dominates the others); then by index.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (cost[a] != cost[b]) return cost[a] < cost[b];
    return accuracy[a] > accuracy[b];
  });
  std::vector<size_t> front;
  double best = -std::numeric_limits<double>::infinity();
  for (size_t i : order) {
    if (accuracy[i] > best) {  // strictly better than everything at most as costly
      front.push_back(i);
      best = accuracy[i];
    }
  }
  return front;
}

ParetoChart::ParetoChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  chart()->legend()->setAlignment(Qt::AlignBottom);
  chart()->setMargins(QMargins(4, 4, 4, 4));
  setToolTip(tr("Each point is a trial. The line joins the Pareto front: no other trial is both as accurate and cheaper.\n"
                "Click a point to show that trial's curves (Ctrl adds it)."));
  rebuild();
}

void ParetoChart::setPoints(std::vector<Point> points) {
  m_points = std::move(points);
  rebuild();
}

void ParetoChart::setCost(Cost cost) {
  if (cost == m_cost) return;
  m_cost = cost;
  rebuild();
}

void ParetoChart::setSelectedRows(const std::set<int>& rows) {
  if (rows == m_selected) return;
  m_selected = rows;
  rebuild();
}

std::vector<int> ParetoChart::frontRows() const {
  std::vector<double> cost, accuracy;
  for (const Point& p : m_points) {
    cost.push_back(costOf(p));
    accuracy.push_back(p.accuracy);
  }
  std::vector<int> rows;
  for (size_t i : paretoFront(cost, accuracy)) rows.push_back(m_points[i].row);
  return rows;
}

void ParetoChart::rebuild() {
  QChart* c = chart();
  c->removeAllSeries();
  for (QAbstractAxis* axis : c->axes()) {
    c->removeAxis(axis);
    delete axis;
  }
  const QString costName = m_cost == Cost::Flops ? tr("FLOPs per sample (millions)") : tr("parameters (thousands)");
  const double scale = m_cost == Cost::Flops ? 1e-6 : 1e-3;
  auto* all = new QScatterSeries();
  all->setName(tr("trials"));
  all->setMarkerSize(9);
  all->setColor(QColor(70, 110, 190));
  all->setBorderColor(QColor(40, 60, 120));
  auto* selected = new QScatterSeries();
  selected->setName(tr("selected"));
  selected->setMarkerSize(15);
  selected->setColor(QColor(0, 0, 0, 0));
  selected->setBorderColor(QColor(220, 60, 30));
  selected->setPen(QPen(QColor(220, 60, 30), 2.5));
  auto* front = new QLineSeries();
  front->setName(tr("Pareto front"));
  front->setPen(QPen(QColor(230, 140, 20), 2.2));
  front->setPointsVisible(true);
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const Point& p : m_points) {
    const double x = costOf(p) * scale, y = p.accuracy;
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    all->append(x, y);
    if (m_selected.count(p.row)) selected->append(x, y);
    xlo = std::min(xlo, x), xhi = std::max(xhi, x), ylo = std::min(ylo, y), yhi = std::max(yhi, y);
  }
  for (int row : frontRows())
    for (const Point& p : m_points)
      if (p.row == row) front->append(costOf(p) * scale, p.accuracy);
  c->addSeries(front);
  c->addSeries(all);
  c->addSeries(selected);
  auto* x = new QValueAxis();
  auto* y = new QValueAxis();
  x->setTitleText(costName);
  y->setTitleText(tr("best validation accuracy"));
  if (!std::isfinite(xlo)) xlo = 0, xhi = 1, ylo = 0, yhi = 1;
  const double xpad = std::max((xhi - xlo) * 0.08, std::max(std::fabs(xhi) * 0.05, 1e-3));
  const double ypad = std::max((yhi - ylo) * 0.1, 0.005);
  x->setRange(std::max(0.0, xlo - xpad), xhi + xpad);
  y->setRange(std::max(0.0, ylo - ypad), std::min(1.0, yhi + ypad) > ylo ? std::min(1.0, yhi + ypad) : yhi + ypad);
  x->setLabelFormat("%.3g");
  y->setLabelFormat("%.3f");
  c->addAxis(x, Qt::AlignBottom);
  c->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : c->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
}

QPointF ParetoChart::pointPosition(int row) const {
  const double scale = m_cost == Cost::Flops ? 1e-6 : 1e-3;
  const QList<QAbstractSeries*> series = chart()->series();
  if (series.size() < 2) return {};
  for (const Point& p : m_points)
    if (p.row == row) {
      const QPointF inChart = chart()->mapToPosition(QPointF(costOf(p) * scale, p.accuracy), series[1]);
      return mapFromScene(chart()->mapToScene(inChart));
    }
  return {};
}

void ParetoChart::mouseReleaseEvent(QMouseEvent* event) {
  QChartView::mouseReleaseEvent(event);
  if (event->button() != Qt::LeftButton) return;
  int best = -1;
  double bestDistance = 10;
  for (const Point& p : m_points) {
    const QPointF d = pointPosition(p.row) - event->position();
    const double distance = std::sqrt(d.x() * d.x() + d.y() * d.y());
    if (distance <= bestDistance) {
      bestDistance = distance;
      best = p.row;
    }
  }
  if (best >= 0) Q_EMIT rowClicked(best, event->modifiers() & Qt::ControlModifier);
}

}  // namespace nc::widgets

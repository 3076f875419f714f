#include "widgets/EdgeItem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <algorithm>
#include <cmath>

namespace nc::widgets {

namespace {
QFont labelFont() {
  QFont f;
  f.setPointSizeF(7.5);
  f.setFamily(QStringLiteral("monospace"));
  f.setStyleHint(QFont::Monospace);
  return f;
}

// Routing works in flow coordinates: u along the flow (y when top-down, x when left-to-right),
// v across it. The swap is its own inverse.
QPointF flowPoint(QPointF p, bool topDown) { return topDown ? QPointF(p.y(), p.x()) : p; }
QRectF flowRect(const QRectF& r, bool topDown) {
  return topDown ? QRectF(r.top(), r.left(), r.height(), r.width()) : r;
}

QPointF bezier(QPointF p0, QPointF c1, QPointF c2, QPointF p1, qreal t) {
  qreal s = 1 - t;
  return s * s * s * p0 + 3 * s * s * t * c1 + 3 * s * t * t * c2 + t * t * t * p1;
}

constexpr qreal kGap = 24;  // clearance between a routed edge and the cards it passes
}  // namespace

EdgeItem::EdgeItem(const core::Edge& edge) : m_edge(edge) {
  setFlags(ItemIsSelectable);
  setZValue(0);
}

QPainterPath EdgeItem::curve(QPointF from, QPointF to, bool topDown) {
  QPointF a = flowPoint(from, topDown), b = flowPoint(to, topDown);
  qreal k = std::max<qreal>(40, std::abs(b.x() - a.x()) / 2);
  QPainterPath p(from);
  p.cubicTo(flowPoint(a + QPointF(k, 0), topDown), flowPoint(b - QPointF(k, 0), topDown), to);
  return p;
}

QPainterPath EdgeItem::route(QPointF from, QPointF to, bool topDown, const std::vector<QRectF>& obstacles) {
  const QPointF a = flowPoint(from, topDown), b = flowPoint(to, topDown);
  if (b.x() - a.x() < 3 * kGap || obstacles.empty()) return curve(from, to, topDown);

  // The cards the plain curve would cross (sampled every ~12 px), ignoring the edge's own two.
  const qreal k = std::max<qreal>(40, (b.x() - a.x()) / 2);
  const QPointF c1 = a + QPointF(k, 0), c2 = b - QPointF(k, 0);
  // The curve stays inside the box of its ends (its control points are in it), grown by a margin.
  const QRectF sweepScene = QRectF(from, to).normalized().adjusted(-8, -8, 8, 8);
  const int samples = std::clamp(int(QLineF(a, b).length() / 12), 8, 256);
  std::vector<QRectF> blockers;
  for (const QRectF& r : obstacles) {
    if (!sweepScene.intersects(r)) continue;  // most cards are nowhere near the edge
    QRectF f = flowRect(r, topDown);
    if (f.adjusted(-2, -2, 2, 2).contains(a) || f.adjusted(-2, -2, 2, 2).contains(b)) continue;
    QRectF grown = f.adjusted(-6, -6, 6, 6);
    for (int i = 1; i < samples; ++i)
      if (grown.contains(bezier(a, c1, c2, b, qreal(i) / samples))) {
        blockers.push_back(f);
        break;
      }
  }
  if (blockers.empty()) return curve(from, to, topDown);
  std::vector<QRectF> cards;  // every card between the ends along the flow (lanes avoid them)
  for (const QRectF& r : obstacles) {
    QRectF f = flowRect(r, topDown);
    if (f.adjusted(-2, -2, 2, 2).contains(a) || f.adjusted(-2, -2, 2, 2).contains(b)) continue;
    if (f.right() >= a.x() && f.left() <= b.x()) cards.push_back(f);
  }

  qreal uMin = blockers.front().left(), uMax = blockers.front().right();
  qreal vMin = blockers.front().top(), vMax = blockers.front().bottom();
  for (const QRectF& f : blockers) {
    uMin = std::min(uMin, f.left()), uMax = std::max(uMax, f.right());
    vMin = std::min(vMin, f.top()), vMax = std::max(vMax, f.bottom());
  }
  uMin = std::max(uMin - kGap, a.x() + kGap);
  uMax = std::min(uMax + kGap, b.x() - kGap);
  if (uMin > uMax) uMin = uMax = (uMin + uMax) / 2;
  // A side lane just past the blocking cards; moved further out while it would cross another card.
  auto lane = [&](qreal v, int direction) {
    for (int pass = 0; pass < 12; ++pass) {
      bool clear = true;
      for (const QRectF& f : cards)
        if (f.right() > uMin && f.left() < uMax && v > f.top() - kGap && v < f.bottom() + kGap) {
          v = direction < 0 ? f.top() - kGap : f.bottom() + kGap;
          clear = false;
        }
      if (clear) break;
    }
    return v;
  };
  const qreal low = lane(vMin - kGap, -1), high = lane(vMax + kGap, +1);
  const qreal cost = std::abs(low - a.y()) + std::abs(low - b.y()), costHigh = std::abs(high - a.y()) + std::abs(high - b.y());
  const qreal v = cost <= costHigh ? low : high;

  const qreal k1 = std::max<qreal>(kGap, (uMin - a.x()) / 2), k2 = std::max<qreal>(kGap, (b.x() - uMax) / 2);
  QPainterPath p(from);
  p.cubicTo(flowPoint(a + QPointF(k1, 0), topDown), flowPoint(QPointF(uMin - k1, v), topDown),
            flowPoint(QPointF(uMin, v), topDown));
  p.lineTo(flowPoint(QPointF(uMax, v), topDown));
  p.cubicTo(flowPoint(QPointF(uMax + k2, v), topDown), flowPoint(b - QPointF(k2, 0), topDown), to);
  return p;
}

void EdgeItem::setGeometry(QPointF from, QPointF to, bool topDown, const std::vector<QRectF>& obstacles) {
  QPainterPath p = route(from, to, topDown, obstacles);
  if (p == path()) return;
  prepareGeometryChange();
  setPath(p);
}

void EdgeItem::setLabel(const QString& label, bool broken) {
  if (label == m_label && broken == m_broken) return;
  prepareGeometryChange();
  m_label = label;
  m_broken = broken;
  update();
}

void EdgeItem::setHighlighted(bool on) {
  if (on == m_highlighted) return;
  m_highlighted = on;
  update();
}

QRectF EdgeItem::labelRect() const {
  QFontMetricsF m(labelFont());
  QSizeF size(m.horizontalAdvance(m_label) + 10, m.height() + 4);
  QPointF mid = path().pointAtPercent(0.5);
  return QRectF(mid - QPointF(size.width() / 2, size.height() / 2), size);
}

QRectF EdgeItem::boundingRect() const {
  QRectF r = path().boundingRect().adjusted(-5, -5, 5, 5);
  return m_label.isEmpty() ? r : r.united(labelRect());
}

QPainterPath EdgeItem::shape() const {
  QPainterPathStroker stroker;
  stroker.setWidth(10);
  QPainterPath s = stroker.createStroke(path());
  if (!m_label.isEmpty()) s.addRect(labelRect());
  return s;
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  QColor color = isSelected() ? QColor(0xdd, 0x6b, 0x20) : m_broken ? QColor(0xe5, 0x3e, 0x3e) : QColor(0x71, 0x80, 0x96);
  if (m_highlighted) color = QColor(0x31, 0x82, 0xce);
  painter->setPen(QPen(color, isSelected() || m_highlighted ? 3 : 1.8));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(path());
  if (m_label.isEmpty()) return;
  QRectF r = labelRect();
  painter->setPen(QPen(color, 1));
  painter->setBrush(QColor(0xff, 0xff, 0xff, 240));
  painter->drawRoundedRect(r, 4, 4);
  painter->setFont(labelFont());
  painter->setPen(m_broken ? color : QColor(0x2d, 0x37, 0x48));
  painter->drawText(r, Qt::AlignCenter, m_label);
}

}  // namespace nc::widgets

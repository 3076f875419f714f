#include "widgets/EdgeItem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
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
}  // namespace

EdgeItem::EdgeItem(const core::Edge& edge) : m_edge(edge) {
  setFlags(ItemIsSelectable);
  setZValue(0);
}

QPainterPath EdgeItem::curve(QPointF from, QPointF to) {
  QPainterPath p(from);
  qreal dx = std::max<qreal>(40, std::abs(to.x() - from.x()) / 2);
  p.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
  return p;
}

void EdgeItem::setGeometry(QPointF from, QPointF to) {
  prepareGeometryChange();
  setPath(curve(from, to));
}

void EdgeItem::setLabel(const QString& label, bool broken) {
  if (label == m_label && broken == m_broken) return;
  prepareGeometryChange();
  m_label = label;
  m_broken = broken;
  update();
}

QRectF EdgeItem::labelRect() const {
  QFontMetricsF m(labelFont());
  QSizeF size(m.horizontalAdvance(m_label) + 10, m.height() + 4);
  QPointF mid = path().pointAtPercent(0.5);
  return QRectF(mid - QPointF(size.width() / 2, size.height() / 2), size);
}

QRectF EdgeItem::boundingRect() const { return path().boundingRect().adjusted(-4, -4, 4, 4).united(labelRect()); }

QPainterPath EdgeItem::shape() const {
  QPainterPathStroker stroker;
  stroker.setWidth(10);
  QPainterPath s = stroker.createStroke(path());
  s.addRect(labelRect());
  return s;
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  QColor color = isSelected() ? QColor(0xdd, 0x6b, 0x20) : m_broken ? QColor(0xe5, 0x3e, 0x3e) : QColor(0x71, 0x80, 0x96);
  painter->setPen(QPen(color, isSelected() ? 2.6 : 1.8));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(path());
  if (m_label.isEmpty()) return;
  QRectF r = labelRect();
  painter->setPen(QPen(color, 1));
  painter->setBrush(QColor(0xff, 0xff, 0xff, 235));
  painter->drawRoundedRect(r, 4, 4);
  painter->setFont(labelFont());
  painter->setPen(m_broken ? color : QColor(0x2d, 0x37, 0x48));
  painter->drawText(r, Qt::AlignCenter, m_label);
}

}  // namespace nc::widgets

#pragma once
// One connection on the canvas: a curve from an output port to an input port, labelled with the
// tensor shape that flows through it ("[B, 32, 14, 14]").
#include <QGraphicsPathItem>

#include "core/Graph.h"

namespace nc::widgets {

class EdgeItem : public QGraphicsPathItem {
 public:
  explicit EdgeItem(const core::Edge& edge);
  const core::Edge& edge() const { return m_edge; }
  /// Ends in scene coordinates and the label; `broken` draws it as part of a problem.
  void setGeometry(QPointF from, QPointF to);
  void setLabel(const QString& label, bool broken);
  const QString& label() const { return m_label; }

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  /// The curve between two port positions, also used for the connection being dragged.
  static QPainterPath curve(QPointF from, QPointF to);

 private:
  QRectF labelRect() const;

  core::Edge m_edge;
  QString m_label;
  bool m_broken = false;
};

}  // namespace nc::widgets

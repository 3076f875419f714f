#pragma once
// One connection on the canvas: a smooth curve from an output port to an input port that leaves
// and enters along the diagram's flow (vertically in a top-down diagram), bends around the cards
// between its ends (a long skip connection goes past them, not under them), and is labelled at
// its middle with the tensor shape that flows through it ("[B, 32, 14, 14]").
#include <QGraphicsPathItem>
#include <vector>

#include "core/Graph.h"

namespace nc::widgets {

class EdgeItem : public QGraphicsPathItem {
 public:
  explicit EdgeItem(const core::Edge& edge);
  const core::Edge& edge() const { return m_edge; }
  /// Ends in scene coordinates, the flow, and the cards to route around (scene rectangles; the
  /// edge's own two cards may be among them: they are ignored).
  void setGeometry(QPointF from, QPointF to, bool topDown = false, const std::vector<QRectF>& obstacles = {});
  /// `broken` draws it as part of a problem.
  void setLabel(const QString& label, bool broken);
  const QString& label() const { return m_label; }
  /// Drawn emphasised (a layer dragged from the palette would be inserted here).
  void setHighlighted(bool on);
  bool highlighted() const { return m_highlighted; }
  /// The label's box in scene coordinates (empty without a label).
  QRectF labelSceneRect() const { return m_label.isEmpty() ? QRectF() : mapRectToScene(labelRect()); }

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  /// The plain curve between two port positions (also the connection being dragged).
  static QPainterPath curve(QPointF from, QPointF to, bool topDown = false);
  /// The curve, bent sideways past any of `obstacles` it would otherwise cross.
  static QPainterPath route(QPointF from, QPointF to, bool topDown, const std::vector<QRectF>& obstacles);

 private:
  QRectF labelRect() const;

  core::Edge m_edge;
  QString m_label;
  bool m_broken = false;
  bool m_highlighted = false;
};

}  // namespace nc::widgets

#pragma once
// One node on the canvas: a card with the node's name, type and key parameters, input ports on
// the left and the output port on the right. It draws what the GraphScene tells it (from the
// model); moving it only moves the card until the scene records the move as an edit.
#include <QGraphicsObject>
#include <QStringList>
#include <vector>

#include "core/Graph.h"

namespace nc::widgets {

class NodeItem : public QGraphicsObject {
  Q_OBJECT
 public:
  enum class PortState { Normal, Accepting, Refused };
  enum class Health { Ok, Warning, Error };

  explicit NodeItem(core::NodeId id);
  core::NodeId nodeId() const { return m_id; }

  /// Re-reads everything drawn from the node and its issues ("" = none).
  void update(const core::Node& node, Health health, const QString& issues);
  /// Port highlighting while a connection is dragged (empty = all normal).
  void setInputPortStates(std::vector<PortState> states);

  int inputCount() const { return int(m_inputNames.size()); }
  bool hasOutput() const { return m_hasOutput; }
  /// Port centres in scene coordinates.
  QPointF inputPortScenePos(int port) const;
  QPointF outputPortScenePos() const;
  /// The port under a point in item coordinates: {isOutput, index}, or index -1 for none.
  std::pair<bool, int> portAt(QPointF itemPos, qreal tolerance = 9) const;

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 Q_SIGNALS:
  /// The card moved (while dragging): edges attached to it follow.
  void moved(core::NodeId id);

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

 private:
  QPointF inputPortPos(int port) const;
  QPointF outputPortPos() const;
  qreal height() const;

  core::NodeId m_id;
  QString m_name, m_type, m_category;
  QStringList m_details;
  std::vector<QString> m_inputNames;
  std::vector<PortState> m_portStates;
  bool m_hasOutput = true;
  Health m_health = Health::Ok;
};

/// Header colour of a layer category on the canvas and in the palette.
QColor categoryColor(const QString& category);

}  // namespace nc::widgets

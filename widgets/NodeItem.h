#pragma once
// One node on the canvas: a card with the node's name, type and key parameters. Its ports follow
// the flow of the diagram: top-down puts the input ports on the top edge and the output port on
// the bottom edge; left-to-right puts inputs on the left and the output on the right. It draws what
// the GraphScene tells it (from the model); moving it only moves the card until the scene records
// the move as an edit.
#include <QColor>
#include <QImage>
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
  /// Top-down (inputs on top, output at the bottom) or left-to-right (inputs left, output right).
  void setTopDown(bool topDown);
  bool topDown() const { return m_topDown; }
  /// Body colour for the cost tint; an invalid colour = the normal card.
  void setTint(const QColor& tint);
  QColor tint() const { return m_tint; }
  /// A small picture of the node's output (issue 14, View > Node thumbnails), drawn beside the card
  /// (right of it in top-down flow, below it in left-right flow) so the edges keep their routes.
  /// A null image removes it.
  void setThumbnail(const QImage& thumbnail);
  void clearThumbnail() { setThumbnail(QImage()); }
  const QImage& thumbnail() const { return m_thumbnail; }
  /// Where the thumbnail is drawn, in item coordinates (empty without one).
  QRectF thumbnailRect() const;

  const QString& name() const { return m_name; }
  /// The parameter lines shown on the card ("kernel_size 3", "stride 2").
  const QStringList& details() const { return m_details; }
  int inputCount() const { return int(m_inputNames.size()); }
  bool hasOutput() const { return m_hasOutput; }
  /// Port centres in scene coordinates.
  QPointF inputPortScenePos(int port) const;
  QPointF outputPortScenePos() const;
  /// The port under a point in item coordinates: {isOutput, index}, or index -1 for none.
  std::pair<bool, int> portAt(QPointF itemPos, qreal tolerance = 9) const;
  /// The card without ports and badge, in scene coordinates (edges are routed around it).
  QRectF cardSceneRect() const;

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
  QString m_name, m_type, m_category, m_issues;
  QStringList m_details;
  std::vector<QString> m_inputNames;
  std::vector<PortState> m_portStates;
  bool m_hasOutput = true;
  bool m_topDown = false;
  QColor m_tint;
  QImage m_thumbnail;
  Health m_health = Health::Ok;
};

/// Header colour of a layer category on the canvas and in the palette.
QColor categoryColor(const QString& category);

/// The text shown on a card for one parameter value: floats as 0.001 or 1e-05 (never 0.000000),
/// lists as [1, 28, 28], booleans as yes/no.
QString paramValueText(const core::ParamValue& value);
/// The parameter lines a card shows for a node: the defining ones and any that differ from their
/// defaults, as the layer reads them (a pooling stride of 0 reads as the kernel size; an Input of
/// floats shows no vocabulary size).
QStringList nodeDetailLines(const core::Node& node);
/// Tooltip text that wraps at a readable width (rich text), never a screen-wide single line.
/// `plain` is escaped; newlines start new paragraphs.
QString wrappedToolTip(const QString& plain);

}  // namespace nc::widgets

#pragma once
// The canvas scene: one NodeItem per node and one EdgeItem per edge of the GraphEditor's graph,
// re-synchronised from the model after every change. Mouse gestures become GraphEditor edits:
// dragging from an output port to an input port connects them (ports that cannot take the
// connection are dimmed while dragging), and moving cards records one move command on release.
#include <QGraphicsScene>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/Graph.h"

class QGraphicsPathItem;

namespace nc::widgets {

class EdgeItem;
class GraphEditor;
class NodeItem;

class GraphScene : public QGraphicsScene {
  Q_OBJECT
 public:
  explicit GraphScene(GraphEditor* editor, QObject* parent = nullptr);
  GraphEditor* editor() const { return m_editor; }

  NodeItem* nodeItem(core::NodeId id) const;
  /// The edge item entering an input port.
  EdgeItem* edgeItem(core::PortRef to) const;
  const std::map<core::NodeId, NodeItem*>& nodeItems() const { return m_nodes; }

  std::set<core::NodeId> selectedNodes() const;
  std::vector<core::PortRef> selectedEdgeInputs() const;
  void selectNodes(const std::set<core::NodeId>& nodes);
  /// Deletes the selected nodes and connections (one undoable command).
  void deleteSelection();

  /// Starts, moves and ends a connection drag from an output port (the mouse handlers call these;
  /// tests call them directly). endConnection returns whether an edge was made.
  void beginConnection(core::NodeId from);
  void updateConnection(QPointF scenePos);
  bool endConnection(QPointF scenePos);
  bool connecting() const { return m_dragFrom >= 0; }

 Q_SIGNALS:
  /// A message for the status bar (e.g. why a connection was refused).
  void statusMessage(const QString& message);

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;

 private:
  void sync();
  void updateEdgesOf(core::NodeId id);
  void placeEdge(EdgeItem* edge);
  /// The input port under a scene point: {node, port}, or node -1.
  core::PortRef inputPortAt(QPointF scenePos) const;
  void commitMoves();

  GraphEditor* m_editor;
  std::map<core::NodeId, NodeItem*> m_nodes;
  std::map<core::PortRef, EdgeItem*> m_edges;  // keyed by the input port they enter
  core::NodeId m_dragFrom = -1;
  std::map<core::PortRef, QString> m_dragProblems;  // why each input port refuses the dragged edge
  QGraphicsPathItem* m_dragPath = nullptr;
  bool m_syncing = false;
};

}  // namespace nc::widgets

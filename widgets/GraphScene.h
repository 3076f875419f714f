#pragma once
// The canvas scene: one NodeItem per node and one EdgeItem per edge of the GraphEditor's graph,
// re-synchronised from the model after every change. Mouse gestures become GraphEditor edits:
// dragging from an output port to an input port connects them (ports that cannot take the
// connection are dimmed while dragging), and moving cards records one move command on release.
// A right click opens a context menu for the node, edge or empty canvas under it; the quick-add
// popup adds a layer at a point or inserts it on an edge.
#include <QColor>
#include <QGraphicsScene>
#include <QPointer>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/Graph.h"

class QGraphicsPathItem;
class QMenu;

namespace nc::widgets {

class EdgeItem;
class GraphEditor;
class NodeItem;
class QuickAddPopup;

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

  /// Cost tint of node bodies (empty = none); kept across syncs until the next call.
  void setNodeTints(const std::map<core::NodeId, QColor>& tints);
  const std::map<core::NodeId, QColor>& nodeTints() const { return m_tints; }
  /// Whether the diagram flows top-down (from the project's flow setting).
  bool topDown() const { return m_topDown; }

  /// The edge whose curve or label is under a scene point (nullptr for none).
  EdgeItem* edgeAt(QPointF scenePos) const;
  /// Opens the quick-add popup at `globalPos`; the chosen layer is added at `scenePos`, or
  /// inserted on the edge entering `onEdge` when given. Returns the popup (nullptr if unavailable).
  QuickAddPopup* openQuickAdd(QPointF scenePos, QPoint globalPos, std::optional<core::PortRef> onEdge = std::nullopt);
  /// The quick-add popup (nullptr before its first use; hidden when not in use).
  QuickAddPopup* quickAddPopup() const;
  /// Adds a layer of `type` centred on `scenePos`, or inserts it on the edge entering `onEdge`;
  /// selects it. Returns the new node.
  std::optional<core::NodeId> addLayerAt(const QString& type, QPointF scenePos, std::optional<core::PortRef> onEdge = std::nullopt);
  /// Asks for a new name of a node (a dialog named "renameDialog") and renames it.
  void renameInteractively(core::NodeId node);
  /// Removes every connection entering a node (one undoable command).
  bool disconnectInputs(core::NodeId node);
  /// The menu a right click at a scene point opens (the caller executes it); its actions have
  /// object names: node*, edge* or canvas* (e.g. "nodeRename", "edgeInsertLayer", "canvasFit").
  QMenu* buildContextMenu(QPointF scenePos, QPoint globalPos);

 Q_SIGNALS:
  /// A message for the status bar (e.g. why a connection was refused).
  void statusMessage(const QString& message);
  /// "Show documentation" on a node's context menu: the window shows the layer type's page.
  void documentationRequested(const QString& type);

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
  void contextMenuEvent(QGraphicsSceneContextMenuEvent* event) override;

 private:
  void sync();
  void updateEdgesOf(core::NodeId id);
  void placeEdge(EdgeItem* edge, const std::vector<QRectF>& cards);
  std::vector<QRectF> cardRects() const;
  void fitViews();
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
  bool m_topDown = false;
  std::vector<QRectF> m_routedCards;  // the cards the edges were last routed around
  bool m_routedTopDown = false;
  std::map<core::NodeId, QColor> m_tints;
  QPointer<QWidget> m_quickAdd;  // the QuickAddPopup, created on first use
  QPointF m_quickAddAt;           // where its choice goes
  std::optional<core::PortRef> m_quickAddEdge;
};

}  // namespace nc::widgets

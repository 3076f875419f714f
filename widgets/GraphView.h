#pragma once
// The canvas view: zoom with the wheel around the cursor, pan with the middle button or
// space+drag, rubber-band selection, a grid, and layer types dropped from the palette (dropped on
// a connection, the layer is inserted there; the connection is highlighted while dragging).
// Keyboard: arrows nudge the selected nodes by 10 px (Shift+arrow: 1 px), one merged move command
// per run of nudges; Tab (or a double click on the empty canvas) opens quick-add at the cursor;
// Ctrl+= / Ctrl++ zoom in, Ctrl+- zoom out, Ctrl+0 100% (when the window does not take them).
#include <QGraphicsView>

namespace nc::widgets {

class EdgeItem;
class GraphScene;

/// MIME type of a layer type dragged from the palette (payload: the type name, UTF-8).
inline constexpr const char* kLayerMimeType = "application/x-neuralcanvas-layer";

class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  explicit GraphView(GraphScene* scene, QWidget* parent = nullptr);

  void zoomBy(double factor);
  /// Shows every node, edge and edge label with a margin, at most at 100% zoom.
  void fitToContents();
  /// The first view of a project: fitted when the whole graph is readable at minZoom or more;
  /// otherwise minZoom with the start of the flow (the Input end) in view, centred across it.
  void showForReading(double minZoom = 0.7);
  /// 100% zoom, keeping the centre.
  void resetZoom();
  /// Moves the selected nodes by (dx, dy) as one move command (consecutive nudges merge).
  bool nudgeSelection(qreal dx, qreal dy);
  /// Scene position at the centre of the view (where double-clicked layers are added).
  QPointF centreScenePos() const;
  double zoom() const;

 protected:
  bool event(QEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void drawBackground(QPainter* painter, const QRectF& rect) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dragLeaveEvent(QDragLeaveEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  QRectF contentBounds() const;
  GraphScene* m_scene;
  bool m_spaceHeld = false;
  bool m_panning = false;
  QPoint m_panLast;
  EdgeItem* m_dropEdge = nullptr;  // the edge highlighted under a palette drag
  void setDropEdge(EdgeItem* edge);
  void openQuickAddAtCursor();
};

}  // namespace nc::widgets

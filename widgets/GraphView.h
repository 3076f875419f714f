#pragma once
// The canvas view: zoom with the wheel around the cursor, pan with the middle button or
// space+drag, rubber-band selection, a grid, and layer types dropped from the palette.
#include <QGraphicsView>

namespace nc::widgets {

class GraphScene;

/// MIME type of a layer type dragged from the palette (payload: the type name, UTF-8).
inline constexpr const char* kLayerMimeType = "application/x-neuralcanvas-layer";

class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  explicit GraphView(GraphScene* scene, QWidget* parent = nullptr);

  void zoomBy(double factor);
  /// Shows every node, at most at 100% zoom.
  void fitToContents();
  /// Scene position at the centre of the view (where double-clicked layers are added).
  QPointF centreScenePos() const;
  double zoom() const;

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void drawBackground(QPainter* painter, const QRectF& rect) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  GraphScene* m_scene;
  bool m_spaceHeld = false;
  bool m_panning = false;
  QPoint m_panLast;
};

}  // namespace nc::widgets

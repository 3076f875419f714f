#include "widgets/GraphView.h"

#include <QDragEnterEvent>
#include <QMimeData>
#include <QScrollBar>
#include <QWheelEvent>
#include <cmath>

#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

namespace {
constexpr double kMinZoom = 0.15, kMaxZoom = 3.0;
constexpr qreal kGrid = 20;
}  // namespace

GraphView::GraphView(GraphScene* scene, QWidget* parent) : QGraphicsView(scene, parent), m_scene(scene) {
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setDragMode(RubberBandDrag);
  setRubberBandSelectionMode(Qt::IntersectsItemShape);
  setTransformationAnchor(AnchorUnderMouse);
  setViewportUpdateMode(SmartViewportUpdate);
  setAcceptDrops(true);
  setSceneRect(-50000, -50000, 100000, 100000);
  setFocusPolicy(Qt::StrongFocus);
}

double GraphView::zoom() const { return transform().m11(); }

void GraphView::zoomBy(double factor) {
  double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
  scale(target / zoom(), target / zoom());
}

void GraphView::fitToContents() {
  QRectF bounds;
  for (const auto& [id, item] : m_scene->nodeItems()) bounds = bounds.united(item->sceneBoundingRect());
  if (bounds.isEmpty()) {
    resetTransform();
    centerOn(0, 0);
    return;
  }
  fitInView(bounds.adjusted(-60, -60, 60, 60), Qt::KeepAspectRatio);
  if (zoom() > 1.0) {
    resetTransform();
    centerOn(bounds.center());
  }
  if (zoom() < kMinZoom) zoomBy(1.0);  // clamps
}

QPointF GraphView::centreScenePos() const { return mapToScene(viewport()->rect().center()); }

void GraphView::wheelEvent(QWheelEvent* event) {
  if (event->modifiers() & Qt::ShiftModifier) {  // shift+wheel scrolls sideways
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - event->angleDelta().y());
    return;
  }
  zoomBy(std::pow(1.0015, event->angleDelta().y()));
  event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
    m_panning = true;
    m_panLast = event->pos();
    viewport()->setCursor(Qt::ClosedHandCursor);
    event->accept();
    return;
  }
  QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseMoveEvent(QMouseEvent* event) {
  if (m_panning) {
    QPoint delta = event->pos() - m_panLast;
    m_panLast = event->pos();
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
    event->accept();
    return;
  }
  QGraphicsView::mouseMoveEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event) {
  if (m_panning) {
    m_panning = false;
    viewport()->setCursor(m_spaceHeld ? Qt::OpenHandCursor : Qt::ArrowCursor);
    event->accept();
    return;
  }
  QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
    m_spaceHeld = true;
    viewport()->setCursor(Qt::OpenHandCursor);
    return;
  }
  QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
    m_spaceHeld = false;
    viewport()->setCursor(Qt::ArrowCursor);
    return;
  }
  QGraphicsView::keyReleaseEvent(event);
}

void GraphView::drawBackground(QPainter* painter, const QRectF& rect) {
  painter->fillRect(rect, QColor(0xed, 0xf0, 0xf4));
  if (zoom() < 0.35) return;  // a grid finer than a few pixels is noise
  const qreal left = std::floor(rect.left() / kGrid) * kGrid, top = std::floor(rect.top() / kGrid) * kGrid;
  QVector<QLineF> minor, major;
  for (qreal x = left; x < rect.right(); x += kGrid)
    (std::fmod(std::abs(x), kGrid * 5) < 0.5 ? major : minor).append(QLineF(x, rect.top(), x, rect.bottom()));
  for (qreal y = top; y < rect.bottom(); y += kGrid)
    (std::fmod(std::abs(y), kGrid * 5) < 0.5 ? major : minor).append(QLineF(rect.left(), y, rect.right(), y));
  painter->setPen(QPen(QColor(0xe0, 0xe5, 0xeb), 0));
  painter->drawLines(minor);
  painter->setPen(QPen(QColor(0xcf, 0xd6, 0xdf), 0));
  painter->drawLines(major);
}

void GraphView::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasFormat(kLayerMimeType)) event->acceptProposedAction();
  else QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent* event) {
  if (event->mimeData()->hasFormat(kLayerMimeType)) event->acceptProposedAction();
  else QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent* event) {
  if (!event->mimeData()->hasFormat(kLayerMimeType)) return QGraphicsView::dropEvent(event);
  QString type = QString::fromUtf8(event->mimeData()->data(kLayerMimeType));
  QPointF at = mapToScene(event->position().toPoint()) - QPointF(86, 20);
  if (auto id = m_scene->editor()->addNode(type, at)) m_scene->selectNodes({*id});
  event->acceptProposedAction();
}

}  // namespace nc::widgets

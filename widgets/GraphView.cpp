#include "widgets/GraphView.h"

#include <QCursor>
#include <QDragEnterEvent>
#include <QKeyEvent>
#include <QGraphicsPathItem>
#include <QMimeData>
#include <QScrollBar>
#include <QWheelEvent>
#include <cmath>

#include "widgets/EdgeItem.h"
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

QRectF GraphView::contentBounds() const {
  // Everything drawn: cards, curves (including routed skip edges) and their labels.
  QRectF bounds;
  for (QGraphicsItem* item : m_scene->items())
    if (item->isVisible() && (dynamic_cast<NodeItem*>(item) || dynamic_cast<EdgeItem*>(item)))
      bounds = bounds.united(item->sceneBoundingRect());
  return bounds;
}

void GraphView::fitToContents() {
  QRectF bounds = contentBounds();
  if (bounds.isEmpty()) {
    resetTransform();
    centerOn(0, 0);
    return;
  }
  fitInView(bounds.adjusted(-40, -40, 40, 40), Qt::KeepAspectRatio);
  if (zoom() > 1.0) {
    resetTransform();
    centerOn(bounds.center());
  }
  if (zoom() < kMinZoom) zoomBy(1.0);  // clamps
}

void GraphView::showForReading(double minZoom) {
  fitToContents();
  QRectF bounds = contentBounds();
  if (bounds.isEmpty() || zoom() >= minZoom) return;
  // A long model does not fit at a readable size: show its start (the Input end of the flow) at
  // minZoom, centred across the flow; the rest is a scroll away.
  resetTransform();
  scale(minZoom, minZoom);
  QSizeF visible(viewport()->width() / minZoom, viewport()->height() / minZoom);
  bool topDown = m_scene->editor()->project().flow == core::LayoutDirection::TopDown;
  QPointF centre = topDown ? QPointF(bounds.center().x(), bounds.top() - 40 + visible.height() / 2)
                           : QPointF(bounds.left() - 40 + visible.width() / 2, bounds.center().y());
  centerOn(centre);
}

void GraphView::resetZoom() {
  QPointF centre = centreScenePos();
  resetTransform();
  centerOn(centre);
}

bool GraphView::nudgeSelection(qreal dx, qreal dy) {
  std::map<core::NodeId, QPointF> positions;
  for (core::NodeId id : m_scene->selectedNodes())
    if (const core::Node* n = m_scene->editor()->graph().node(id)) positions[id] = QPointF(n->x + dx, n->y + dy);
  if (positions.empty()) return false;
  return m_scene->editor()->moveNodes(positions);
}

void GraphView::openQuickAddAtCursor() {
  QPoint local = viewport()->mapFromGlobal(QCursor::pos());
  if (!viewport()->rect().contains(local)) local = viewport()->rect().center();
  m_scene->openQuickAdd(mapToScene(local), viewport()->mapToGlobal(local));
}

QPointF GraphView::centreScenePos() const { return mapToScene(viewport()->rect().center()); }

bool GraphView::event(QEvent* event) {
  // Tab opens quick-add instead of moving the focus to the next widget.
  if (event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_Tab && !(key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::ShiftModifier))) {
      openQuickAddAtCursor();
      return true;
    }
  }
  return QGraphicsView::event(event);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && !itemAt(event->pos())) {
    m_scene->openQuickAdd(mapToScene(event->pos()), viewport()->mapToGlobal(event->pos()));
    event->accept();
    return;
  }
  QGraphicsView::mouseDoubleClickEvent(event);
}

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
  const auto mods = event->modifiers() & ~Qt::KeypadModifier;
  if (mods == Qt::NoModifier || mods == Qt::ShiftModifier) {  // arrows nudge: 10 px, Shift 1 px
    const qreal step = mods == Qt::ShiftModifier ? 1 : 10;
    QPointF delta;
    switch (event->key()) {
      case Qt::Key_Left: delta = {-step, 0}; break;
      case Qt::Key_Right: delta = {step, 0}; break;
      case Qt::Key_Up: delta = {0, -step}; break;
      case Qt::Key_Down: delta = {0, step}; break;
      default: break;
    }
    if (!delta.isNull() && !m_scene->selectedNodes().empty()) {
      nudgeSelection(delta.x(), delta.y());
      event->accept();
      return;
    }
  }
  if (mods & Qt::ControlModifier) {  // zoom keys the window's actions do not already take
    switch (event->key()) {
      case Qt::Key_Equal:
      case Qt::Key_Plus: zoomBy(1.25); event->accept(); return;
      case Qt::Key_Minus: zoomBy(0.8); event->accept(); return;
      case Qt::Key_0: resetZoom(); event->accept(); return;
      default: break;
    }
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

void GraphView::setDropEdge(EdgeItem* edge) {
  if (edge == m_dropEdge) return;
  if (m_dropEdge && m_scene->items().contains(m_dropEdge)) m_dropEdge->setHighlighted(false);
  m_dropEdge = edge;
  if (m_dropEdge) m_dropEdge->setHighlighted(true);
}

void GraphView::dragMoveEvent(QDragMoveEvent* event) {
  if (!event->mimeData()->hasFormat(kLayerMimeType)) return QGraphicsView::dragMoveEvent(event);
  setDropEdge(m_scene->edgeAt(mapToScene(event->position().toPoint())));
  event->acceptProposedAction();
}

void GraphView::dragLeaveEvent(QDragLeaveEvent* event) {
  setDropEdge(nullptr);
  QGraphicsView::dragLeaveEvent(event);
}

void GraphView::dropEvent(QDropEvent* event) {
  if (!event->mimeData()->hasFormat(kLayerMimeType)) return QGraphicsView::dropEvent(event);
  setDropEdge(nullptr);
  QString type = QString::fromUtf8(event->mimeData()->data(kLayerMimeType));
  const QPointF at = mapToScene(event->position().toPoint());
  std::optional<core::PortRef> onEdge;
  if (EdgeItem* edge = m_scene->edgeAt(at)) onEdge = edge->edge().to;
  m_scene->addLayerAt(type, at, onEdge);
  event->acceptProposedAction();
}

}  // namespace nc::widgets

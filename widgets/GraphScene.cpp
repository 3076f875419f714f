#include "widgets/GraphScene.h"

#include <QAction>
#include <QClipboard>
#include <QGraphicsPathItem>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsView>
#include <QGuiApplication>
#include <QInputDialog>
#include <QMenu>
#include <QPen>

#include "core/LayerType.h"
#include "widgets/EdgeItem.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphView.h"
#include "widgets/NodeItem.h"
#if __has_include("widgets/QuickAddPopup.h")
#include "widgets/QuickAddPopup.h"
#define NC_HAVE_QUICK_ADD 1
#endif

namespace nc::widgets {

namespace {
/// Whether the project's diagram flows top-down. Written against the project's `flow` field when
/// it has one (core::LayoutDirection); a project type without it is drawn left to right.
template <typename P>
auto projectTopDown(const P& p, int) -> decltype(p.flow == decltype(p.flow)::TopDown) {
  return p.flow == decltype(p.flow)::TopDown;
}
template <typename P>
bool projectTopDown(const P&, long) {
  return false;
}
}  // namespace

GraphScene::GraphScene(GraphEditor* editor, QObject* parent) : QGraphicsScene(parent), m_editor(editor) {
  setItemIndexMethod(QGraphicsScene::NoIndex);  // items move often; a 200-node scene is small
  connect(m_editor, &GraphEditor::changed, this, &GraphScene::sync);
  sync();
}

NodeItem* GraphScene::nodeItem(core::NodeId id) const {
  auto it = m_nodes.find(id);
  return it == m_nodes.end() ? nullptr : it->second;
}

EdgeItem* GraphScene::edgeItem(core::PortRef to) const {
  auto it = m_edges.find(to);
  return it == m_edges.end() ? nullptr : it->second;
}

void GraphScene::setNodeTints(const std::map<core::NodeId, QColor>& tints) {
  m_tints = tints;
  for (const auto& [id, item] : m_nodes) {
    auto it = m_tints.find(id);
    item->setTint(it == m_tints.end() ? QColor() : it->second);
  }
}

std::vector<QRectF> GraphScene::cardRects() const {
  std::vector<QRectF> cards;
  cards.reserve(m_nodes.size());
  for (const auto& [id, item] : m_nodes) cards.push_back(item->cardSceneRect());
  return cards;
}

void GraphScene::sync() {
  m_syncing = true;
  m_topDown = projectTopDown(m_editor->project(), 0);
  const core::Graph& g = m_editor->graph();
  const core::GraphAnalysis& a = m_editor->analysis();
  for (auto it = m_nodes.begin(); it != m_nodes.end();) {
    if (g.node(it->first)) {
      ++it;
      continue;
    }
    delete it->second;
    it = m_nodes.erase(it);
  }
  for (const auto& [id, node] : g.nodes()) {
    NodeItem*& item = m_nodes[id];
    if (!item) {
      item = new NodeItem(id);
      addItem(item);
      connect(item, &NodeItem::moved, this, &GraphScene::updateEdgesOf);
    }
    NodeItem::Health health = NodeItem::Health::Ok;
    QStringList messages;
    for (const core::GraphIssue* issue : a.issuesFor(id)) {
      bool error = issue->severity == core::Severity::Error;
      if (error) health = NodeItem::Health::Error;
      else if (health == NodeItem::Health::Ok) health = NodeItem::Health::Warning;
      messages << (error ? tr("Error: ") : tr("Warning: ")) + QString::fromStdString(issue->message);
    }
    item->setTopDown(m_topDown);
    auto tint = m_tints.find(id);
    item->setTint(tint == m_tints.end() ? QColor() : tint->second);
    item->update(node, health, messages.join("\n"));
    item->setFlag(QGraphicsItem::ItemIsMovable, !m_editor->readOnly());
  }

  // Edges are re-routed only when a card moved or changed size (or the flow changed): a parameter
  // edit that leaves every card where it was routes only the edges it created.
  std::vector<QRectF> cards = cardRects();
  const bool reroute = cards != m_routedCards || m_topDown != m_routedTopDown;
  std::map<core::PortRef, EdgeItem*> keep;
  for (const core::Edge& e : g.edges()) {
    EdgeItem* item = edgeItem(e.to);
    if (item && !(item->edge() == e)) {
      delete item;
      item = nullptr;
    }
    bool created = false;
    if (!item) {
      item = new EdgeItem(e);
      addItem(item);
      created = true;
    }
    m_edges.erase(e.to);
    keep[e.to] = item;
    bool destinationBroken = false;
    for (const core::GraphIssue* issue : a.issuesFor(e.to.node))
      destinationBroken = destinationBroken || issue->severity == core::Severity::Error;
    QString label = m_editor->shapeLabel(e.from.node);
    item->setLabel(label, destinationBroken || label == "?");
    if (reroute || created) placeEdge(item, cards);
  }
  for (auto& [port, item] : m_edges) delete item;
  m_edges = std::move(keep);
  m_routedCards = std::move(cards);
  m_routedTopDown = m_topDown;
  m_syncing = false;
}

void GraphScene::placeEdge(EdgeItem* edge, const std::vector<QRectF>& cards) {
  NodeItem* from = nodeItem(edge->edge().from.node);
  NodeItem* to = nodeItem(edge->edge().to.node);
  if (from && to)
    edge->setGeometry(from->outputPortScenePos(), to->inputPortScenePos(edge->edge().to.port), m_topDown, cards);
}

void GraphScene::updateEdgesOf(core::NodeId id) {
  if (m_syncing) return;
  m_routedCards.clear();  // a card moved outside a sync: the next sync re-routes every edge
  std::vector<QRectF> cards;
  for (auto& [port, edge] : m_edges)
    if (edge->edge().from.node == id || edge->edge().to.node == id) {
      if (cards.empty()) cards = cardRects();
      placeEdge(edge, cards);
    }
}

std::set<core::NodeId> GraphScene::selectedNodes() const {
  std::set<core::NodeId> ids;
  for (QGraphicsItem* item : selectedItems())
    if (auto* n = dynamic_cast<NodeItem*>(item)) ids.insert(n->nodeId());
  return ids;
}

std::vector<core::PortRef> GraphScene::selectedEdgeInputs() const {
  std::vector<core::PortRef> ports;
  for (QGraphicsItem* item : selectedItems())
    if (auto* e = dynamic_cast<EdgeItem*>(item)) ports.push_back(e->edge().to);
  return ports;
}

void GraphScene::selectNodes(const std::set<core::NodeId>& nodes) {
  clearSelection();
  for (core::NodeId id : nodes)
    if (NodeItem* item = nodeItem(id)) item->setSelected(true);
}

void GraphScene::deleteSelection() { m_editor->removeItems(selectedNodes(), selectedEdgeInputs()); }

core::PortRef GraphScene::inputPortAt(QPointF scenePos) const {
  for (const auto& [id, item] : m_nodes) {
    auto [isOutput, port] = item->portAt(item->mapFromScene(scenePos), 12);
    if (port >= 0 && !isOutput) return {id, port};
  }
  return {-1, 0};
}

void GraphScene::beginConnection(core::NodeId from) {
  m_dragFrom = from;
  m_dragProblems.clear();
  for (const auto& [id, item] : m_nodes) {
    std::vector<NodeItem::PortState> states;
    for (int p = 0; p < item->inputCount(); ++p) {
      QString problem = m_editor->connectionProblem({from, 0}, {id, p});
      if (!problem.isEmpty()) m_dragProblems[{id, p}] = problem;
      states.push_back(problem.isEmpty() ? NodeItem::PortState::Accepting : NodeItem::PortState::Refused);
    }
    item->setInputPortStates(states);
  }
  m_dragPath = addPath(QPainterPath(), QPen(QColor(0xdd, 0x6b, 0x20), 2, Qt::DashLine));
  m_dragPath->setZValue(2);
}

void GraphScene::updateConnection(QPointF scenePos) {
  NodeItem* from = nodeItem(m_dragFrom);
  if (!from || !m_dragPath) return;
  core::PortRef target = inputPortAt(scenePos);
  QPointF end = target.node >= 0 ? nodeItem(target.node)->inputPortScenePos(target.port) : scenePos;
  m_dragPath->setPath(EdgeItem::curve(from->outputPortScenePos(), end, m_topDown));
  if (target.node >= 0 && m_dragProblems.count(target)) Q_EMIT statusMessage(m_dragProblems[target]);
}

bool GraphScene::endConnection(QPointF scenePos) {
  core::NodeId from = m_dragFrom;
  m_dragFrom = -1;
  delete m_dragPath;
  m_dragPath = nullptr;
  for (const auto& [id, item] : m_nodes) item->setInputPortStates({});
  core::PortRef target = inputPortAt(scenePos);
  if (from < 0 || target.node < 0) return false;
  if (auto it = m_dragProblems.find(target); it != m_dragProblems.end()) {
    Q_EMIT statusMessage(tr("Cannot connect: %1").arg(it->second));
    return false;
  }
  bool ok = m_editor->connectPorts({from, 0}, target);
  if (!ok) Q_EMIT statusMessage(tr("Cannot connect: %1").arg(m_editor->lastError()));
  return ok;
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
  if (event->button() == Qt::LeftButton && !m_editor->readOnly()) {
    for (QGraphicsItem* item : items(event->scenePos())) {
      auto* node = dynamic_cast<NodeItem*>(item);
      if (!node) continue;
      auto [isOutput, port] = node->portAt(node->mapFromScene(event->scenePos()));
      if (isOutput && port >= 0) {
        beginConnection(node->nodeId());
        updateConnection(event->scenePos());
        event->accept();
        return;
      }
      break;
    }
  }
  QGraphicsScene::mousePressEvent(event);
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
  if (connecting()) {
    updateConnection(event->scenePos());
    event->accept();
    return;
  }
  QGraphicsScene::mouseMoveEvent(event);
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
  if (connecting()) {
    endConnection(event->scenePos());
    event->accept();
    return;
  }
  QGraphicsScene::mouseReleaseEvent(event);
  if (event->button() == Qt::LeftButton) commitMoves();
}

void GraphScene::commitMoves() {
  std::map<core::NodeId, QPointF> moved;
  const core::Graph& g = m_editor->graph();
  for (const auto& [id, item] : m_nodes) {
    const core::Node* n = g.node(id);
    if (n && (n->x != item->pos().x() || n->y != item->pos().y())) moved[id] = item->pos();
  }
  if (moved.empty()) return;
  if (!m_editor->moveNodes(moved)) sync();  // refused (read-only): put the cards back
}

EdgeItem* GraphScene::edgeAt(QPointF scenePos) const {
  for (QGraphicsItem* item : items(scenePos))
    if (auto* e = dynamic_cast<EdgeItem*>(item)) return e;
  return nullptr;
}

QuickAddPopup* GraphScene::quickAddPopup() const {
#ifdef NC_HAVE_QUICK_ADD
  return static_cast<QuickAddPopup*>(m_quickAdd.data());
#else
  return nullptr;
#endif
}

QuickAddPopup* GraphScene::openQuickAdd(QPointF scenePos, QPoint globalPos, std::optional<core::PortRef> onEdge) {
#ifdef NC_HAVE_QUICK_ADD
  if (m_editor->readOnly()) return nullptr;
  m_quickAddAt = scenePos;
  m_quickAddEdge = onEdge;
  auto* popup = static_cast<QuickAddPopup*>(m_quickAdd.data());
  if (!popup) {  // one popup, reused; it hides itself after a choice or Esc
    popup = new QuickAddPopup(views().isEmpty() ? nullptr : views().first());
    popup->setObjectName("quickAddPopup");
    m_quickAdd = popup;
    connect(popup, &QuickAddPopup::layerChosen, this,
            [this](const QString& type) { addLayerAt(type, m_quickAddAt, m_quickAddEdge); });
  }
  popup->showAt(globalPos);
  return popup;
#else
  (void)scenePos, (void)globalPos, (void)onEdge;
  Q_EMIT statusMessage(tr("Quick-add is not available in this build."));
  return nullptr;
#endif
}

std::optional<core::NodeId> GraphScene::addLayerAt(const QString& type, QPointF scenePos, std::optional<core::PortRef> onEdge) {
  // Centre the new card on the point (the card is 172 wide; about 60 high).
  QPointF at = scenePos - QPointF(86, 30);
  std::optional<core::NodeId> id;
  if (onEdge) {
    id = m_editor->insertOnEdge(*onEdge, type, at);
    if (!id) Q_EMIT statusMessage(tr("Cannot insert: %1").arg(m_editor->lastError()));
  } else {
    id = m_editor->addNode(type, at);
  }
  if (id) selectNodes({*id});
  return id;
}

void GraphScene::renameInteractively(core::NodeId node) {
  const core::Node* n = m_editor->graph().node(node);
  if (!n) return;
  QInputDialog dialog(views().isEmpty() ? nullptr : views().first());
  dialog.setObjectName("renameDialog");
  dialog.setWindowTitle(tr("Rename node"));
  dialog.setLabelText(tr("New name of %1:").arg(QString::fromStdString(n->name)));
  dialog.setTextValue(QString::fromStdString(n->name));
  if (dialog.exec() != QDialog::Accepted) return;
  if (!m_editor->renameNode(node, dialog.textValue().trimmed()))
    Q_EMIT statusMessage(tr("Cannot rename: %1").arg(m_editor->lastError()));
}

bool GraphScene::disconnectInputs(core::NodeId node) {
  std::vector<core::PortRef> ports;
  for (const core::Edge& e : m_editor->graph().edges())
    if (e.to.node == node) ports.push_back(e.to);
  if (ports.empty()) return true;
  return m_editor->removeItems({}, ports);
}

void GraphScene::fitViews() {
  for (QGraphicsView* v : views())
    if (auto* gv = qobject_cast<GraphView*>(v)) gv->fitToContents();
}

QMenu* GraphScene::buildContextMenu(QPointF scenePos, QPoint globalPos) {
  auto* menu = new QMenu(views().isEmpty() ? nullptr : views().first());
  menu->setAttribute(Qt::WA_DeleteOnClose);
  const bool editable = !m_editor->readOnly();
  auto add = [&](const char* name, const QString& text, auto slot, bool enabled = true) {
    QAction* a = menu->addAction(text);
    a->setObjectName(QString::fromLatin1(name));
    a->setEnabled(enabled);
    connect(a, &QAction::triggered, this, slot);
    return a;
  };
  NodeItem* node = nullptr;
  EdgeItem* edge = nullptr;
  for (QGraphicsItem* item : items(scenePos)) {
    if ((node = dynamic_cast<NodeItem*>(item))) break;
    if ((edge = dynamic_cast<EdgeItem*>(item))) break;
  }
  if (node) {
    const core::NodeId id = node->nodeId();
    if (!node->isSelected()) selectNodes({id});
    const core::Node* n = m_editor->graph().node(id);
    const QString type = n ? QString::fromStdString(n->type) : QString();
    menu->setObjectName("nodeContextMenu");
    add("nodeRename", tr("&Rename…"), [this, id]() { renameInteractively(id); }, editable);
    add("nodeDuplicate", tr("D&uplicate"), [this, id]() {
      std::set<core::NodeId> nodes = selectedNodes();
      if (!nodes.count(id)) nodes = {id};
      std::vector<core::NodeId> created = m_editor->duplicate(nodes);
      selectNodes(std::set<core::NodeId>(created.begin(), created.end()));
    }, editable);
    add("nodeDelete", tr("&Delete"), [this, id]() {
      std::set<core::NodeId> nodes = selectedNodes();
      if (!nodes.count(id)) nodes = {id};
      m_editor->removeItems(nodes);
    }, editable);
    add("nodeDisconnectInputs", tr("Dis&connect inputs"), [this, id]() { disconnectInputs(id); },
        editable && node->inputCount() > 0);
    menu->addSeparator();
    add("nodeDocumentation", tr("Show &documentation"), [this, type]() { Q_EMIT documentationRequested(type); });
  } else if (edge) {
    const core::PortRef to = edge->edge().to;
    clearSelection();
    edge->setSelected(true);
    menu->setObjectName("edgeContextMenu");
    add("edgeDelete", tr("&Delete connection"), [this, to]() { m_editor->removeItems({}, {to}); }, editable);
    add("edgeInsertLayer", tr("&Insert layer here…"), [this, to, scenePos, globalPos]() {
      openQuickAdd(scenePos, globalPos, to);
    }, editable);
  } else {
    menu->setObjectName("canvasContextMenu");
    add("canvasAddLayer", tr("&Add layer here…"), [this, scenePos, globalPos]() { openQuickAdd(scenePos, globalPos); },
        editable);
    const QString clip = QGuiApplication::clipboard()->text();
    add("canvasPaste", tr("&Paste"), [this, scenePos]() {
      std::vector<core::NodeId> created = m_editor->paste(QGuiApplication::clipboard()->text(), scenePos);
      selectNodes(std::set<core::NodeId>(created.begin(), created.end()));
    }, editable && !clip.isEmpty());
    menu->addSeparator();
    add("canvasAutoLayout", tr("Auto-&layout"), [this]() {
      if (m_editor->autoLayout()) fitViews();
    }, editable);
    add("canvasFit", tr("&Fit to view"), [this]() { fitViews(); });
  }
  return menu;
}

void GraphScene::contextMenuEvent(QGraphicsSceneContextMenuEvent* event) {
  if (connecting()) return;
  QMenu* menu = buildContextMenu(event->scenePos(), event->screenPos());
  event->accept();
  menu->exec(event->screenPos());
}

}  // namespace nc::widgets

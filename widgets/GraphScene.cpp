#include "widgets/GraphScene.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneMouseEvent>
#include <QPen>

#include "core/LayerType.h"
#include "widgets/EdgeItem.h"
#include "widgets/GraphEditor.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

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

void GraphScene::sync() {
  m_syncing = true;
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
    item->update(node, health, messages.join("\n"));
    item->setFlag(QGraphicsItem::ItemIsMovable, !m_editor->readOnly());
  }

  std::map<core::PortRef, EdgeItem*> keep;
  for (const core::Edge& e : g.edges()) {
    EdgeItem* item = edgeItem(e.to);
    if (item && !(item->edge() == e)) {
      delete item;
      item = nullptr;
    }
    if (!item) {
      item = new EdgeItem(e);
      addItem(item);
    }
    m_edges.erase(e.to);
    keep[e.to] = item;
    bool destinationBroken = false;
    for (const core::GraphIssue* issue : a.issuesFor(e.to.node))
      destinationBroken = destinationBroken || issue->severity == core::Severity::Error;
    QString label = m_editor->shapeLabel(e.from.node);
    item->setLabel(label, destinationBroken || label == "?");
    placeEdge(item);
  }
  for (auto& [port, item] : m_edges) delete item;
  m_edges = std::move(keep);
  m_syncing = false;
}

void GraphScene::placeEdge(EdgeItem* edge) {
  NodeItem* from = nodeItem(edge->edge().from.node);
  NodeItem* to = nodeItem(edge->edge().to.node);
  if (from && to) edge->setGeometry(from->outputPortScenePos(), to->inputPortScenePos(edge->edge().to.port));
}

void GraphScene::updateEdgesOf(core::NodeId id) {
  if (m_syncing) return;
  for (auto& [port, edge] : m_edges)
    if (edge->edge().from.node == id || edge->edge().to.node == id) placeEdge(edge);
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
  m_dragPath->setPath(EdgeItem::curve(from->outputPortScenePos(), end));
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

}  // namespace nc::widgets

#include "widgets/GraphEditor.h"

#include <QUndoCommand>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/GraphEdit.h"
#include "core/LayerRegistry.h"
#include "core/LayerType.h"

namespace nc::widgets {

/// One edit as the project before and after it. Redo and undo restore a whole snapshot, so undoing
/// back to the start gives exactly the project that was opened. Moves of the same nodes merge.
class ProjectSnapshotCommand : public QUndoCommand {
 public:
  ProjectSnapshotCommand(GraphEditor* editor, const QString& text, core::Project before, core::Project after,
                         int mergeId, std::set<core::NodeId> mergeKey)
      : QUndoCommand(text),
        m_editor(editor),
        m_before(std::move(before)),
        m_after(std::move(after)),
        m_mergeId(mergeId),
        m_mergeKey(std::move(mergeKey)) {}

  void redo() override {
    if (m_skipFirstRedo) {  // the edit is already applied when the command is pushed
      m_skipFirstRedo = false;
      return;
    }
    m_editor->restore(m_after);
  }
  void undo() override { m_editor->restore(m_before); }
  int id() const override { return m_mergeId; }
  bool mergeWith(const QUndoCommand* other) override {
    auto* o = static_cast<const ProjectSnapshotCommand*>(other);
    if (o->m_mergeKey != m_mergeKey) return false;
    m_after = o->m_after;
    return true;
  }

 private:
  GraphEditor* m_editor;
  core::Project m_before, m_after;
  int m_mergeId;
  std::set<core::NodeId> m_mergeKey;
  bool m_skipFirstRedo = true;
};

namespace {
constexpr int kMoveMergeId = 1;
}

GraphEditor::GraphEditor(QObject* parent) : QObject(parent) { reanalyze(); }

void GraphEditor::reanalyze() {
  m_analysis = core::analyze(m_project.graph);
  m_analysis.issues.insert(m_analysis.issues.end(), m_extraIssues.begin(), m_extraIssues.end());
}

void GraphEditor::setExtraIssues(std::vector<core::GraphIssue> issues) {
  m_extraIssues = std::move(issues);
  reanalyze();
  Q_EMIT changed();
}

bool GraphEditor::setProject(core::Project project) {
  if (m_readOnly) return refuse(tr("The model is read-only while a training run uses it."));
  m_undo.clear();
  m_project = std::move(project);
  reanalyze();
  m_undo.setClean();
  Q_EMIT changed();
  return true;
}

void GraphEditor::setReadOnly(bool readOnly) {
  if (m_readOnly == readOnly) return;
  m_readOnly = readOnly;
  Q_EMIT changed();
  Q_EMIT readOnlyChanged(readOnly);
}

bool GraphEditor::undo() {
  if (m_readOnly) return refuse(tr("The model is read-only while a training run uses it."));
  if (!m_undo.canUndo()) return false;
  m_undo.undo();
  return true;
}

bool GraphEditor::redo() {
  if (m_readOnly) return refuse(tr("The model is read-only while a training run uses it."));
  if (!m_undo.canRedo()) return false;
  m_undo.redo();
  return true;
}

void GraphEditor::restore(const core::Project& project) {
  m_project = project;
  reanalyze();
  Q_EMIT changed();
}

bool GraphEditor::refuse(const QString& message) {
  m_lastError = message;
  Q_EMIT editRefused(message);
  return false;
}

bool GraphEditor::apply(const QString& text, const std::function<core::Status(core::Project&)>& edit, int mergeId,
                        std::set<core::NodeId> mergeKey) {
  if (m_readOnly) return refuse(tr("The model is read-only while a training run uses it."));
  core::Project after = m_project;
  if (core::Status s = edit(after); !s) return refuse(QString::fromStdString(s.message()));
  core::Project before = std::move(m_project);
  restore(after);
  m_lastError.clear();
  m_undo.push(new ProjectSnapshotCommand(this, text, std::move(before), std::move(after), mergeId, std::move(mergeKey)));
  return true;
}

std::optional<core::NodeId> GraphEditor::addNode(const QString& type, QPointF position) {
  std::optional<core::NodeId> id;
  bool ok = apply(tr("Add %1").arg(type), [&](core::Project& p) {
    std::string error;
    id = p.graph.addNode(type.toStdString(), position.x(), position.y(), &error);
    return id ? core::Status{} : core::Status::error(error);
  });
  return ok ? id : std::nullopt;
}

QString GraphEditor::connectionProblem(core::PortRef from, core::PortRef to) const {
  core::Graph g = m_project.graph;
  if (g.edgeInto(to)) g.disconnect(to);
  if (core::Status s = g.canConnect(from, to); !s) return QString::fromStdString(s.message());
  if (g.wouldCreateCycle(from.node, to.node))
    return tr("connecting %1 to %2 would make a cycle")
        .arg(QString::fromStdString(g.node(from.node)->name), QString::fromStdString(g.node(to.node)->name));
  return {};
}

bool GraphEditor::connectPorts(core::PortRef from, core::PortRef to) {
  if (QString problem = connectionProblem(from, to); !problem.isEmpty()) return refuse(problem);
  return apply(tr("Connect"), [&](core::Project& p) {
    if (p.graph.edgeInto(to)) p.graph.disconnect(to);
    return p.graph.connect(from, to);
  });
}

bool GraphEditor::disconnectPort(core::PortRef to) {
  return apply(tr("Disconnect"), [&](core::Project& p) { return p.graph.disconnect(to); });
}

bool GraphEditor::setParam(core::NodeId node, const std::string& name, const core::ParamValue& value) {
  const core::Node* n = graph().node(node);
  if (n && n->params.count(name) && n->params.at(name) == value) return true;  // nothing to record
  return apply(tr("Set %1").arg(QString::fromStdString(name)),
               [&](core::Project& p) { return p.graph.setParam(node, name, value); });
}

bool GraphEditor::renameNode(core::NodeId node, const QString& name) {
  const core::Node* n = graph().node(node);
  if (n && n->name == name.toStdString()) return true;
  return apply(tr("Rename to %1").arg(name), [&](core::Project& p) { return p.graph.rename(node, name.toStdString()); });
}

bool GraphEditor::moveNodes(const std::map<core::NodeId, QPointF>& positions) {
  std::set<core::NodeId> key;
  bool anyChange = false;
  for (const auto& [id, pos] : positions) {
    key.insert(id);
    const core::Node* n = graph().node(id);
    if (n && (n->x != pos.x() || n->y != pos.y())) anyChange = true;
  }
  if (!anyChange) return true;
  return apply(
      positions.size() == 1 ? tr("Move node") : tr("Move %1 nodes").arg(positions.size()),
      [&](core::Project& p) {
        for (const auto& [id, pos] : positions)
          if (core::Status s = p.graph.move(id, pos.x(), pos.y()); !s) return s;
        return core::Status{};
      },
      kMoveMergeId, key);
}

bool GraphEditor::removeItems(const std::set<core::NodeId>& nodes, const std::vector<core::PortRef>& edgeInputs) {
  if (nodes.empty() && edgeInputs.empty()) return true;
  QString text = nodes.empty() ? tr("Delete connection") : tr("Delete %n node(s)", "", int(nodes.size()));
  return apply(text, [&](core::Project& p) {
    for (const core::PortRef& to : edgeInputs)
      if (p.graph.edgeInto(to)) p.graph.disconnect(to);
    for (core::NodeId id : nodes)
      if (core::Status s = p.graph.removeNode(id); !s) return s;
    return core::Status{};
  });
}

QString GraphEditor::copyNodes(const std::set<core::NodeId>& nodes) const {
  core::Project fragment;
  fragment.name = "clipboard";
  fragment.graph = core::subgraph(graph(), nodes);
  return QString::fromStdString(core::serializeProject(fragment));
}

std::vector<core::NodeId> GraphEditor::paste(const QString& json, QPointF at) {
  core::ProjectLoad load = core::parseProject(json.toStdString());
  if (!load.ok()) {
    refuse(tr("The clipboard holds no NeuralCanvas nodes (%1)").arg(QString::fromStdString(load.error)));
    return {};
  }
  const core::Graph& fragment = load.project->graph;
  if (fragment.nodes().empty()) return {};
  double left = std::numeric_limits<double>::max(), top = std::numeric_limits<double>::max();
  for (const auto& [id, n] : fragment.nodes()) {
    left = std::min(left, n.x);
    top = std::min(top, n.y);
  }
  std::vector<core::NodeId> created;
  apply(tr("Paste %n node(s)", "", int(fragment.nodes().size())), [&](core::Project& p) {
    created = core::pasteGraph(p.graph, fragment, at.x() - left, at.y() - top);
    return created.empty() ? core::Status::error("nothing could be pasted") : core::Status{};
  });
  return created;
}

std::vector<core::NodeId> GraphEditor::duplicate(const std::set<core::NodeId>& nodes) {
  if (nodes.empty()) return {};
  double left = std::numeric_limits<double>::max(), top = std::numeric_limits<double>::max();
  for (core::NodeId id : nodes)
    if (const core::Node* n = graph().node(id)) {
      left = std::min(left, n->x);
      top = std::min(top, n->y);
    }
  return paste(copyNodes(nodes), QPointF(left + 40, top + 40));
}

bool GraphEditor::autoLayout() {
  return apply(tr("Auto-layout"), [](core::Project& p) {
    const core::LayoutSpacing spacing = core::LayoutSpacing::forDirection(p.flow);
    for (const auto& [id, xy] : core::layeredLayout(p.graph, spacing))
      if (core::Status s = p.graph.move(id, xy.first, xy.second); !s) return s;
    return core::Status{};
  });
}

bool GraphEditor::setFlow(core::LayoutDirection flow) {
  const QString text = flow == core::LayoutDirection::TopDown ? tr("Lay out top-down") : tr("Lay out left-right");
  return apply(text, [flow](core::Project& p) {
    p.flow = flow;
    const core::LayoutSpacing spacing = core::LayoutSpacing::forDirection(p.flow);
    for (const auto& [id, xy] : core::layeredLayout(p.graph, spacing))
      if (core::Status s = p.graph.move(id, xy.first, xy.second); !s) return s;
    return core::Status{};
  });
}

namespace {
/// When a node inserted into a chain sits on the card before it, moves it past that card; when it
/// then sits on a card downstream of it, moves everything downstream further along the flow so
/// that the cards no longer overlap (card extents are estimated: 172 wide, at most 110 high).
void makeRoomBelow(core::Project& p, core::NodeId inserted, core::NodeId upstream) {
  const bool topDown = p.flow == core::LayoutDirection::TopDown;
  const double along = topDown ? 110 : 172, across = topDown ? 172 : 110, gap = 50;
  const core::Node* n = p.graph.node(inserted);
  const core::Node* up = p.graph.node(upstream);
  if (!n || !up) return;
  auto u = [&](const core::Node& m) { return topDown ? m.y : m.x; };
  auto v = [&](const core::Node& m) { return topDown ? m.x : m.y; };
  // Dropped onto the card it follows: moved just past that card.
  if (std::abs(v(*up) - v(*n)) < across && u(*n) < u(*up) + along && u(*n) + along > u(*up)) {
    const double to = u(*up) + along + gap;
    (void)p.graph.move(inserted, topDown ? n->x : to, topDown ? to : n->y);
  }
  std::set<core::NodeId> downstream;
  std::vector<core::NodeId> todo{inserted};
  while (!todo.empty()) {
    core::NodeId at = todo.back();
    todo.pop_back();
    for (const core::Edge& e : p.graph.edges())
      if (e.from.node == at && e.to.node != inserted && downstream.insert(e.to.node).second) todo.push_back(e.to.node);
  }
  double firstOverlap = std::numeric_limits<double>::max();
  for (core::NodeId id : downstream) {
    const core::Node* m = p.graph.node(id);
    if (std::abs(v(*m) - v(*n)) < across && u(*m) < u(*n) + along + gap && u(*m) + along > u(*n))
      firstOverlap = std::min(firstOverlap, u(*m));
  }
  if (firstOverlap == std::numeric_limits<double>::max()) return;
  const double shift = u(*n) + along + gap - firstOverlap;
  for (core::NodeId id : downstream) {
    const core::Node* m = p.graph.node(id);
    (void)p.graph.move(id, topDown ? m->x : m->x + shift, topDown ? m->y + shift : m->y);
  }
}
}  // namespace

std::optional<core::NodeId> GraphEditor::insertOnEdge(core::PortRef edgeInput, const QString& type, QPointF position) {
  std::optional<core::Edge> edge = graph().edgeInto(edgeInput);
  if (!edge) {
    refuse(tr("There is no connection there to insert %1 on.").arg(type));
    return std::nullopt;
  }
  const core::PortRef from = edge->from;
  std::optional<core::NodeId> id;
  bool ok = apply(tr("Insert %1").arg(type), [&](core::Project& p) {
    std::string error;
    id = p.graph.addNode(type.toStdString(), position.x(), position.y(), &error);
    if (!id) return core::Status::error(error);
    const core::Node* n = p.graph.node(*id);
    if (n->layer->inputPorts(core::Params(n->params)).empty() || n->layer->outputCount() == 0)
      return core::Status::error(type.toStdString() + " cannot be inserted on a connection: it needs an input and an output");
    if (core::Status s = p.graph.disconnect(edgeInput); !s) return s;
    if (core::Status s = p.graph.connect(from, {*id, 0}); !s) return s;
    if (core::Status s = p.graph.connect({*id, 0}, edgeInput); !s) return s;
    // The new layer must take the shape on the edge (when that shape is known at all).
    if (m_analysis.shapeOf(from.node)) {
      core::GraphAnalysis after = core::analyze(p.graph);
      for (const core::GraphIssue* issue : after.issuesFor(*id))
        if (issue->severity == core::Severity::Error)
          return core::Status::error(type.toStdString() + " cannot go here: " + issue->message);
    }
    makeRoomBelow(p, *id, from.node);
    return core::Status{};
  });
  return ok ? id : std::nullopt;
}

bool GraphEditor::setSettings(const core::DataConfig& data, const core::TrainConfig& training) {
  return apply(tr("Change training settings"), [&](core::Project& p) {
    p.data = data;
    p.training = training;
    return core::Status{};
  });
}

QString GraphEditor::shapeLabel(core::NodeId node) const {
  const core::TensorShape* s = m_analysis.shapeOf(node);
  return s ? QString::fromStdString(s->str()) : QStringLiteral("?");
}

}  // namespace nc::widgets

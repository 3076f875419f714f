#pragma once
// The editing model the canvas, inspector and menus share: the current project, an undo stack,
// and the analysis (shapes and issues) of the graph as it stands. Every edit is one undoable
// command; the widgets call these methods, never the core graph directly. Tests drive the same API.
#include <QObject>
#include <QPointF>
#include <QString>
#include <QUndoStack>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/Project.h"
#include "core/ShapeInference.h"

namespace nc::widgets {

class GraphEditor : public QObject {
  Q_OBJECT
 public:
  explicit GraphEditor(QObject* parent = nullptr);

  const core::Project& project() const { return m_project; }
  const core::Graph& graph() const { return m_project.graph; }
  /// Shapes and issues of the current graph, recomputed after every change.
  const core::GraphAnalysis& analysis() const { return m_analysis; }
  QUndoStack* undoStack() { return &m_undo; }

  /// Replaces the project (open, new). Clears the undo history and marks it unmodified.
  /// Refused (false, editRefused) while read-only.
  bool setProject(core::Project project);
  /// While a training run holds a snapshot of the graph, edits are refused: every edit below,
  /// undo, redo and setProject (the window also disables the actions that would ask for them).
  void setReadOnly(bool readOnly);
  /// Undo / redo through the undo stack; refused while read-only. Use these, not the stack's own.
  bool undo();
  bool redo();
  bool canUndo() const { return !m_readOnly && m_undo.canUndo(); }
  bool canRedo() const { return !m_readOnly && m_undo.canRedo(); }
  bool readOnly() const { return m_readOnly; }
  /// Why the last edit was refused (also sent with editRefused).
  const QString& lastError() const { return m_lastError; }

  // --- Edits: each pushes one undoable command, or refuses with a message and changes nothing.
  std::optional<core::NodeId> addNode(const QString& type, QPointF position);
  /// Connects an output to an input; an input that already has an edge gets the new one instead.
  bool connectPorts(core::PortRef from, core::PortRef to);
  bool disconnectPort(core::PortRef to);
  bool setParam(core::NodeId node, const std::string& name, const core::ParamValue& value);
  bool renameNode(core::NodeId node, const QString& name);
  /// Moves nodes; consecutive moves of the same set of nodes merge into one command.
  bool moveNodes(const std::map<core::NodeId, QPointF>& positions);
  /// Removes nodes and the edges touching them, plus the given edges (by their input port).
  bool removeItems(const std::set<core::NodeId>& nodes, const std::vector<core::PortRef>& edgeInputs = {});
  /// The selection as project JSON (nodes and the edges between them), for the clipboard.
  QString copyNodes(const std::set<core::NodeId>& nodes) const;
  /// Pastes clipboard JSON with its top-left corner at `at`; returns the new node ids.
  std::vector<core::NodeId> paste(const QString& json, QPointF at);
  std::vector<core::NodeId> duplicate(const std::set<core::NodeId>& nodes);
  bool autoLayout();
  /// Sets the project's layout direction (View > Layout direction) and lays the graph out that
  /// way, as one undoable command.
  bool setFlow(core::LayoutDirection flow);
  /// Inserts a new layer of `type` at `position` on the edge entering `edgeInput`, as one undoable
  /// command: from -> to becomes from -> new -> to. Refused (with a message, nothing changed) when
  /// there is no such edge, the layer has no input or no output port, or it cannot take the shape
  /// flowing on the edge. Cards downstream that the new one would cover move along the flow.
  std::optional<core::NodeId> insertOnEdge(core::PortRef edgeInput, const QString& type, QPointF position);
  /// Issues found outside the graph (e.g. dataset checks) merged into analysis().issues until the
  /// next call (an empty list removes them). Emits changed().
  void setExtraIssues(std::vector<core::GraphIssue> issues);
  const std::vector<core::GraphIssue>& extraIssues() const { return m_extraIssues; }
  bool setSettings(const core::DataConfig& data, const core::TrainConfig& training);
  /// Any change of the project as ONE undoable command named `text` (e.g. a sweep trial's settings
  /// applied): `edit` runs on a copy; an error refuses the edit and changes nothing.
  bool applyProjectEdit(const QString& text, const std::function<core::Status(core::Project&)>& edit) {
    return apply(text, edit);
  }

  /// Why connect(from, to) would be refused (replacing an existing edge into `to` is allowed);
  /// empty when it would be accepted.
  QString connectionProblem(core::PortRef from, core::PortRef to) const;
  /// The text shown on an edge leaving `node`: "[B, 32, 14, 14]", or "?" when unknown.
  QString shapeLabel(core::NodeId node) const;

 Q_SIGNALS:
  /// After any change of the project, including undo and redo.
  void changed();
  /// setReadOnly changed the state.
  void readOnlyChanged(bool readOnly);
  /// An edit was refused; the message says why (for the status bar).
  void editRefused(const QString& message);

 private:
  friend class ProjectSnapshotCommand;
  /// Runs `edit` on a copy of the project; on success pushes it as one command.
  bool apply(const QString& text, const std::function<core::Status(core::Project&)>& edit, int mergeId = -1,
             std::set<core::NodeId> mergeKey = {});
  void restore(const core::Project& project);
  bool refuse(const QString& message);
  /// Recomputes m_analysis for the current graph and merges the extra issues.
  void reanalyze();

  core::Project m_project;
  core::GraphAnalysis m_analysis;
  std::vector<core::GraphIssue> m_extraIssues;
  QUndoStack m_undo;
  bool m_readOnly = false;
  QString m_lastError;
};

}  // namespace nc::widgets

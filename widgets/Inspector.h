#pragma once
// The inspector: the selected node's name and parameters in a form generated from the layer's
// parameter schema (spin boxes with the schema's ranges, combo boxes for choices, check boxes,
// a validated text field for integer lists), its shapes and its problems. Every change goes
// through the GraphEditor, so it is one undoable command.
//
// Undo and redo from a focused field: Ctrl+Z first commits what the field holds (if it differs
// from the model, that is one edit), then undoes the last edit, so the field shows the value it
// had before; Ctrl+Y / Ctrl+Shift+Z commit, then redo. Without this, a spin box or line edit keeps
// Ctrl+Z for its own text undo and the window's Undo never runs. Fields take the mouse wheel only
// when focused (WheelGuard).
#include <QWidget>
#include <map>
#include <optional>

#include "core/Graph.h"

class QFormLayout;
class QLabel;
class QLineEdit;

namespace nc::widgets {

class GraphEditor;

class Inspector : public QWidget {
  Q_OBJECT
 public:
  explicit Inspector(GraphEditor* editor, QWidget* parent = nullptr);
  /// Shows a node (nullopt: a hint to select one).
  void setNode(std::optional<core::NodeId> node);
  std::optional<core::NodeId> node() const { return m_node; }
  /// The editor widget of a parameter (tests), or nullptr.
  QWidget* fieldWidget(const std::string& param) const;
  /// The node name field (tests).
  QLineEdit* nameField() const { return m_name; }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void rebuild();
  void refreshValues();
  QWidget* makeField(const core::ParamSpec& spec);
  void commit(const std::string& param, const core::ParamValue& value);
  /// Commits what a field (or the name field) holds but has not committed yet (typed text).
  void commitPending(QWidget* field);
  void commitName();
  void commitIntList(QLineEdit* edit, const std::string& param);
  /// Undo / redo keys in the fields: see the header comment.
  void watchUndoKeys(QWidget* field);

  GraphEditor* m_editor;
  std::optional<core::NodeId> m_node;
  std::string m_builtType;  // the type the form was built for
  QLabel* m_title = nullptr;
  QLabel* m_doc = nullptr;
  QLineEdit* m_name = nullptr;
  QLabel* m_nameLabel = nullptr;
  QFormLayout* m_form = nullptr;
  QLabel* m_shapes = nullptr;
  QLabel* m_issues = nullptr;
  std::map<std::string, QWidget*> m_fields;
};

}  // namespace nc::widgets

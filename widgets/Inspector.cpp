#include "widgets/Inspector.h"

#include "widgets/ScientificSpinBox.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>
#include <cmath>

#include "core/LayerType.h"
#include "widgets/GraphEditor.h"
#include "widgets/WheelGuard.h"

namespace nc::widgets {

namespace {

int clampToInt(double v) { return int(std::clamp(v, double(INT_MIN), double(INT_MAX))); }

/// "2, 3" -> {2, 3}; nullopt when a part is not an integer.
std::optional<std::vector<int64_t>> parseIntList(const QString& text) {
  std::vector<int64_t> out;
  for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    qlonglong v = part.trimmed().toLongLong(&ok);
    if (!ok) return std::nullopt;
    out.push_back(v);
  }
  return out;
}

enum class HistoryKey { None, Undo, Redo };

HistoryKey historyKey(const QKeyEvent* key) {
  if (key->matches(QKeySequence::Undo)) return HistoryKey::Undo;
  if (key->matches(QKeySequence::Redo)) return HistoryKey::Redo;
  const QKeyCombination combo = key->keyCombination();
  if (combo == QKeyCombination(Qt::ControlModifier, Qt::Key_Y) ||
      combo == QKeyCombination(Qt::ControlModifier | Qt::ShiftModifier, Qt::Key_Z))
    return HistoryKey::Redo;
  return HistoryKey::None;
}

QString intListText(const std::vector<int64_t>& v) {
  QStringList parts;
  for (int64_t x : v) parts << QString::number(x);
  return parts.join(", ");
}

}  // namespace

Inspector::Inspector(GraphEditor* editor, QWidget* parent) : QWidget(parent), m_editor(editor) {
  auto* layout = new QVBoxLayout(this);
  m_title = new QLabel;
  m_title->setTextFormat(Qt::RichText);
  m_title->setWordWrap(true);
  m_doc = new QLabel;
  m_doc->setWordWrap(true);
  m_doc->setStyleSheet("color: #4a5568;");
  m_name = new QLineEdit;
  m_name->setPlaceholderText(tr("Node name"));
  watchUndoKeys(m_name);
  m_nameLabel = new QLabel(tr("Name"));
  auto* nameForm = new QFormLayout;
  nameForm->addRow(m_nameLabel, m_name);
  m_form = new QFormLayout;
  m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  m_shapes = new QLabel;
  m_shapes->setWordWrap(true);
  m_shapes->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_issues = new QLabel;
  m_issues->setWordWrap(true);
  m_issues->setStyleSheet("color: #c53030;");
  layout->addWidget(m_title);
  layout->addWidget(m_doc);
  layout->addLayout(nameForm);
  layout->addLayout(m_form);
  layout->addWidget(m_shapes);
  layout->addWidget(m_issues);
  layout->addStretch(1);
  connect(m_name, &QLineEdit::editingFinished, this, &Inspector::commitName);
  connect(m_editor, &GraphEditor::changed, this, [this]() {
    if (m_node && !m_editor->graph().node(*m_node)) m_node.reset();
    rebuild();
  });
  rebuild();
}

void Inspector::setNode(std::optional<core::NodeId> node) {
  if (node == m_node) return;
  m_node = node;
  rebuild();
}

QWidget* Inspector::fieldWidget(const std::string& param) const {
  auto it = m_fields.find(param);
  return it == m_fields.end() ? nullptr : it->second;
}

void Inspector::commit(const std::string& param, const core::ParamValue& value) {
  if (!m_node) return;
  if (!m_editor->setParam(*m_node, param, value)) refreshValues();  // refused: show the model's value again
}

void Inspector::commitName() {
  if (!m_node) return;
  const core::Node* n = m_editor->graph().node(*m_node);
  const QString text = m_name->text().trimmed();
  if (!n || text == QString::fromStdString(n->name)) return;
  if (!m_editor->renameNode(*m_node, text)) refreshValues();
}

void Inspector::commitIntList(QLineEdit* edit, const std::string& param) {
  const core::Node* n = m_node ? m_editor->graph().node(*m_node) : nullptr;
  if (!n) return;
  auto list = parseIntList(edit->text());
  if (!list) {
    refreshValues();
    return;
  }
  auto current = n->params.find(param);
  if (current != n->params.end() && current->second == core::ParamValue(*list)) return;  // nothing new
  commit(param, *list);
}

void Inspector::commitPending(QWidget* field) {
  if (field == m_name) {
    commitName();
    return;
  }
  // Spin boxes commit on valueChanged; interpretText() turns typed text into a value (and emits
  // valueChanged only if it differs). Check and combo boxes have already committed.
  if (auto* spin = qobject_cast<QAbstractSpinBox*>(field)) spin->interpretText();
  for (const auto& [param, widget] : m_fields)
    if (widget == field)
      if (auto* edit = qobject_cast<QLineEdit*>(field)) commitIntList(edit, param);
}

void Inspector::watchUndoKeys(QWidget* field) {
  field->installEventFilter(this);
  // A spin box's text is edited by its inner line edit, which may see the keys first.
  for (QLineEdit* inner : field->findChildren<QLineEdit*>()) inner->installEventFilter(this);
}

bool Inspector::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() != QEvent::ShortcutOverride && event->type() != QEvent::KeyPress)
    return QWidget::eventFilter(watched, event);
  auto* key = static_cast<QKeyEvent*>(event);
  const HistoryKey which = historyKey(key);
  if (which == HistoryKey::None) return QWidget::eventFilter(watched, event);
  if (event->type() == QEvent::ShortcutOverride) {
    // Claim the key so that it arrives here as a KeyPress (and not as the field's own text undo,
    // nor as the window's shortcut while the field still holds uncommitted text).
    event->accept();
    return true;
  }
  // The field (or the spin box owning the inner line edit).
  QWidget* field = qobject_cast<QWidget*>(watched);
  while (field && field != m_name && std::find_if(m_fields.begin(), m_fields.end(), [field](const auto& f) {
                                          return f.second == field;
                                        }) == m_fields.end())
    field = field->parentWidget();
  if (field) commitPending(field);
  if (which == HistoryKey::Undo) m_editor->undo();
  else m_editor->redo();
  // refreshValues() leaves a focused name field alone (typing must not be overwritten): after an
  // undo or redo it shows the model's name again.
  if (const core::Node* n = m_node ? m_editor->graph().node(*m_node) : nullptr)
    m_name->setText(QString::fromStdString(n->name));
  return true;
}

QWidget* Inspector::makeField(const core::ParamSpec& spec) {
  const std::string name = spec.name;
  switch (spec.kind) {
    case core::ParamKind::Int: {
      auto* box = new QSpinBox;
      box->setRange(clampToInt(spec.minValue), clampToInt(spec.maxValue));
      box->setKeyboardTracking(false);  // commit on Enter / focus out / arrows, not every keystroke
      connect(box, &QSpinBox::valueChanged, this, [this, name](int v) { commit(name, int64_t(v)); });
      return box;
    }
    case core::ParamKind::Float: {
      auto* box = new ScientificSpinBox;  // "0.1", "1e-05": never "0.000000" or a rounded value
      box->setRange(std::isfinite(spec.minValue) ? spec.minValue : -1e9, std::isfinite(spec.maxValue) ? spec.maxValue : 1e9);
      box->setSingleStep(0.05);
      box->setKeyboardTracking(false);
      connect(box, &QDoubleSpinBox::valueChanged, this, [this, name](double v) { commit(name, v); });
      return box;
    }
    case core::ParamKind::Bool: {
      auto* box = new QCheckBox;
      connect(box, &QCheckBox::toggled, this, [this, name](bool v) { commit(name, v); });
      return box;
    }
    case core::ParamKind::Choice: {
      auto* box = new QComboBox;
      for (const auto& c : spec.choices) box->addItem(QString::fromStdString(c));
      connect(box, &QComboBox::currentTextChanged, this,
              [this, name](const QString& v) { commit(name, v.toStdString()); });
      return box;
    }
    case core::ParamKind::IntList: {
      auto* edit = new QLineEdit;
      edit->setPlaceholderText(tr("comma-separated integers"));
      // Validate as the user types: red when the text is not a list the schema accepts.
      connect(edit, &QLineEdit::textEdited, this, [edit, spec](const QString& text) {
        auto list = parseIntList(text);
        core::Status s = list ? spec.validate(*list) : core::Status::error(spec.name + " must be integers separated by commas");
        edit->setStyleSheet(s ? QString() : QStringLiteral("background: #fed7d7;"));
        edit->setToolTip(s ? QString::fromStdString(spec.doc) : QString::fromStdString(s.message()));
      });
      connect(edit, &QLineEdit::editingFinished, this, [this, edit, name]() { commitIntList(edit, name); });
      return edit;
    }
  }
  return new QWidget;
}

void Inspector::rebuild() {
  const core::Node* n = m_node ? m_editor->graph().node(*m_node) : nullptr;
  std::string type = n ? n->type : std::string();
  if (type != m_builtType) {
    while (m_form->rowCount() > 0) m_form->removeRow(0);
    m_fields.clear();
    if (n)
      for (const auto& spec : n->layer->params()) {
        QWidget* field = makeField(spec);
        guardWheel(field);  // scrolling the inspector never changes a parameter
        watchUndoKeys(field);
        field->setToolTip(QString::fromStdString(spec.doc));
        m_fields[spec.name] = field;
        auto* label = new QLabel(QString::fromStdString(spec.name));
        label->setToolTip(QString::fromStdString(spec.doc));
        m_form->addRow(label, field);
      }
    m_builtType = type;
  }
  refreshValues();
}

void Inspector::refreshValues() {
  const core::Node* n = m_node ? m_editor->graph().node(*m_node) : nullptr;
  m_name->setVisible(n != nullptr);
  m_nameLabel->setVisible(n != nullptr);  // no stray "Name" in the empty inspector
  m_name->setEnabled(n && !m_editor->readOnly());
  if (!n) {
    m_title->setText(tr("<i>Select a node on the canvas to edit its name and parameters.</i>"));
    m_doc->clear();
    m_shapes->clear();
    m_issues->clear();
    return;
  }
  m_title->setText(QStringLiteral("<b>%1</b> &nbsp;<span style='color:#718096'>%2</span>")
                       .arg(QString::fromStdString(n->name).toHtmlEscaped(), QString::fromStdString(n->type)));
  m_doc->setText(QString::fromStdString(n->layer->doc()));
  if (!m_name->hasFocus()) m_name->setText(QString::fromStdString(n->name));
  for (const auto& spec : n->layer->params()) {
    QWidget* field = m_fields[spec.name];
    field->setEnabled(!m_editor->readOnly());
    const core::ParamValue& v = n->params.at(spec.name);
    QSignalBlocker block(field);
    if (auto* b = qobject_cast<QSpinBox*>(field)) b->setValue(int(std::get<int64_t>(v)));
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(field)) d->setValue(std::get<double>(v));
    else if (auto* c = qobject_cast<QCheckBox*>(field)) c->setChecked(std::get<bool>(v));
    else if (auto* x = qobject_cast<QComboBox*>(field)) x->setCurrentText(QString::fromStdString(std::get<std::string>(v)));
    else if (auto* e = qobject_cast<QLineEdit*>(field)) {
      e->setText(intListText(std::get<std::vector<int64_t>>(v)));
      e->setStyleSheet({});
    }
  }
  const core::GraphAnalysis& a = m_editor->analysis();
  QStringList inShapes;
  auto in = a.inputShapes.find(*m_node);
  if (in != a.inputShapes.end())
    for (const auto& s : in->second) inShapes << QString::fromStdString(s.str());
  m_shapes->setText(tr("In: %1\nOut: %2")
                        .arg(inShapes.isEmpty() ? tr("—") : inShapes.join("  "))
                        .arg(n->layer->isOutput() ? tr("(model output)") : m_editor->shapeLabel(*m_node)));
  QStringList issues;
  for (const core::GraphIssue* issue : a.issuesFor(*m_node)) issues << QString::fromStdString(issue->message);
  m_issues->setText(issues.join("\n"));
}

}  // namespace nc::widgets

#include "widgets/FindNodeBar.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <algorithm>

#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

FindNodeBar::FindNodeBar(GraphScene* scene, GraphView* view, QWidget* parent)
    : QFrame(parent ? parent : view), m_scene(scene), m_view(view), m_overlay(parent == nullptr) {
  setObjectName("findNodeBar");
  setFrameShape(QFrame::StyledPanel);
  setAutoFillBackground(true);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(6, 3, 3, 3);
  layout->setSpacing(4);
  auto* label = new QLabel(tr("Find node"));
  m_field = new QLineEdit;
  m_field->setObjectName("findNodeField");
  m_field->setPlaceholderText(tr("name or type"));
  m_field->setClearButtonEnabled(true);
  m_field->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("TransformerEncoderLayer")) + 30);
  m_field->installEventFilter(this);
  m_status = new QLabel;
  m_status->setObjectName("findNodeStatus");
  // Room for the longest status, so the bar does not jump as the count changes.
  m_status->setMinimumWidth(
      std::max(fontMetrics().horizontalAdvance(tr("no match")), fontMetrics().horizontalAdvance(tr("%1 of %2").arg(888).arg(888))) + 4);
  m_prev = new QToolButton;
  m_prev->setArrowType(Qt::UpArrow);
  m_prev->setToolTip(tr("Previous match (Shift+Enter, Shift+F3)"));
  m_prev->setAutoRaise(true);
  m_next = new QToolButton;
  m_next->setArrowType(Qt::DownArrow);
  m_next->setToolTip(tr("Next match (Enter, F3)"));
  m_next->setAutoRaise(true);
  auto* closeButton = new QToolButton;
  closeButton->setText(QStringLiteral("\u2715"));
  closeButton->setToolTip(tr("Close (Esc)"));
  closeButton->setAutoRaise(true);
  for (QWidget* w : {static_cast<QWidget*>(label), static_cast<QWidget*>(m_field), static_cast<QWidget*>(m_status),
                     static_cast<QWidget*>(m_prev), static_cast<QWidget*>(m_next), static_cast<QWidget*>(closeButton)})
    layout->addWidget(w);

  connect(m_field, &QLineEdit::textChanged, this, [this]() {
    m_stale = true;
    m_current = -1;
    recompute();
    if (!m_matches.empty()) {
      m_current = 0;
      showCurrent();
    }
    updateStatus();
  });
  connect(m_prev, &QToolButton::clicked, this, &FindNodeBar::findPrevious);
  connect(m_next, &QToolButton::clicked, this, &FindNodeBar::findNext);
  connect(closeButton, &QToolButton::clicked, this, &FindNodeBar::close);
  if (GraphEditor* editor = m_scene->editor())
    connect(editor, &GraphEditor::changed, this, [this]() { m_stale = true; });
  if (m_overlay) m_view->viewport()->installEventFilter(this);  // follow the view's size (after its layout)
  hide();
  updateStatus();
}

QString FindNodeBar::statusText() const { return m_status->text(); }

void FindNodeBar::placeInView() {
  if (!m_overlay) return;
  adjustSize();
  const int margin = 8;
  QRect area = m_view->viewport()->geometry();  // in the view's coordinates
  move(std::max(area.left() + margin, area.right() - width() - margin), area.top() + margin);
  raise();
}

void FindNodeBar::activate() {
  show();
  placeInView();
  m_field->setFocus(Qt::ShortcutFocusReason);
  m_field->selectAll();
  if (!m_field->text().isEmpty()) {
    recompute();
    if (m_current < 0 && !m_matches.empty()) m_current = 0;
    showCurrent();
    updateStatus();
  }
}

bool FindNodeBar::findNext() {
  if (!isVisible()) activate();
  step(1);
  return !m_matches.empty();
}

bool FindNodeBar::findPrevious() {
  if (!isVisible()) activate();
  step(-1);
  return !m_matches.empty();
}

void FindNodeBar::recompute() {
  if (!m_stale) return;
  m_stale = false;
  const core::NodeId currentId = m_current >= 0 && m_current < int(m_matches.size()) ? m_matches[size_t(m_current)] : -1;
  m_matches.clear();
  const QString text = m_field->text().trimmed();
  if (text.isEmpty()) {
    m_current = -1;
    return;
  }
  const core::Graph& graph = m_scene->editor()->graph();
  std::vector<std::pair<QPointF, core::NodeId>> found;
  for (const auto& [id, item] : m_scene->nodeItems()) {
    const core::Node* node = graph.node(id);
    QString type = node ? QString::fromStdString(node->type) : QString();
    if (item->name().contains(text, Qt::CaseInsensitive) || type.contains(text, Qt::CaseInsensitive))
      found.emplace_back(item->pos(), id);
  }
  // Reading order: top to bottom, then left to right (rows within a few pixels count as one).
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (std::abs(a.first.y() - b.first.y()) > 4) return a.first.y() < b.first.y();
    if (a.first.x() != b.first.x()) return a.first.x() < b.first.x();
    return a.second < b.second;
  });
  for (const auto& f : found) m_matches.push_back(f.second);
  auto it = std::find(m_matches.begin(), m_matches.end(), currentId);
  m_current = it == m_matches.end() ? -1 : int(it - m_matches.begin());
}

void FindNodeBar::step(int delta) {
  recompute();
  const int n = int(m_matches.size());
  if (n == 0) {
    m_current = -1;
  } else if (m_current < 0) {
    m_current = delta > 0 ? 0 : n - 1;
  } else {
    m_current = ((m_current + delta) % n + n) % n;
  }
  showCurrent();
  updateStatus();
}

void FindNodeBar::showCurrent() {
  if (m_current < 0 || m_current >= int(m_matches.size())) return;
  const core::NodeId id = m_matches[size_t(m_current)];
  m_scene->selectNodes({id});
  if (NodeItem* item = m_scene->nodeItem(id)) m_view->centerOn(item);
}

void FindNodeBar::updateStatus() {
  const bool empty = m_field->text().trimmed().isEmpty();
  const int n = int(m_matches.size());
  if (empty) m_status->clear();
  else if (n == 0) m_status->setText(tr("no match"));
  else if (m_current < 0) m_status->setText(n == 1 ? tr("1 match") : tr("%1 matches").arg(n));
  else m_status->setText(tr("%1 of %2").arg(m_current + 1).arg(n));
  // Red-tinted field when nothing matches, as browsers do.
  m_field->setStyleSheet(!empty && n == 0 ? QStringLiteral("QLineEdit { background: #fed7d7; }") : QString());
  m_prev->setEnabled(n > 1 || (n == 1 && m_current < 0));
  m_next->setEnabled(n > 1 || (n == 1 && m_current < 0));
}

void FindNodeBar::close() {
  hide();
  m_view->setFocus(Qt::OtherFocusReason);
  Q_EMIT closed();
}

bool FindNodeBar::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_view->viewport() && event->type() == QEvent::Resize && isVisible()) {
    placeInView();
  } else if (watched == m_field && event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    const bool back = key->modifiers() & Qt::ShiftModifier;
    switch (key->key()) {
      case Qt::Key_Return:
      case Qt::Key_Enter:
      case Qt::Key_F3: step(back ? -1 : 1); return true;
      case Qt::Key_Escape: close(); return true;
      default: break;
    }
  } else if (watched == m_field && event->type() == QEvent::ShortcutOverride) {
    // The window may use F3 / Esc / Enter for actions; in the field they belong to the bar.
    auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() == Qt::Key_F3 || key->key() == Qt::Key_Escape || key->key() == Qt::Key_Return ||
        key->key() == Qt::Key_Enter) {
      event->accept();
      return true;
    }
  }
  return QFrame::eventFilter(watched, event);
}

}  // namespace nc::widgets

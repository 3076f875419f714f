#include "widgets/LayerPalette.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QScrollBar>
#include <QSet>
#include <map>

#include "core/LayerRegistry.h"
#include "core/LayerSearch.h"
#include "core/LayerType.h"
#include "widgets/GraphView.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

namespace {
QIcon swatch(const QColor& color) {
  QPixmap pm(12, 12);
  pm.fill(Qt::transparent);
  QPainter p(&pm);
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(color);
  p.setPen(color.darker(130));
  p.drawRoundedRect(QRectF(1, 1, 10, 10), 2, 2);
  return QIcon(pm);
}
}  // namespace

LayerPalette::LayerPalette(QWidget* parent) : QTreeWidget(parent) {
  setHeaderHidden(true);
  setColumnCount(1);
  setDragEnabled(true);
  setDragDropMode(DragOnly);
  setSelectionMode(SingleSelection);
  std::map<std::string, QTreeWidgetItem*> groups;
  int widest = 0;
  QFont boldFont = font();
  boldFont.setBold(true);
  for (const core::LayerType* t : core::LayerRegistry::instance().all()) {  // in category order
    QTreeWidgetItem*& group = groups[t->category()];
    if (!group) {
      group = new QTreeWidgetItem(this, {QString::fromStdString(t->category())});
      group->setFlags(Qt::ItemIsEnabled);
      group->setFont(0, boldFont);
      widest = std::max(widest, QFontMetrics(boldFont).horizontalAdvance(group->text(0)));
    }
    const QString name = QString::fromStdString(t->name());
    auto* item = new QTreeWidgetItem(group, {name});
    item->setToolTip(0, QStringLiteral("<p style='white-space:normal'><b>%1</b><br>%2</p>")
                            .arg(name.toHtmlEscaped(), QString::fromStdString(t->doc()).toHtmlEscaped()));
    item->setData(0, Qt::UserRole, name);
    item->setIcon(0, swatch(categoryColor(QString::fromStdString(t->category()))));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
    // A leaf is indented once more and carries an icon before its text.
    widest = std::max(widest, indentation() + iconSize().width() + 8 + fontMetrics().horizontalAdvance(name));
  }
  expandAll();
  // Wide enough for every name at the default font (issue 11: "TransformerEncode…"): the tree
  // indentation of the groups, the text, the scroll bar and the frame.
  header()->setStretchLastSection(true);
  // sizeHintForColumn counts what the style adds around each item (branch area, icon spacing,
  // item margins), which the sum above can miss; take whichever is wider.
  const int content = std::max(widest + indentation(), sizeHintForColumn(0));
  setMinimumWidth(content + verticalScrollBar()->sizeHint().width() + 2 * frameWidth() + 16);
  // itemActivated: double-click or Enter, per the platform's convention.
  auto activate = [this](QTreeWidgetItem* item) {
    QString type = item ? item->data(0, Qt::UserRole).toString() : QString();
    if (!type.isEmpty()) Q_EMIT layerActivated(type);
  };
  connect(this, &QTreeWidget::itemActivated, this, [activate](QTreeWidgetItem* item, int) { activate(item); });
}

QStringList LayerPalette::mimeTypes() const { return {QString::fromLatin1(kLayerMimeType)}; }

QMimeData* LayerPalette::mimeData(const QList<QTreeWidgetItem*>& items) const {
  if (items.isEmpty()) return nullptr;
  QString type = items.first()->data(0, Qt::UserRole).toString();
  if (type.isEmpty()) return nullptr;
  auto* data = new QMimeData;
  data->setData(kLayerMimeType, type.toUtf8());
  data->setText(type);
  return data;
}

QTreeWidgetItem* LayerPalette::leafFor(const QString& type) const {
  for (int g = 0; g < topLevelItemCount(); ++g)
    for (int i = 0; i < topLevelItem(g)->childCount(); ++i)
      if (topLevelItem(g)->child(i)->data(0, Qt::UserRole).toString() == type) return topLevelItem(g)->child(i);
  return nullptr;
}

void LayerPalette::filter(const QString& text) {
  const std::vector<std::string> found = core::searchLayerTypes(text.toStdString());
  QSet<QString> matches;
  for (const auto& name : found) matches.insert(QString::fromStdString(name));
  for (int g = 0; g < topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = topLevelItem(g);
    bool any = false;
    for (int i = 0; i < group->childCount(); ++i) {
      bool match = matches.contains(group->child(i)->data(0, Qt::UserRole).toString());
      group->child(i)->setHidden(!match);
      any = any || match;
    }
    group->setHidden(!any);
  }
  // The best match is highlighted, so Enter in the search field adds what the person sees marked.
  QTreeWidgetItem* best = text.trimmed().isEmpty() || found.empty() ? nullptr : leafFor(QString::fromStdString(found.front()));
  setCurrentItem(best);
  if (best) scrollToItem(best);
  else clearSelection();
}

void LayerPalette::attachSearchField(QLineEdit* field) {
  if (m_searchField) m_searchField->removeEventFilter(this);
  m_searchField = field;
  if (!field) return;
  field->installEventFilter(this);
  connect(field, &QLineEdit::textChanged, this, &LayerPalette::filter, Qt::UniqueConnection);
}

QString LayerPalette::highlightedType() const {
  QTreeWidgetItem* item = currentItem();
  if (!item || item->isHidden() || !item->isSelected()) return {};
  return item->data(0, Qt::UserRole).toString();
}

bool LayerPalette::activateHighlighted() {
  QString type = highlightedType();
  if (type.isEmpty()) return false;
  Q_EMIT layerActivated(type);
  return true;
}

void LayerPalette::moveHighlight(int delta) {
  std::vector<QTreeWidgetItem*> shown;
  int at = -1;
  for (int g = 0; g < topLevelItemCount(); ++g) {
    if (topLevelItem(g)->isHidden()) continue;
    for (int i = 0; i < topLevelItem(g)->childCount(); ++i) {
      QTreeWidgetItem* leaf = topLevelItem(g)->child(i);
      if (leaf->isHidden()) continue;
      if (leaf == currentItem() && leaf->isSelected()) at = int(shown.size());
      shown.push_back(leaf);
    }
  }
  if (shown.empty()) return;
  int row = at < 0 ? (delta > 0 ? 0 : int(shown.size()) - 1) : std::clamp(at + delta, 0, int(shown.size()) - 1);
  setCurrentItem(shown[size_t(row)]);
  scrollToItem(shown[size_t(row)]);
}

bool LayerPalette::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_searchField && event->type() == QEvent::KeyPress) {
    switch (static_cast<QKeyEvent*>(event)->key()) {
      case Qt::Key_Down: moveHighlight(1); return true;
      case Qt::Key_Up: moveHighlight(-1); return true;
      case Qt::Key_Return:
      case Qt::Key_Enter: activateHighlighted(); return true;
      default: break;
    }
  }
  return QTreeWidget::eventFilter(watched, event);
}

}  // namespace nc::widgets

#include "widgets/LayerPalette.h"

#include <QHeaderView>
#include <QMimeData>
#include <QPainter>
#include <map>

#include "core/LayerRegistry.h"
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
  for (const core::LayerType* t : core::LayerRegistry::instance().all()) {  // in category order
    QTreeWidgetItem*& group = groups[t->category()];
    if (!group) {
      group = new QTreeWidgetItem(this, {QString::fromStdString(t->category())});
      group->setFlags(Qt::ItemIsEnabled);
      QFont f = group->font(0);
      f.setBold(true);
      group->setFont(0, f);
    }
    auto* item = new QTreeWidgetItem(group, {QString::fromStdString(t->name())});
    item->setToolTip(0, QString::fromStdString(t->doc()));
    item->setData(0, Qt::UserRole, QString::fromStdString(t->name()));
    item->setIcon(0, swatch(categoryColor(QString::fromStdString(t->category()))));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled);
  }
  expandAll();
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

void LayerPalette::filter(const QString& text) {
  for (int g = 0; g < topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = topLevelItem(g);
    bool any = false;
    for (int i = 0; i < group->childCount(); ++i) {
      bool match = group->child(i)->text(0).contains(text, Qt::CaseInsensitive);
      group->child(i)->setHidden(!match);
      any = any || match;
    }
    group->setHidden(!any);
  }
}

}  // namespace nc::widgets

#include "widgets/LayerPalette.h"

#include <QHeaderView>
#include <map>

#include "core/LayerRegistry.h"

namespace nc::widgets {

LayerPalette::LayerPalette(QWidget* parent) : QTreeWidget(parent) {
  setHeaderHidden(true);
  setColumnCount(1);
  std::map<std::string, QTreeWidgetItem*> groups;
  for (const core::LayerType* t : core::LayerRegistry::instance().all()) {
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
  }
  expandAll();
  connect(this, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item, int) {
    QString type = item->data(0, Qt::UserRole).toString();
    if (!type.isEmpty()) Q_EMIT layerActivated(type);
  });
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

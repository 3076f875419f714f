// The palette lists every registered layer type, from the registry.
#include <gtest/gtest.h>

#include <QTreeWidget>

#include "core/LayerRegistry.h"
#include "widgets/LayerPalette.h"

TEST(LayerPalette, ListsEveryRegisteredLayerType) {
  nc::widgets::LayerPalette palette;
  QTreeWidget* tree = palette.findChild<QTreeWidget*>();
  if (!tree) tree = qobject_cast<QTreeWidget*>(&palette);
  ASSERT_NE(tree, nullptr);
  int leaves = 0;
  for (int i = 0; i < tree->topLevelItemCount(); ++i) leaves += tree->topLevelItem(i)->childCount();
  EXPECT_EQ(size_t(leaves), nc::core::LayerRegistry::instance().all().size());
}

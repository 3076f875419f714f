// The palette search and the inspector's undo keys inside the real main window (its Undo / Redo
// actions and shortcuts present): Enter in the search adds the layer, Ctrl+Z in a field undoes once.
#include <gtest/gtest.h>

#include <QLineEdit>
#include <QSpinBox>
#include <QTest>

#include "app/gui/MainWindow.h"
#include "core/Project.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/Inspector.h"

using namespace nc;

namespace {
int countOfType(const widgets::GraphEditor& editor, const std::string& type) {
  int n = 0;
  for (const auto& [id, node] : editor.graph().nodes()) n += node.type == type ? 1 : 0;
  return n;
}
}  // namespace

TEST(SmallWidgetsInWindow, EnterInThePaletteSearchAddsTheHighlightedLayer) {
  app::MainWindow w;
  w.setInteractive(false);
  w.show();
  auto* search = w.findChild<QLineEdit*>("layerSearch");
  ASSERT_NE(search, nullptr);
  const int before = countOfType(*w.editor(), "Linear");
  search->setFocus();
  QTest::keyClicks(search, "dense");
  QTest::keyClick(search, Qt::Key_Return);
  EXPECT_EQ(countOfType(*w.editor(), "Linear"), before + 1);
}

TEST(SmallWidgetsInWindow, CtrlZInAnInspectorFieldUndoesTheFieldsEdit) {
  app::MainWindow w;
  w.setInteractive(false);
  w.show();
  auto id = w.editor()->addNode("Conv2d", {0, 0});
  ASSERT_TRUE(id);
  auto* inspector = w.findChild<widgets::Inspector*>();
  ASSERT_NE(inspector, nullptr);
  inspector->setNode(*id);
  auto* channels = qobject_cast<QSpinBox*>(inspector->fieldWidget("out_channels"));
  ASSERT_NE(channels, nullptr);
  const int original = channels->value();
  channels->setFocus();
  channels->selectAll();
  QTest::keyClicks(channels, "48");
  QTest::keyClick(channels, Qt::Key_Z, Qt::ControlModifier);
  const auto* node = w.editor()->graph().node(*id);
  ASSERT_NE(node, nullptr) << "one undo: the field's edit, not the added node as well";
  EXPECT_EQ(std::get<int64_t>(node->params.at("out_channels")), original);
  EXPECT_EQ(channels->value(), original);
  EXPECT_TRUE(w.editor()->canRedo());
}

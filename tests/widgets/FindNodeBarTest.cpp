// Find node: typing finds nodes by name or type, Enter / F3 cycle (Shift: back), the match is
// selected and the view centred on it, the label counts, Esc closes.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

#include "core/Project.h"
#include "widgets/FindNodeBar.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/NodeItem.h"

using namespace nc;
using nc::core::NodeId;

namespace {

struct FindBarCanvas {
  widgets::GraphEditor editor;
  widgets::GraphScene scene{&editor};
  widgets::GraphView view{&scene};
  NodeId convA = -1, linear = -1, convB = -1, relu = -1;

  FindBarCanvas() {
    core::Project p;
    p.name = "find";
    editor.setProject(p);
    convA = *editor.addNode("Conv2d", {0, 0});
    linear = *editor.addNode("Linear", {0, 600});
    convB = *editor.addNode("Conv2d", {2400, 1800});  // far away: the view must move to show it
    relu = *editor.addNode("ReLU", {1200, 0});
    EXPECT_TRUE(editor.renameNode(linear, "classifier"));
    EXPECT_TRUE(editor.renameNode(relu, "Stem_Act"));
    view.resize(500, 400);
    view.show();
  }
  bool visibleInView(NodeId id) const {
    widgets::NodeItem* item = scene.nodeItem(id);
    QPoint p = view.mapFromScene(item->sceneBoundingRect().center());
    return view.viewport()->rect().contains(p);
  }
  std::set<NodeId> selected() const { return scene.selectedNodes(); }
};

}  // namespace

TEST(FindNodeBar, FindsByTypeAndCyclesWithEnterAndF3) {
  FindBarCanvas c;
  widgets::FindNodeBar bar(&c.scene, &c.view);
  EXPECT_FALSE(bar.isVisible());
  bar.activate();
  EXPECT_TRUE(bar.isVisible());
  QLineEdit* field = bar.searchField();

  QTest::keyClicks(field, "CONV");  // type, case-insensitive
  ASSERT_EQ(bar.matches().size(), 2u);
  EXPECT_EQ(bar.statusText(), "1 of 2");
  EXPECT_EQ(c.selected(), std::set<NodeId>{c.convA});
  EXPECT_TRUE(c.visibleInView(c.convA));

  QTest::keyClick(field, Qt::Key_Return);
  EXPECT_EQ(bar.statusText(), "2 of 2");
  EXPECT_EQ(c.selected(), std::set<NodeId>{c.convB});
  EXPECT_TRUE(c.visibleInView(c.convB)) << "the view is centred on the match";

  QTest::keyClick(field, Qt::Key_F3);  // wraps
  EXPECT_EQ(bar.statusText(), "1 of 2");
  EXPECT_EQ(c.selected(), std::set<NodeId>{c.convA});
  QTest::keyClick(field, Qt::Key_F3, Qt::ShiftModifier);  // back, wrapping
  EXPECT_EQ(bar.statusText(), "2 of 2");
  QTest::keyClick(field, Qt::Key_Return, Qt::ShiftModifier);
  EXPECT_EQ(bar.statusText(), "1 of 2");
}

TEST(FindNodeBar, FindsByNameSubstringAndSaysNoMatch) {
  FindBarCanvas c;
  widgets::FindNodeBar bar(&c.scene, &c.view);
  bar.activate();
  QLineEdit* field = bar.searchField();
  QTest::keyClicks(field, "sif");  // "classifier"
  EXPECT_EQ(bar.statusText(), "1 of 1");
  EXPECT_EQ(c.selected(), std::set<NodeId>{c.linear});
  field->clear();
  QTest::keyClicks(field, "stem_act");
  EXPECT_EQ(c.selected(), std::set<NodeId>{c.relu});
  field->clear();
  EXPECT_EQ(bar.statusText(), "");
  QTest::keyClicks(field, "zzz");
  EXPECT_EQ(bar.statusText(), "no match");
  EXPECT_TRUE(bar.matches().empty());
  QTest::keyClick(field, Qt::Key_Return);  // nothing to go to, nothing breaks
  EXPECT_EQ(bar.statusText(), "no match");
}

TEST(FindNodeBar, FollowsGraphChangesAndEscCloses) {
  FindBarCanvas c;
  widgets::FindNodeBar bar(&c.scene, &c.view);
  QSignalSpy closed(&bar, &widgets::FindNodeBar::closed);
  bar.activate();
  QTest::keyClicks(bar.searchField(), "conv2d");
  EXPECT_EQ(bar.matches().size(), 2u);
  NodeId third = *c.editor.addNode("Conv2d", {0, 3000});
  QTest::keyClick(bar.searchField(), Qt::Key_Return);
  EXPECT_EQ(bar.matches().size(), 3u) << "a node added since the search is found";
  EXPECT_EQ(bar.statusText(), "2 of 3");
  EXPECT_TRUE(c.editor.removeItems({third}));
  QTest::keyClick(bar.searchField(), Qt::Key_Return);
  EXPECT_EQ(bar.matches().size(), 2u) << "a removed node is no longer a match";

  QTest::keyClick(bar.searchField(), Qt::Key_Escape);
  EXPECT_FALSE(bar.isVisible());
  EXPECT_EQ(closed.count(), 1);
  // Activated again: the field's text is selected (typing replaces it), the search is still there.
  bar.activate();
  EXPECT_EQ(bar.searchField()->selectedText(), "conv2d");
  EXPECT_FALSE(bar.statusText().isEmpty());
}

TEST(FindNodeBar, OverlayStaysInsideTheView) {
  FindBarCanvas c;
  widgets::FindNodeBar bar(&c.scene, &c.view);
  bar.activate();
  EXPECT_EQ(bar.parentWidget(), &c.view);
  EXPECT_TRUE(c.view.rect().contains(bar.geometry())) << "bar " << bar.width() << " wide in a 500 px view";
  c.view.resize(800, 500);
  QCoreApplication::processEvents();  // a top-level window's resize arrives through the platform
  EXPECT_TRUE(c.view.rect().contains(bar.geometry()));
  EXPECT_GT(bar.geometry().left(), 200) << "kept at the top-right; view " << c.view.width() << " viewport " << c.view.viewport()->geometry().right() << " bar " << bar.width();
}

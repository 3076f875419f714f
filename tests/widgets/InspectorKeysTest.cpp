// Inspector keyboard: Ctrl+Z in a focused field commits what it holds, then undoes (the field
// returns to its value before); Ctrl+Y redoes; the empty inspector shows a hint, not a stray label.
#include <gtest/gtest.h>

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTest>
#include <QVBoxLayout>

#include "core/Project.h"
#include "widgets/GraphEditor.h"
#include "widgets/Inspector.h"
#include "widgets/WheelGuard.h"

using namespace nc;

namespace {

int64_t param(const widgets::GraphEditor& editor, core::NodeId node, const char* name) {
  return std::get<int64_t>(editor.graph().node(node)->params.at(name));
}

/// An inspector in a window that also has the application's Undo / Redo shortcuts, as in the
/// main window: the keys must do one undo, not two, and not the field's own text undo.
struct InspectorWindow {
  widgets::GraphEditor editor;
  QWidget window;
  widgets::Inspector* inspector = nullptr;
  core::NodeId conv = -1;
  int windowUndos = 0;

  InspectorWindow() {
    core::Project p;
    p.name = "keys";
    editor.setProject(p);
    conv = *editor.addNode("Conv2d", {0, 0});
    auto* layout = new QVBoxLayout(&window);
    inspector = new widgets::Inspector(&editor);
    layout->addWidget(inspector);
    auto* undo = new QAction("Undo", &window);
    undo->setShortcut(QKeySequence::Undo);
    QObject::connect(undo, &QAction::triggered, &editor, [this]() {
      ++windowUndos;
      editor.undo();
    });
    window.addAction(undo);
    auto* redo = new QAction("Redo", &window);
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Y), QKeySequence::Redo});
    QObject::connect(redo, &QAction::triggered, &editor, [this]() { editor.redo(); });
    window.addAction(redo);
    inspector->setNode(conv);
    window.show();
    window.activateWindow();
  }
};

}  // namespace

TEST(InspectorKeys, CtrlZInAFocusedSpinBoxCommitsThenUndoesIt) {
  InspectorWindow w;
  auto* channels = qobject_cast<QSpinBox*>(w.inspector->fieldWidget("out_channels"));
  ASSERT_NE(channels, nullptr);
  const int original = channels->value();
  EXPECT_TRUE(widgets::isWheelGuarded(channels)) << "wheel guarding stays";
  channels->setFocus();

  // Typed but not committed, then Ctrl+Z: one edit committed and undone -> the value before.
  channels->selectAll();
  QTest::keyClicks(channels, "77");
  EXPECT_EQ(param(w.editor, w.conv, "out_channels"), original) << "not committed while typing";
  QTest::keyClick(channels, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(param(w.editor, w.conv, "out_channels"), original);
  EXPECT_EQ(channels->value(), original);
  EXPECT_TRUE(w.editor.canRedo()) << "the typed value was committed before the undo";

  // Ctrl+Y from the field redoes it.
  QTest::keyClick(channels, Qt::Key_Y, Qt::ControlModifier);
  EXPECT_EQ(param(w.editor, w.conv, "out_channels"), 77);
  EXPECT_EQ(channels->value(), 77);

  // Committed with Enter, then typed again: Ctrl+Z returns to the committed value, not further.
  channels->selectAll();
  QTest::keyClicks(channels, "12");
  QTest::keyClick(channels, Qt::Key_Return);
  EXPECT_EQ(param(w.editor, w.conv, "out_channels"), 12);
  channels->selectAll();
  QTest::keyClicks(channels, "40");
  QTest::keyClick(channels, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(param(w.editor, w.conv, "out_channels"), 12);
  EXPECT_EQ(channels->value(), 12);

  // Nothing pending: Ctrl+Z undoes the previous edit (12 -> 77).
  QTest::keyClick(channels, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(param(w.editor, w.conv, "out_channels"), 77);
  EXPECT_EQ(channels->value(), 77);
  EXPECT_EQ(w.windowUndos, 0) << "the field handled the key; the window's Undo did not run as well";
}

TEST(InspectorKeys, CtrlZInTheNameFieldRestoresTheName) {
  InspectorWindow w;
  QLineEdit* name = w.inspector->nameField();
  const QString before = QString::fromStdString(w.editor.graph().node(w.conv)->name);
  name->setFocus();
  name->selectAll();
  QTest::keyClicks(name, "features");
  QTest::keyClick(name, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(QString::fromStdString(w.editor.graph().node(w.conv)->name), before);
  EXPECT_EQ(name->text(), before) << "the focused name field shows the name again";
  QTest::keyClick(name, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);  // redo
  EXPECT_EQ(QString::fromStdString(w.editor.graph().node(w.conv)->name), "features");
  EXPECT_EQ(name->text(), "features");
}

TEST(InspectorKeys, IntListFieldCommitsThenUndoes) {
  InspectorWindow w;
  auto pool = w.editor.addNode("AdaptiveAvgPool2d", {0, 200});
  ASSERT_TRUE(pool);
  w.inspector->setNode(*pool);
  auto* size = qobject_cast<QLineEdit*>(w.inspector->fieldWidget("output_size"));
  ASSERT_NE(size, nullptr);
  const QString before = size->text();
  size->setFocus();
  size->selectAll();
  QTest::keyClicks(size, "3, 3");
  QTest::keyClick(size, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(size->text(), before);
  EXPECT_TRUE(w.editor.canRedo()) << "the typed list was committed, then undone";
  QTest::keyClick(size, Qt::Key_Y, Qt::ControlModifier);
  EXPECT_EQ(size->text(), "3, 3");
}

TEST(InspectorKeys, EmptyInspectorShowsAHintAndNoStrayLabel) {
  widgets::GraphEditor editor;
  widgets::Inspector inspector(&editor);
  inspector.show();
  bool hint = false;
  for (QLabel* label : inspector.findChildren<QLabel*>()) {
    if (!label->isVisible()) continue;
    EXPECT_NE(label->text(), "Name") << "no 'Name' label without a node";
    hint = hint || label->text().contains("Select a node");
  }
  EXPECT_TRUE(hint);
  EXPECT_FALSE(inspector.nameField()->isVisible());
}

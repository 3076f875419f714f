// The canvas driven the way a person drives it: real mouse presses at a port's visible centre,
// right clicks opening context menus whose items are then clicked, Tab and double-click quick-add,
// a palette layer dropped on a connection, arrow-key nudges, the cost tint, edge routing and fit.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QCursor>
#include <QDragMoveEvent>
#include <QImage>
#include <QInputDialog>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <cstdlib>
#include <functional>
#include <memory>

#include "core/Project.h"
#include "widgets/EdgeItem.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/LayerPalette.h"
#include "widgets/NodeItem.h"
#include "widgets/QuickAddPopup.h"

using namespace nc;
using nc::core::NodeId;

namespace {

/// An editor, its scene and a shown view at 100% zoom. `step` places successive layers one row
/// (top-down) or one column (left-to-right) apart, whichever way the project flows.
struct Canvas {
  widgets::GraphEditor editor;
  widgets::GraphScene scene{&editor};
  widgets::GraphView view{&scene};

  explicit Canvas(core::LayoutDirection flow = core::LayoutDirection::TopDown) {
    core::Project p;
    p.name = "canvas";
    p.flow = flow;
    editor.setProject(p);
    view.resize(1200, 900);
    view.show();
    QApplication::processEvents();
  }
  QPointF step() const { return scene.topDown() ? QPointF(0, 170) : QPointF(260, 0); }
  NodeId add(const char* type, int index) { return *editor.addNode(type, step() * index); }
  QPoint viewPos(QPointF scenePos) const { return view.mapFromScene(scenePos); }
  widgets::NodeItem* item(NodeId id) const { return scene.nodeItem(id); }
  void centreOn(QPointF p) {
    view.centerOn(p);
    QApplication::processEvents();
  }
};

/// Right-clicks the viewport at `pos` (a context-menu event, as the window system sends it after a
/// right press) and, while the menu is open, clicks its action `name`. Returns whether the menu
/// held that action, enabled. `whileOpen` runs after the click (e.g. to answer a dialog).
bool rightClickAndChoose(widgets::GraphView& view, QPoint pos, const QString& name, QString* menuName = nullptr,
                         std::function<void()> afterClick = {}) {
  bool found = false;
  int attempts = 0;
  // Polls until the menu is up (exec shows it from inside its own event loop), then acts.
  std::function<void()> act = [&]() {
    auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
    if (!menu) {
      if (++attempts < 200) QTimer::singleShot(5, act);
      return;
    }
    if (menuName) *menuName = menu->objectName();
    QAction* action = menu->findChild<QAction*>(name);
    if (!action || !action->isEnabled()) {
      menu->close();
      return;
    }
    found = true;
    if (afterClick) QTimer::singleShot(0, afterClick);
    QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(action).center());
    if (menu->isVisible()) menu->close();  // never leave the test waiting on an open menu
  };
  QTimer::singleShot(0, act);
  QTest::mouseMove(view.viewport(), pos);
  QContextMenuEvent event(QContextMenuEvent::Mouse, pos, view.viewport()->mapToGlobal(pos));
  QCoreApplication::sendEvent(view.viewport(), &event);
  QApplication::processEvents();
  return found;
}

/// Types `query` into an open quick-add popup and presses Enter; returns the type it chose.
QString chooseInQuickAdd(widgets::GraphScene& scene, const QString& query) {
  widgets::QuickAddPopup* popup = scene.quickAddPopup();
  if (!popup || !popup->isVisible()) return {};
  QTest::keyClicks(popup->searchField(), query);
  QString chosen = popup->highlightedType();
  QTest::keyClick(popup->searchField(), Qt::Key_Return);
  QApplication::processEvents();
  return chosen;
}

const core::Node* onlyNodeOfType(const core::Graph& g, const std::string& type) {
  const core::Node* found = nullptr;
  for (const auto& [id, n] : g.nodes())
    if (n.type == type) {
      if (found) return nullptr;
      found = &n;
    }
  return found;
}

}  // namespace

TEST(Canvas, PressingAnOutputPortsVisibleCentreStartsAConnection) {
  Canvas c;
  NodeId input = c.add("Input", 0), flatten = c.add("Flatten", 1);
  c.centreOn(c.step() / 2);
  widgets::NodeItem* from = c.item(input);
  const QPointF before = from->pos();
  // The very centre of the output port, then points across the visible disc (inner half too).
  for (QPointF offset : {QPointF(0, 0), QPointF(-3, 0), QPointF(0, -3), QPointF(3, 3)}) {
    if (!c.editor.graph().edges().empty()) ASSERT_TRUE(c.editor.disconnectPort({flatten, 0}));
    QPoint press = c.viewPos(from->outputPortScenePos() + offset);
    QPoint target = c.viewPos(c.item(flatten)->inputPortScenePos(0));
    QTest::mousePress(c.view.viewport(), Qt::LeftButton, {}, press);
    EXPECT_TRUE(c.scene.connecting()) << "a press at offset " << offset.x() << "," << offset.y() << " starts a connection";
    QTest::mouseMove(c.view.viewport(), (press + target) / 2);
    QTest::mouseMove(c.view.viewport(), target);
    QTest::mouseRelease(c.view.viewport(), Qt::LeftButton, {}, target);
    EXPECT_EQ(c.editor.graph().edges().size(), 1u);
    EXPECT_EQ(from->pos(), before) << "the node did not move";
  }
  // A press on the card's body still moves the card, and records one move.
  const QPoint body = c.viewPos(from->mapToScene(QPointF(86, 40)));
  QTest::mousePress(c.view.viewport(), Qt::LeftButton, {}, body);
  EXPECT_FALSE(c.scene.connecting());
  QTest::mouseMove(c.view.viewport(), body + QPoint(20, 10));
  QTest::mouseMove(c.view.viewport(), body + QPoint(40, 20));
  QTest::mouseRelease(c.view.viewport(), Qt::LeftButton, {}, body + QPoint(40, 20));
  EXPECT_EQ(c.editor.graph().node(input)->x, before.x() + 40);
  EXPECT_EQ(c.editor.graph().node(input)->y, before.y() + 20);
  EXPECT_EQ(c.editor.graph().edges().size(), 1u);
}

TEST(Canvas, NodeContextMenuRenamesDuplicatesDisconnectsDeletesAndAsksForDocs) {
  Canvas c;
  NodeId input = c.add("Input", 0), flatten = c.add("Flatten", 1);
  ASSERT_TRUE(c.editor.connectPorts({input, 0}, {flatten, 0}));
  c.centreOn(c.step() / 2);
  const QPoint onFlatten = c.viewPos(c.item(flatten)->mapToScene(QPointF(86, 45)));

  QString menuName;
  bool answered = false;
  EXPECT_TRUE(rightClickAndChoose(c.view, onFlatten, "nodeRename", &menuName, [&]() {
    auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
    if (!dialog || dialog->objectName() != "renameDialog") return;
    dialog->setTextValue("features");
    answered = true;
    dialog->accept();
  }));
  EXPECT_EQ(menuName, "nodeContextMenu");
  EXPECT_TRUE(answered);
  EXPECT_EQ(c.editor.graph().node(flatten)->name, "features");

  QSignalSpy docs(&c.scene, &widgets::GraphScene::documentationRequested);
  EXPECT_TRUE(rightClickAndChoose(c.view, onFlatten, "nodeDocumentation"));
  ASSERT_EQ(docs.count(), 1);
  EXPECT_EQ(docs.at(0).at(0).toString(), "Flatten");

  EXPECT_TRUE(rightClickAndChoose(c.view, onFlatten, "nodeDuplicate"));
  EXPECT_EQ(c.editor.graph().nodes().size(), 3u);
  ASSERT_TRUE(c.editor.undo());

  EXPECT_TRUE(rightClickAndChoose(c.view, onFlatten, "nodeDisconnectInputs"));
  EXPECT_TRUE(c.editor.graph().edges().empty());
  EXPECT_TRUE(rightClickAndChoose(c.view, onFlatten, "nodeDelete"));
  EXPECT_EQ(c.editor.graph().node(flatten), nullptr);
  EXPECT_EQ(c.editor.graph().nodes().size(), 1u);
  ASSERT_TRUE(c.editor.undo());
  ASSERT_TRUE(c.editor.undo());
  EXPECT_EQ(c.editor.graph().edges().size(), 1u) << "undo restores the node and its input";
}

TEST(Canvas, EdgeContextMenuInsertsALayerAndDeletes) {
  Canvas c;
  NodeId input = c.add("Input", 0), flatten = c.add("Flatten", 1);
  ASSERT_TRUE(c.editor.connectPorts({input, 0}, {flatten, 0}));
  c.centreOn(c.step() / 2);
  widgets::EdgeItem* edge = c.scene.edgeItem({flatten, 0});
  ASSERT_NE(edge, nullptr);
  const QPoint onEdge = c.viewPos(edge->labelSceneRect().center());

  QString menuName;
  EXPECT_TRUE(rightClickAndChoose(c.view, onEdge, "edgeInsertLayer", &menuName));
  EXPECT_EQ(menuName, "edgeContextMenu");
  QString chosen = chooseInQuickAdd(c.scene, "ReLU");
  EXPECT_EQ(chosen, "ReLU");
  const core::Node* relu = onlyNodeOfType(c.editor.graph(), chosen.toStdString());
  ASSERT_NE(relu, nullptr);
  const core::Graph& g = c.editor.graph();
  ASSERT_EQ(g.edges().size(), 2u);
  EXPECT_EQ(g.edgeInto({relu->id, 0})->from.node, input);
  EXPECT_EQ(g.edgeInto({flatten, 0})->from.node, relu->id);
  ASSERT_TRUE(c.editor.undo());
  EXPECT_EQ(c.editor.graph().nodes().size(), 2u) << "one undo removes the inserted layer";
  EXPECT_EQ(c.editor.graph().edgeInto({flatten, 0})->from.node, input);

  edge = c.scene.edgeItem({flatten, 0});
  ASSERT_NE(edge, nullptr);
  EXPECT_TRUE(rightClickAndChoose(c.view, c.viewPos(edge->labelSceneRect().center()), "edgeDelete"));
  EXPECT_TRUE(c.editor.graph().edges().empty());
}

TEST(Canvas, CanvasContextMenuAddsALayerWhereClickedAndFits) {
  Canvas c;
  c.add("Input", 0);
  c.centreOn({0, 0});
  const QPoint empty(900, 700);
  const QPointF scenePos = c.view.mapToScene(empty);
  QString menuName;
  EXPECT_TRUE(rightClickAndChoose(c.view, empty, "canvasAddLayer", &menuName));
  EXPECT_EQ(menuName, "canvasContextMenu");
  QString chosen = chooseInQuickAdd(c.scene, "Linear");
  ASSERT_FALSE(chosen.isEmpty());
  const core::Node* added = onlyNodeOfType(c.editor.graph(), chosen.toStdString());
  ASSERT_NE(added, nullptr);
  QRectF card = c.item(added->id)->cardSceneRect();
  EXPECT_TRUE(card.adjusted(-10, -10, 10, 10).contains(scenePos)) << "the new card sits under the click";

  EXPECT_TRUE(rightClickAndChoose(c.view, QPoint(60, 850), "canvasFit"));  // (the new card is at `empty`)
  EXPECT_TRUE(rightClickAndChoose(c.view, QPoint(5, 5), "canvasAutoLayout", &menuName)) << menuName.toStdString();
  // Paste is offered only with something on the clipboard; the other items are always there.
}

TEST(Canvas, TabAndDoubleClickOpenQuickAddAtTheCursor) {
  Canvas c;
  c.centreOn({0, 0});
  // Tab with the cursor over the canvas.
  const QPoint at(300, 250);
  QCursor::setPos(c.view.viewport()->mapToGlobal(at));
  QApplication::processEvents();
  const bool cursorMoved = c.view.viewport()->mapFromGlobal(QCursor::pos()) == at;
  c.view.setFocus();
  QTest::keyClick(&c.view, Qt::Key_Tab);
  ASSERT_NE(c.scene.quickAddPopup(), nullptr);
  EXPECT_TRUE(c.scene.quickAddPopup()->isVisible());
  QString chosen = chooseInQuickAdd(c.scene, "Dropout");
  EXPECT_EQ(chosen, "Dropout");
  const core::Node* dropout = onlyNodeOfType(c.editor.graph(), "Dropout");
  ASSERT_NE(dropout, nullptr);
  const QPointF expected = c.view.mapToScene(cursorMoved ? at : c.view.viewport()->rect().center());
  EXPECT_TRUE(c.item(dropout->id)->cardSceneRect().adjusted(-10, -10, 10, 10).contains(expected));
  EXPECT_FALSE(c.scene.quickAddPopup()->isVisible()) << "the popup closes after a choice";

  // A double click on the empty canvas.
  const QPoint empty(900, 650);
  QTest::mouseDClick(c.view.viewport(), Qt::LeftButton, {}, empty);
  ASSERT_TRUE(c.scene.quickAddPopup()->isVisible());
  chosen = chooseInQuickAdd(c.scene, "GELU");
  EXPECT_EQ(chosen, "GELU");
  const core::Node* gelu = onlyNodeOfType(c.editor.graph(), "GELU");
  ASSERT_NE(gelu, nullptr);
  EXPECT_TRUE(c.item(gelu->id)->cardSceneRect().adjusted(-10, -10, 10, 10).contains(c.view.mapToScene(empty)));
  // Esc closes without adding.
  QTest::mouseDClick(c.view.viewport(), Qt::LeftButton, {}, QPoint(100, 650));
  ASSERT_TRUE(c.scene.quickAddPopup()->isVisible());
  QTest::keyClick(c.scene.quickAddPopup()->searchField(), Qt::Key_Escape);
  EXPECT_FALSE(c.scene.quickAddPopup()->isVisible());
  EXPECT_EQ(c.editor.graph().nodes().size(), 2u);
}

TEST(Canvas, APaletteLayerDroppedOnAConnectionIsInsertedAndUndoRestores) {
  Canvas c;
  NodeId input = c.add("Input", 0), flatten = c.add("Flatten", 1);
  ASSERT_TRUE(c.editor.connectPorts({input, 0}, {flatten, 0}));
  c.centreOn(c.step() / 2);
  widgets::LayerPalette palette;
  QTreeWidgetItem* relu = nullptr;
  QTreeWidgetItem* output = nullptr;
  for (int g = 0; g < palette.topLevelItemCount(); ++g)
    for (int i = 0; i < palette.topLevelItem(g)->childCount(); ++i) {
      if (palette.topLevelItem(g)->child(i)->text(0) == "ReLU") relu = palette.topLevelItem(g)->child(i);
      if (palette.topLevelItem(g)->child(i)->text(0) == "Output") output = palette.topLevelItem(g)->child(i);
    }
  ASSERT_TRUE(relu && output);
  widgets::EdgeItem* edge = c.scene.edgeItem({flatten, 0});
  ASSERT_NE(edge, nullptr);
  const QPoint at = c.viewPos(edge->path().pointAtPercent(0.3));

  // Output has no output port: refused, nothing changes, the edge is left as it was.
  std::unique_ptr<QMimeData> bad(palette.mimeData({output}));
  QDragEnterEvent enterBad(at, Qt::CopyAction, bad.get(), Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(c.view.viewport(), &enterBad);
  QDropEvent dropBad(QPointF(at), Qt::CopyAction, bad.get(), Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(c.view.viewport(), &dropBad);
  EXPECT_EQ(c.editor.graph().nodes().size(), 2u);
  EXPECT_FALSE(c.editor.lastError().isEmpty());

  std::unique_ptr<QMimeData> data(palette.mimeData({relu}));
  QDragEnterEvent enter(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(c.view.viewport(), &enter);
  QDragMoveEvent move(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(c.view.viewport(), &move);
  EXPECT_TRUE(edge->highlighted()) << "the connection under the drag is highlighted";
  QDropEvent drop(QPointF(at), Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(c.view.viewport(), &drop);
  const core::Node* inserted = onlyNodeOfType(c.editor.graph(), "ReLU");
  ASSERT_NE(inserted, nullptr);
  EXPECT_EQ(c.editor.graph().edgeInto({inserted->id, 0})->from.node, input);
  EXPECT_EQ(c.editor.graph().edgeInto({flatten, 0})->from.node, inserted->id);
  EXPECT_TRUE(c.editor.analysis().issuesFor(inserted->id).empty());
  EXPECT_FALSE(edge->highlighted()) << "the highlight ends with the drop";
  ASSERT_TRUE(c.editor.undo());
  EXPECT_EQ(c.editor.graph().nodes().size(), 2u);
  EXPECT_EQ(c.editor.graph().edgeInto({flatten, 0})->from.node, input);
}

TEST(Canvas, InsertOnEdgeRefusesALayerThatCannotTakeTheShape) {
  Canvas c;
  NodeId input = c.add("Input", 0), flatten = c.add("Flatten", 1);
  ASSERT_TRUE(c.editor.connectPorts({input, 0}, {flatten, 0}));
  const int commands = c.editor.undoStack()->count();
  // Input is [1, 28, 28] floats: an Embedding needs token ids; an LSTM needs a sequence.
  for (const char* type : {"Embedding", "Input", "Output", "NoSuchLayer"}) {
    EXPECT_FALSE(c.editor.insertOnEdge({flatten, 0}, type, {0, 80})) << type;
    EXPECT_FALSE(c.editor.lastError().isEmpty()) << type;
    EXPECT_EQ(c.editor.graph().nodes().size(), 2u) << type;
    EXPECT_EQ(c.editor.undoStack()->count(), commands) << type;
  }
  EXPECT_FALSE(c.editor.insertOnEdge({input, 0}, "ReLU", {0, 0})) << "no edge enters an Input";
}

TEST(Canvas, ArrowKeysNudgeTheSelectionAsOneMergedMove) {
  Canvas c;
  NodeId a = c.add("Input", 0), b = c.add("Flatten", 1);
  c.scene.selectNodes({a, b});
  c.view.setFocus();
  const int commands = c.editor.undoStack()->count();
  QTest::keyClick(&c.view, Qt::Key_Right);
  QTest::keyClick(&c.view, Qt::Key_Right);
  QTest::keyClick(&c.view, Qt::Key_Down);
  QTest::keyClick(&c.view, Qt::Key_Left, Qt::ShiftModifier);
  QTest::keyClick(&c.view, Qt::Key_Up, Qt::ShiftModifier);
  const QPointF start = c.step() * 0, delta(10 + 10 - 1, 10 - 1);
  EXPECT_EQ(QPointF(c.editor.graph().node(a)->x, c.editor.graph().node(a)->y), start + delta);
  EXPECT_EQ(QPointF(c.editor.graph().node(b)->x, c.editor.graph().node(b)->y), c.step() + delta);
  EXPECT_EQ(c.item(a)->pos(), start + delta);
  EXPECT_EQ(c.editor.undoStack()->count(), commands + 1) << "a run of nudges is one command";
  ASSERT_TRUE(c.editor.undo());
  EXPECT_EQ(QPointF(c.editor.graph().node(a)->x, c.editor.graph().node(a)->y), start);
}

TEST(Canvas, ZoomKeysZoomTheCanvas) {
  Canvas c;
  c.view.setFocus();
  const double z = c.view.zoom();
  QTest::keyClick(&c.view, Qt::Key_Equal, Qt::ControlModifier);
  EXPECT_GT(c.view.zoom(), z);
  QTest::keyClick(&c.view, Qt::Key_Minus, Qt::ControlModifier);
  QTest::keyClick(&c.view, Qt::Key_Minus, Qt::ControlModifier);
  EXPECT_LT(c.view.zoom(), z);
  QTest::keyClick(&c.view, Qt::Key_0, Qt::ControlModifier);
  EXPECT_DOUBLE_EQ(c.view.zoom(), 1.0);
}

TEST(Canvas, CostTintSurvivesSyncAndCanBeCleared) {
  Canvas c;
  NodeId a = c.add("Input", 0), b = c.add("Linear", 1);
  c.scene.setNodeTints({{b, QColor(220, 40, 40)}});
  EXPECT_EQ(c.item(b)->tint(), QColor(220, 40, 40));
  EXPECT_FALSE(c.item(a)->tint().isValid());
  ASSERT_TRUE(c.editor.setParam(b, "out_features", core::ParamValue(int64_t{7})));  // a sync
  EXPECT_EQ(c.item(b)->tint(), QColor(220, 40, 40));
  // The body is drawn reddish (and the untinted card is not).
  auto bodyColour = [&](NodeId id) {
    QRectF card = c.item(id)->cardSceneRect();
    QImage image(int(card.width()), int(card.height()), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    c.scene.render(&painter, QRectF(0, 0, card.width(), card.height()), card);
    painter.end();
    return image.pixelColor(int(card.width()) - 8, int(card.height()) - 6);
  };
  QColor tinted = bodyColour(b), plain = bodyColour(a);
  EXPECT_GT(tinted.red() - tinted.green(), 40);
  EXPECT_LT(std::abs(plain.red() - plain.green()), 10);
  c.scene.setNodeTints({});
  EXPECT_FALSE(c.item(b)->tint().isValid());
}

TEST(Canvas, ExtraIssuesShowOnNodesUntilReplaced) {
  Canvas c;
  NodeId input = c.add("Input", 0), flatten = c.add("Flatten", 1);
  ASSERT_TRUE(c.editor.connectPorts({input, 0}, {flatten, 0}));
  const size_t base = c.editor.analysis().issues.size();
  QSignalSpy changed(&c.editor, &widgets::GraphEditor::changed);
  c.editor.setExtraIssues({{input, core::Severity::Error, "the dataset's samples are [3, 32, 32], not [1, 28, 28]"}});
  EXPECT_EQ(changed.count(), 1);
  EXPECT_EQ(c.editor.analysis().issues.size(), base + 1);
  EXPECT_FALSE(c.editor.analysis().ok());
  EXPECT_TRUE(c.item(input)->toolTip().contains("[3, 32, 32]"));
  ASSERT_TRUE(c.editor.renameNode(flatten, "flat"));  // survives other edits
  EXPECT_EQ(c.editor.analysis().issues.size(), base + 1);
  c.editor.setExtraIssues({});
  EXPECT_EQ(c.editor.analysis().issues.size(), base);
  EXPECT_FALSE(c.item(input)->toolTip().contains("[3, 32, 32]"));
}

TEST(Canvas, ALongSkipEdgeBendsAroundTheCardsAndFitShowsIt) {
  for (auto flow : {core::LayoutDirection::TopDown, core::LayoutDirection::LeftRight}) {
  SCOPED_TRACE(core::layoutDirectionName(flow));
  Canvas c(flow);
  // Input -> Linear x4 -> Add, and Input -> Add directly: the skip edge would run under the chain.
  NodeId input = c.add("Input", 0);
  NodeId prev = input;
  std::vector<NodeId> chain;
  for (int i = 1; i <= 4; ++i) {
    NodeId n = c.add("ReLU", i);
    ASSERT_TRUE(c.editor.connectPorts({prev, 0}, {n, 0}));
    chain.push_back(n);
    prev = n;
  }
  NodeId add = c.add("Add", 5);
  ASSERT_TRUE(c.editor.connectPorts({prev, 0}, {add, 0}));
  ASSERT_TRUE(c.editor.connectPorts({input, 0}, {add, 1}));
  widgets::EdgeItem* skip = c.scene.edgeItem({add, 1});
  ASSERT_NE(skip, nullptr);
  for (NodeId id : chain) {
    QRectF card = c.item(id)->cardSceneRect();
    for (int i = 1; i < 200; ++i)
      ASSERT_FALSE(card.contains(skip->path().pointAtPercent(i / 200.0))) << "the skip edge passes under a card";
    EXPECT_FALSE(card.intersects(skip->labelSceneRect())) << "its label is not hidden under a card";
  }
  // The edge follows the flow at both ends (vertical tangents when top-down).
  const QPointF out = c.item(input)->outputPortScenePos(), near = skip->path().pointAtPercent(0.01);
  if (c.scene.topDown()) EXPECT_LT(std::abs(near.x() - out.x()), std::abs(near.y() - out.y()) + 1);
  else EXPECT_LT(std::abs(near.y() - out.y()), std::abs(near.x() - out.x()) + 1);

  if (const char* snapshots = std::getenv("NC_CANVAS_SNAPSHOTS")) {
    QRectF all = c.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20);
    QImage image(all.size().toSize(), QImage::Format_ARGB32);
    image.fill(QColor(0xed, 0xf0, 0xf4));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    c.scene.render(&painter, QRectF(QPointF(0, 0), all.size()), all);
    painter.end();
    image.save(QString::fromUtf8(snapshots) + "/skip-edge-" + core::layoutDirectionName(flow) + ".png");
  }
  // Fit shows every card, the routed edge and its label.
  c.view.resize(500, 400);
  c.view.fitToContents();
  QApplication::processEvents();
  const QRectF visible = c.view.mapToScene(c.view.viewport()->rect()).boundingRect();
  EXPECT_TRUE(visible.contains(skip->sceneBoundingRect())) << "the bend of the skip edge is in view";
  EXPECT_TRUE(visible.contains(skip->labelSceneRect()));
  EXPECT_LE(c.view.zoom(), 1.0);
  // A small graph is never blown up beyond 100%.
  c.view.resize(3000, 3000);
  c.view.fitToContents();
  EXPECT_DOUBLE_EQ(c.view.zoom(), 1.0);
  }
}

TEST(Canvas, CardsShowParametersAsTheLayerReadsThem) {
  EXPECT_EQ(widgets::paramValueText(core::ParamValue(0.001)), "0.001");
  EXPECT_EQ(widgets::paramValueText(core::ParamValue(1e-5)), "1e-05");
  EXPECT_EQ(widgets::paramValueText(core::ParamValue(0.5)), "0.5");
  EXPECT_EQ(widgets::paramValueText(core::ParamValue(0.0)), "0");
  widgets::GraphEditor editor;
  NodeId pool = *editor.addNode("MaxPool2d", {0, 0});
  NodeId input = *editor.addNode("Input", {0, 200});
  ASSERT_TRUE(editor.setParam(pool, "kernel_size", core::ParamValue(int64_t{3})));
  QStringList lines = widgets::nodeDetailLines(*editor.graph().node(pool));
  EXPECT_TRUE(lines.contains("stride 3")) << lines.join(" | ").toStdString();
  EXPECT_FALSE(lines.join(" ").contains("stride 0"));
  // A float Input does not show a vocabulary size, even a non-default one; a token Input does.
  ASSERT_TRUE(editor.setParam(input, "vocab_size", core::ParamValue(int64_t{1000})));
  EXPECT_FALSE(widgets::nodeDetailLines(*editor.graph().node(input)).join(" ").contains("vocab"));
  ASSERT_TRUE(editor.setParam(input, "shape", core::ParamValue(std::vector<int64_t>{64})));
  ASSERT_TRUE(editor.setParam(input, "dtype", core::ParamValue(std::string("tokens"))));
  EXPECT_TRUE(widgets::nodeDetailLines(*editor.graph().node(input)).contains("vocab_size 1000"));
  // Tooltips wrap: a long text becomes rich text of a fixed width; short text stays one line.
  QString longTip = widgets::wrappedToolTip(QString(300, 'x') + " <b>");
  EXPECT_TRUE(longTip.contains("width=")) << longTip.toStdString();
  EXPECT_TRUE(longTip.contains("&lt;b&gt;")) << "escaped";
  EXPECT_FALSE(widgets::wrappedToolTip("short").contains("width="));
  // A long node name is elided on the card but given in full by the tooltip.
  widgets::GraphScene scene(&editor);
  const QString name = "a_really_long_layer_name_that_does_not_fit_on_any_card";
  ASSERT_TRUE(editor.renameNode(pool, name));
  EXPECT_TRUE(scene.nodeItem(pool)->toolTip().contains(name));
  EXPECT_TRUE(scene.nodeItem(pool)->toolTip().contains("width="));
}

TEST(Canvas, EveryTemplateInBothFlowsDrawsNoEdgeUnderACard) {
  // Each template as saved and after auto-layout, top-down and left-to-right: no edge runs under a
  // card other than its own two ends, and fit shows every edge label. NC_CANVAS_SNAPSHOTS=<folder>
  // also writes each drawing at 100% as a PNG there (for a look).
  const char* snapshots = std::getenv("NC_CANVAS_SNAPSHOTS");
  for (const char* name : {"cnn", "transformer", "lstm", "char_lstm"}) {
    core::ProjectLoad load = core::loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json");
    ASSERT_TRUE(load.ok()) << name << ": " << load.error;
    for (auto flow : {core::LayoutDirection::TopDown, core::LayoutDirection::LeftRight}) {
      core::Project project = *load.project;
      project.flow = flow;
      Canvas c;
      ASSERT_TRUE(c.editor.setProject(project));
      EXPECT_EQ(c.scene.topDown(), flow == core::LayoutDirection::TopDown);
      for (bool laidOut : {false, true}) {
        if (laidOut) ASSERT_TRUE(c.editor.autoLayout());
        const std::string where = std::string(name) + (c.scene.topDown() ? " top-down" : " left-right") +
                                  (laidOut ? " after auto-layout" : " as saved");
        for (const core::Edge& e : c.editor.graph().edges()) {
          widgets::EdgeItem* edge = c.scene.edgeItem(e.to);
          ASSERT_NE(edge, nullptr);
          for (const auto& [id, item] : c.scene.nodeItems()) {
            if (id == e.from.node || id == e.to.node) continue;
            QRectF card = item->cardSceneRect();
            for (int i = 1; i < 100; ++i)
              ASSERT_FALSE(card.contains(edge->path().pointAtPercent(i / 100.0)))
                  << where << ": the edge into " << c.editor.graph().node(e.to.node)->name << " passes under "
                  << c.editor.graph().node(id)->name;
          }
        }
        c.view.fitToContents();
        QApplication::processEvents();
        const QRectF visible = c.view.mapToScene(c.view.viewport()->rect()).boundingRect();
        for (const core::Edge& e : c.editor.graph().edges())
          EXPECT_TRUE(visible.contains(c.scene.edgeItem(e.to)->labelSceneRect())) << where;
        if (snapshots && laidOut) {
          QRectF all = c.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20);
          QImage image(all.size().toSize(), QImage::Format_ARGB32);
          image.fill(QColor(0xed, 0xf0, 0xf4));
          QPainter painter(&image);
          painter.setRenderHint(QPainter::Antialiasing);
          c.scene.render(&painter, QRectF(QPointF(0, 0), all.size()), all);
          painter.end();
          image.save(QString::fromUtf8(snapshots) + "/" + name + (c.scene.topDown() ? "-td" : "-lr") + ".png");
        }
      }
    }
  }
}

TEST(Canvas, ALayerInsertedOnAShortEdgePushesTheCardsBelowItApart) {
  for (auto flow : {core::LayoutDirection::TopDown, core::LayoutDirection::LeftRight}) {
    SCOPED_TRACE(core::layoutDirectionName(flow));
    Canvas c(flow);
    NodeId input = c.add("Input", 0), flatten = c.add("Flatten", 1), output = c.add("Output", 2);
    ASSERT_TRUE(c.editor.connectPorts({input, 0}, {flatten, 0}));
    ASSERT_TRUE(c.editor.connectPorts({flatten, 0}, {output, 0}));
    const QPointF flattenBefore = c.item(flatten)->pos(), outputBefore = c.item(output)->pos();
    const QPointF mid = (c.item(input)->outputPortScenePos() + c.item(flatten)->inputPortScenePos(0)) / 2;
    auto relu = c.scene.addLayerAt("ReLU", mid, core::PortRef{flatten, 0});
    ASSERT_TRUE(relu);
    const QRectF reluCard = c.item(*relu)->cardSceneRect();
    EXPECT_FALSE(reluCard.intersects(c.item(flatten)->cardSceneRect()));
    EXPECT_FALSE(reluCard.intersects(c.item(input)->cardSceneRect()));
    EXPECT_EQ(c.item(output)->pos() - outputBefore, c.item(flatten)->pos() - flattenBefore)
        << "everything downstream moves together";
    ASSERT_TRUE(c.editor.undo());
    EXPECT_EQ(c.item(flatten)->pos(), flattenBefore) << "one undo also puts the cards back";
    EXPECT_EQ(c.item(output)->pos(), outputBefore);
  }
}

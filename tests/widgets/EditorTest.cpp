// The editor through the same API the canvas, palette and inspector call: building a model,
// shapes on edges, issues on nodes, undo/redo, copy/paste, refused connections.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDragEnterEvent>
#include <QGraphicsSceneMouseEvent>
#include <QMimeData>
#include <QSpinBox>
#include <memory>

#include "core/Project.h"
#include "widgets/EdgeItem.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/LayerPalette.h"
#include "widgets/Inspector.h"
#include "widgets/NodeItem.h"

using namespace nc;
using nc::core::NodeId;

namespace {

core::Project emptyProject() {
  core::Project p;
  p.name = "test";
  return p;
}

/// Input(1x28x28) -> Conv2d -> ReLU -> Flatten -> Linear -> Output, built like a user would.
struct SmallCnn {
  widgets::GraphEditor editor;
  widgets::GraphScene scene{&editor};
  NodeId input = -1, conv = -1, relu = -1, flatten = -1, linear = -1, output = -1;

  SmallCnn() {
    editor.setProject(emptyProject());
    input = *editor.addNode("Input", {0, 0});
    conv = *editor.addNode("Conv2d", {250, 0});
    relu = *editor.addNode("ReLU", {500, 0});
    flatten = *editor.addNode("Flatten", {750, 0});
    linear = *editor.addNode("Linear", {1000, 0});
    output = *editor.addNode("Output", {1250, 0});
    NodeId chain[] = {input, conv, relu, flatten, linear, output};
    for (int i = 0; i + 1 < 6; ++i) EXPECT_TRUE(editor.connectPorts({chain[i], 0}, {chain[i + 1], 0})) << editor.lastError().toStdString();
  }
  QString edgeLabel(NodeId to) const {
    widgets::EdgeItem* e = scene.edgeItem({to, 0});
    return e ? e->label() : QStringLiteral("<no edge>");
  }
};

}  // namespace

TEST(Editor, BuildsACnnWithShapesOnEveryEdge) {
  SmallCnn m;
  EXPECT_TRUE(m.editor.analysis().ok());
  EXPECT_EQ(m.scene.nodeItems().size(), 6u);
  EXPECT_EQ(m.edgeLabel(m.conv), "[B, 1, 28, 28]");
  EXPECT_EQ(m.edgeLabel(m.relu), "[B, 32, 28, 28]");
  EXPECT_EQ(m.edgeLabel(m.linear), "[B, 25088]");
  // A parameter change re-labels the edges downstream at once.
  ASSERT_TRUE(m.editor.setParam(m.conv, "out_channels", int64_t{8}));
  EXPECT_EQ(m.edgeLabel(m.relu), "[B, 8, 28, 28]");
  EXPECT_EQ(m.edgeLabel(m.linear), "[B, 6272]");
}

TEST(Editor, WrongWiringMarksTheNodeAndItsEdge) {
  SmallCnn m;
  // Linear straight after the Input gets a 3-D image: still fine for Linear (last dim), but a
  // Conv2d after Flatten is not.
  NodeId conv2 = *m.editor.addNode("Conv2d", {900, 200});
  ASSERT_TRUE(m.editor.connectPorts({m.flatten, 0}, {conv2, 0}));
  bool conv2HasError = false;
  for (const auto* issue : m.editor.analysis().issuesFor(conv2))
    conv2HasError = conv2HasError || issue->severity == core::Severity::Error;
  EXPECT_TRUE(conv2HasError);
  EXPECT_TRUE(m.scene.nodeItem(conv2)->toolTip().contains("Conv2d")) << m.scene.nodeItem(conv2)->toolTip().toStdString();
  EXPECT_EQ(m.scene.nodeItem(m.conv)->toolTip().contains("Error"), false);
}

TEST(Editor, RefusesCyclesAndSelfLoopsWithAReason) {
  SmallCnn m;
  size_t commands = size_t(m.editor.undoStack()->count());
  EXPECT_FALSE(m.editor.connectPorts({m.linear, 0}, {m.conv, 0}));
  EXPECT_TRUE(m.editor.lastError().contains("cycle")) << m.editor.lastError().toStdString();
  EXPECT_FALSE(m.editor.connectPorts({m.relu, 0}, {m.relu, 0}));
  EXPECT_TRUE(m.editor.lastError().contains("itself")) << m.editor.lastError().toStdString();
  EXPECT_EQ(size_t(m.editor.undoStack()->count()), commands) << "a refused edit must not be recorded";
}

TEST(Editor, DraggedConnectionDimsRefusingPortsAndExplainsARefusedDrop) {
  SmallCnn m;
  QString status;
  QObject::connect(&m.scene, &widgets::GraphScene::statusMessage, [&](const QString& s) { status = s; });
  m.scene.beginConnection(m.linear);
  // Dropping Linear's output on Conv2d's input would close a cycle: refused with the reason.
  QPointF convInput = m.scene.nodeItem(m.conv)->inputPortScenePos(0);
  EXPECT_FALSE(m.scene.endConnection(convInput));
  EXPECT_TRUE(status.contains("cycle")) << status.toStdString();
  // A fresh ReLU takes it.
  NodeId extra = *m.editor.addNode("ReLU", {1000, 300});
  m.scene.beginConnection(m.linear);
  EXPECT_TRUE(m.scene.endConnection(m.scene.nodeItem(extra)->inputPortScenePos(0)));
  EXPECT_TRUE(m.editor.graph().edgeInto({extra, 0}).has_value());
}

TEST(Editor, UndoToTheStartRestoresTheSavedProjectExactly) {
  core::ProjectLoad load = core::loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/cnn.json");
  ASSERT_TRUE(load.ok()) << load.error;
  const std::string saved = core::serializeProject(*load.project);
  widgets::GraphEditor editor;
  widgets::GraphScene scene(&editor);
  editor.setProject(*load.project);
  NodeId first = editor.graph().nodes().begin()->first;
  NodeId conv = -1;
  for (const auto& [id, n] : editor.graph().nodes())
    if (n.type == "Conv2d" && conv < 0) conv = id;
  ASSERT_GE(conv, 0);
  ASSERT_TRUE(editor.addNode("Dropout", {10, 400}).has_value());
  ASSERT_TRUE(editor.setParam(conv, "out_channels", int64_t{16}));
  ASSERT_TRUE(editor.moveNodes({{first, QPointF(-300, -300)}}));
  ASSERT_TRUE(editor.autoLayout());
  auto pasted = editor.paste(editor.copyNodes({conv}), QPointF(0, 600));
  ASSERT_EQ(pasted.size(), 1u);
  ASSERT_TRUE(editor.removeItems({conv}));
  const std::string edited = core::serializeProject(editor.project());
  EXPECT_NE(edited, saved);
  while (editor.undoStack()->canUndo()) editor.undoStack()->undo();
  EXPECT_EQ(core::serializeProject(editor.project()), saved);
  EXPECT_TRUE(editor.undoStack()->isClean());
  while (editor.undoStack()->canRedo()) editor.undoStack()->redo();
  EXPECT_EQ(core::serializeProject(editor.project()), edited);
  EXPECT_EQ(scene.nodeItems().size(), editor.graph().nodes().size());
}

TEST(Editor, ConsecutiveMovesOfTheSameNodesMergeIntoOneCommand) {
  SmallCnn m;
  int before = m.editor.undoStack()->count();
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(m.editor.moveNodes({{m.relu, QPointF(500 + i * 10, i * 5)}}));
  EXPECT_EQ(m.editor.undoStack()->count(), before + 1);
  ASSERT_TRUE(m.editor.moveNodes({{m.conv, QPointF(0, 100)}}));  // another node: a new command
  EXPECT_EQ(m.editor.undoStack()->count(), before + 2);
  m.editor.undoStack()->undo();
  m.editor.undoStack()->undo();
  EXPECT_DOUBLE_EQ(m.editor.graph().node(m.relu)->x, 500);
  EXPECT_DOUBLE_EQ(m.scene.nodeItem(m.relu)->pos().x(), 500);
}

TEST(Editor, CopyPasteKeepsInternalEdgesAndRenames) {
  SmallCnn m;
  QString clip = m.editor.copyNodes({m.conv, m.relu});
  auto created = m.editor.paste(clip, QPointF(300, 400));
  ASSERT_EQ(created.size(), 2u);
  const core::Node* c = m.editor.graph().node(created[0]);
  EXPECT_NE(c->name, m.editor.graph().node(m.conv)->name);
  EXPECT_DOUBLE_EQ(c->x, 300);
  EXPECT_DOUBLE_EQ(c->y, 400);
  auto edge = m.editor.graph().edgeInto({created[1], 0});
  ASSERT_TRUE(edge.has_value());
  EXPECT_EQ(edge->from.node, created[0]);
  // Garbage on the clipboard is refused with a message and changes nothing.
  size_t nodes = m.editor.graph().nodes().size();
  EXPECT_TRUE(m.editor.paste("not json", QPointF()).empty());
  EXPECT_FALSE(m.editor.lastError().isEmpty());
  EXPECT_EQ(m.editor.graph().nodes().size(), nodes);
}

TEST(Editor, ReadOnlyRefusesEveryEdit) {
  SmallCnn m;
  std::string before = core::serializeProject(m.editor.project());
  m.editor.setReadOnly(true);
  EXPECT_FALSE(m.editor.addNode("ReLU", {0, 0}).has_value());
  EXPECT_FALSE(m.editor.setParam(m.conv, "out_channels", int64_t{4}));
  EXPECT_FALSE(m.editor.removeItems({m.relu}));
  EXPECT_TRUE(m.editor.lastError().contains("read-only"));
  EXPECT_EQ(core::serializeProject(m.editor.project()), before);
  m.editor.setReadOnly(false);
  EXPECT_TRUE(m.editor.setParam(m.conv, "out_channels", int64_t{4}));
}

TEST(Inspector, ParameterFieldsFollowTheSchemaAndEditUndoably) {
  SmallCnn m;
  widgets::Inspector inspector(&m.editor);
  inspector.setNode(m.conv);
  auto* channels = qobject_cast<QSpinBox*>(inspector.fieldWidget("out_channels"));
  ASSERT_NE(channels, nullptr);
  EXPECT_EQ(channels->value(), 32);
  EXPECT_EQ(channels->minimum(), 1);  // the schema's range
  channels->setValue(12);
  EXPECT_EQ(std::get<int64_t>(m.editor.graph().node(m.conv)->params.at("out_channels")), 12);
  EXPECT_EQ(m.edgeLabel(m.relu), "[B, 12, 28, 28]");
  m.editor.undoStack()->undo();
  EXPECT_EQ(channels->value(), 32) << "the form follows undo";
}

TEST(Editor, ALayerDroppedFromThePaletteLandsUnderTheCursorSelected) {
  widgets::GraphEditor editor;
  editor.setProject(emptyProject());
  widgets::GraphScene scene(&editor);
  widgets::GraphView view(&scene);
  view.resize(800, 600);
  view.show();
  // The palette's drag payload for the LSTM entry.
  widgets::LayerPalette palette;
  QTreeWidgetItem* lstm = nullptr;
  for (int g = 0; g < palette.topLevelItemCount(); ++g)
    for (int i = 0; i < palette.topLevelItem(g)->childCount(); ++i)
      if (palette.topLevelItem(g)->child(i)->text(0) == "LSTM") lstm = palette.topLevelItem(g)->child(i);
  ASSERT_NE(lstm, nullptr);
  std::unique_ptr<QMimeData> data(palette.mimeData({lstm}));
  ASSERT_NE(data, nullptr);
  QPoint at(400, 300);
  QDragEnterEvent enter(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(view.viewport(), &enter);
  QDropEvent drop(QPointF(at), Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(view.viewport(), &drop);
  ASSERT_EQ(editor.graph().nodes().size(), 1u);
  const core::Node& n = editor.graph().nodes().begin()->second;
  EXPECT_EQ(n.type, "LSTM");
  QPointF scenePos = view.mapToScene(at);
  EXPECT_NEAR(n.x, scenePos.x(), 120);
  EXPECT_NEAR(n.y, scenePos.y(), 60);
  EXPECT_EQ(scene.selectedNodes(), std::set<NodeId>{n.id});
  EXPECT_EQ(editor.undoStack()->count(), 1);
}

TEST(Editor, MovingACardRecordsOneMoveWhenTheMouseIsReleased) {
  SmallCnn m;
  widgets::NodeItem* card = m.scene.nodeItem(m.relu);
  int before = m.editor.undoStack()->count();
  card->setPos(card->pos() + QPointF(35, 70));  // what a drag does to the card
  EXPECT_DOUBLE_EQ(m.editor.graph().node(m.relu)->y, 0) << "the model changes only on release";
  widgets::EdgeItem* into = m.scene.edgeItem({m.relu, 0});
  EXPECT_EQ(into->path().elementAt(into->path().elementCount() - 1), QPointF(card->inputPortScenePos(0)))
      << "edges follow the card while it moves";
  QGraphicsSceneMouseEvent release(QEvent::GraphicsSceneMouseRelease);
  release.setButton(Qt::LeftButton);
  QCoreApplication::sendEvent(&m.scene, &release);
  EXPECT_DOUBLE_EQ(m.editor.graph().node(m.relu)->y, 70);
  EXPECT_EQ(m.editor.undoStack()->count(), before + 1);
}

// The main window around a training run: the graph is read-only while the panel trains, a model
// with errors is refused with the problems list shown, and closing mid-run stops cleanly.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QMimeData>
#include <QPointer>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include "TrainingTestSupport.h"
#include "app/gui/MainWindow.h"
#include "app/gui/TrainingController.h"
#include "app/gui/TrainingPanel.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"

using namespace nc;

TEST(MainWindowTraining, GraphIsReadOnlyDuringARunAndEditableAfter) {
  QTemporaryDir runs;
  app::MainWindow w;
  w.setInteractive(false);
  w.editor()->setProject(test::tinyCnnProject(/*epochs=*/1));
  w.trainingPanel()->setRunsRootOverride(runs.path());
  w.trainingPanel()->setDataset(test::fashionSlice(600, 100));
  w.action("train")->trigger();
  ASSERT_TRUE(test::waitUntil([&]() { return w.trainingPanel()->isRunActive(); }, 10000));
  EXPECT_TRUE(w.editor()->readOnly());
  EXPECT_FALSE(w.editor()->addNode("ReLU", {0, 0}).has_value());
  ASSERT_TRUE(test::waitUntil([&]() { return !w.trainingPanel()->isRunActive(); }, 120000));
  EXPECT_FALSE(w.editor()->readOnly());
  EXPECT_TRUE(w.editor()->addNode("ReLU", {0, 0}).has_value());
}

// Issue 10 item 13: the "read-only during a run" graph could still be changed by Undo/Redo and
// File > New. Every action that edits the graph is disabled during a run, its shortcut does
// nothing, the editor refuses undo/redo/replacing the project, and all works again afterwards.
TEST(MainWindowTraining, EveryGraphEditingActionIsDisabledDuringARun) {
  QTemporaryDir runs;
  app::MainWindow w;
  w.setInteractive(false);
  w.editor()->setProject(test::tinyCnnProject(/*epochs=*/50));
  w.trainingPanel()->setRunsRootOverride(runs.path());
  w.trainingPanel()->setDataset(test::fashionSlice(2048, 100));
  w.resize(1200, 800);
  w.show();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
  const core::NodeId first = w.editor()->graph().nodes().begin()->first;
  ASSERT_TRUE(w.editor()->moveNodes({{first, QPointF(30, 40)}}));  // something to undo (still valid)
  ASSERT_TRUE(w.editor()->undo());
  ASSERT_TRUE(w.editor()->redo());
  w.scene()->selectNodes({w.editor()->graph().nodes().begin()->first});
  w.action("copy")->trigger();  // something to paste
  const QStringList editing = {"undo", "new", "open", "cut", "paste", "duplicate", "delete", "autoLayout"};
  for (const QString& name : editing) EXPECT_TRUE(w.action(name)->isEnabled()) << name.toStdString();

  w.action("train")->trigger();
  ASSERT_TRUE(test::waitUntil([&]() { return w.trainingPanel()->isRunActive(); }, 10000));
  ASSERT_TRUE(w.editor()->readOnly());
  const std::string during = core::serializeProject(w.editor()->project());
  for (const QString& name : editing) EXPECT_FALSE(w.action(name)->isEnabled()) << name.toStdString() << " during a run";
  EXPECT_FALSE(w.action("redo")->isEnabled());

  // The keys a person presses: nothing changes.
  w.view()->setFocus();
  QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier);            // undo
  QTest::keyClick(w.view(), Qt::Key_N, Qt::ControlModifier);            // new
  QTest::keyClick(w.view(), Qt::Key_V, Qt::ControlModifier);            // paste
  QTest::keyClick(w.view(), Qt::Key_L, Qt::ControlModifier | Qt::ShiftModifier);  // auto-layout
  QTest::keyClick(w.view(), Qt::Key_Delete);
  for (const QString& name : editing) w.action(name)->trigger();  // and the menus
  EXPECT_EQ(core::serializeProject(w.editor()->project()), during) << "the graph changed during the run";
  // The editor itself refuses, whoever asks.
  EXPECT_FALSE(w.editor()->undo());
  EXPECT_FALSE(w.editor()->setProject(core::Project{}));
  EXPECT_FALSE(w.openProject(QString::fromUtf8(NC_SOURCE_DIR) + "/resources/templates/lstm.json"));
  EXPECT_FALSE(w.newFromTemplate("lstm"));
  EXPECT_EQ(core::serializeProject(w.editor()->project()), during);
  EXPECT_TRUE(w.trainingPanel()->isRunActive());

  w.trainingPanel()->stop();
  ASSERT_TRUE(test::waitUntil([&]() { return !w.trainingPanel()->isRunActive(); }, 60000));
  for (const QString& name : editing) EXPECT_TRUE(w.action(name)->isEnabled()) << name.toStdString() << " after the run";
  w.view()->setFocus();
  QTest::keyClick(w.view(), Qt::Key_Z, Qt::ControlModifier);
  EXPECT_NE(core::serializeProject(w.editor()->project()), during) << "undo works again after the run";
}

TEST(MainWindowTraining, AModelWithErrorsIsRefusedAndTheModelTabShown) {
  app::MainWindow w;
  w.setInteractive(false);
  core::Project p = test::tinyCnnProject(1);
  w.editor()->setProject(p);
  ASSERT_TRUE(w.editor()->addNode("Conv2d", {0, 500}).has_value());  // unconnected: an error
  w.showTraining();
  w.action("train")->trigger();
  EXPECT_FALSE(w.trainingPanel()->isRunActive());
  auto* tabs = w.findChild<QTabWidget*>();
  ASSERT_NE(tabs, nullptr);
  EXPECT_EQ(tabs->currentIndex(), 0) << "the window points at the model and its problems";
}

// Issue 10 item 5: closing the window mid-run blocked the GUI thread until the trainer stopped
// (up to 120 s), then could abandon a running thread at exit. Closing now returns at once: the
// window is gone, the run is asked to stop, the event loop keeps running (the application is
// held alive) until the worker reports the end, then its thread is joined. Two phases: training
// (with a finished epoch's checkpoint to keep), and loading the data set from disk.
TEST(MainWindowTraining, ClosingDuringARunReturnsAtOnceAndTheThreadEndsAfter) {
  for (bool loading : {false, true}) {
    SCOPED_TRACE(loading ? "closed while loading the data" : "closed while training");
    QTemporaryDir runs;
    QString runDir;
    QPointer<QThread> trainingThread;
    {
      app::MainWindow w;
      w.setInteractive(false);
      w.editor()->setProject(test::tinyCnnProject(/*epochs=*/50));
      w.trainingPanel()->setRunsRootOverride(runs.path());
      if (!loading) w.trainingPanel()->setDataset(test::fashionSlice(600, 100));  // else: read from disk
      w.show();
      ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
      ASSERT_TRUE(w.trainingPanel()->start());
      runDir = w.trainingPanel()->currentRunDirectory();
      trainingThread = w.trainingPanel()->controller()->trainingThread();
      ASSERT_FALSE(trainingThread.isNull());
      if (!loading) {
        ASSERT_TRUE(test::waitUntil([&]() { return QFile::exists(runDir + "/checkpoints/last.pt"); }, 120000));
      }

      int ticks = 0;  // the GUI thread's event loop keeps running while the run stops
      QTimer ticker;  // 0 ms: fires on every pass of the event loop, however fast the run stops
      QObject::connect(&ticker, &QTimer::timeout, [&] { ++ticks; });
      ticker.start(0);
      QElapsedTimer clock;
      clock.start();
      EXPECT_TRUE(w.close());
      const qint64 closeMs = clock.elapsed();
      EXPECT_LT(closeMs, 5000) << "close() blocked";
      EXPECT_FALSE(w.isVisible());
      EXPECT_TRUE(w.trainingPanel()->isRunActive()) << "close() waited for the trainer on the GUI thread";
      EXPECT_TRUE(w.isWaitingForRunToEnd()) << "the application would quit before the run has ended";

      ASSERT_TRUE(test::waitUntil([&]() { return !w.trainingPanel()->isRunActive(); }, app::MainWindow::kCloseWaitMs))
          << "the run did not stop within " << app::MainWindow::kCloseWaitMs << " ms of closing";
      EXPECT_FALSE(w.isWaitingForRunToEnd());
      EXPECT_GT(ticks, 0);
      EXPECT_FALSE(w.trainingPanel()->controller()->isActive());
      EXPECT_TRUE(trainingThread.isNull()) << "the thread was not joined and released";
    }
    if (!loading) {
      EXPECT_TRUE(QFile::exists(runDir + "/checkpoints/last.pt")) << "the finished epoch's checkpoint stays";
    }
  }
}

// The main window around a training run: the graph is read-only while the panel trains, a model
// with errors is refused with the problems list shown, and closing mid-run stops cleanly.
#include <gtest/gtest.h>

#include <QAction>
#include <QFile>
#include <QTabWidget>
#include <QTemporaryDir>

#include "TrainingTestSupport.h"
#include "app/gui/MainWindow.h"
#include "app/gui/TrainingPanel.h"
#include "widgets/GraphEditor.h"

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

TEST(MainWindowTraining, ClosingDuringARunStopsItAndKeepsTheCheckpoint) {
  QTemporaryDir runs;
  QString runDir;
  {
    app::MainWindow w;
    w.setInteractive(false);
    w.editor()->setProject(test::tinyCnnProject(/*epochs=*/50));
    w.trainingPanel()->setRunsRootOverride(runs.path());
    w.trainingPanel()->setDataset(test::fashionSlice(600, 100));
    ASSERT_TRUE(w.trainingPanel()->start());
    runDir = w.trainingPanel()->currentRunDirectory();
    ASSERT_TRUE(test::waitUntil([&]() { return QFile::exists(runDir + "/checkpoints/last.pt"); }, 120000));
    w.close();
    EXPECT_FALSE(w.trainingPanel()->isRunActive());
  }
  EXPECT_TRUE(QFile::exists(runDir + "/checkpoints/last.pt"));
}

// The learning-rate finder from the Training tab as a user drives it: the button opens the dialog
// and runs the test with a live chart; "Use this rate" puts the suggestion into the settings as an
// undoable edit; Stop ends a long test; the button is disabled while a run trains.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QLineSeries>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

#include "TrainingTestSupport.h"
#include "app/gui/LrFinderDialog.h"
#include "app/gui/MainWindow.h"
#include "app/gui/TrainingPanel.h"
#include "widgets/GraphEditor.h"
#include "widgets/TrainingSettingsForm.h"

namespace nc::test::lr_finder_dialog_test {

/// Restores the finder's process-wide default options when a test ends.
struct DefaultOptionsGuard {
  core::LrFinderOptions saved = app::LrFinderDialog::defaultOptions();
  ~DefaultOptionsGuard() { app::LrFinderDialog::setDefaultOptions(saved); }
};

inline app::LrFinderDialog* openFinder(app::TrainingPanel* panel) {
  auto* button = panel->findChild<QPushButton*>("findLearningRate");
  if (!button || !button->isEnabled()) return nullptr;
  QTest::mouseClick(button, Qt::LeftButton);
  return panel->findChild<app::LrFinderDialog*>();
}

}  // namespace nc::test::lr_finder_dialog_test

using namespace nc;
namespace lfd = nc::test::lr_finder_dialog_test;

TEST(LrFinderDialog, TheButtonRunsTheTestAndUseThisRateIsOneUndoableEdit) {
  lfd::DefaultOptionsGuard guard;
  core::LrFinderOptions options;
  options.steps = 120;
  options.minLearningRate = 1e-6;
  options.maxLearningRate = 10;
  app::LrFinderDialog::setDefaultOptions(options);

  QTemporaryDir runs;
  app::MainWindow w;
  w.setInteractive(false);
  core::Project project = test::tinyCnnProject(/*epochs=*/1);
  project.training.learningRate = 0.0042;
  w.editor()->setProject(project);
  app::TrainingPanel* panel = w.trainingPanel();
  panel->setRunsRootOverride(runs.path());
  panel->setDataset(test::fashionSlice(600, 100));
  w.resize(1200, 800);
  w.show();
  w.showTraining();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));

  app::LrFinderDialog* dialog = lfd::openFinder(panel);
  ASSERT_NE(dialog, nullptr);
  EXPECT_TRUE(dialog->isVisible());
  EXPECT_TRUE(dialog->isRunning());
  EXPECT_FALSE(dialog->useButton()->isEnabled()) << "nothing to use before the test ends";
  ASSERT_TRUE(test::waitUntil([&] { return !dialog->isRunning(); }, 120000));
  const core::LrFinderResult& r = dialog->result();
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_FALSE(r.points.empty());
  EXPECT_EQ(dialog->smoothedSeries()->count(), int(r.points.size())) << "every step is on the chart";
  EXPECT_DOUBLE_EQ(dialog->smoothedSeries()->at(0).x(), 1e-6);
  ASSERT_TRUE(r.hasSuggestion()) << r.suggestion;
  const double suggested = r.suggestedLearningRate;
  EXPECT_NE(suggested, 0.0042);
  ASSERT_TRUE(dialog->useButton()->isEnabled());

  const int undoCount = w.editor()->undoStack()->count();
  QTest::mouseClick(dialog->useButton(), Qt::LeftButton);
  QApplication::processEvents();
  EXPECT_DOUBLE_EQ(panel->settingsForm()->trainConfig().learningRate, suggested);
  EXPECT_DOUBLE_EQ(w.editor()->project().training.learningRate, suggested) << "the project holds the new rate";
  EXPECT_EQ(w.editor()->undoStack()->count(), undoCount + 1) << "one edit";

  w.action("undo")->trigger();
  QApplication::processEvents();
  EXPECT_DOUBLE_EQ(w.editor()->project().training.learningRate, 0.0042) << "one Undo restores the old rate";
  EXPECT_DOUBLE_EQ(panel->settingsForm()->trainConfig().learningRate, 0.0042) << "and the form shows it";

  // Stop ends a long test between two steps; nothing is applied.
  ASSERT_TRUE(test::waitUntil([&] { return panel->findChild<app::LrFinderDialog*>() == nullptr; }, 5000))
      << "the dialog closed and was deleted";
  options.steps = 100000;
  app::LrFinderDialog::setDefaultOptions(options);
  dialog = lfd::openFinder(panel);
  ASSERT_NE(dialog, nullptr);
  ASSERT_TRUE(test::waitUntil([&] { return dialog->smoothedSeries()->count() >= 3; }, 30000));
  QTest::mouseClick(dialog->stopButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitUntil([&] { return !dialog->isRunning(); }, 30000));
  EXPECT_EQ(dialog->result().stop, core::LrFinderStop::Stopped) << dialog->result().message;
  EXPECT_LT(dialog->result().points.size(), 1000u);
  dialog->reject();
  EXPECT_DOUBLE_EQ(w.editor()->project().training.learningRate, 0.0042);

  // While a run trains the button is disabled, and enabled again after.
  ASSERT_TRUE(test::waitUntil([&] { return panel->findChild<app::LrFinderDialog*>() == nullptr; }, 5000));
  auto* button = panel->findChild<QPushButton*>("findLearningRate");
  ASSERT_NE(button, nullptr);
  EXPECT_TRUE(button->isEnabled());
  ASSERT_TRUE(panel->start());
  ASSERT_TRUE(test::waitUntil([&] { return panel->isRunActive(); }, 10000));
  EXPECT_FALSE(button->isEnabled());
  EXPECT_FALSE(panel->findLearningRate());
  ASSERT_TRUE(test::waitUntil([&] { return !panel->isRunActive(); }, 120000));
  EXPECT_TRUE(button->isEnabled());
}

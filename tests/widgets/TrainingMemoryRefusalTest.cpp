// Training memory in the GUI: a run that does not fit in the free memory fails before it starts
// with the refusal as the Training tab's message, and the editor's summary shows the free memory
// beside the estimate once the estimate takes most of it.
#include <gtest/gtest.h>

#include <QDir>
#include <QLabel>
#include <QTemporaryDir>
#include <memory>

#include "TrainingTestSupport.h"
#include "app/gui/MainWindow.h"
#include "app/gui/TrainingPanel.h"
#include "core/training/MemoryFit.h"
#include "widgets/TrainingDashboard.h"

namespace nc::test {
namespace {

/// Restores the real free memory whatever the test does.
struct AvailableMemory {
  explicit AvailableMemory(int64_t bytes) { core::setAvailableMemoryForTesting(bytes); }
  ~AvailableMemory() { core::setAvailableMemoryForTesting(-1); }
};

QString shotDir() { return QString::fromLocal8Bit(qgetenv("NC_SCREENSHOT_DIR")); }

TEST(TrainingMemory, ARunThatDoesNotFitFailsWithTheRefusalInTheTrainingTab) {
  AvailableMemory tiny(64 * 1024);
  QTemporaryDir runs;
  core::Project project = tinyCnnProject(1);
  app::TrainingPanel panel;
  panel.setRunsRootOverride(runs.path());
  panel.setDataset(fashionSlice(256, 64));
  panel.setProjectSource([&] { return project; }, [] { return QString(); });
  panel.setSettings(project.data, project.training);
  std::vector<core::RunResult> results;
  QObject::connect(&panel, &app::TrainingPanel::runFinished, [&](const core::RunResult& r) { results.push_back(r); });
  ASSERT_TRUE(panel.start());
  ASSERT_TRUE(waitUntil([&] { return !results.empty() && !panel.isRunActive(); }));
  EXPECT_EQ(results.front().status, core::RunStatus::Failed);
  EXPECT_EQ(panel.dashboard()->statusText(), "Failed");
  const QString message = panel.dashboard()->messageText();
  EXPECT_TRUE(message.contains("not enough memory to train")) << message.toStdString();
  EXPECT_TRUE(message.contains("only 64.0 KiB of memory is available")) << message.toStdString();
  EXPECT_TRUE(message.contains("batch size")) << message.toStdString();
  EXPECT_FALSE(panel.dashboard()->logText().contains("epoch 1/"));
  if (!shotDir().isEmpty()) {
    panel.resize(1200, 800);
    EXPECT_TRUE(panel.grab().save(QDir(shotDir()).filePath("training_memory_refusal.png")));
  }
}

TEST(TrainingMemory, TheSummaryShowsTheFreeMemoryBesideALargeEstimate) {
  auto summary = [](app::MainWindow& w) {
    for (QLabel* l : w.findChildren<QLabel*>())
      if (l->text().contains("Training memory")) return l->text();
    return QString();
  };
  const QString cnn = QString::fromUtf8(NC_SOURCE_DIR) + "/resources/templates/cnn.json";
  {
    AvailableMemory plenty(int64_t(1) << 40);
    app::MainWindow w;
    ASSERT_TRUE(w.openProject(cnn));
    EXPECT_FALSE(summary(w).isEmpty());
    EXPECT_FALSE(summary(w).contains("free:")) << summary(w).toStdString();
  }
  {
    AvailableMemory little(1 << 20);
    app::MainWindow w;
    ASSERT_TRUE(w.openProject(cnn));
    EXPECT_TRUE(summary(w).contains("free: 1.0 MiB")) << summary(w).toStdString();
  }
}

}  // namespace
}  // namespace nc::test

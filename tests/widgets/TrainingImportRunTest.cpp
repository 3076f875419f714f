// Import run… in the Training tab: a training program's output folder (train.py --out) becomes a
// run of the open project, listed in the run list with its curves on the dashboard.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QtTest/QTest>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "TrainingTestSupport.h"
#include "app/gui/TrainingPanel.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/export/PythonExporter.h"
#include "core/training/Checkpoint.h"
#include "core/training/RunFolder.h"
#include "widgets/RunList.h"
#include "widgets/TrainingDashboard.h"

namespace nc::test {
namespace {

namespace fs = std::filesystem;

void writeText(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

/// What train.py leaves in its --out folder after 2 epochs of 3 steps (weights as its state dict).
void writeProgramOutput(const fs::path& out, const core::Project& p) {
  fs::create_directories(out);
  torch::manual_seed(5);
  core::GraphModule model = core::compileGraph(p.graph);
  fs::path ckpt = out / "w.ckpt.pt";
  core::saveCheckpoint(ckpt.string(), model, nullptr, core::CheckpointState{});
  core::ExportOptions options;
  options.checkpoint = ckpt.string();
  ASSERT_TRUE(core::exportPython(p, (out / "m.py").string(), options).ok());
  fs::copy_file(out / "m.state.pt", out / "last.state.pt");
  fs::rename(out / "m.state.pt", out / "best.state.pt");
  for (const char* f : {"m.py", "w.ckpt.pt", "w.ckpt.pt.sha256"}) fs::remove(out / f);
  {
    core::RunFolder folder;  // the metrics format train.py writes
    ASSERT_TRUE(folder.open((out / "metrics").string(), "{}").ok());
    int64_t step = 0;
    for (int e = 1; e <= 2; ++e) {
      for (int b = 0; b < 3; ++b) {
        core::StepMetrics s;
        s.epoch = e;
        s.step = ++step;
        s.loss = 2.0 / double(step);
        s.accuracy = 0.1 * double(step);
        s.learningRate = 0.003;
        folder.step(s);
      }
      core::EpochMetrics m;
      m.epoch = e;
      m.step = step;
      m.trainLoss = 1.0 / e;
      m.trainAccuracy = 0.4 * e;
      m.valLoss = 1.2 / e;
      m.valAccuracy = 0.35 * e;
      m.best = true;
      folder.epoch(m);
    }
  }
  fs::rename(out / "metrics" / "metrics.jsonl", out / "metrics.jsonl");
  fs::remove_all(out / "metrics");
  writeText(out / "result.json",
            core::dumpJson({{"status", "completed"}, {"epochs_completed", 2}, {"best_val_accuracy", 0.7},
                            {"test_loss", 0.9}, {"test_accuracy", 0.68}, {"class_names", std::vector<std::string>{}},
                            {"confusion", nlohmann::json::array()}}));
  writeText(out / "log.txt", "trained on 2 processes (gloo)\n");
  writeText(out / "project.json", core::serializeProject(p));
}

TEST(TrainingImportRun, ImportRunButtonAddsTheFolderToTheRunsAndShowsItsCurves) {
  QTemporaryDir runs, outs;
  core::Project project = tinyCnnProject(2);
  app::TrainingPanel panel;
  panel.setRunsRootOverride(runs.path());
  panel.setProjectSource([&] { return project; }, [] { return QString(); });
  panel.setSettings(project.data, project.training);
  panel.resize(1400, 900);
  panel.show();
  const fs::path out = fs::path(outs.path().toStdString()) / "cluster_out";
  writeProgramOutput(out, project);

  auto* button = panel.findChild<QToolButton*>("importRunButton");
  ASSERT_NE(button, nullptr);
  // Answers the folder dialog like a person; never leaves a modal window open (a hang): a message
  // box is closed and reported, and a dialog that stays open after accept is tried again, then
  // rejected. Timers hang off the panel, so none outlives the test.
  bool answered = false;
  int attempts = 0;
  QString unexpected;
  std::function<void()> answer = [&] {
    QWidget* modal = QApplication::activeModalWidget();
    if (auto* box = qobject_cast<QMessageBox*>(modal)) {
      unexpected = box->text();
      box->reject();
      QTimer::singleShot(20, &panel, answer);
      return;
    }
    auto* dialog = qobject_cast<QFileDialog*>(modal);
    if (!dialog) {
      if (!answered) QTimer::singleShot(20, &panel, answer);
      return;
    }
    if (++attempts > 50) {
      dialog->reject();
      return;
    }
    // Go into the folder and choose it (Choose with no name typed picks the folder shown). Not
    // selectFile: it leaves the name field alone once the field has the focus, which the shown
    // dialog gets at a moment of the window system's choosing, so Choose then picked the parent.
    dialog->setDirectory(QString::fromStdString(out.string()));
    answered = true;
    static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept, as its Choose button does
    QTimer::singleShot(100, &panel, answer);     // still open? try again
  };
  QTimer::singleShot(20, &panel, answer);
  button->click();  // returns once the dialog is answered and the import is done
  ASSERT_TRUE(answered);
  EXPECT_TRUE(unexpected.isEmpty()) << unexpected.toStdString();
  EXPECT_LE(attempts, 50);
  QString runDir;
  ASSERT_TRUE(waitUntil([&] {
    QStringList listed = panel.runList()->runs();
    if (listed.size() == 1) runDir = listed.front();
    return !panel.runList()->isRefreshing() && listed.size() == 1;
  }, 10000));
  EXPECT_TRUE(QFileInfo(runDir).fileName().startsWith("tiny-cnn-")) << runDir.toStdString();
  EXPECT_TRUE(QFileInfo::exists(QDir(runDir).filePath("checkpoints/best.pt")));
  widgets::TrainingDashboard* d = panel.dashboard();
  EXPECT_EQ(d->stepCount(), 6);
  EXPECT_EQ(d->epochCount(), 2);
  EXPECT_TRUE(d->logText().contains("imported")) << d->logText().toStdString();
  if (const char* shot = std::getenv("NC_IMPORT_RUN_SCREENSHOT")) panel.grab().save(shot);  // to look at it

  // A folder that is not a program's output: refused with the file named, nothing added.
  fs::remove(out / "last.state.pt");
  core::Status s = panel.importRun(QString::fromStdString(out.string()));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(d->messageText().contains("last.state.pt: missing")) << d->messageText().toStdString();
  panel.refreshRuns();
  ASSERT_TRUE(panel.runList()->waitForRefresh());
  EXPECT_EQ(panel.runList()->runs().size(), 1);
}

}  // namespace
}  // namespace nc::test

// Issue 11: the Training tab follows the open project (its runs by default, all runs a click
// away, nothing of the previous project's runs left on display), and the phases of a run read as
// what they are (validating, testing, paused, stopped) instead of a frozen "step 43/43 · ETA 0:00".
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QToolButton>
#include <memory>

#include "TrainingTestSupport.h"
#include "app/gui/TrainingController.h"
#include "app/gui/TrainingPanel.h"
#include "core/Project.h"
#include "widgets/RunHistory.h"
#include "widgets/RunList.h"
#include "widgets/TrainingDashboard.h"

namespace nc::test {
namespace {

using app::TrainingPanel;

void write(const QString& path, const QByteArray& text) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write(text);
}

/// A finished run folder of `project` named `name`, with a checkpoint file and two steps.
QString makeRun(const QDir& root, const QString& name, const core::Project& project, const QByteArray& result) {
  QString dir = root.filePath(name);
  write(dir + "/project.json", QByteArray::fromStdString(core::serializeProject(project)));
  write(dir + "/metrics.jsonl",
        "{\"kind\":\"step\",\"epoch\":1,\"step\":1,\"loss\":2.3,\"accuracy\":0.1,\"learning_rate\":0.01,"
        "\"samples_per_s\":100,\"seconds\":0.1}\n"
        "{\"kind\":\"step\",\"epoch\":1,\"step\":2,\"loss\":2.1,\"accuracy\":0.2,\"learning_rate\":0.01,"
        "\"samples_per_s\":100,\"seconds\":0.2}\n"
        "{\"kind\":\"epoch\",\"epoch\":1,\"step\":2,\"train_loss\":2.2,\"train_accuracy\":0.15,\"val_loss\":2.0,"
        "\"val_accuracy\":0.5,\"samples_per_s\":100,\"seconds\":0.2,\"best\":true}\n");
  write(dir + "/checkpoints/last.pt", "not a real checkpoint");
  write(dir + "/result.json", result);
  return QDir(dir).absolutePath();
}

core::Project named(const std::string& name) {
  core::Project p = tinyCnnProject(2);
  p.name = name;
  return p;
}

QStringList names(const QStringList& dirs) {
  QStringList out;
  for (const QString& d : dirs) out << QFileInfo(d).fileName();
  return out;
}

TEST(TrainingProjectSwitch, RunFolderStemsAndOwnership) {
  EXPECT_EQ(widgets::stemOfRunFolder("cnn-20261129-173219"), "cnn");
  EXPECT_EQ(widgets::stemOfRunFolder("my-net-20261129-173219-2"), "my-net");
  EXPECT_EQ(widgets::stemOfRunFolder("handmade"), "");
  EXPECT_EQ(widgets::runFolderStem("Fashion-MNIST CNN"), "Fashion-MNIST_CNN");
  widgets::RunOwner owner{{"cnn"}, "Fashion-MNIST CNN"};
  widgets::RunSummary run;
  run.stem = "cnn";
  EXPECT_TRUE(owner.owns(run));
  run.stem = "cnn-small";
  EXPECT_FALSE(owner.owns(run)) << "a stem is matched whole";
  run.projectName = "Fashion-MNIST CNN";
  EXPECT_TRUE(owner.owns(run)) << "same project name (a template's runs)";
  EXPECT_FALSE((widgets::RunOwner{{"cnn"}, ""}).owns(run));
}

// Open project A, show a failed run and overlay another, select it (Continue enabled); open
// project B: only B's runs are listed, no overlay, no "Failed", no message, Continue disabled;
// "Show all runs" lists them all.
TEST(TrainingProjectSwitch, OpeningAnotherProjectClearsTheRunStateAndListsItsRuns) {
  QTemporaryDir runs, files;
  QDir root(runs.path());
  core::Project a = named("A"), b = named("B");
  const QString failedA = makeRun(root, "projA-20261101-100000", a,
                                  R"({"status":"failed","message":"boom: the data file is missing","epochs_completed":0})");
  const QString doneA = makeRun(root, "projA-20261101-110000", a,
                                R"({"status":"completed","epochs_completed":1,"best_val_accuracy":0.5})");
  const QString doneB = makeRun(root, "projB-20261101-120000", b,
                                R"({"status":"completed","epochs_completed":1,"best_val_accuracy":0.6})");
  const QString pathA = QDir(files.path()).filePath("projA.json"), pathB = QDir(files.path()).filePath("projB.json");

  TrainingPanel panel;
  QString path = pathA;
  core::Project current = a;
  panel.setRunsRootOverride(runs.path());
  panel.setProjectSource([&] { return current; }, [&] { return path; });
  panel.setProject(pathA, a);
  widgets::RunList* list = panel.runList();
  ASSERT_TRUE(list->waitForRefresh());
  EXPECT_EQ(names(list->runs()), (QStringList{"projA-20261101-110000", "projA-20261101-100000"}));
  EXPECT_EQ(list->hiddenCount(), 1);
  auto* showAll = panel.findChild<QCheckBox*>("showAllRuns");
  ASSERT_NE(showAll, nullptr);
  EXPECT_TRUE(showAll->text().contains("1 more")) << showAll->text().toStdString();

  // Stale state of project A: a failed run on display, another overlaid, Continue enabled.
  Q_EMIT list->runActivated(failedA);
  widgets::TrainingDashboard* d = panel.dashboard();
  EXPECT_EQ(d->statusText(), "projA-20261101-100000");
  EXPECT_TRUE(d->messageText().contains("boom")) << d->messageText().toStdString();
  list->selectRuns({doneA});
  EXPECT_EQ(d->comparisonCount(), 1);
  QToolButton* cont = nullptr;
  for (auto* b : panel.findChildren<QToolButton*>())
    if (b->text() == "Continue") cont = b;
  ASSERT_NE(cont, nullptr);
  EXPECT_TRUE(cont->isEnabled());

  // Open project B.
  path = pathB;
  current = b;
  panel.setProject(pathB, b);
  ASSERT_TRUE(list->waitForRefresh());
  EXPECT_EQ(list->runs(), QStringList{doneB});
  EXPECT_TRUE(list->selectedRuns().isEmpty());
  EXPECT_EQ(d->comparisonCount(), 0) << "no overlays of A's runs";
  EXPECT_EQ(d->stepCount(), 0);
  EXPECT_EQ(d->statusText(), "No run yet");
  EXPECT_TRUE(d->messageText().isEmpty());
  EXPECT_TRUE(d->messageLabel()->isHidden());
  EXPECT_EQ(d->progressBar()->format(), "Not started");
  EXPECT_FALSE(cont->isEnabled());

  // All runs one click away, and back.
  showAll->click();
  EXPECT_EQ(list->runs().size(), 3);
  EXPECT_EQ(list->hiddenCount(), 0);
  showAll->click();
  EXPECT_EQ(list->runs(), QStringList{doneB});

  // A caller that only refreshes (the path changed under it) gets the same switch.
  Q_EMIT list->runActivated(doneB);
  EXPECT_EQ(d->stepCount(), 2);
  path = pathA;
  current = a;
  panel.refreshRuns();
  ASSERT_TRUE(list->waitForRefresh());
  EXPECT_EQ(list->runs().size(), 2);
  EXPECT_EQ(d->stepCount(), 0) << "B's run is no longer on display";

  // Saving keeps what is on display; the list follows the file's new name.
  Q_EMIT list->runActivated(doneA);
  const QString renamed = QDir(files.path()).filePath("projB.json");
  path = renamed;
  panel.setProject(renamed, a, TrainingPanel::ProjectChange::Saved);
  ASSERT_TRUE(list->waitForRefresh());
  EXPECT_EQ(d->stepCount(), 2) << "a save is not another project";
  EXPECT_EQ(list->runs(), QStringList{doneB});
}

// Unsaved projects and templates share the application's runs folder: their runs are told apart
// by the project's name (folder stem or the name in project.json).
TEST(TrainingProjectSwitch, UnsavedProjectsAreMatchedByName) {
  QTemporaryDir runs;
  QDir root(runs.path());
  core::Project cnn = named("Fashion-MNIST CNN"), lstm = named("Fashion-MNIST LSTM");
  const QString byStem = makeRun(root, "Fashion-MNIST_CNN-20261101-100000", cnn, R"({"status":"completed"})");
  const QString byName = makeRun(root, "cnn-20261101-090000", cnn, R"({"status":"stopped"})");
  const QString other = makeRun(root, "lstm-20261101-080000", lstm, R"({"status":"completed"})");
  TrainingPanel panel;
  panel.setRunsRootOverride(runs.path());
  panel.setProjectSource([&] { return cnn; }, [] { return QString(); });
  panel.setProject({}, cnn);
  ASSERT_TRUE(panel.runList()->waitForRefresh());
  EXPECT_EQ(panel.runList()->runs(), (QStringList{byStem, byName}));
  panel.setShowAllRuns(true);
  EXPECT_EQ(panel.runList()->runs(), (QStringList{byStem, byName, other}));
}

QList<core::StepMetrics> steps(int64_t first, int64_t count, int64_t perEpoch, double seconds0 = 0) {
  QList<core::StepMetrics> out;
  for (int64_t s = first; s < first + count; ++s) {
    core::StepMetrics m;
    m.step = s;
    m.epoch = (s - 1) / perEpoch + 1;
    m.batch = (s - 1) % perEpoch + 1;
    m.batchesPerEpoch = perEpoch;
    m.loss = 1.0;
    m.samplesPerSecond = 1000;
    m.elapsedSeconds = seconds0 + double(s) * 0.1;
    out.append(m);
  }
  return out;
}

// The bar and the label say which pass runs and how far it is, in samples with thousands
// separators; the events come through the panel's controller as the worker sends them.
TEST(TrainingProjectSwitch, ValidationAndTestPassesShowTheirProgress) {
  TrainingPanel panel;
  widgets::TrainingDashboard* d = panel.dashboard();
  d->beginRun("run", 1);
  app::TrainingController* c = panel.controller();
  Q_EMIT c->steps(steps(1, 43, 43));
  EXPECT_TRUE(d->progressText().contains("step 43/43")) << d->progressText().toStdString();

  core::PhaseProgress p;
  p.phase = core::RunPhase::Validation;
  p.epoch = 1;
  p.done = 2000;
  p.total = 6000;
  Q_EMIT c->phase(p);
  EXPECT_EQ(d->progressText(), "Epoch 1/1 · validating 2,000 / 6,000");
  EXPECT_EQ(d->statusText(), "Validating");
  EXPECT_EQ(d->progressBar()->value(), 2000);
  EXPECT_EQ(d->progressBar()->maximum(), 6000);

  p.phase = core::RunPhase::Test;
  p.done = 4000;
  p.total = 10000;
  Q_EMIT c->phase(p);
  EXPECT_EQ(d->progressText(), "testing 4,000 / 10,000");
  EXPECT_EQ(d->statusText(), "Testing");
  EXPECT_FALSE(d->progressText().contains("ETA"));

  // The next training step takes the bar back.
  d->beginRun("run", 2);
  Q_EMIT c->steps(steps(1, 10, 43));
  Q_EMIT c->phase(p);
  Q_EMIT c->steps(steps(11, 5, 43));
  EXPECT_TRUE(d->progressText().startsWith("Epoch 1/2 · step 15/86")) << d->progressText().toStdString();
  EXPECT_EQ(d->statusText(), "Running");
}

// A real run: the test pass reports its progress up to the test set's size, and the label read
// "testing" while it ran.
TEST(TrainingProjectSwitch, ARealRunReportsItsTestPass) {
  QTemporaryDir runs;
  core::Project project = tinyCnnProject(1);
  project.training.evalBatchSize = 64;
  TrainingPanel panel;
  panel.setRunsRootOverride(runs.path());
  panel.setDataset(fashionSlice(256, 200));
  panel.setProjectSource([&] { return project; }, [] { return QString(); });
  panel.setSettings(project.data, project.training);
  std::vector<core::PhaseProgress> tests;
  QStringList labels;
  QObject::connect(panel.controller(), &app::TrainingController::phase, [&](const core::PhaseProgress& p) {
    if (p.phase == core::RunPhase::Test) {
      tests.push_back(p);
      labels << panel.dashboard()->progressText();
    }
  });
  bool finished = false;
  QObject::connect(&panel, &TrainingPanel::runFinished, [&](const core::RunResult&) { finished = true; });
  ASSERT_TRUE(panel.start());
  ASSERT_TRUE(waitUntil([&] { return finished && !panel.isRunActive(); }));
  ASSERT_FALSE(tests.empty());
  EXPECT_EQ(tests.front().done, 0);
  EXPECT_EQ(tests.back().done, 200);
  EXPECT_EQ(tests.back().total, 200);
  for (size_t i = 1; i < tests.size(); ++i) EXPECT_GT(tests[i].done, tests[i - 1].done);
  // The panel's own slot runs first (connected first): the label already shows the pass.
  ASSERT_FALSE(labels.isEmpty());
  EXPECT_EQ(labels.back(), "testing 200 / 200");
  EXPECT_TRUE(panel.dashboard()->progressText().contains("done")) << panel.dashboard()->progressText().toStdString();
  EXPECT_TRUE(panel.dashboard()->progressText().contains("test accuracy"));
}

// Paused: the bar says so instead of a frozen ETA, the run list says "paused"; a stopped run says
// where it stopped.
TEST(TrainingProjectSwitch, PausedAndStoppedReadAsSuch) {
  QTemporaryDir runs;
  QDir root(runs.path());
  const QString active = makeRun(root, "p-20261101-100000", named("p"), R"({"status":"stopped"})");
  widgets::RunList list;
  list.setRunsRoot(runs.path());
  list.setActiveRun(active);
  ASSERT_TRUE(list.waitForRefresh());
  EXPECT_TRUE(list.topLevelItem(0)->text(widgets::RunList::kStatus).startsWith("running"))
      << "a continued run is running, whatever its folder said before";
  list.setActiveRunPaused(true);
  EXPECT_TRUE(list.topLevelItem(0)->text(widgets::RunList::kStatus).startsWith("paused"));
  list.setActiveRunPaused(false);
  EXPECT_TRUE(list.topLevelItem(0)->text(widgets::RunList::kStatus).startsWith("running"));

  widgets::TrainingDashboard d;
  d.beginRun("run", 1);
  d.appendSteps(steps(1, 100, 200));
  EXPECT_TRUE(d.progressText().contains("ETA")) << d.progressText().toStdString();
  d.setPaused(true);
  EXPECT_TRUE(d.progressText().endsWith("· paused")) << d.progressText().toStdString();
  EXPECT_FALSE(d.progressText().contains("ETA"));
  d.setPaused(false);
  // After a 60 s pause the trainer's clock jumped; the ETA is measured afresh, not over the pause.
  d.appendSteps(steps(101, 1, 200, 60.0));
  d.appendSteps(steps(102, 10, 200, 60.0));
  EXPECT_TRUE(d.progressText().endsWith("ETA 0:09")) << d.progressText().toStdString();

  core::RunResult stopped;
  stopped.status = core::RunStatus::Stopped;
  stopped.message = "stopped during epoch 1; the last checkpoint is from epoch 0";
  d.finishRun(stopped);
  EXPECT_EQ(d.progressText(), "stopped at epoch 1, step 111");
  EXPECT_EQ(d.statusText(), "Stopped");
  EXPECT_TRUE(d.messageText().contains("last checkpoint is from epoch 0"));
}

}  // namespace
}  // namespace nc::test

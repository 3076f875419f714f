// The run list and run-folder reading on hand-written run folders (no training).
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <cmath>
#include <memory>

#include "core/Project.h"
#include "widgets/RunHistory.h"
#include "widgets/RunList.h"

namespace nc::test::training_run_list_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

void write(const QString& path, const QByteArray& text) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write(text);
}

/// A run folder as core::RunFolder writes it.
QString makeRun(const QDir& root, const QString& name, const QByteArray& result, bool csvOnly = false) {
  QString dir = root.filePath(name);
  core::Project p;
  p.name = "demo";
  p.training.optimizer = "sgd";
  p.training.epochs = 2;
  write(dir + "/project.json", QByteArray::fromStdString(core::serializeProject(p)));
  if (csvOnly) {
    write(dir + "/metrics.csv",
          "kind,epoch,step,loss,accuracy,learning_rate,samples_per_s,val_loss,val_accuracy,seconds\n"
          "step,1,1,2.3,0.1,0.01,100,,,0.1\nstep,1,2,2.1,0.2,0.01,100,,,0.2\n"
          "epoch,1,2,2.2,0.15,,100,2.0,0.25,0.3\n");
  } else {
    write(dir + "/metrics.jsonl",
          "{\"kind\":\"step\",\"epoch\":1,\"step\":1,\"loss\":2.3,\"accuracy\":0.1,\"learning_rate\":0.01,"
          "\"samples_per_s\":100,\"seconds\":0.1}\n"
          "{\"kind\":\"epoch\",\"epoch\":1,\"step\":1,\"train_loss\":2.3,\"train_accuracy\":0.1,\"val_loss\":null,"
          "\"val_accuracy\":0.5,\"samples_per_s\":100,\"seconds\":0.2,\"best\":true}\n");
  }
  if (!result.isEmpty()) write(dir + "/result.json", result);
  return QDir(dir).absolutePath();
}

TEST(TrainingRunList, ListsRunsNewestFirstWithStatusAccuracyAndSettings) {
  QTemporaryDir tmp;
  QDir root(tmp.path());
  QString older = makeRun(root, "demo-20240101-100000",
                          R"({"status":"completed","best_val_accuracy":0.875,"epochs_completed":2,
                              "class_names":["a","b"],"confusion":[[3,1],[0,4]]})");
  QString newer = makeRun(root, "demo-20240102-100000", R"({"status":"failed","message":"bad data"})");
  QString running = makeRun(root, "demo-20240103-100000", "");
  write(root.filePath("not-a-run/readme.txt"), "x");

  widgets::RunList list;
  list.setRunsRoot(root.path());
  ASSERT_TRUE(list.waitForRefresh());
  ASSERT_EQ(list.runs(), (QStringList{running, newer, older}));
  EXPECT_TRUE(list.topLevelItem(2)->text(widgets::RunList::kStatus).startsWith("completed"));
  EXPECT_EQ(list.topLevelItem(2)->text(widgets::RunList::kBestAccuracy), "87.50 %");
  EXPECT_TRUE(list.topLevelItem(2)->text(widgets::RunList::kSettings).contains("sgd"));
  EXPECT_EQ(list.topLevelItem(2)->text(widgets::RunList::kDate), "2024-01-01 10:00");
  EXPECT_TRUE(list.topLevelItem(1)->text(widgets::RunList::kStatus).startsWith("failed"));
  EXPECT_TRUE(list.topLevelItem(0)->text(widgets::RunList::kStatus).startsWith("interrupted"))
      << "no result and not the active run";
  EXPECT_EQ(list.topLevelItem(0)->text(widgets::RunList::kBestAccuracy), "50.00 %") << "best so far from metrics";
  list.setActiveRun(running);
  EXPECT_TRUE(list.topLevelItem(0)->text(widgets::RunList::kStatus).startsWith("running"));

  QStringList emitted;
  QObject::connect(&list, &widgets::RunList::selectionChangedTo, [&](const QStringList& d) { emitted = d; });
  list.selectRuns({older, newer});
  EXPECT_EQ(emitted, (QStringList{newer, older}));
  list.refresh();
  ASSERT_TRUE(list.waitForRefresh());
  EXPECT_EQ(list.selectedRuns(), (QStringList{newer, older})) << "refresh keeps the selection";

  core::RunResult r = widgets::readRunResult(older);
  EXPECT_EQ(r.status, core::RunStatus::Completed);
  ASSERT_EQ(r.confusion.size(), 2u);
  EXPECT_EQ(r.confusion[0][1], 1);
  EXPECT_EQ(r.classNames, (std::vector<std::string>{"a", "b"}));
}

// Issue 10 item 17: the list re-read every run's metrics on the GUI thread at each epoch. The
// folders are now read on a worker: refresh() returns before anything is read, the list changes
// only when the event loop delivers the scan's values, and unchanged folders come from the cache.
TEST(TrainingRunList, ReadsRunFoldersOffTheGuiThread) {
  QTemporaryDir tmp;
  QDir root(tmp.path());
  QString first = makeRun(root, "demo-20240101-100000", R"({"status":"completed","best_val_accuracy":0.5})");
  widgets::RunList list;
  list.setRunsRoot(root.path());
  EXPECT_TRUE(list.runs().isEmpty()) << "setRunsRoot read the folders on the GUI thread";
  EXPECT_TRUE(list.isRefreshing());
  int refreshed = 0;
  QObject::connect(&list, &widgets::RunList::refreshed, [&] { ++refreshed; });
  ASSERT_TRUE(list.waitForRefresh());
  EXPECT_EQ(list.runs(), QStringList{first});
  EXPECT_EQ(refreshed, 1);

  // A new run appears, and an existing one (the active run) gets a new epoch line.
  QString second = makeRun(root, "demo-20240102-100000", "");
  list.setActiveRun(second);
  list.refresh();  // merged with the scan setActiveRun started
  list.refresh();
  EXPECT_EQ(list.runs(), QStringList{first}) << "refresh() read the folders on the GUI thread";
  ASSERT_TRUE(list.waitForRefresh());
  EXPECT_EQ(list.runs(), (QStringList{second, first}));
  EXPECT_LE(refreshed, 3);
  EXPECT_TRUE(list.topLevelItem(0)->text(widgets::RunList::kStatus).startsWith("running"));
  EXPECT_EQ(list.topLevelItem(0)->text(widgets::RunList::kBestAccuracy), "50.00 %");
  {
    QFile f(second + "/metrics.jsonl");
    ASSERT_TRUE(f.open(QIODevice::Append));
    f.write("{\"kind\":\"epoch\",\"epoch\":2,\"step\":2,\"train_loss\":2.0,\"train_accuracy\":0.2,"
            "\"val_loss\":1.5,\"val_accuracy\":0.75,\"samples_per_s\":100,\"seconds\":0.4,\"best\":true}\n");
  }
  list.refresh();
  ASSERT_TRUE(list.waitForRefresh());
  EXPECT_EQ(list.topLevelItem(0)->text(widgets::RunList::kBestAccuracy), "75.00 %") << "a changed folder is read again";
  EXPECT_EQ(list.topLevelItem(1)->text(widgets::RunList::kBestAccuracy), "50.00 %");

  // Destroying the list while a scan runs waits for it (no result posted to a dead object).
  auto other = std::make_unique<widgets::RunList>();
  other->setRunsRoot(root.path());
  other.reset();
}

TEST(TrainingRunList, ReadsCurvesFromJsonLinesOrCsv) {
  QTemporaryDir tmp;
  QDir root(tmp.path());
  widgets::RunCurves fromJson = widgets::readRunCurves(makeRun(root, "a", ""));
  ASSERT_EQ(fromJson.steps.size(), 1u);
  ASSERT_EQ(fromJson.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(fromJson.epochs[0].valAccuracy, 0.5);
  EXPECT_TRUE(std::isnan(fromJson.epochs[0].valLoss)) << "null is a missing value";

  widgets::RunCurves fromCsv = widgets::readRunCurves(makeRun(root, "b", "", /*csvOnly=*/true));
  ASSERT_EQ(fromCsv.steps.size(), 2u);
  EXPECT_DOUBLE_EQ(fromCsv.steps[1].loss, 2.1);
  ASSERT_EQ(fromCsv.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(fromCsv.epochs[0].valAccuracy, 0.25);
}

}  // namespace
}  // namespace nc::test::training_run_list_test

// Issue 14: the per-class table beside the confusion matrix and the "Misclassified" gallery:
// filters chosen in the combo boxes as a user does, counts, lazy drawing of thousands of tiles,
// a click on a confusion-matrix cell, live updates after each validation pass.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QHeaderView>
#include <QDir>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest/QTest>
#include <fstream>

#include "TrainingTestSupport.h"
#include "core/training/Misclassified.h"
#include "widgets/ClassMetricsTable.h"
#include "widgets/ConfusionMatrixView.h"
#include "widgets/MisclassifiedGallery.h"
#include "widgets/RunHistory.h"
#include "widgets/TrainingDashboard.h"

namespace nc::test::misclassified_gallery_test {

/// 1,048 misclassified samples of 3 classes (4x4 grey images): 312 of true class 1, of which 100
/// predicted as 2; the confusion matrix has the same off-diagonal cells.
core::MisclassifiedSet makeSet(bool capped = false) {
  core::MisclassifiedSet set;
  set.epoch = 2;
  set.classNames = {"cat", "d\xC3\xB6g", "bird"};
  set.cap = core::kMisclassifiedCap;
  auto add = [&](int64_t t, int64_t p, int n) {
    for (int i = 0; i < n; ++i) {
      core::MisclassifiedSample s;
      s.index = int64_t(set.samples.size());
      s.datasetIndex = s.index * 2;
      s.trueClass = t;
      s.predicted = p;
      s.confidence = 0.6;
      s.top = {{p, 0.6}, {t, 0.3}, {3 - t - p, 0.1}};
      s.shape = {1, 4, 4};
      s.pixels = std::string(16, char(i % 256));
      set.samples.push_back(std::move(s));
    }
  };
  add(0, 1, 300);
  add(0, 2, 236);
  add(1, 0, 212);
  add(1, 2, 100);
  add(2, 0, 150);
  add(2, 1, 50);
  set.confusion = {{900, 300, 236}, {212, 800, 100}, {150, 50, 1000}};
  set.misclassified = 1048;
  set.evaluated = 3748;
  set.capped = capped;
  return set;
}

void writeSet(const QString& dir, const core::MisclassifiedSet& set) {
  std::ofstream(QDir(dir).filePath("misclassified.json").toStdString(), std::ios::binary)
      << core::misclassifiedJson(set);
}

/// Chooses the combo's entry `index` as a user does with the keyboard (Down / Up arrows).
void chooseWithKeys(QComboBox* combo, int index) {
  combo->setFocus();
  while (combo->currentIndex() < index) QTest::keyClick(combo, Qt::Key_Down);
  while (combo->currentIndex() > index) QTest::keyClick(combo, Qt::Key_Up);
}

}  // namespace nc::test::misclassified_gallery_test

namespace nc::test {

namespace mg = misclassified_gallery_test;

TEST(MisclassifiedGallery, FiltersByTrueAndPredictedClassWithCountsAndDrawsOnlyVisibleTiles) {
  QTemporaryDir dir;
  mg::writeSet(dir.path(), mg::makeSet());
  widgets::MisclassifiedGallery gallery;
  gallery.resize(700, 500);
  gallery.show();
  int loads = 0;
  QObject::connect(&gallery, &widgets::MisclassifiedGallery::loaded, [&](bool ok) { loads += ok; });
  gallery.loadRun(dir.path());  // on a background thread
  ASSERT_TRUE(waitUntil([&] { return loads == 1; }, 20000));
  EXPECT_EQ(gallery.listedCount(), 1048);
  EXPECT_EQ(gallery.shownCount(), 1048);
  EXPECT_TRUE(gallery.countText().startsWith("1,048 of 1,048 misclassified shown")) << gallery.countText().toStdString();
  ASSERT_EQ(gallery.trueCombo()->count(), 4);  // all + 3 classes
  EXPECT_EQ(gallery.trueCombo()->itemText(2), QString::fromUtf8("d\xC3\xB6g (312)"));

  mg::chooseWithKeys(gallery.trueCombo(), 2);  // true class "dög"
  EXPECT_EQ(gallery.trueFilter(), 1);
  EXPECT_EQ(gallery.shownCount(), 312);
  EXPECT_TRUE(gallery.countText().startsWith("312 of 1,048 misclassified shown")) << gallery.countText().toStdString();
  mg::chooseWithKeys(gallery.predictedCombo(), 3);  // predicted "bird"
  EXPECT_EQ(gallery.predictedFilter(), 2);
  EXPECT_EQ(gallery.shownCount(), 100);
  mg::chooseWithKeys(gallery.predictedCombo(), 2);  // predicted "dög": never, for true "dög"
  EXPECT_EQ(gallery.shownCount(), 0);
  EXPECT_TRUE(gallery.countText().startsWith("0 of 1,048")) << gallery.countText().toStdString();
  mg::chooseWithKeys(gallery.trueCombo(), 0);  // all true classes predicted as "dög"
  EXPECT_EQ(gallery.shownCount(), 350);
  mg::chooseWithKeys(gallery.predictedCombo(), 0);

  // Lazy drawing: a repaint draws the visible tiles only, at the top and scrolled to the end.
  widgets::MisclassifiedTiles* tiles = gallery.tiles();
  tiles->viewport()->repaint();
  const int visible = (tiles->viewport()->width() / widgets::MisclassifiedTiles::kTileWidth) *
                      (tiles->viewport()->height() / widgets::MisclassifiedTiles::kTileHeight + 2);
  EXPECT_GT(tiles->lastPaintedTiles(), 0);
  EXPECT_LE(tiles->lastPaintedTiles(), visible);
  ASSERT_GT(tiles->verticalScrollBar()->maximum(), 0) << "1,048 tiles need scrolling";
  tiles->verticalScrollBar()->setValue(tiles->verticalScrollBar()->maximum());
  tiles->viewport()->repaint();
  EXPECT_GT(tiles->lastPaintedTiles(), 0);
  EXPECT_LE(tiles->lastPaintedTiles(), visible);
  EXPECT_EQ(tiles->tileAt(QPoint(5, 5)) / tiles->columns(),
            tiles->verticalScrollBar()->value() / widgets::MisclassifiedTiles::kTileHeight);

  // A reload keeps the filters on the classes they name; a capped file says so; a missing one
  // explains itself.
  gallery.setFilters(1, 2);
  auto capped = mg::makeSet(true);
  capped.samples.resize(500);
  capped.cap = 500;
  mg::writeSet(dir.path(), capped);
  gallery.loadRun(dir.path(), /*wait=*/true);
  EXPECT_EQ(gallery.trueFilter(), 1);
  EXPECT_EQ(gallery.predictedFilter(), 2);
  EXPECT_EQ(gallery.shownCount(), 0) << "the first 500 hold no dög -> bird";
  EXPECT_TRUE(gallery.countText().contains("the file lists the first 500 only")) << gallery.countText().toStdString();
  QTemporaryDir empty;
  gallery.loadRun(empty.path(), true);
  EXPECT_EQ(gallery.shownCount(), 0);
  EXPECT_TRUE(gallery.countText().contains("misclassified.json")) << gallery.countText().toStdString();
}

TEST(MisclassifiedGallery, DashboardShowsPerClassTableAndACellClickFiltersTheGallery) {
  QTemporaryDir dir;
  core::MisclassifiedSet set = mg::makeSet();
  mg::writeSet(dir.path(), set);
  widgets::TrainingDashboard dashboard;
  dashboard.resize(1200, 800);
  dashboard.show();
  core::RunResult r;
  r.status = core::RunStatus::Completed;
  r.classNames = set.classNames;
  r.confusion = set.confusion;
  r.runDirectory = dir.path().toStdString();
  dashboard.showRun(widgets::RunCurves{}, r);
  widgets::ClassMetricsTable* table = dashboard.classMetricsTable();
  ASSERT_EQ(table->rowCount(), 5);  // 3 classes, macro and weighted averages
  EXPECT_EQ(table->rowName(0), "cat");
  EXPECT_EQ(table->rowName(3), "macro avg");
  EXPECT_NEAR(table->value(0, widgets::ClassMetricsTable::PrecisionColumn), 900.0 / 1262.0, 1e-9);
  EXPECT_NEAR(table->value(2, widgets::ClassMetricsTable::RecallColumn), 1000.0 / 1200.0, 1e-9);
  EXPECT_EQ(table->value(1, widgets::ClassMetricsTable::SupportColumn), 1112.0);
  // Sorting (as a header click does): the classes reorder, the averages stay at the bottom.
  for (Qt::SortOrder order : {Qt::DescendingOrder, Qt::AscendingOrder}) {
    table->sortBy(widgets::ClassMetricsTable::F1Column, order);
    EXPECT_EQ(table->rowName(3), "macro avg");
    EXPECT_EQ(table->rowName(4), "weighted avg");
    double first = table->value(0, widgets::ClassMetricsTable::F1Column);
    double last = table->value(2, widgets::ClassMetricsTable::F1Column);
    EXPECT_TRUE(order == Qt::DescendingOrder ? first >= last : first <= last);
  }
  QTest::mouseClick(table->view()->horizontalHeader()->viewport(), Qt::LeftButton, {},
                    QPoint(table->view()->horizontalHeader()->sectionViewportPosition(4) + 5, 5));
  EXPECT_EQ(table->rowName(4), "weighted avg") << "a header click sorts by support, averages last";

  widgets::MisclassifiedGallery* gallery = dashboard.misclassifiedGallery();
  ASSERT_TRUE(waitUntil([&] { return !gallery->isLoading() && gallery->listedCount() == 1048; }, 20000));
  dashboard.showTab("Confusion matrix");
  widgets::ConfusionMatrixView* matrix = dashboard.confusionMatrix();
  matrix->repaint();
  QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellCenter(1, 2));  // true dög, predicted bird
  EXPECT_EQ(gallery->trueFilter(), 1);
  EXPECT_EQ(gallery->predictedFilter(), 2);
  EXPECT_EQ(gallery->shownCount(), 100);
  EXPECT_TRUE(gallery->isVisible()) << "the click opens the gallery";
  dashboard.showTab("Confusion matrix");
  QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellCenter(2, 2));  // the diagonal: all of bird's mistakes
  EXPECT_EQ(gallery->trueFilter(), 2);
  EXPECT_EQ(gallery->predictedFilter(), -1);
  EXPECT_EQ(gallery->shownCount(), 200);
}

TEST(MisclassifiedGallery, LiveRunReloadsAfterEachValidationPass) {
  QTemporaryDir dir;
  widgets::TrainingDashboard dashboard;
  dashboard.beginRun("live", 3);
  dashboard.setLiveRunDirectory(dir.path());
  widgets::MisclassifiedGallery* gallery = dashboard.misclassifiedGallery();
  EXPECT_TRUE(dashboard.confusionMatrix()->isEmpty());
  core::MisclassifiedSet set = mg::makeSet();
  set.epoch = 1;
  mg::writeSet(dir.path(), set);  // the trainer writes it before it reports the epoch
  core::EpochMetrics e;
  e.epoch = 1;
  dashboard.appendEpoch(e);
  ASSERT_TRUE(waitUntil([&] { return gallery->listedCount() == 1048 && !gallery->isLoading(); }, 20000));
  EXPECT_FALSE(dashboard.confusionMatrix()->isEmpty()) << "the matrix follows the live run";
  EXPECT_EQ(dashboard.classMetricsTable()->rowCount(), 5);
  set.epoch = 2;
  set.samples.resize(10);
  set.misclassified = 10;
  mg::writeSet(dir.path(), set);
  e.epoch = 2;
  dashboard.appendEpoch(e);
  ASSERT_TRUE(waitUntil([&] { return gallery->listedCount() == 10 && !gallery->isLoading(); }, 20000));
  EXPECT_TRUE(gallery->countText().contains("epoch 2")) << gallery->countText().toStdString();
  dashboard.beginRun("next", 1);
  EXPECT_EQ(gallery->listedCount(), 0) << "a new run starts empty";
}

}  // namespace nc::test

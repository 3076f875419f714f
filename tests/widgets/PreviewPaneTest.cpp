// The Preview pane and node thumbnails (issue 14): drawing each kind of preview from hand-made
// results, the greyed last-valid state, and in the main window a Conv2d node clicked on the
// canvas whose feature maps follow edits made in the inspector, a graph with an error, the
// thumbnails toggle, coalescing of requests, and a short training run's snapshot preview.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QSpinBox>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QThread>
#include <QTest>
#include <QToolButton>
#include <cmath>
#include <memory>

#include "TrainingTestSupport.h"
#include "app/gui/MainWindow.h"
#include "app/gui/PreviewController.h"
#include "app/gui/TrainingController.h"
#include "app/gui/TrainingPanel.h"
#include "core/data/ReaderTestUtil.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/Inspector.h"
#include "widgets/NodeItem.h"
#include "widgets/PreviewPane.h"

namespace preview_pane_test {

using namespace nc;

core::PreviewImage picture(int64_t rows, int64_t cols, float phase, const std::string& label) {
  core::PreviewImage img;
  img.rows = rows;
  img.cols = cols;
  img.low = -1;
  img.high = 2;
  img.label = label;
  for (int64_t i = 0; i < rows * cols; ++i) img.values.push_back(float(0.5 + 0.5 * std::sin(double(i) * 0.3 + phase)));
  return img;
}

core::NodePreview node(core::NodeId id, const std::string& name, const std::string& kind) {
  core::NodePreview n;
  n.nodeId = id;
  n.nodeName = name;
  n.type = "Conv2d";
  n.kind = kind;
  n.stats.count = 100;
  n.stats.mean = 0.25;
  n.stats.std = 0.5;
  n.stats.min = -1;
  n.stats.max = 2;
  n.stats.zeroFraction = 0.1;
  n.histogram.min = -1;
  n.histogram.max = 2;
  n.histogram.counts.assign(32, 0);
  for (size_t i = 0; i < 32; ++i) n.histogram.counts[i] = int64_t(i % 7);
  return n;
}

/// Five nodes, one per kind: feature maps (6), heat map, attention (2 heads), bars (3 classes), none.
std::shared_ptr<core::PreviewResult> handMade() {
  auto r = std::make_shared<core::PreviewResult>();
  r->ok = true;
  r->sample.split = "test";
  r->sample.index = 2;
  r->sample.count = 5;
  r->sample.label = 1;
  r->sample.labelName = "Trouser";
  r->sample.image = picture(28, 28, 0, "");
  auto maps = node(1, "conv1", "feature_maps");
  maps.shape = {6, 12, 12};
  for (int c = 0; c < 6; ++c) maps.images.push_back(picture(12, 12, float(c), "channel " + std::to_string(c)));
  r->nodes.push_back(maps);
  auto heat = node(2, "lstm", "heatmap");
  heat.type = "LSTM";
  heat.shape = {20, 16};
  heat.images.push_back(picture(20, 16, 0, ""));
  r->nodes.push_back(heat);
  auto att = node(3, "attn", "heatmap");
  att.type = "MultiheadAttention";
  att.shape = {8, 16};
  att.images.push_back(picture(8, 16, 0, ""));
  att.attention = {picture(8, 8, 0, "head 0"), picture(8, 8, 1, "head 1")};
  r->nodes.push_back(att);
  auto bars = node(4, "logits", "bars");
  bars.type = "Output";
  bars.shape = {3};
  bars.bars = {0.2, 0.7, 0.1};
  bars.barLabels = {"T-shirt", "Trouser", "Pullover"};
  r->nodes.push_back(bars);
  auto dead = node(5, "relu", "none");
  dead.type = "ReLU";
  dead.stats.zeroFraction = 0.95;
  r->nodes.push_back(dead);
  return r;
}

/// A tiny IDX data set (64 training, 8 test images of 28x28, 10 classes) in `folder`.
void writeTinyIdx(const std::filesystem::path& folder) {
  using namespace nc::test::readers;
  std::vector<uint8_t> train(64), test(8);
  for (size_t i = 0; i < train.size(); ++i) train[i] = uint8_t(i % 10);
  for (size_t i = 0; i < test.size(); ++i) test[i] = uint8_t((i * 3) % 10);
  writeBytes(folder / "train-images-idx3-ubyte", idxImages(64, 28, 28));
  writeBytes(folder / "train-labels-idx1-ubyte", idxLabels(train));
  writeBytes(folder / "t10k-images-idx3-ubyte", idxImages(8, 28, 28));
  writeBytes(folder / "t10k-labels-idx1-ubyte", idxLabels(test));
}

/// The tiny CNN of the training tests on the tiny IDX data, saved as `dir`/tiny.json.
QString writeTinyProject(const QTemporaryDir& dir, int64_t epochs) {
  const std::filesystem::path data = std::filesystem::path(dir.path().toStdString()) / "data";
  writeTinyIdx(data);
  core::Project p = nc::test::tinyCnnProject(epochs);
  p.data.path = data.string();
  p.training.batchSize = 16;
  const QString file = dir.filePath("tiny.json");
  EXPECT_TRUE(core::saveProject(p, file.toStdString()).ok());
  return file;
}

core::NodeId nodeOfType(const app::MainWindow& w, const std::string& type) {
  for (const auto& [id, n] : w.editor()->graph().nodes())
    if (n.type == type) return id;
  return -1;
}

/// Waits until the controller is idle and its last result is valid.
bool waitForPreview(app::MainWindow& w, int timeoutMs = 30000) {
  return nc::test::waitUntil(
      [&]() {
        auto r = w.previewController()->lastResult();
        return !w.previewController()->isBusy() && r;
      },
      timeoutMs);
}

/// Types `text` into a focused inspector field and commits it with Return.
void typeInto(QWidget* field, const QString& text) {
  field->setFocus();
  QTest::mouseClick(field, Qt::LeftButton);
  QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(field, text);
  QTest::keyClick(field, Qt::Key_Return);
  QApplication::processEvents();
}

}  // namespace preview_pane_test

namespace nc::test {
namespace {

TEST(PreviewPane, DrawsEachKindFromHandMadeResults) {
  widgets::PreviewPane pane;
  pane.resize(360, 700);
  pane.show();
  EXPECT_EQ(pane.shownKind(), "");
  pane.setResult(preview_pane_test::handMade());
  EXPECT_EQ(pane.sampleSpin()->maximum(), 4) << "the picker spans the split's samples";
  EXPECT_EQ(pane.sampleIndex(), 2);
  EXPECT_TRUE(pane.sampleText().contains("Trouser")) << pane.sampleText().toStdString();

  pane.setNode(1);
  EXPECT_EQ(pane.shownKind(), "feature_maps");
  EXPECT_EQ(pane.featureMapCount(), 6);
  EXPECT_TRUE(pane.legendShown());
  EXPECT_TRUE(pane.headerText().contains("conv1"));
  EXPECT_TRUE(pane.headerText().contains("untrained weights"));
  EXPECT_TRUE(pane.headerText().contains("[6, 12, 12]"));
  QImage shot = pane.grab().toImage();
  EXPECT_FALSE(shot.isNull());
  // A click on a tile enlarges it; another click goes back to the grid.
  const QRect tile = pane.featureMapRect(3);
  ASSERT_TRUE(tile.isValid());
  QTest::mouseClick(pane.canvas(), Qt::LeftButton, {}, tile.center());
  EXPECT_EQ(pane.enlargedMap(), 3);
  QTest::mouseClick(pane.canvas(), Qt::LeftButton, {}, QPoint(5, 5));
  EXPECT_EQ(pane.enlargedMap(), -1);

  pane.setNode(2);
  EXPECT_EQ(pane.shownKind(), "heatmap");
  EXPECT_EQ(pane.featureMapCount(), 0);
  EXPECT_TRUE(pane.legendShown());
  EXPECT_FALSE(pane.headPicker()->isVisibleTo(&pane));

  pane.setNode(3);
  EXPECT_EQ(pane.shownKind(), "attention");
  EXPECT_TRUE(pane.headPicker()->isVisibleTo(&pane));
  EXPECT_EQ(pane.headPicker()->count(), 2);
  pane.headPicker()->setCurrentIndex(1);
  EXPECT_TRUE(pane.legendShown());
  pane.grab();

  pane.setNode(4);
  EXPECT_EQ(pane.shownKind(), "bars");
  EXPECT_FALSE(pane.legendShown());
  pane.grab();

  pane.setNode(5);
  EXPECT_EQ(pane.shownKind(), "none");
  EXPECT_TRUE(pane.statsText().contains("zeros 95.0 %")) << pane.statsText().toStdString();
  EXPECT_TRUE(pane.statsText().contains("dead")) << "a mostly-zero output is named";
  pane.setNode(1);
  EXPECT_FALSE(pane.statsText().contains("dead"));
  EXPECT_TRUE(pane.statsText().contains("mean 0.25"));

  // A failed result keeps the last valid preview, greyed, with the reason.
  EXPECT_FALSE(pane.isGreyed());
  auto failed = std::make_shared<core::PreviewResult>();
  failed->error = "conv1: its input is not connected";
  pane.setResult(failed);
  EXPECT_TRUE(pane.isGreyed());
  EXPECT_EQ(pane.featureMapCount(), 6) << "the last valid preview stays";
  EXPECT_TRUE(pane.statusText().contains("its input is not connected")) << pane.statusText().toStdString();
  QImage greyed = pane.grab().toImage();
  EXPECT_NE(greyed, shot);
  pane.setResult(preview_pane_test::handMade());
  EXPECT_FALSE(pane.isGreyed());
  EXPECT_TRUE(pane.statusText().isEmpty());

  // Trained weights are named in the header; prev/next move the sample.
  auto trained = preview_pane_test::handMade();
  trained->trainedWeights = true;
  trained->weightsStep = 42;
  pane.setResult(trained);
  EXPECT_TRUE(pane.headerText().contains("weights of step 42"));
  int picked = -1;
  QObject::connect(&pane, &widgets::PreviewPane::sampleChanged, &pane, [&](int64_t i) { picked = int(i); });
  pane.findChild<QToolButton*>("previewNextSample")->click();
  EXPECT_EQ(picked, 3);
}

TEST(PreviewPane, ThumbnailsSitBesideTheCard) {
  widgets::NodeItem item(1);
  const QRectF card = item.boundingRect();
  auto r = preview_pane_test::handMade();
  QImage thumb = widgets::previewThumbnail(r->nodes[0]);
  ASSERT_FALSE(thumb.isNull());
  EXPECT_GT(thumb.width(), thumb.height()) << "a mosaic of several maps";
  EXPECT_FALSE(widgets::previewThumbnail(r->nodes[1]).isNull());
  EXPECT_FALSE(widgets::previewThumbnail(r->nodes[3]).isNull());
  EXPECT_TRUE(widgets::previewThumbnail(r->nodes[4]).isNull()) << "nothing to draw: no thumbnail";
  for (bool topDown : {true, false}) {
    item.setTopDown(topDown);
    const QRectF before = item.boundingRect(), cardRect = item.cardSceneRect();
    item.setThumbnail(thumb);
    EXPECT_TRUE(item.boundingRect().contains(item.thumbnailRect()));
    EXPECT_FALSE(item.thumbnailRect().intersects(QRectF(0, 0, cardRect.width(), cardRect.height())))
        << "the thumbnail never covers the card";
    EXPECT_EQ(item.cardSceneRect(), cardRect) << "edges keep their routes";
    item.clearThumbnail();
    EXPECT_TRUE(item.thumbnail().isNull());
    EXPECT_EQ(item.boundingRect(), before);
  }
  (void)card;
}

TEST(PreviewGui, ConvNodeFeatureMapsFollowEditsErrorsAndThumbnails) {
  QTemporaryDir dir;
  const QString file = preview_pane_test::writeTinyProject(dir, 1);
  app::MainWindow w;
  w.setInteractive(false);
  w.resize(1400, 900);
  ASSERT_TRUE(w.openProject(file)) << w.lastError().toStdString();
  w.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
  widgets::PreviewPane* pane = w.previewPane();
  ASSERT_TRUE(pane->isVisible()) << "the Preview dock shows in the Model tab";
  ASSERT_TRUE(w.editor()->autoLayout());  // the project's nodes all sit at (0, 0)
  QApplication::processEvents();

  // Click the Conv2d card where a person would.
  const core::NodeId conv = preview_pane_test::nodeOfType(w, "Conv2d");
  ASSERT_GE(conv, 0);
  widgets::NodeItem* item = w.scene()->nodeItem(conv);
  ASSERT_NE(item, nullptr);
  w.view()->centerOn(item);
  QApplication::processEvents();
  const QPoint at = w.view()->mapFromScene(item->cardSceneRect().center());
  QTest::mouseClick(w.view()->viewport(), Qt::LeftButton, {}, at);
  ASSERT_EQ(w.scene()->selectedNodes(), std::set<core::NodeId>{conv});
  ASSERT_TRUE(preview_pane_test::waitForPreview(w));
  ASSERT_TRUE(w.previewController()->lastResult()->ok) << w.previewController()->lastResult()->error;
  EXPECT_EQ(pane->node(), conv);
  EXPECT_EQ(pane->shownKind(), "feature_maps");
  EXPECT_EQ(pane->featureMapCount(), 4) << "one map per output channel";
  EXPECT_TRUE(pane->headerText().contains("untrained weights"));
  const std::vector<float> before = pane->shownNode()->images[0].values;

  // out_channels 4 -> 6 in the inspector.
  QWidget* channels = w.inspector()->fieldWidget("out_channels");
  ASSERT_NE(channels, nullptr);
  preview_pane_test::typeInto(channels, "6");
  ASSERT_EQ(std::get<int64_t>(w.editor()->graph().node(conv)->params.at("out_channels")), 6);
  ASSERT_TRUE(nc::test::waitUntil([&]() { return pane->featureMapCount() == 6 && !w.previewController()->isBusy(); }, 30000));
  EXPECT_EQ(pane->shownNode()->shape[0], 6);

  // kernel_size 3 -> 5: the maps change (26x26 -> 24x24 without padding).
  QWidget* kernel = w.inspector()->fieldWidget("kernel_size");
  ASSERT_NE(kernel, nullptr);
  const int64_t rowsBefore = pane->shownNode()->images[0].rows;
  preview_pane_test::typeInto(kernel, "5");
  ASSERT_EQ(std::get<int64_t>(w.editor()->graph().node(conv)->params.at("kernel_size")), 5);
  ASSERT_TRUE(nc::test::waitUntil(
      [&]() { return pane->shownNode() && pane->shownNode()->images[0].rows == rowsBefore - 2 && !w.previewController()->isBusy(); },
      30000))
      << "rows " << (pane->shownNode() ? pane->shownNode()->images[0].rows : -1);
  EXPECT_NE(pane->shownNode()->images[0].values, before);

  // Moving a card computes nothing.
  const int computed = w.previewController()->computations();
  w.editor()->moveNodes({{conv, item->pos() + QPointF(0, 40)}});
  nc::test::processEventsFor(500);
  EXPECT_EQ(w.previewController()->computations(), computed);

  // Thumbnails: on -> every drawable node has one; off -> none.
  QAction* thumbs = w.action("nodeThumbnails");
  ASSERT_NE(thumbs, nullptr);
  EXPECT_FALSE(thumbs->isChecked());
  for (auto& [id, n] : w.scene()->nodeItems()) EXPECT_TRUE(n->thumbnail().isNull());
  thumbs->trigger();
  ASSERT_TRUE(nc::test::waitUntil([&]() { return !w.scene()->nodeItem(conv)->thumbnail().isNull(); }, 30000));
  EXPECT_FALSE(w.scene()->nodeItem(preview_pane_test::nodeOfType(w, "Input"))->thumbnail().isNull());

  // A graph with an error: the last valid preview stays, greyed, with the reason; so do the
  // thumbnails (drawn in greys), until the error is gone.
  auto isGrey = [](const QImage& image) {
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) {
        const QColor c = image.pixelColor(x, y);
        if (c.red() != c.green() || c.green() != c.blue()) return false;
      }
    return !image.isNull();
  };
  EXPECT_FALSE(isGrey(w.scene()->nodeItem(conv)->thumbnail()));
  const core::NodeId relu = preview_pane_test::nodeOfType(w, "ReLU");
  ASSERT_TRUE(w.editor()->disconnectPort({relu, 0}));
  ASSERT_TRUE(nc::test::waitUntil([&]() { return pane->isGreyed() && !w.previewController()->isBusy(); }, 30000));
  EXPECT_EQ(pane->featureMapCount(), 6);
  EXPECT_FALSE(pane->statusText().isEmpty());
  EXPECT_TRUE(isGrey(w.scene()->nodeItem(conv)->thumbnail()));
  ASSERT_TRUE(w.editor()->undo());
  ASSERT_TRUE(nc::test::waitUntil([&]() { return !pane->isGreyed() && !w.previewController()->isBusy(); }, 30000));
  EXPECT_FALSE(isGrey(w.scene()->nodeItem(conv)->thumbnail()));
  thumbs->trigger();
  for (auto& [id, n] : w.scene()->nodeItems()) EXPECT_TRUE(n->thumbnail().isNull());

  // Another sample.
  pane->sampleSpin()->setValue(3);
  ASSERT_TRUE(nc::test::waitUntil([&]() { auto r = w.previewController()->lastResult(); return r && r->ok && r->sample.index == 3; }, 30000));
  EXPECT_EQ(pane->sampleSpin()->maximum(), 7) << "the test split's 8 samples";
}

TEST(PreviewGui, RequestsCoalesce) {
  QTemporaryDir dir;
  const QString file = preview_pane_test::writeTinyProject(dir, 1);
  app::MainWindow w;
  w.setInteractive(false);
  w.resize(1400, 900);
  ASSERT_TRUE(w.openProject(file));
  w.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
  ASSERT_TRUE(preview_pane_test::waitForPreview(w));
  ASSERT_TRUE(w.previewPane()->isVisible());
  const int before = w.previewController()->computations();
  // Twenty requests in a burst while the worker is busy (held by a job queued on its thread):
  // each request replaces the one not started yet, so only the newest computes, not twenty.
  QSemaphore started, release;
  auto* blocker = new QObject;
  blocker->moveToThread(w.previewController()->workerThread());
  QMetaObject::invokeMethod(
      blocker,
      [&started, &release, blocker]() {
        started.release();
        release.acquire();
        blocker->deleteLater();
      },
      Qt::QueuedConnection);
  started.acquire();
  for (int i = 0; i < 20; ++i) {
    w.previewPane()->setSampleIndex(i % 8);
    w.previewController()->requestNow(true);
  }
  EXPECT_TRUE(w.previewController()->isBusy());
  release.release();
  ASSERT_TRUE(preview_pane_test::waitForPreview(w));
  EXPECT_EQ(w.previewController()->computations() - before, 1);
  EXPECT_EQ(w.previewController()->lastResult()->sample.index, 19 % 8)
      << "the newest request is the one shown; " << w.previewController()->lastResult()->error << " picker "
      << w.previewPane()->sampleIndex() << " applied " << w.previewController()->resultsApplied();
}

TEST(PreviewGui, TrainingRunDeliversSnapshotPreview) {
  QTemporaryDir dir, runs;
  const QString file = preview_pane_test::writeTinyProject(dir, 2);
  app::MainWindow w;
  w.setInteractive(false);
  w.trainingPanel()->setRunsRootOverride(runs.path());
  ASSERT_TRUE(w.openProject(file));
  w.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
  const core::NodeId conv = preview_pane_test::nodeOfType(w, "Conv2d");
  w.scene()->selectNodes({conv});
  ASSERT_TRUE(preview_pane_test::waitForPreview(w));
  w.previewController()->setSnapshotIntervalMs(200);
  bool trainedSeen = false;
  QObject::connect(w.previewController(), &app::PreviewController::resultApplied, &w, [&]() {
    auto r = w.previewController()->lastResult();
    if (r && r->ok && r->trainedWeights) trainedSeen = true;
  });
  ASSERT_TRUE(w.trainingPanel()->start());
  ASSERT_TRUE(nc::test::waitUntil([&]() { return trainedSeen; }, 60000)) << "a snapshot preview during the run";
  EXPECT_TRUE(w.previewPane()->headerText().contains("weights of step")) << w.previewPane()->headerText().toStdString();
  ASSERT_TRUE(nc::test::waitUntil([&]() { return !w.trainingPanel()->isRunActive(); }, 60000));
  ASSERT_TRUE(preview_pane_test::waitForPreview(w));
  // After the run the trained preview stays (labelled) until the model is edited.
  EXPECT_TRUE(w.previewPane()->headerText().contains("weights of step"));
  EXPECT_TRUE(w.previewPane()->headerText().contains("finished run")) << w.previewPane()->headerText().toStdString();
  ASSERT_TRUE(w.editor()->setParam(conv, "out_channels", int64_t{5}));
  ASSERT_TRUE(nc::test::waitUntil([&]() { return w.previewPane()->featureMapCount() == 5 && !w.previewController()->isBusy(); }, 30000));
  EXPECT_TRUE(w.previewPane()->headerText().contains("untrained weights"));
}

}  // namespace
}  // namespace nc::test

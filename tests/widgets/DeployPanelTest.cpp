// The Deploy tab (issue 12): benchmark charts and table, a saved benchmark and compression report
// shown again, a real measurement of a tiny trained run (and Cancel), the compress dialog's pruning
// preview, exports refused naming the node, the tab and its menu entries in the main window.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QAreaSeries>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QValueAxis>

#include "TrainingTestSupport.h"
#include "app/gui/CompressDialog.h"
#include "app/gui/DeployPanel.h"
#include "app/gui/MainWindow.h"
#include "core/FileIO.h"
#include "core/deploy/Benchmark.h"
#include "core/deploy/Compression.h"
#include "core/training/Trainer.h"
#include "widgets/DeployCharts.h"
#include "widgets/GraphEditor.h"
#include "widgets/RunList.h"
#include "widgets/WheelGuard.h"

using namespace nc;

namespace {

core::BenchmarkReport syntheticReport() {
  core::BenchmarkReport r;
  r.archive = "/tmp/run/deploy/model.pt";
  r.fileBytes = 1'730'000;
  r.parameters = 421'642;
  r.inputShape = {1, 28, 28};
  r.inputDtype = "float32";
  r.quantization = "none";
  for (int threads : {1, 2})
    for (int64_t batch : {1, 8, 32, 128}) {
      core::BenchmarkCase c;
      c.batchSize = batch;
      c.threads = threads;
      c.runs = 200 / batch + 10;
      c.p50Ms = 0.35 * double(batch) / threads + 0.2;
      c.p95Ms = c.p50Ms * 1.2;
      c.p99Ms = c.p50Ms * 1.5;
      c.meanMs = c.p50Ms * 1.05;
      c.samplesPerSecond = double(batch) / c.p50Ms * 1000;
      c.peakMemoryBytes = 90'000'000 + batch * 100'000;
      r.cases.push_back(c);
    }
  return r;
}

core::CompressReport syntheticCompressReport(const std::string& dir) {
  core::CompressReport r;
  auto variant = [&](const std::string& name, double acc, int64_t bytes, int64_t params, int64_t flops, double b1,
                     double b32) {
    core::CompressVariant v;
    v.name = name;
    v.archive = dir + "/" + name + ".pt";
    v.testAccuracy = acc;
    v.fileBytes = bytes;
    v.parameters = params;
    v.flops = flops;
    v.latencyMsBatch1 = b1;
    v.latencyMsBatch32 = b32;
    return v;
  };
  r.variants.push_back(variant("fp32", 0.8985, 1'730'000, 421'642, 12'000'000, 0.9, 14.0));
  r.variants.push_back(variant("int8", 0.8979, 520'000, 421'642, 12'000'000, 0.7, 12.0));
  core::CompressVariant pruned = variant("pruned", 0.8890, 470'000, 110'000, 5'600'000, 0.5, 7.5);
  pruned.project = dir + "/pruned/project.json";
  pruned.checkpoint = dir + "/pruned/pruned.pt";
  pruned.note = "conv1: 32 -> 16 channels; fine-tuned 1 epoch";
  r.variants.push_back(pruned);
  r.variants.push_back(variant("pruned-int8", 0.8881, 190'000, 110'000, 5'600'000, 0.45, 7.0));
  r.notes.push_back("fc2: the model's output, not pruned");
  r.reportPath = dir + "/report.json";
  r.evalSplit = "test";
  r.evalSamples = 10000;
  return r;
}

QLineSeries* lineNamed(QChartView* view, const QString& name) {
  for (QAbstractSeries* s : view->chart()->series())
    if (s->objectName() == name) return qobject_cast<QLineSeries*>(s);
  return nullptr;
}

QAbstractSeries* seriesNamed(QChartView* view, const QString& name) {
  for (QAbstractSeries* s : view->chart()->series())
    if (s->objectName() == name) return s;
  return nullptr;
}

/// A run folder as the trainer names them, with the project and (optionally fake) checkpoint.
QString makeRun(const QString& root, const QString& name, const core::Project& project, bool fakeCheckpoint = true) {
  QDir().mkpath(root + "/" + name + "/checkpoints");
  const QString dir = QDir(root).filePath(name);
  EXPECT_TRUE(core::saveProject(project, (dir + "/project.json").toStdString()).ok());
  if (fakeCheckpoint) {
    QFile f(dir + "/checkpoints/best.pt");
    EXPECT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("not really a checkpoint");
  }
  return dir;
}

widgets::RunOwner ownerOf(const QString& stem) {
  widgets::RunOwner owner;
  owner.stems << stem;
  return owner;
}

/// Types `text` into a field as a person does: select all, then the keys.
void typeInto(QWidget* field, const QString& text) {
  field->setFocus();
  QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(field, text);
}

/// A trained tiny CNN run (one short epoch on a slice of Fashion-MNIST) under `root`.
QString trainTinyRun(const QString& root) {
  core::TrainJob job;
  job.project = test::tinyCnnProject(1);
  job.runDirectory = QDir(root).filePath("tiny-cnn-20261129-120000").toStdString();
  job.dataset = test::fashionSlice(256, 128);
  core::TrainingObserver observer;
  core::TrainingControl control;
  core::RunResult result = core::runTraining(job, observer, control);
  EXPECT_EQ(result.status, core::RunStatus::Completed) << result.message;
  return QString::fromStdString(job.runDirectory);
}

}  // namespace

TEST(DeployCharts, BenchmarkSeriesAxesAndTable) {
  widgets::BenchmarkCharts charts;
  charts.resize(1000, 600);
  charts.show();
  EXPECT_FALSE(charts.hasData());
  charts.setReport(syntheticReport());
  ASSERT_TRUE(charts.hasData());
  for (int threads : {1, 2}) {
    QLineSeries* p50 = lineNamed(charts.latencyChart(), QStringLiteral("p50 %1").arg(threads));
    ASSERT_NE(p50, nullptr) << threads;
    EXPECT_EQ(p50->count(), 4);
    EXPECT_EQ(p50->name(), threads == 1 ? "1 thread" : "2 threads");
    EXPECT_DOUBLE_EQ(p50->at(0).x(), 1.0);
    EXPECT_DOUBLE_EQ(p50->at(3).x(), 128.0);
    auto* p95 = qobject_cast<QScatterSeries*>(seriesNamed(charts.latencyChart(), QStringLiteral("p95 %1").arg(threads)));
    ASSERT_NE(p95, nullptr);
    EXPECT_EQ(p95->count(), 4);
    auto* band = qobject_cast<QAreaSeries*>(seriesNamed(charts.latencyChart(), QStringLiteral("band %1").arg(threads)));
    ASSERT_NE(band, nullptr);
    EXPECT_EQ(band->upperSeries()->count(), 4);
    EXPECT_GT(band->upperSeries()->at(3).y(), band->lowerSeries()->at(3).y());  // p99 above p50
    QLineSeries* through = lineNamed(charts.throughputChart(), QStringLiteral("throughput %1").arg(threads));
    ASSERT_NE(through, nullptr);
    EXPECT_EQ(through->count(), 4);
  }
  // Log batch axis over the batch sizes with distinct power-of-two ticks; titles carry units.
  auto horizontal = charts.latencyChart()->chart()->axes(Qt::Horizontal);
  ASSERT_EQ(horizontal.size(), 1);
  auto* x = qobject_cast<QLogValueAxis*>(horizontal.front());
  ASSERT_NE(x, nullptr);
  EXPECT_DOUBLE_EQ(x->base(), 2.0);
  EXPECT_LT(x->min(), 1.0);
  EXPECT_GT(x->max(), 128.0);
  EXPECT_LT(x->max(), 256.0);  // no empty doubling after the last batch size
  EXPECT_TRUE(x->titleText().contains("batch size"));
  auto* ly = qobject_cast<QLogValueAxis*>(charts.latencyChart()->chart()->axes(Qt::Vertical).front());
  ASSERT_NE(ly, nullptr);
  EXPECT_TRUE(ly->titleText().contains("ms"));
  EXPECT_LE(ly->min(), 0.2 * 1.0 + 0.35 / 2);  // the smallest p50 is inside
  EXPECT_GE(ly->max(), (0.35 * 128 + 0.2) * 1.5);  // the largest p99 too
  EXPECT_GE(std::log10(ly->max() / ly->min()), 1.0 - 1e-9);  // at least two labelled decades
  auto* ty = qobject_cast<QValueAxis*>(charts.throughputChart()->chart()->axes(Qt::Vertical).front());
  ASSERT_NE(ty, nullptr);
  EXPECT_TRUE(ty->titleText().contains("samples/s"));
  EXPECT_EQ(ty->min(), 0.0);
  double best = 0;
  for (const auto& c : syntheticReport().cases) best = std::max(best, c.samplesPerSecond);
  EXPECT_GE(ty->max(), best);
  EXPECT_LE(ty->max(), best * 1.6);
  EXPECT_EQ(ty->labelFormat(), "%.0f");

  QTableWidget* table = charts.table();
  ASSERT_EQ(table->rowCount(), 8);
  EXPECT_EQ(table->item(0, 0)->text(), "1");
  EXPECT_EQ(table->item(0, 1)->text(), "1");
  EXPECT_EQ(table->item(0, 3)->text(), widgets::deployMsText(0.55));
  EXPECT_EQ(table->item(3, 1)->text(), "128");
  EXPECT_EQ(table->item(7, 0)->text(), "2");
  EXPECT_TRUE(table->item(0, 8)->text().endsWith("MiB"));
  EXPECT_TRUE(table->horizontalHeaderItem(3)->text().contains("ms"));

  // Number texts: three significant digits, no exponent; sizes with units.
  EXPECT_EQ(widgets::deployMsText(0.0123), "0.0123");
  EXPECT_EQ(widgets::deployMsText(1.234), "1.23");
  EXPECT_EQ(widgets::deployMsText(12.34), "12.3");
  EXPECT_EQ(widgets::deployMsText(1234.4), "1,234");
  EXPECT_EQ(widgets::deployBytesText(1536), "1.5 KiB");

  charts.setReport(core::BenchmarkReport{});
  EXPECT_FALSE(charts.hasData());
  EXPECT_EQ(charts.table()->rowCount(), 0);
  EXPECT_TRUE(charts.latencyChart()->chart()->series().isEmpty());
}

TEST(DeployCharts, CompressionTableAndRatioBars) {
  widgets::CompressionView view;
  view.resize(1000, 600);
  view.show();
  view.setReport(syntheticCompressReport("/tmp/c"));
  QTableWidget* t = view.table();
  ASSERT_EQ(t->rowCount(), 4);
  using V = widgets::CompressionView;
  EXPECT_EQ(t->item(0, V::kVariant)->text(), "fp32");
  EXPECT_EQ(t->item(0, V::kAccuracy)->text(), "89.85 %");
  EXPECT_EQ(t->item(1, V::kAccuracyChange)->text(), "-0.06");
  EXPECT_EQ(t->item(2, V::kAccuracyChange)->text(), "-0.95");
  EXPECT_TRUE(t->item(1, V::kSize)->text().endsWith("(0.30×)")) << t->item(1, V::kSize)->text().toStdString();
  EXPECT_TRUE(t->item(2, V::kFlops)->text().endsWith("(0.47×)")) << t->item(2, V::kFlops)->text().toStdString();
  EXPECT_TRUE(t->item(3, V::kLatency32)->text().endsWith("(0.50×)"));
  EXPECT_FALSE(t->item(0, V::kSize)->text().contains("×"));  // the baseline has no ratio
  EXPECT_TRUE(t->item(2, V::kNote)->text().contains("conv1"));
  auto* bars = qobject_cast<QBarSeries*>(view.chart()->chart()->series().value(0));
  ASSERT_NE(bars, nullptr);
  ASSERT_EQ(bars->count(), 5);  // size, FLOPs, latency b1, latency b32, accuracy
  for (QBarSet* set : bars->barSets()) EXPECT_EQ(set->count(), 4);
  EXPECT_DOUBLE_EQ(bars->barSets()[0]->at(0), 1.0);                       // fp32 size against itself
  EXPECT_NEAR(bars->barSets()[0]->at(3), 190'000.0 / 1'730'000.0, 1e-9);  // pruned-int8 size ratio
  EXPECT_TRUE(view.notes()->text().contains("fc2"));
}

TEST(DeployPanel, ShowsTheSavedBenchmarkAndCompressionReportOfTheNewestRun) {
  QTemporaryDir tmp;
  const QString root = tmp.filePath("runs");
  core::Project project = test::tinyCnnProject(1);
  const QString older = makeRun(root, "tiny-cnn-20261128-090000", project);
  const QString newer = makeRun(root, "tiny-cnn-20261129-090000", project);
  QDir().mkpath(newer + "/deploy/compress-1");
  QDir().mkpath(newer + "/deploy/compress-2");
  ASSERT_TRUE(core::writeFileAtomic((newer + "/deploy/benchmark.json").toStdString(),
                                    core::benchmarkJson(syntheticReport())).ok());
  // compress-2 is the newest report: the one shown.
  core::CompressReport first = syntheticCompressReport((newer + "/deploy/compress-1").toStdString());
  first.variants.resize(2);
  ASSERT_TRUE(core::writeFileAtomic(first.reportPath, core::compressReportJson(first)).ok());
  core::CompressReport second = syntheticCompressReport((newer + "/deploy/compress-2").toStdString());
  ASSERT_TRUE(core::writeFileAtomic(second.reportPath, core::compressReportJson(second)).ok());
  QDir().mkpath(newer + "/deploy/compress-2/pruned");
  core::saveProject(project, (newer + "/deploy/compress-2/pruned/project.json").toStdString());
  EXPECT_EQ(app::DeployPanel::nextCompressFolder(newer), newer + "/deploy/compress-3");
  EXPECT_EQ(app::DeployPanel::latestCompressReport(newer), newer + "/deploy/compress-2/report.json");

  app::DeployPanel panel;
  panel.setInteractive(false);
  panel.resize(1400, 800);
  panel.show();
  panel.setRuns(root, ownerOf("tiny-cnn"));
  ASSERT_TRUE(panel.runList()->waitForRefresh());
  QApplication::processEvents();
  EXPECT_EQ(panel.currentRun(), newer);
  EXPECT_TRUE(panel.charts()->hasData());
  EXPECT_EQ(panel.charts()->table()->rowCount(), 8);
  EXPECT_TRUE(panel.archiveLabel()->text().contains("model.pt"));
  EXPECT_TRUE(panel.archiveLabel()->text().contains("421,642"));
  EXPECT_EQ(panel.compression()->table()->rowCount(), 4);
  EXPECT_EQ(panel.compression()->table()->item(3, 0)->text(), "pruned-int8");
  EXPECT_TRUE(panel.measureButton()->isEnabled());
  EXPECT_TRUE(panel.compressButton()->isEnabled());
  EXPECT_TRUE(panel.openPrunedButton()->isEnabled());

  // "Open pruned project" hands the pruned variant's project to the window.
  QString requested;
  QObject::connect(&panel, &app::DeployPanel::openProjectRequested, [&](const QString& p) { requested = p; });
  QTest::mouseClick(panel.openPrunedButton(), Qt::LeftButton);
  EXPECT_EQ(QFileInfo(requested).canonicalFilePath(),
            QFileInfo(newer + "/deploy/compress-2/pruned/project.json").canonicalFilePath());

  // The older run has nothing measured: empty charts, the not-measured text.
  panel.selectRun(older);
  EXPECT_EQ(panel.currentRun(), older);
  EXPECT_FALSE(panel.charts()->hasData());
  EXPECT_FALSE(panel.compression()->hasData());
  EXPECT_FALSE(panel.openPrunedButton()->isEnabled());
  EXPECT_TRUE(panel.archiveLabel()->text().contains("Not measured"));

  // While a run trains nothing starts here.
  panel.setTrainingActive(true);
  EXPECT_FALSE(panel.measureButton()->isEnabled());
  EXPECT_FALSE(panel.measure());
  EXPECT_TRUE(panel.lastError().contains("training"));
  panel.setTrainingActive(false);

  // Bad fields are refused with a message naming the field.
  typeInto(panel.batchSizesField(), "1,0");
  EXPECT_FALSE(panel.measure());
  EXPECT_TRUE(panel.lastError().contains("Batch sizes")) << panel.lastError().toStdString();

  // The controls scroll: their spin boxes take the wheel only when focused.
  EXPECT_TRUE(widgets::isWheelGuarded(panel.secondsField()));
}

TEST(DeployPanel, MeasuresATrainedRunThenCancelsASecondMeasurement) {
  QTemporaryDir tmp;
  const QString root = tmp.filePath("runs");
  const QString run = trainTinyRun(root);
  ASSERT_FALSE(widgets::bestCheckpoint(run).isEmpty());

  app::DeployPanel panel;
  panel.setInteractive(false);
  panel.resize(1400, 800);
  panel.show();
  panel.setRuns(root, ownerOf("tiny-cnn"));
  ASSERT_TRUE(panel.runList()->waitForRefresh());
  QApplication::processEvents();
  ASSERT_EQ(panel.currentRun(), run);
  EXPECT_FALSE(panel.charts()->hasData());
  EXPECT_FALSE(panel.cancelButton()->isEnabled());

  typeInto(panel.batchSizesField(), "1,4");
  typeInto(panel.threadsField(), "1");
  typeInto(panel.secondsField(), "0.05");
  EXPECT_DOUBLE_EQ(panel.secondsField()->value(), 0.05);
  QTest::mouseClick(panel.measureButton(), Qt::LeftButton);
  EXPECT_TRUE(panel.isBusy()) << panel.lastError().toStdString();
  EXPECT_FALSE(panel.measureButton()->isEnabled());
  EXPECT_TRUE(panel.cancelButton()->isEnabled());
  EXPECT_FALSE(panel.runList()->isEnabled());
  ASSERT_TRUE(test::waitUntil([&] { return !panel.isBusy(); }, 180'000));
  ASSERT_TRUE(panel.lastError().isEmpty()) << panel.lastError().toStdString();
  EXPECT_TRUE(panel.measureButton()->isEnabled());
  EXPECT_FALSE(panel.cancelButton()->isEnabled());
  ASSERT_TRUE(panel.charts()->hasData());
  EXPECT_EQ(panel.charts()->table()->rowCount(), 2);
  EXPECT_EQ(panel.progressBar()->value(), panel.progressBar()->maximum());
  EXPECT_TRUE(QFileInfo::exists(run + "/deploy/model.pt"));
  EXPECT_TRUE(QFileInfo::exists(run + "/deploy/benchmark.json"));
  EXPECT_TRUE(panel.archiveLabel()->text().contains("model.pt"));
  EXPECT_TRUE(panel.archiveLabel()->text().contains("quantization none"));
  const QDateTime exported = QFileInfo(run + "/deploy/model.pt").lastModified();

  // A long second measurement, cancelled: it ends soon, the saved figures stay.
  typeInto(panel.batchSizesField(), "1,8,32,128");
  typeInto(panel.secondsField(), "30");
  QTest::mouseClick(panel.measureButton(), Qt::LeftButton);
  ASSERT_TRUE(panel.isBusy());
  test::waitUntil([&] { return panel.progressLabel()->text().startsWith("Case"); }, 20'000);
  QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitUntil([&] { return !panel.isBusy(); }, 30'000));
  EXPECT_EQ(panel.lastError(), "Cancelled");
  EXPECT_TRUE(panel.measureButton()->isEnabled());
  EXPECT_EQ(panel.charts()->table()->rowCount(), 2);
  EXPECT_EQ(QFileInfo(run + "/deploy/model.pt").lastModified(), exported);  // reused, not exported again

  // Reopened (a new panel): the saved measurement is shown.
  app::DeployPanel again;
  again.setInteractive(false);
  again.setRuns(root, ownerOf("tiny-cnn"));
  ASSERT_TRUE(again.runList()->waitForRefresh());
  QApplication::processEvents();
  EXPECT_EQ(again.charts()->table()->rowCount(), 2);

  // Int8 TorchScript export of the run, in the background.
  const QString int8 = tmp.filePath("model-int8.pt");
  ASSERT_TRUE(panel.exportTo(app::DeployPanel::ExportFormat::TorchScriptInt8, int8));
  ASSERT_TRUE(test::waitUntil([&] { return !panel.isBusy(); }, 120'000));
  EXPECT_TRUE(panel.lastError().isEmpty()) << panel.lastError().toStdString();
  EXPECT_TRUE(QFileInfo::exists(int8));

  // ONNX (through Python's torch.onnx and onnx.checker), in the background as well.
  const QString onnx = tmp.filePath("model.onnx");
  ASSERT_TRUE(panel.exportTo(app::DeployPanel::ExportFormat::Onnx, onnx));
  ASSERT_TRUE(test::waitUntil([&] { return !panel.isBusy(); }, 180'000));
  EXPECT_TRUE(panel.lastError().isEmpty()) << panel.lastError().toStdString();
  EXPECT_TRUE(QFileInfo::exists(onnx));
}

TEST(DeployPanel, ClosingDuringAMeasurementCancelsAndJoins) {
  QTemporaryDir tmp;
  const QString root = tmp.filePath("runs");
  const QString run = trainTinyRun(root);
  auto panel = std::make_unique<app::DeployPanel>();
  panel->setInteractive(false);
  panel->setRuns(root, ownerOf("tiny-cnn"));
  ASSERT_TRUE(panel->runList()->waitForRefresh());
  QApplication::processEvents();
  typeInto(panel->secondsField(), "30");
  // A training run starting cancels the job (its figures would be skewed, and the run by it).
  ASSERT_TRUE(panel->measure());
  panel->setTrainingActive(true);
  ASSERT_TRUE(test::waitUntil([&] { return !panel->isBusy(); }, 30'000));
  EXPECT_EQ(panel->lastError(), "Cancelled");
  EXPECT_FALSE(panel->measureButton()->isEnabled());
  panel->setTrainingActive(false);
  ASSERT_TRUE(panel->measure());
  test::processEventsFor(300);
  QElapsedTimer clock;
  clock.start();
  panel.reset();  // cancels and joins
  EXPECT_LT(clock.elapsed(), 30'000);
}

TEST(DeployPanel, OnnxExportRefusedNamingTheNode) {
  QTemporaryDir tmp;
  const QString root = tmp.filePath("runs");
  core::Project project = test::tinyCnnProject(1);
  auto stray = project.graph.addNode("Linear", 500, 500);  // unconnected: the graph has an error there
  ASSERT_TRUE(stray.has_value());
  const std::string strayName = project.graph.node(*stray)->name;
  makeRun(root, "tiny-cnn-20261129-090000", project);
  app::DeployPanel panel;
  panel.setInteractive(false);
  panel.setRuns(root, ownerOf("tiny-cnn"));
  ASSERT_TRUE(panel.runList()->waitForRefresh());
  QApplication::processEvents();
  EXPECT_FALSE(panel.exportTo(app::DeployPanel::ExportFormat::Onnx, tmp.filePath("m.onnx")));
  EXPECT_FALSE(panel.isBusy());
  EXPECT_TRUE(panel.lastError().contains(QString::fromStdString(strayName))) << panel.lastError().toStdString();
  EXPECT_FALSE(QFileInfo::exists(tmp.filePath("m.onnx")));
}

TEST(CompressDialog, PreviewListsTheNodesToCutAndOkGivesTheOptions) {
  core::Project project = test::tinyCnnProject(1);
  std::string conv;
  for (const auto& [id, node] : project.graph.nodes())
    if (node.type == "Conv2d") conv = node.name;
  app::CompressDialog dialog(project);
  dialog.show();
  typeInto(dialog.pruneField(), "50");
  dialog.updatePreview();
  const QString preview = dialog.previewText();
  EXPECT_TRUE(preview.contains(QString::fromStdString(conv))) << preview.toStdString();
  EXPECT_TRUE(preview.contains("FLOPs")) << preview.toStdString();
  typeInto(dialog.fineTuneField(), "2");
  typeInto(dialog.evalLimitField(), "500");
  QTest::mouseClick(dialog.int8Box(), Qt::LeftButton, {}, QPoint(8, dialog.int8Box()->height() / 2));
  EXPECT_FALSE(dialog.int8Box()->isChecked());
  QTest::mouseClick(dialog.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
  EXPECT_EQ(dialog.result(), QDialog::Accepted);
  core::CompressOptions o = dialog.options();
  EXPECT_DOUBLE_EQ(o.pruneFraction, 0.5);
  EXPECT_EQ(o.fineTuneEpochs, 2);
  EXPECT_EQ(o.evalLimit, 500);
  EXPECT_EQ(o.quantize, core::QuantizeMode::None);

  EXPECT_EQ(o.sparsity, 0) << "magnitude pruning is off unless asked for";

  // Pruning off: the preview says so and no fine-tuning is asked for.
  typeInto(dialog.pruneField(), "0");
  dialog.updatePreview();
  EXPECT_TRUE(dialog.previewText().contains("No pruning"));
  EXPECT_EQ(dialog.options().fineTuneEpochs, 0);
  EXPECT_FALSE(dialog.fineTuneField()->isEnabled());

  // Sparsity typed as a person types it: passed on as a share, fine-tuning asked for again.
  typeInto(dialog.sparsityField(), "80");
  EXPECT_TRUE(dialog.fineTuneField()->isEnabled());
  dialog.updatePreview();
  EXPECT_TRUE(dialog.previewText().contains("80%")) << dialog.previewText().toStdString();
  EXPECT_FALSE(dialog.previewText().contains("No pruning")) << dialog.previewText().toStdString();
  core::CompressOptions sparse = dialog.options();
  EXPECT_DOUBLE_EQ(sparse.sparsity, 0.8);
  EXPECT_DOUBLE_EQ(sparse.pruneFraction, 0);
  EXPECT_EQ(sparse.fineTuneEpochs, 2);
  typeInto(dialog.sparsityField(), "0");
  EXPECT_EQ(dialog.options().sparsity, 0);
  EXPECT_EQ(dialog.options().fineTuneEpochs, 0);
}

TEST(DeployPanel, MainWindowHasTheDeployTabAndExportEntries) {
  app::MainWindow w;
  w.setInteractive(false);
  auto* tabs = w.findChild<QTabWidget*>();
  ASSERT_NE(tabs, nullptr);
  ASSERT_GE(tabs->count(), 3);
  EXPECT_EQ(tabs->tabText(1), "Training");
  EXPECT_EQ(tabs->tabText(2), "Deploy");
  ASSERT_NE(w.deployPanel(), nullptr);
  for (const char* name : {"exportOnnx", "exportTorchScriptInt8", "exportTorchScript", "showDeploy", "compress"})
    EXPECT_NE(w.action(name), nullptr) << name;
  w.action("showDeploy")->trigger();
  EXPECT_TRUE(tabs->currentWidget()->isAncestorOf(w.deployPanel()));
  // Without a run, Export ONNX says what to do instead of writing anything.
  w.action("exportOnnx")->trigger();
  EXPECT_FALSE(w.deployPanel()->lastError().isEmpty());
}

TEST(DeployPanel, CompressesATrainedRunAndOpensThePrunedProjectInTheEditor) {
  QTemporaryDir tmp;
  core::Project project = test::tinyCnnProject(1);
  const QString file = tmp.filePath("tiny-cnn.json");
  ASSERT_TRUE(core::saveProject(project, file.toStdString()).ok());
  const QString run = trainTinyRun(tmp.filePath("runs"));

  app::MainWindow w;
  w.setInteractive(false);
  ASSERT_TRUE(w.openProject(file));
  w.show();
  w.showDeploy();
  app::DeployPanel* panel = w.deployPanel();
  ASSERT_TRUE(test::waitUntil([&] { return panel->currentRun() == run; }, 10'000));
  core::CompressOptions options;
  options.pruneFraction = 0.5;
  options.fineTuneEpochs = 0;
  options.quantize = core::QuantizeMode::DynamicInt8;
  options.evalLimit = 200;
  options.benchmarkSeconds = 0.05;
  ASSERT_TRUE(panel->compress(options)) << panel->lastError().toStdString();
  EXPECT_FALSE(panel->compressButton()->isEnabled());
  EXPECT_TRUE(panel->cancelButton()->isEnabled());
  ASSERT_TRUE(test::waitUntil([&] { return !panel->isBusy(); }, 240'000));
  ASSERT_TRUE(panel->lastError().isEmpty()) << panel->lastError().toStdString();
  EXPECT_TRUE(QFileInfo::exists(run + "/deploy/compress-1/report.json"));
  QTableWidget* table = panel->compression()->table();
  ASSERT_EQ(table->rowCount(), 4);
  EXPECT_EQ(table->item(0, 0)->text(), "fp32");
  EXPECT_EQ(table->item(3, 0)->text(), "pruned-int8");
  EXPECT_EQ(panel->resultTabs()->currentWidget(), panel->compression());
  ASSERT_TRUE(panel->openPrunedButton()->isEnabled());
  EXPECT_EQ(app::DeployPanel::nextCompressFolder(run), run + "/deploy/compress-2");

  // The pruned variant's project opens in the editor, as File > Open would.
  QTest::mouseClick(panel->openPrunedButton(), Qt::LeftButton);
  EXPECT_TRUE(w.filePath().endsWith("deploy/compress-1/pruned/project.json")) << w.filePath().toStdString();
  for (const auto& [id, node] : w.editor()->project().graph.nodes())
    if (node.type == "Conv2d") EXPECT_EQ(std::get<int64_t>(node.params.at("out_channels")), 2);
}

// A picture of the Deploy tab with a measurement and a compression report (README, review).
// Skipped unless NC_SCREENSHOT_DIR names a folder.
TEST(DeployPanel, Screenshot) {
  const QString shots = QString::fromLocal8Bit(qgetenv("NC_SCREENSHOT_DIR"));
  if (shots.isEmpty()) GTEST_SKIP() << "set NC_SCREENSHOT_DIR to write the pictures";
  QDir().mkpath(shots);
  QTemporaryDir tmp;
  core::Project project = test::tinyCnnProject(1);
  const QString file = tmp.filePath("tiny-cnn.json");
  ASSERT_TRUE(core::saveProject(project, file.toStdString()).ok());
  const QString run = makeRun(tmp.filePath("runs"), "tiny-cnn-20261129-090000", project);
  QDir().mkpath(run + "/deploy/compress-1");
  core::writeFileAtomic((run + "/deploy/benchmark.json").toStdString(), core::benchmarkJson(syntheticReport()));
  core::CompressReport report = syntheticCompressReport((run + "/deploy/compress-1").toStdString());
  core::writeFileAtomic(report.reportPath, core::compressReportJson(report));

  app::MainWindow w;
  w.setInteractive(false);
  w.resize(1600, 1000);
  ASSERT_TRUE(w.openProject(file));
  w.show();
  w.showDeploy();
  ASSERT_TRUE(test::waitUntil([&] { return w.deployPanel()->currentRun() == run; }, 10'000));
  test::processEventsFor(300);
  EXPECT_TRUE(w.grab().save(QDir(shots).filePath("deploy_benchmark.png")));
  w.deployPanel()->resultTabs()->setCurrentIndex(1);
  test::processEventsFor(300);
  EXPECT_TRUE(w.grab().save(QDir(shots).filePath("deploy_compression.png")));
  app::CompressDialog dialog(project, &w);
  dialog.setOutputFolder(app::DeployPanel::nextCompressFolder(run));
  dialog.show();
  dialog.updatePreview();
  test::processEventsFor(200);
  EXPECT_TRUE(dialog.grab().save(QDir(shots).filePath("deploy_compress_dialog.png")));
}

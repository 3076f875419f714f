// The Sweep tab (issue 14): a sweep folder opened and shown (table sorted by a header click,
// brushing on the parallel coordinates filters the table, a click on a row / line / point overlays
// the trial's curves), live validation of the parameter rows, Apply to project + one Undo, Run
// refused during training, the tab in the main window, and a real 2-trial sweep run by pressing Run.
#include <gtest/gtest.h>

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "TrainingTestSupport.h"
#include "app/gui/MainWindow.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainingPanel.h"
#include "core/JsonUtil.h"
#include "widgets/GraphEditor.h"
#include "widgets/ParallelCoordinates.h"
#include "widgets/ParetoChart.h"
#include "widgets/SweepTrialModel.h"
#include "widgets/WheelGuard.h"

namespace sweep_panel_test {

using namespace nc;

/// input [8] -> fc1 Linear(16) -> ReLU -> fc2 Linear(4) -> Output, on a CSV file.
core::Project mlp(const std::string& csv) {
  core::Project p;
  p.name = "blobs";
  auto add = [&](const char* type, const char* name, double y) {
    core::NodeId id = *p.graph.addNode(type, 0, y);
    EXPECT_TRUE(p.graph.rename(id, name).ok());
    return id;
  };
  core::NodeId in = add("Input", "features", 0), fc1 = add("Linear", "fc1", 80), act = add("ReLU", "relu", 160),
               fc2 = add("Linear", "fc2", 240), out = add("Output", "output", 320);
  EXPECT_TRUE(p.graph.setParam(in, "shape", std::vector<int64_t>{8}).ok());
  EXPECT_TRUE(p.graph.setParam(fc1, "out_features", int64_t{16}).ok());
  EXPECT_TRUE(p.graph.setParam(fc2, "out_features", int64_t{4}).ok());
  EXPECT_TRUE(p.graph.connect({in, 0}, {fc1, 0}).ok());
  EXPECT_TRUE(p.graph.connect({fc1, 0}, {act, 0}).ok());
  EXPECT_TRUE(p.graph.connect({act, 0}, {fc2, 0}).ok());
  EXPECT_TRUE(p.graph.connect({fc2, 0}, {out, 0}).ok());
  p.data.kind = "csv";
  p.data.path = csv;
  p.data.validationFraction = 0.25;
  p.training.batchSize = 32;
  p.training.learningRate = 0.01;
  p.training.threads = 1;
  return p;
}

/// Four separated blobs in 8-D (header f0..f7,label).
void writeBlobs(const std::string& file, int n) {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0, 1);
  double centers[4][8];
  for (auto& c : centers)
    for (double& x : c) x = noise(rng) * 3;
  std::ofstream out(file);
  for (int f = 0; f < 8; ++f) out << "f" << f << ",";
  out << "label\n";
  for (int i = 0; i < n; ++i) {
    for (int f = 0; f < 8; ++f) out << centers[i % 4][f] + noise(rng) << ",";
    out << "c" << i % 4 << "\n";
  }
}

struct HandTrial {
  double lr;
  int units;
  const char* status;
  double best;  // NaN = none
  int64_t params, flops;
  double seconds;
};

/// A sweep.json written by hand in the documented format: five trials over a log range of the
/// learning rate and three choices of fc1's width.
void writeSweep(const QString& dir, const core::Project& project) {
  const HandTrial trials[] = {{0.0002, 8, "completed", 0.62, 300, 600, 4.5},
                              {0.001, 16, "completed", 0.81, 500, 1000, 5.0},
                              {0.008, 32, "completed", 0.93, 900, 1800, 7.25},
                              {0.003, 8, "stopped_early", 0.70, 300, 600, 2.0},
                              {0.0005, 32, "completed", 0.90, 900, 1800, 6.5}};
  nlohmann::json j;
  j["format"] = "neuralcanvas-sweep";
  j["version"] = 1;
  j["spec"] = {{"params", {"training.learning_rate=1e-4:1e-2:log", "fc1.out_features=8,16,32"}},
               {"trials", 5}, {"strategy", "random"}, {"epochs", 2}, {"early_stop", "median"}, {"seed", 0}, {"limit", 0}};
  j["project"] = core::parseJson(core::serializeProject(project)).value;
  j["trials"] = nlohmann::json::array();
  int index = 1;
  for (const HandTrial& t : trials) {
    nlohmann::json e = nlohmann::json::array();
    e.push_back({{"epoch", 1}, {"val_accuracy", t.best - 0.1}, {"val_loss", 1.2}, {"train_loss", 1.4}});
    if (std::string(t.status) == "completed")
      e.push_back({{"epoch", 2}, {"val_accuracy", t.best}, {"val_loss", 0.6}, {"train_loss", 0.7}});
    char run[32];
    std::snprintf(run, sizeof run, "trial-%03d", index);
    j["trials"].push_back({{"index", index}, {"run", run}, {"status", t.status},
                           {"values", {{"training.learning_rate", t.lr}, {"fc1.out_features", t.units}}},
                           {"epochs", e}, {"best_val_accuracy", t.best}, {"final_val_accuracy", t.best},
                           {"test_accuracy", t.best - 0.01}, {"params", t.params}, {"flops", t.flops},
                           {"seconds", t.seconds}, {"message", ""}});
    ++index;
  }
  std::ofstream(QDir(dir).filePath("sweep.json").toStdString()) << core::dumpJson(j, 1);
}

/// Source rows of the table in the order shown.
std::vector<int> shownTrials(nc::app::SweepPanel& panel) {
  std::vector<int> out;
  QAbstractItemModel* m = panel.table()->model();
  for (int r = 0; r < m->rowCount(); ++r) out.push_back(m->index(r, 0).data(widgets::SweepTrialModel::TrialRole).toInt());
  return out;
}

void clickHeader(QTableView* table, int column) {
  QHeaderView* h = table->horizontalHeader();
  const QPoint at(h->sectionViewportPosition(column) + h->sectionSize(column) / 2, h->height() / 2);
  QTest::mouseClick(h->viewport(), Qt::LeftButton, {}, at);
}

void clickRow(QTableView* table, int proxyRow, Qt::KeyboardModifiers modifiers = {}) {
  const QRect r = table->visualRect(table->model()->index(proxyRow, 0));
  QTest::mouseClick(table->viewport(), Qt::LeftButton, modifiers, r.center());
}

int proxyRowOf(nc::app::SweepPanel& panel, int trialRow) {
  std::vector<int> shown = shownTrials(panel);
  auto it = std::find(shown.begin(), shown.end(), trialRow);
  return it == shown.end() ? -1 : int(it - shown.begin());
}

struct Fixture {
  QTemporaryDir tmp;
  widgets::GraphEditor editor;
  nc::app::SweepPanel panel;
  QString sweepDir;
  Fixture() {
    const std::string csv = QDir(tmp.path()).filePath("blobs.csv").toStdString();
    writeBlobs(csv, 240);
    editor.setProject(mlp(csv));
    panel.setInteractive(false);
    panel.setEditor(&editor);
    panel.setSweepsRootOverride(QDir(tmp.path()).filePath("sweeps"));
    sweepDir = QDir(tmp.path()).filePath("hand-sweep");
    QDir().mkpath(sweepDir);
    writeSweep(sweepDir, editor.project());
    panel.resize(1400, 900);
  }
};

/// Records the panel's sweepFinished signal.
struct Finished {
  bool ended = false, ok = false;
  QObject context;  // the connection ends with this object
  explicit Finished(nc::app::SweepPanel& panel) {
    QObject::connect(&panel, &nc::app::SweepPanel::sweepFinished, &context, [this](bool good) {
      ended = true;
      ok = good;
    });
  }
};

/// The main window with the blob MLP saved as a project and opened, on the Sweep tab; new
/// sweeps go into the temporary folder.
struct WindowFixture {
  QTemporaryDir tmp;
  nc::app::MainWindow window;
  nc::app::SweepPanel* panel = nullptr;
  explicit WindowFixture(int samples) {
    const std::string csv = QDir(tmp.path()).filePath("blobs.csv").toStdString();
    writeBlobs(csv, samples);
    const QString projectFile = QDir(tmp.path()).filePath("blobs.json");
    EXPECT_TRUE(core::saveProject(mlp(csv), projectFile.toStdString()).ok());
    window.setInteractive(false);
    EXPECT_TRUE(window.openProject(projectFile));
    window.resize(1400, 900);
    window.show();
    EXPECT_TRUE(QTest::qWaitForWindowExposed(&window));
    window.showSweep();
    panel = window.sweepPanel();
    panel->setSweepsRootOverride(QDir(tmp.path()).filePath("sweeps"));
  }
};

}  // namespace sweep_panel_test

using namespace nc;

TEST(SweepPanel, OpensASweepAndSortsByAHeaderClick) {
  sweep_panel_test::Fixture f;
  app::SweepPanel& panel = f.panel;
  panel.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
  core::Status s = panel.openSweep(f.sweepDir);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(panel.state().trials.size(), 5u);
  EXPECT_EQ(panel.paramRowCount(), 2);  // the set-up shows the sweep's spec
  EXPECT_EQ(panel.paramTarget(1)->currentText(), "fc1.out_features");
  EXPECT_EQ(panel.paramSpec(0)->text(), "1e-4:1e-2:log");
  EXPECT_EQ(panel.medianField()->isChecked(), true);
  EXPECT_EQ(panel.table()->model()->rowCount(), 5);
  EXPECT_EQ(panel.parallel()->axisCount(), 3);  // lr, fc1.out_features, the metric
  EXPECT_EQ(panel.parallel()->axis(0).scale, widgets::ParallelAxis::Scale::Log);
  EXPECT_EQ(panel.parallel()->axis(1).scale, widgets::ParallelAxis::Scale::Categorical);
  EXPECT_EQ(panel.parallel()->axis(1).categories, (QStringList{"8", "16", "32"}));
  EXPECT_FALSE(panel.resumeButton()->isEnabled());  // every trial finished

  widgets::SweepTrialModel* model = panel.trialModel();
  const int best = model->columnOf("best val acc");
  const int units = model->columnOf("fc1.out_features");
  const int seconds = model->columnOf("seconds");
  ASSERT_GE(best, 0);
  ASSERT_GE(units, 0);
  ASSERT_GE(seconds, 0);
  for (int column : {best, units, seconds, model->columnOf("status")}) {
    for (int click = 0; click < 2; ++click) {
      sweep_panel_test::clickHeader(panel.table(), column);
      QHeaderView* h = panel.table()->horizontalHeader();
      ASSERT_EQ(h->sortIndicatorSection(), column);
      const bool ascending = h->sortIndicatorOrder() == Qt::AscendingOrder;
      std::vector<int> shown = sweep_panel_test::shownTrials(panel);
      ASSERT_EQ(shown.size(), 5u);
      for (size_t i = 1; i < shown.size(); ++i) {
        const QVariant a = model->index(shown[i - 1], column).data(widgets::SweepTrialModel::SortRole);
        const QVariant b = model->index(shown[i], column).data(widgets::SweepTrialModel::SortRole);
        if (a.typeId() == QMetaType::Double) {
          if (ascending) EXPECT_LE(a.toDouble(), b.toDouble()) << "column " << column;
          else EXPECT_GE(a.toDouble(), b.toDouble()) << "column " << column;
        } else {
          if (ascending) EXPECT_LE(a.toString(), b.toString());
          else EXPECT_GE(a.toString(), b.toString());
        }
      }
    }
  }
  // Numbers sort as numbers: 8 < 16 < 32 (not as text "16" < "32" < "8").
  panel.table()->sortByColumn(units, Qt::AscendingOrder);
  std::vector<int> byUnits = sweep_panel_test::shownTrials(panel);
  EXPECT_TRUE((byUnits[0] == 0 || byUnits[0] == 3) && (byUnits[1] == 0 || byUnits[1] == 3)) << byUnits[0];
  EXPECT_EQ(byUnits[2], 1);
  panel.table()->sortByColumn(best, Qt::DescendingOrder);
  EXPECT_EQ(sweep_panel_test::shownTrials(panel), (std::vector<int>{2, 4, 1, 3, 0}));

  // A folder without sweep.json: an error naming it, the shown sweep stays.
  QTemporaryDir empty;
  core::Status bad = panel.openSweep(empty.path());
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(panel.state().trials.size(), 5u);
}

TEST(SweepPanel, BrushingFiltersTheTableAndClicksOverlayCurves) {
  sweep_panel_test::Fixture f;
  app::SweepPanel& panel = f.panel;
  panel.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
  ASSERT_TRUE(panel.openSweep(f.sweepDir).ok());
  widgets::ParallelCoordinates* pc = panel.parallel();
  ASSERT_GT(pc->width(), 200);
  // Drag on the metric axis over 0.85..0.95: trials 3 and 5 (rows 2 and 4) stay in the table.
  const int metric = pc->axisCount() - 1;
  const QPointF from = pc->pointFor(metric, 0.85), to = pc->pointFor(metric, 0.95) - QPointF(0, 3);
  QTest::mousePress(pc, Qt::LeftButton, {}, from.toPoint());
  QTest::mouseMove(pc, to.toPoint());
  QTest::mouseRelease(pc, Qt::LeftButton, {}, to.toPoint());
  ASSERT_TRUE(pc->hasBrush(metric));
  EXPECT_TRUE(pc->isRowBrushed(2));
  EXPECT_TRUE(pc->isRowBrushed(4));
  EXPECT_FALSE(pc->isRowBrushed(0));  // greyed
  std::vector<int> shown = sweep_panel_test::shownTrials(panel);
  std::sort(shown.begin(), shown.end());
  EXPECT_EQ(shown, (std::vector<int>{2, 4}));
  // Double-click on the axis clears the brush: all five again.
  QTest::mouseDClick(pc, Qt::LeftButton, {}, pc->pointFor(metric, 0.6).toPoint());
  EXPECT_FALSE(pc->anyBrush());
  EXPECT_EQ(panel.table()->model()->rowCount(), 5);

  // Clicking a row overlays its validation curves; Ctrl+click adds a second trial.
  sweep_panel_test::clickRow(panel.table(), sweep_panel_test::proxyRowOf(panel, 1));
  EXPECT_EQ(panel.selectedTrials(), (std::set<int>{1}));
  EXPECT_EQ(panel.curveTrials(), (std::vector<int>{1}));
  QList<QAbstractSeries*> series = panel.curves()->chart()->series();
  ASSERT_EQ(series.size(), 2);  // accuracy and loss
  auto* accuracy = qobject_cast<QLineSeries*>(series[0]);
  ASSERT_TRUE(accuracy);
  ASSERT_EQ(accuracy->count(), 2);
  EXPECT_NEAR(accuracy->at(1).y(), 0.81, 1e-9);
  sweep_panel_test::clickRow(panel.table(), sweep_panel_test::proxyRowOf(panel, 3), Qt::ControlModifier);
  EXPECT_EQ(panel.curveTrials(), (std::vector<int>{1, 3}));
  EXPECT_EQ(panel.curves()->chart()->series().size(), 4);

  // Clicking trial 3's line in the parallel coordinates selects it (and only it).
  const QPointF a = pc->pointFor(1, 2), b = pc->pointFor(2, 0.93);
  QTest::mouseClick(pc, Qt::LeftButton, {}, (a + (b - a) * 0.3).toPoint());
  EXPECT_EQ(panel.selectedTrials(), (std::set<int>{2}));
  EXPECT_EQ(panel.curveTrials(), (std::vector<int>{2}));
  EXPECT_EQ(panel.table()->selectionModel()->selectedRows().size(), 1);

  // The Pareto chart (FLOPs): trial 4 (the best of the cheapest) -> trial 2 -> trial 3; clicking a point selects it.
  widgets::ParetoChart* pareto = panel.pareto();
  EXPECT_EQ(pareto->frontRows(), (std::vector<int>{3, 1, 2}));
  const QPointF point = pareto->pointPosition(4);
  QTest::mouseClick(pareto->viewport(), Qt::LeftButton, {}, point.toPoint());
  EXPECT_EQ(panel.selectedTrials(), (std::set<int>{4}));
  panel.costField()->setCurrentIndex(1);
  EXPECT_EQ(pareto->cost(), widgets::ParetoChart::Cost::Params);
}

TEST(SweepPanel, ValidatesRowsLiveAndAppliesATrialAsOneUndoableEdit) {
  sweep_panel_test::Fixture f;
  app::SweepPanel& panel = f.panel;
  panel.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
  // In a scroll area: a wheel turn over a field scrolls instead of changing it.
  EXPECT_TRUE(widgets::isWheelGuarded(panel.trialsField()));
  EXPECT_TRUE(widgets::isWheelGuarded(panel.strategyField()));
  // The default row sweeps the learning rate on a log range: valid.
  ASSERT_EQ(panel.paramRowCount(), 1);
  EXPECT_TRUE(panel.paramError(0).isEmpty()) << panel.paramError(0).toStdString();
  // The picker lists training keys and every node's params by node name.
  QComboBox* target = panel.paramTarget(0);
  EXPECT_GE(target->findText("training.batch_size"), 0);
  EXPECT_GE(target->findText("fc1.out_features"), 0);
  EXPECT_TRUE(panel.runButton()->isEnabled());
  // Typing a bad spec shows the error on the row and disables Run.
  QLineEdit* spec = panel.paramSpec(0);
  spec->clear();
  QTest::keyClicks(spec, "1e-2:1e-4:log");
  EXPECT_FALSE(panel.paramError(0).isEmpty());
  EXPECT_FALSE(panel.runButton()->isEnabled());
  spec->clear();
  QTest::keyClicks(spec, "0:1e-2:log");
  EXPECT_FALSE(panel.paramError(0).isEmpty());
  spec->clear();
  QTest::keyClicks(spec, "1e-4:1e-2:log");
  EXPECT_TRUE(panel.paramError(0).isEmpty());
  const int row = panel.addParamRow("nosuchnode.units", "8,16");
  EXPECT_TRUE(widgets::isWheelGuarded(panel.paramTarget(row)));
  EXPECT_TRUE(panel.paramError(row).contains("nosuchnode")) << panel.paramError(row).toStdString();
  EXPECT_FALSE(panel.run());
  EXPECT_FALSE(panel.lastError().isEmpty());
  panel.paramTarget(row)->setEditText("fc1.out_features");
  EXPECT_TRUE(panel.paramError(row).isEmpty()) << panel.paramError(row).toStdString();

  // Apply trial 3 (lr 0.008, fc1 32 units): one undo step; Undo restores both.
  ASSERT_TRUE(panel.openSweep(f.sweepDir).ok());
  EXPECT_FALSE(panel.applyButton()->isEnabled());  // nothing selected
  sweep_panel_test::clickRow(panel.table(), sweep_panel_test::proxyRowOf(panel, 2));
  ASSERT_TRUE(panel.applyButton()->isEnabled());
  const int steps = f.editor.undoStack()->count();
  QTest::mouseClick(panel.applyButton(), Qt::LeftButton);
  EXPECT_TRUE(panel.lastError().isEmpty()) << panel.lastError().toStdString();
  EXPECT_EQ(f.editor.undoStack()->count(), steps + 1);
  EXPECT_DOUBLE_EQ(f.editor.project().training.learningRate, 0.008);
  auto units = [&]() -> int64_t {
    for (const auto& [id, n] : f.editor.graph().nodes())
      if (n.name == "fc1") return std::get<int64_t>(n.params.at("out_features"));
    return -1;
  };
  EXPECT_EQ(units(), 32);
  ASSERT_TRUE(f.editor.undo());
  EXPECT_DOUBLE_EQ(f.editor.project().training.learningRate, 0.01);
  EXPECT_EQ(units(), 16);

  // Read-only (a run trains): Apply is refused with the reason, nothing changes.
  f.editor.setReadOnly(true);
  EXPECT_FALSE(panel.applySelected());
  EXPECT_DOUBLE_EQ(f.editor.project().training.learningRate, 0.01);
  f.editor.setReadOnly(false);

  // A training run is active: Run is refused, with a clear message.
  panel.setTrainingActive(true);
  EXPECT_FALSE(panel.runButton()->isEnabled());
  EXPECT_FALSE(panel.run());
  EXPECT_TRUE(panel.lastError().contains("training run")) << panel.lastError().toStdString();
  panel.setTrainingActive(false);
}

TEST(SweepPanel, RunsARealSweepWhenRunIsPressed) {
  sweep_panel_test::Fixture f;
  app::SweepPanel& panel = f.panel;
  panel.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
  panel.paramSpec(0)->setText("0.003,0.03");
  panel.addParamRow("fc1.out_features", "4,8");
  panel.trialsField()->setValue(2);
  panel.epochsField()->setValue(1);
  panel.strategyField()->setCurrentText("grid");
  ASSERT_TRUE(panel.runButton()->isEnabled()) << panel.paramError(0).toStdString() << panel.paramError(1).toStdString();
  sweep_panel_test::Finished finished(panel);
  QTest::mouseClick(panel.runButton(), Qt::LeftButton);
  ASSERT_TRUE(panel.isRunning()) << panel.lastError().toStdString();
  EXPECT_FALSE(panel.runButton()->isEnabled());
  EXPECT_TRUE(panel.stopButton()->isEnabled());
  ASSERT_TRUE(nc::test::waitUntil([&] { return finished.ended && !panel.isRunning(); }, 120000));
  EXPECT_TRUE(finished.ok) << panel.lastError().toStdString();
  ASSERT_EQ(panel.state().trials.size(), 2u);
  for (const core::SweepTrial& t : panel.state().trials) {
    EXPECT_EQ(t.status, "completed") << t.message;
    EXPECT_EQ(t.epochs.size(), 1u);
    EXPECT_TRUE(std::isfinite(t.bestValAccuracy));
  }
  EXPECT_EQ(panel.table()->model()->rowCount(), 2);
  EXPECT_TRUE(QFileInfo::exists(QDir(panel.sweepDirectory()).filePath("sweep.json")));
  EXPECT_TRUE(panel.sweepDirectory().startsWith(QDir(f.tmp.path()).filePath("sweeps")));
  // The folder opens again as the CLI's would.
  const QString dir = panel.sweepDirectory();
  ASSERT_TRUE(panel.openSweep(dir).ok());
  EXPECT_EQ(panel.state().trials.size(), 2u);
  EXPECT_EQ(panel.pareto()->frontRows().empty(), false);
}

TEST(SweepPanel, IsATabOfTheMainWindow) {
  app::MainWindow window;
  window.setInteractive(false);
  ASSERT_TRUE(window.newFromTemplate("cnn"));
  window.resize(1400, 900);
  window.show();
  window.showSweep();
  auto* tabs = window.findChild<QTabWidget*>();
  ASSERT_TRUE(tabs);
  EXPECT_EQ(tabs->tabText(tabs->currentIndex()), "Sweep");
  ASSERT_TRUE(window.sweepPanel());
  EXPECT_TRUE(window.sweepPanel()->isVisible());
  // The picker follows the open project (the CNN template's nodes).
  EXPECT_GE(window.sweepPanel()->paramTarget(0)->findText("conv1.out_channels"), 0);
  // Training refuses to start while a sweep runs is checked through the blocker; while none runs it is silent.
  EXPECT_FALSE(window.sweepPanel()->isRunning());
}

TEST(SweepPanel, StopThenResumeFinishesTheSweep) {
  sweep_panel_test::Fixture f;
  app::SweepPanel& panel = f.panel;
  panel.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
  panel.paramSpec(0)->setText("0.003,0.01,0.03");
  panel.trialsField()->setValue(3);
  panel.epochsField()->setValue(2);
  panel.strategyField()->setCurrentText("grid");
  int finishedCount = 0;
  bool lastOk = false;
  QObject::connect(&panel, &app::SweepPanel::sweepFinished, &panel, [&](bool good) {
    ++finishedCount;
    lastOk = good;
  });
  // Stop as soon as the first trial has started (a person pressing Stop during the sweep).
  bool pressed = false;
  QObject::connect(panel.trialModel(), &QAbstractItemModel::modelReset, &panel, [&]() {
    if (!pressed && panel.isRunning() && !panel.state().trials.empty()) {
      pressed = true;
      QTest::mouseClick(panel.stopButton(), Qt::LeftButton);
    }
  });
  QTest::mouseClick(panel.runButton(), Qt::LeftButton);
  ASSERT_TRUE(panel.isRunning()) << panel.lastError().toStdString();
  ASSERT_TRUE(nc::test::waitUntil([&] { return finishedCount == 1 && !panel.isRunning(); }, 120000));
  EXPECT_TRUE(pressed);
  EXPECT_TRUE(lastOk) << panel.lastError().toStdString();
  int done = 0;
  for (const core::SweepTrial& t : panel.state().trials) done += t.status == "completed" ? 1 : 0;
  ASSERT_LT(done, 3) << "the sweep ended before Stop took effect";
  EXPECT_TRUE(panel.resumeButton()->isEnabled());
  EXPECT_TRUE(panel.statusText().contains("Resume")) << panel.statusText().toStdString();
  // Resume continues it in the same folder until every trial is done.
  const QString dir = panel.sweepDirectory();
  QTest::mouseClick(panel.resumeButton(), Qt::LeftButton);
  ASSERT_TRUE(panel.isRunning()) << panel.lastError().toStdString();
  ASSERT_TRUE(nc::test::waitUntil([&] { return finishedCount == 2 && !panel.isRunning(); }, 120000));
  EXPECT_TRUE(lastOk) << panel.lastError().toStdString();
  EXPECT_EQ(panel.sweepDirectory(), dir);
  ASSERT_EQ(panel.state().trials.size(), 3u);
  for (const core::SweepTrial& t : panel.state().trials) EXPECT_EQ(t.status, "completed") << t.index << " " << t.message;
  EXPECT_FALSE(panel.resumeButton()->isEnabled());
}

TEST(SweepPanel, TrainingIsRefusedWhileASweepRuns) {
  sweep_panel_test::WindowFixture f(160);
  app::MainWindow& window = f.window;
  app::SweepPanel* panel = f.panel;
  panel->trialsField()->setValue(2);
  panel->epochsField()->setValue(1);
  bool ended = false;
  QObject::connect(panel, &app::SweepPanel::sweepFinished, panel, [&](bool) { ended = true; });
  QTest::mouseClick(panel->runButton(), Qt::LeftButton);
  ASSERT_TRUE(panel->isRunning()) << panel->lastError().toStdString();
  QString said;
  QObject::connect(window.trainingPanel(), &app::TrainingPanel::statusMessage, panel, [&](const QString& m) { said = m; });
  EXPECT_FALSE(window.trainingPanel()->start());
  EXPECT_TRUE(said.contains("sweep")) << said.toStdString();
  EXPECT_FALSE(window.trainingPanel()->isRunActive());
  ASSERT_TRUE(nc::test::waitUntil([&] { return ended && !panel->isRunning(); }, 120000));
  EXPECT_EQ(panel->state().trials.size(), 2u);
  // The sweep folder sits where the override points (not beside the project).
  EXPECT_TRUE(panel->sweepDirectory().startsWith(QDir(f.tmp.path()).filePath("sweeps")));
}

// The "done when", in the main window: a 12-trial random sweep set up with the keyboard
// and mouse, run with Run; its table, parallel coordinates and Pareto chart show all 12 trials;
// the most accurate trial (header click sorts by it) is applied to the project and one Undo
// restores the settings.
TEST(SweepPanel, TwelveTrialSweepFromTheMainWindowAppliesTheBest) {
  sweep_panel_test::WindowFixture f(240);
  app::MainWindow& window = f.window;
  app::SweepPanel& panel = *f.panel;
  auto typeInto = [](QWidget* field, const QString& text) {
    if (auto* combo = qobject_cast<QComboBox*>(field); combo && combo->lineEdit()) field = combo->lineEdit();
    QTest::mouseClick(field, Qt::LeftButton);
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(field, text);
  };
  // Row 1: the learning rate on a log range; row 2 (Add parameter): fc1's width.
  ASSERT_EQ(panel.paramRowCount(), 1);
  EXPECT_EQ(panel.paramTarget(0)->currentText(), "training.learning_rate");
  typeInto(panel.paramSpec(0), "1e-3:3e-1:log");
  auto* add = panel.findChild<QPushButton*>("sweepAddParam");
  ASSERT_TRUE(add);
  QTest::mouseClick(add, Qt::LeftButton);
  ASSERT_EQ(panel.paramRowCount(), 2);
  typeInto(panel.paramTarget(1), "fc1.out_features");
  typeInto(panel.paramSpec(1), "4,8,16,32");
  EXPECT_TRUE(panel.paramError(0).isEmpty()) << panel.paramError(0).toStdString();
  EXPECT_TRUE(panel.paramError(1).isEmpty()) << panel.paramError(1).toStdString();
  typeInto(panel.trialsField(), "12");
  typeInto(panel.epochsField(), "2");
  EXPECT_EQ(panel.strategyField()->currentText(), "random");
  if (!panel.medianField()->isChecked()) QTest::mouseClick(panel.medianField(), Qt::LeftButton);
  EXPECT_EQ(panel.trialsField()->value(), 12);
  EXPECT_EQ(panel.epochsField()->value(), 2);
  ASSERT_TRUE(panel.medianField()->isChecked());

  sweep_panel_test::Finished finished(panel);
  QTest::mouseClick(panel.runButton(), Qt::LeftButton);
  ASSERT_TRUE(panel.isRunning()) << panel.lastError().toStdString();
  ASSERT_TRUE(nc::test::waitUntil([&] { return finished.ended && !panel.isRunning(); }, 300000));
  EXPECT_TRUE(finished.ok) << panel.lastError().toStdString();
  ASSERT_EQ(panel.state().trials.size(), 12u);
  auto valueOf = [](const core::SweepTrial& t, const std::string& target) {
    for (const core::SweepValue& v : t.values)
      if (v.target == target) return std::stod(v.json);
    ADD_FAILURE() << "trial " << t.index << " has no value for " << target;
    return std::nan("");
  };
  std::set<double> rates;
  int stoppedEarly = 0;
  for (const core::SweepTrial& t : panel.state().trials) {
    EXPECT_TRUE(t.status == "completed" || t.status == "stopped_early") << t.index << " " << t.status << " " << t.message;
    EXPECT_TRUE(std::isfinite(t.bestValAccuracy)) << t.index;
    EXPECT_GT(t.params, 0) << t.index;
    stoppedEarly += t.status == "stopped_early" ? 1 : 0;
    rates.insert(valueOf(t, "training.learning_rate"));
  }
  EXPECT_EQ(rates.size(), 12u) << "random values from a log range";
  EXPECT_GE(stoppedEarly, 1) << "median stopping ended no trial";
  EXPECT_EQ(panel.table()->model()->rowCount(), 12);
  EXPECT_EQ(panel.parallel()->rowCount(), 12);
  EXPECT_EQ(panel.parallel()->axisCount(), 3) << "two swept values and the metric";
  EXPECT_FALSE(panel.pareto()->frontRows().empty());

  // Sort by best validation accuracy (header click, twice: descending), take the top row, apply.
  const int column = panel.trialModel()->columnOf("best val acc");
  ASSERT_GE(column, 0);
  QHeaderView* header = panel.table()->horizontalHeader();
  const QPoint headerPoint(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2);
  QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, headerPoint);
  if (header->sortIndicatorOrder() != Qt::DescendingOrder) QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, headerPoint);
  ASSERT_EQ(header->sortIndicatorOrder(), Qt::DescendingOrder);
  // The top row holds the highest best validation accuracy (several trials may share it).
  const int best = sweep_panel_test::shownTrials(panel).front();
  EXPECT_EQ(panel.state().trials[size_t(best)].bestValAccuracy,
            panel.state().trials[size_t(panel.rankedTrials().front())].bestValAccuracy);
  for (const core::SweepTrial& t : panel.state().trials) EXPECT_LE(t.bestValAccuracy, panel.state().trials[size_t(best)].bestValAccuracy);
  sweep_panel_test::clickRow(panel.table(), 0);
  ASSERT_TRUE(panel.applyButton()->isEnabled());
  widgets::GraphEditor* editor = window.editor();
  const int steps = editor->undoStack()->count();
  QTest::mouseClick(panel.applyButton(), Qt::LeftButton);
  EXPECT_TRUE(panel.lastError().isEmpty()) << panel.lastError().toStdString();
  EXPECT_EQ(editor->undoStack()->count(), steps + 1);
  const core::SweepTrial& chosen = panel.state().trials[size_t(best)];
  EXPECT_DOUBLE_EQ(editor->project().training.learningRate, valueOf(chosen, "training.learning_rate"));
  int64_t units = -1;
  for (const auto& [id, n] : editor->graph().nodes())
    if (n.name == "fc1") units = std::get<int64_t>(n.params.at("out_features"));
  EXPECT_EQ(double(units), valueOf(chosen, "fc1.out_features"));
  ASSERT_TRUE(editor->undo());
  EXPECT_DOUBLE_EQ(editor->project().training.learningRate, 0.01);
}

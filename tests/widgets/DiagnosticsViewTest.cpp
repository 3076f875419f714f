// The dashboard's Diagnostics tab (issue 14): a finished tiny run's norms, histograms and alarms
// loaded from its folder (the chart picker, the node picker, the alarm list), and the live
// signals of a GUI run reaching it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <QChart>
#include <QComboBox>
#include <QLineSeries>
#include <QListWidget>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "TrainingTestSupport.h"
#include "app/gui/MainWindow.h"
#include "app/gui/TrainingController.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "app/gui/TrainingPanel.h"
#include "core/GraphModule.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"
#include "core/training/Trainer.h"
#include "widgets/DiagnosticsView.h"
#include "widgets/RunHistory.h"
#include "widgets/TrainingDashboard.h"

namespace diagnostics_view_test {

using namespace nc;
using namespace nc::core;

/// Adds a node with parameter overrides (the GUI tests do not link the core tests' GraphBuilder).
NodeId addNode(Graph& g, const std::string& type, const ParamMap& overrides = {}) {
  std::string error;
  auto id = g.addNode(type, 0, 0, &error);
  EXPECT_TRUE(id.has_value()) << error;
  for (const auto& [k, v] : overrides) EXPECT_TRUE(g.setParam(*id, k, v).ok());
  return id ? *id : -1;
}
void linkNodes(Graph& g, NodeId a, NodeId b) { EXPECT_TRUE(g.connect({a, 0}, {b, 0}).ok()); }

struct TinyRun {
  QTemporaryDir dir;
  QString run;
  NodeId fc1 = -1, relu = -1, fc2 = -1;
  Graph graph;
  RunResult result;
};

/// Input[4] -> fc1 Linear(6) -> ReLU -> fc2 Linear(2): two epochs of 6 steps, every step
/// sampled, fc1's bias at -1000 so that the ReLU is dead (an alarm naming it).
std::unique_ptr<TinyRun> finishedRun() {
  auto t = std::make_unique<TinyRun>();
  Graph& g = t->graph;
  NodeId in = addNode(g, "Input", {{"shape", std::vector<int64_t>{4}}});
  t->fc1 = addNode(g, "Linear", {{"out_features", int64_t{6}}});
  t->relu = addNode(g, "ReLU");
  t->fc2 = addNode(g, "Linear", {{"out_features", int64_t{2}}});
  NodeId out = addNode(g, "Output");
  linkNodes(g, in, t->fc1);
  linkNodes(g, t->fc1, t->relu);
  linkNodes(g, t->relu, t->fc2);
  linkNodes(g, t->fc2, out);
  Project p;
  p.name = "tiny";
  p.graph = g;
  p.data.validationFraction = 0.25;
  p.training.epochs = 2;
  p.training.batchSize = 16;
  p.training.optimizer = "sgd";
  p.training.learningRate = 0.05;
  p.training.threads = 1;

  GraphModule model = compileGraph(p.graph);
  {
    torch::NoGradGuard guard;
    model->named_parameters()["n" + std::to_string(t->fc1) + ".m.bias"].fill_(-1000.0);
  }
  std::string init = t->dir.filePath("init.pt").toStdString();
  saveCheckpoint(init, model, nullptr, CheckpointState{});

  torch::manual_seed(5);
  auto d = std::make_shared<Dataset>();
  d->trainTargets = torch::randint(0, 2, {128}, torch::kLong);
  d->trainInputs = torch::randn({128, 4}) + d->trainTargets.unsqueeze(1).to(torch::kFloat) * 2;
  d->classNames = {"a", "b"};
  d->sampleShape = TensorShape{{4}, DType::Float32, 0};
  d->description = "synthetic";

  t->run = t->dir.filePath("run");
  TrainJob job;
  job.project = p;
  job.runDirectory = t->run.toStdString();
  job.initialWeights = init;
  job.dataset = d;
  job.diagnosticsEvery = 1;
  TrainingObserver none;
  TrainingControl control;
  t->result = runTraining(job, none, control);
  return t;
}

int pointsOf(QChart* chart, const QString& name) {
  for (QAbstractSeries* s : chart->series())
    if (s->name() == name) return int(static_cast<QLineSeries*>(s)->count());
  return -1;
}

}  // namespace diagnostics_view_test

TEST(DiagnosticsView, FinishedRunShowsNormsHistogramsAndAlarms) {
  using namespace nc;
  auto t = diagnostics_view_test::finishedRun();
  ASSERT_EQ(t->result.status, core::RunStatus::Completed) << t->result.message;
  const QString fc1 = QString::fromStdString(t->graph.node(t->fc1)->name);
  const QString fc2 = QString::fromStdString(t->graph.node(t->fc2)->name);
  const QString relu = QString::fromStdString(t->graph.node(t->relu)->name);

  widgets::TrainingDashboard d;
  d.resize(1200, 800);
  core::RunResult result = widgets::readRunResult(t->run);
  result.runDirectory = t->run.toStdString();
  d.showRun(widgets::readRunCurves(t->run), result);
  d.showTab("Diagnostics");
  widgets::DiagnosticsView* v = d.diagnosticsView();
  ASSERT_NE(v, nullptr);
  auto* tabs = qobject_cast<QTabWidget*>(v->parentWidget() ? v->parentWidget()->parentWidget() : nullptr);
  ASSERT_NE(tabs, nullptr);
  EXPECT_EQ(tabs->tabText(tabs->currentIndex()), "Diagnostics");
  EXPECT_EQ(v->sampleCount(), 12) << "two epochs of 6 steps, every step sampled";

  // The chart picker: one line per node with parameters, a point per sample (positive values).
  ASSERT_EQ(v->metricPicker()->count(), 3);
  EXPECT_EQ(v->metric(), widgets::DiagnosticsView::Metric::WeightNorm);
  QChart* chart = v->chart();
  EXPECT_EQ(chart->series().size(), 2);
  EXPECT_EQ(diagnostics_view_test::pointsOf(chart, fc2), 12);
  EXPECT_TRUE(chart->title().contains("Weight norm"));
  v->metricPicker()->setCurrentIndex(int(widgets::DiagnosticsView::Metric::GradNorm));
  EXPECT_TRUE(chart->title().contains("Gradient norm"));
  EXPECT_EQ(diagnostics_view_test::pointsOf(chart, fc2), 12);
  EXPECT_EQ(diagnostics_view_test::pointsOf(chart, fc1), 0) << "the dead ReLU leaves fc1 zero gradients: none on a log axis";
  v->setMetric(widgets::DiagnosticsView::Metric::UpdateRatio);
  EXPECT_TRUE(chart->title().contains("Update"));
  EXPECT_EQ(diagnostics_view_test::pointsOf(chart, fc2), 12);

  // The node picker and the latest epoch's histograms of the chosen node.
  ASSERT_EQ(v->nodePicker()->count(), 2);
  EXPECT_EQ(v->nodePicker()->itemText(0), fc1);
  v->nodePicker()->setCurrentIndex(1);
  int64_t weights = 0;
  for (int64_t c : v->weightHistogram()->histogram().counts) weights += c;
  EXPECT_EQ(weights, 6 * 2 + 2) << "fc2's weights and biases";

  // The alarms list names the nodes; choosing the dead-ReLU alarm reports its node.
  ASSERT_GE(v->alarmCount(), 1);
  int deadRow = -1;
  for (int i = 0; i < v->alarmList()->count(); ++i)
    if (v->alarmList()->item(i)->text().startsWith("Dead ReLU")) deadRow = i;
  ASSERT_GE(deadRow, 0);
  EXPECT_TRUE(v->alarmList()->item(deadRow)->text().contains("'" + relu + "'"));
  QSignalSpy activated(v, &widgets::DiagnosticsView::nodeActivated);
  v->nodePicker()->setCurrentIndex(1);
  QListWidget* list = v->alarmList();
  QRect r = list->visualItemRect(list->item(deadRow));
  QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, r.center());
  ASSERT_EQ(activated.count(), 1);
  EXPECT_EQ(activated.front().front().toLongLong(), t->relu);

  // A vanishing-gradients alarm on fc1 selects fc1's histograms.
  for (int i = 0; i < list->count(); ++i)
    if (list->item(i)->text().startsWith("Vanishing") && list->item(i)->text().contains(fc1)) {
      QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(list->item(i)).center());
      EXPECT_EQ(v->nodePicker()->currentText(), fc1);
    }

  d.reset();
  EXPECT_EQ(v->sampleCount(), 0);
  EXPECT_EQ(v->alarmCount(), 0);
}

TEST(DiagnosticsView, LiveRunFeedsTheTab) {
  using namespace nc;
  QTemporaryDir runs;
  core::Project project = test::tinyCnnProject(1);
  app::TrainingPanel panel;
  panel.setRunsRootOverride(runs.path());
  panel.setDataset(test::fashionSlice(256, 64));
  panel.setProjectSource([&] { return project; }, [] { return QString(); });
  panel.setSettings(project.data, project.training);
  widgets::DiagnosticsView* v = panel.dashboard()->diagnosticsView();
  int liveSamples = 0, histograms = 0;
  QObject::connect(panel.controller(), &app::TrainingController::diagnostics,
                   [&](const core::DiagnosticsSample&) { liveSamples = v->sampleCount(); });
  QObject::connect(panel.controller(), &app::TrainingController::histograms,
                   [&](const core::EpochHistograms&) { histograms = v->nodePicker()->count(); });
  bool finished = false;
  QObject::connect(&panel, &app::TrainingPanel::runFinished, [&](const core::RunResult&) { finished = true; });
  ASSERT_TRUE(panel.start());
  ASSERT_TRUE(test::waitUntil([&] { return finished && !panel.isRunActive(); }));
  EXPECT_GE(liveSamples, 1) << "the controller's signal reached the tab while the run went on";
  EXPECT_EQ(histograms, 2) << "conv and linear nodes";
  EXPECT_EQ(v->sampleCount(), 1) << "6 steps: step 1 only";
}

TEST(DiagnosticsView, ChoosingAnAlarmSelectsItsNodeInTheEditor) {
  using namespace nc;
  app::MainWindow w;
  w.setInteractive(false);
  w.editor()->setProject(test::tinyCnnProject(1));
  const core::Graph& g = w.editor()->graph();
  ASSERT_GE(g.nodes().size(), 2u);
  const core::NodeId id = std::prev(g.nodes().end())->first;
  widgets::DiagnosticsView* v = w.trainingPanel()->dashboard()->diagnosticsView();
  core::TrainingAlarm a;
  a.kind = "dead_relu";
  a.nodeId = id;
  a.nodeName = g.node(id)->name;
  a.message = "Dead ReLU node '" + a.nodeName + "'";
  v->appendAlarm(a);
  v->show();
  QListWidget* list = v->alarmList();
  QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(list->item(0)).center());
  EXPECT_EQ(w.scene()->selectedNodes(), (std::set<core::NodeId>{id}));
}

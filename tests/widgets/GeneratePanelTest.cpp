// The Generate panel (issue 13): shown in the Deploy tab for language-model runs only; it writes
// text from a tiny trained character model, the text grows as it streams, Stop ends it, and the
// same seed gives the same text.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "TrainingTestSupport.h"
#include "app/gui/DeployPanel.h"
#include "app/gui/GeneratePanel.h"
#include "core/Graph.h"
#include "core/training/Trainer.h"
#include "widgets/RunHistory.h"
#include "widgets/RunList.h"

using namespace nc;

namespace {

core::NodeId addNode(core::Graph& g, const std::string& type, const core::ParamMap& overrides, core::NodeId from) {
  std::string error;
  std::optional<core::NodeId> id = g.addNode(type, 0, 0, &error);
  EXPECT_TRUE(id.has_value()) << type << ": " << error;
  for (const auto& [k, v] : overrides) EXPECT_TRUE(g.setParam(*id, k, v).ok()) << type << "." << k;
  if (from >= 0) EXPECT_TRUE(g.connect({from, 0}, {*id, 0}).ok()) << type;
  return *id;
}

/// Tokens [16] -> Embedding 16 -> learned positions -> causal pre-norm block -> LayerNorm ->
/// Linear 32 -> Output, on a small text file, one short epoch.
QString trainTinyLanguageModel(const QString& root, const QString& textFile) {
  core::Project p;
  p.name = "tiny-lm";
  core::Graph& g = p.graph;
  core::NodeId n = addNode(g, "Input", {{"shape", std::vector<int64_t>{16}}, {"dtype", std::string("tokens")},
                                        {"vocab_size", int64_t(32)}}, -1);
  n = addNode(g, "Embedding", {{"embedding_dim", int64_t(16)}}, n);
  n = addNode(g, "PositionalEncoding", {{"kind", std::string("learned")}}, n);
  n = addNode(g, "TransformerEncoderLayer", {{"num_heads", int64_t(2)}, {"dim_feedforward", int64_t(32)},
                                             {"norm_first", true}, {"causal", true}, {"dropout", 0.0}}, n);
  n = addNode(g, "LayerNorm", {}, n);
  n = addNode(g, "Linear", {{"out_features", int64_t(32)}}, n);
  addNode(g, "Output", {}, n);
  p.data.kind = "text";
  p.data.path = textFile.toStdString();
  p.data.sequenceLength = 16;
  p.training.epochs = 1;
  p.training.batchSize = 16;
  p.training.threads = 1;
  core::TrainJob job;
  job.project = p;
  job.runDirectory = QDir(root).filePath("tiny-lm-20261130-010000").toStdString();
  core::TrainingObserver observer;
  core::TrainingControl control;
  core::RunResult result = core::runTraining(job, observer, control);
  EXPECT_EQ(result.status, core::RunStatus::Completed) << result.message;
  return QString::fromStdString(job.runDirectory);
}

void typeInto(QWidget* field, const QString& text) {
  field->setFocus();
  QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(field, text);
}

}  // namespace

TEST(GeneratePanel, WritesTextFromALanguageModelRunStopsAndRepeatsWithASeed) {
  QTemporaryDir tmp;
  const QString text = tmp.filePath("text.txt");
  {
    QFile f(text);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    for (int i = 0; i < 40; ++i) f.write("the free software is free to share and change.\n");
  }
  const QString root = tmp.filePath("runs");
  const QString run = trainTinyLanguageModel(root, text);
  ASSERT_FALSE(widgets::bestCheckpoint(run).isEmpty());

  app::DeployPanel deploy;
  deploy.setInteractive(false);
  deploy.resize(1400, 800);
  deploy.show();
  widgets::RunOwner owner;
  owner.stems << "tiny-lm";
  deploy.setRuns(root, owner);
  ASSERT_TRUE(deploy.runList()->waitForRefresh());
  QApplication::processEvents();
  ASSERT_EQ(deploy.currentRun(), run);
  app::GeneratePanel* panel = deploy.generatePanel();
  ASSERT_NE(panel, nullptr);
  QTabWidget* tabs = deploy.resultTabs();
  const int tab = tabs->indexOf(panel);
  ASSERT_GE(tab, 0);
  EXPECT_TRUE(tabs->isTabVisible(tab));
  EXPECT_EQ(tabs->tabText(tab), "Generate");
  tabs->setCurrentIndex(tab);
  EXPECT_EQ(panel->run(), run);
  EXPECT_TRUE(panel->generateButton()->isEnabled());
  EXPECT_FALSE(panel->stopButton()->isEnabled());

  // A long generation: the text grows while it runs, then Stop ends it.
  typeInto(panel->promptField(), "the free ");
  typeInto(panel->lengthField(), "20000");
  typeInto(panel->temperatureField(), "0.8");
  typeInto(panel->seedField(), "5");
  EXPECT_EQ(panel->lengthField()->value(), 20000);
  EXPECT_EQ(panel->seedField()->value(), 5);
  QTest::mouseClick(panel->generateButton(), Qt::LeftButton);
  ASSERT_TRUE(panel->isRunning()) << panel->lastError().toStdString();
  EXPECT_FALSE(panel->generateButton()->isEnabled());
  EXPECT_TRUE(panel->stopButton()->isEnabled());
  ASSERT_TRUE(test::waitUntil([&] { return panel->generatedText().size() >= 20; }, 120'000))
      << panel->statusLabel()->text().toStdString();
  const int early = int(panel->generatedText().size());
  ASSERT_TRUE(test::waitUntil([&] { return panel->generatedText().size() > early + 20; }, 60'000));
  EXPECT_TRUE(panel->isRunning());
  EXPECT_TRUE(panel->output()->toPlainText().startsWith("the free "));
  EXPECT_TRUE(QFileInfo::exists(run + "/deploy/model.pt"));
  QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitUntil([&] { return !panel->isRunning(); }, 30'000));
  EXPECT_TRUE(panel->lastError().isEmpty()) << panel->lastError().toStdString();
  EXPECT_TRUE(panel->statusLabel()->text().startsWith("Stopped")) << panel->statusLabel()->text().toStdString();
  EXPECT_LT(panel->generatedText().size(), 20000);
  EXPECT_TRUE(panel->generateButton()->isEnabled());
  EXPECT_FALSE(panel->stopButton()->isEnabled());

  // Short generations with one seed give one text; the whole text is shown after the prompt.
  typeInto(panel->lengthField(), "60");
  QString first;
  for (int i = 0; i < 2; ++i) {
    QTest::mouseClick(panel->generateButton(), Qt::LeftButton);
    ASSERT_TRUE(test::waitUntil([&] { return !panel->isRunning(); }, 60'000));
    ASSERT_TRUE(panel->lastError().isEmpty()) << panel->lastError().toStdString();
    EXPECT_EQ(panel->generatedText().size(), 60);
    EXPECT_EQ(panel->output()->toPlainText(), "the free " + panel->generatedText());
    if (i == 0) first = panel->generatedText();
    else EXPECT_EQ(panel->generatedText(), first);
  }

  // A character outside the vocabulary is named.
  typeInto(panel->promptField(), "the Z");
  QTest::mouseClick(panel->generateButton(), Qt::LeftButton);
  ASSERT_TRUE(test::waitUntil([&] { return !panel->isRunning(); }, 60'000));
  EXPECT_TRUE(panel->lastError().contains("character 'Z' (at byte 4) is not in the model's vocabulary")) << panel->lastError().toStdString();

  // A classifier run: no Generate tab.
  core::Project cnn = test::tinyCnnProject(1);
  const QString cnnRun = QDir(root).filePath("tiny-lm-20261130-020000");
  QDir().mkpath(cnnRun + "/checkpoints");
  ASSERT_TRUE(core::saveProject(cnn, (cnnRun + "/project.json").toStdString()).ok());
  EXPECT_FALSE(app::GeneratePanel::isLanguageModelRun(cnnRun));
  EXPECT_TRUE(app::GeneratePanel::isLanguageModelRun(run));
  deploy.refreshRuns();
  ASSERT_TRUE(deploy.runList()->waitForRefresh());
  deploy.selectRun(cnnRun);
  QApplication::processEvents();
  EXPECT_EQ(deploy.currentRun(), cnnRun);
  EXPECT_FALSE(tabs->isTabVisible(tab));
  deploy.selectRun(run);
  QApplication::processEvents();
  EXPECT_TRUE(tabs->isTabVisible(tab));
}

// neuralcanvas: the desktop application.
#include <QApplication>
#include <QPainter>
#include <QPushButton>
#include <QCommandLineParser>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTabWidget>
#include <QTimer>
#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <iostream>

#include "app/gui/DeployPanel.h"
#include "app/gui/GeneratePanel.h"
#include "app/gui/LrFinderDialog.h"
#include "app/gui/MainWindow.h"
#include "app/gui/PreviewController.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainingController.h"
#include "app/gui/TrainingPanel.h"
#include "widgets/AnalysisTable.h"
#include "widgets/DeployCharts.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/ParallelCoordinates.h"
#include "widgets/PreviewPane.h"
#include "widgets/TrainingDashboard.h"

int main(int argc, char** argv) {
  try {
    QApplication app(argc, argv);
    QApplication::setApplicationName("NeuralCanvas");
    QApplication::setOrganizationName("NeuralCanvas");
    QCommandLineParser parser;
    parser.setApplicationDescription("Design, train and export neural networks.");
    parser.addHelpOption();
    parser.addPositionalArgument("project", "Project file to open (default: the CNN template).");
    QCommandLineOption screenshot("screenshot", "Render the window to FILE.png and exit.", "file");
    QCommandLineOption size("size", "Window size for --screenshot (default: the window's default size, 85% of the screen).",
                            "WxH");
    QCommandLineOption trainSeconds("train-seconds",
                                    "With --screenshot: start training, capture the dashboard after N seconds, stop.", "N");
    parser.addOption(screenshot);
    QCommandLineOption analysis("analysis",
                                "With --screenshot: show View > Layer analysis, the canvas tinted by FLOPs.");
    QCommandLineOption deploy("deploy",
                              "With --screenshot: show the Deploy tab of the project's newest run: 'benchmark' (measures "
                              "first when nothing was measured), 'compress' (runs Compress with 50 % pruning, 1 fine-tune "
                              "epoch and int8 first), 'compression' (the last report) or 'generate' (writes 300 characters "
                              "with a language-model run, seed 1).",
                              "page");
    parser.addOption(deploy);
    QCommandLineOption training("training",
                                "With --screenshot: show the Training tab with the project's newest run in the dashboard.");
    parser.addOption(training);
    QCommandLineOption trainingTab("training-tab",
                                   "With --training: show this tab of the dashboard, e.g. Diagnostics, \"Confusion matrix\" "
                                   "(with the per-class table) or Misclassified (the gallery).",
                                   "title");
    parser.addOption(trainingTab);
    QCommandLineOption sweep("sweep",
                             "With --screenshot: show the Sweep tab with the sweep folder DIR loaded (e.g. one made by "
                             "`neuralcanvas-cli sweep`), its best two trials selected and the upper half of the "
                             "accuracy axis brushed.",
                             "dir");
    parser.addOption(sweep);
    QCommandLineOption lrFind("lr-find",
                              "With --screenshot: press Training > Find learning rate..., run the test on the first N "
                              "training samples (e.g. 2000) and capture the window with the finished dialog over it.",
                              "N");
    parser.addOption(lrFind);
    parser.addOption(trainSeconds);
    QCommandLineOption preview("preview",
                               "With --screenshot: select the node NAME, turn View > Node thumbnails on and capture once "
                               "its Preview is computed. With --train-seconds too: stay on the model and capture the "
                               "preview with the run's weights.",
                               "name");
    parser.addOption(preview);
    parser.addOption(analysis);
    parser.addOption(size);
    parser.process(app);

    const bool capture = parser.isSet(screenshot);
    // A capture neither reads nor writes the user's settings (saved window geometry, recent
    // files): it shows what a first start shows.
    QTemporaryDir captureSettings;
    if (capture) {
      QSettings::setDefaultFormat(QSettings::IniFormat);
      QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, captureSettings.path());
    }
    nc::app::MainWindow window;
    window.setInteractive(!capture);
    const QStringList args = parser.positionalArguments();
    bool opened = args.isEmpty() ? window.newFromTemplate("cnn") : window.openProject(args.first());
    if (!opened && capture) {
      std::cerr << "neuralcanvas: " << window.lastError().toStdString() << "\n";
      return 2;
    }
    // --size WxH for a capture; without it the window keeps its default size (a share of the screen).
    auto applySize = [&]() {
      if (!parser.isSet(size)) return;
      const QStringList wh = parser.value(size).split('x');
      window.resize(wh.value(0).toInt() > 0 ? wh.value(0).toInt() : 1600, wh.value(1).toInt() > 0 ? wh.value(1).toInt() : 1000);
    };
    // --preview: selects the node, turns the thumbnails on; `then` runs once a preview (trained
    // weights when `trained`) has been applied, or after 60 s.
    auto selectPreviewNode = [&]() -> bool {
      const std::string name = parser.value(preview).toStdString();
      for (const auto& [id, node] : window.editor()->graph().nodes())
        if (node.name == name) {
          window.scene()->selectNodes(std::set<nc::core::NodeId>{id});
          if (QAction* a = window.action("nodeThumbnails"); a && !a->isChecked()) a->trigger();
          return true;
        }
      std::cerr << "neuralcanvas: no node named " << name << "\n";
      return false;
    };
    auto whenPreviewed = [&](bool trained, int64_t afterStep, std::function<void()> then) {
      auto done = std::make_shared<bool>(false);
      auto fire = [done, then]() {
        if (*done) return;
        *done = true;
        then();
      };
      auto ready = [&window, trained, afterStep]() {
        auto r = window.previewController()->lastResult();
        return r && r->ok && (!trained || (r->trainedWeights && r->weightsStep > afterStep)) &&
               !window.previewController()->isBusy();
      };
      if (ready()) return fire();
      QObject::connect(window.previewController(), &nc::app::PreviewController::resultApplied, &window,
                       [ready, fire]() { if (ready()) fire(); });
      QTimer::singleShot(60'000, &window, [fire, &window]() {
        std::cerr << "neuralcanvas: no preview within 60 s";
        if (auto r = window.previewController()->lastResult(); r && !r->ok) std::cerr << ": " << r->error;
        std::cerr << "\n";
        fire();
      });
    };
    if (capture && parser.isSet(preview) && !parser.isSet(trainSeconds)) {
      applySize();
      window.show();
      bool saved = false;
      QTimer::singleShot(300, &window, [&]() {
        window.prepareScreenshot();
        if (!selectPreviewNode()) {
          QApplication::exit(2);
          return;
        }
        QTimer::singleShot(200, &window, [&]() { window.view()->showForReading(); });
        whenPreviewed(false, -1, [&]() {
          QTimer::singleShot(400, &window, [&]() {
            saved = window.grab().save(parser.value(screenshot));
            if (!saved) std::cerr << "neuralcanvas: cannot write " << parser.value(screenshot).toStdString() << "\n";
            QApplication::exit(saved ? 0 : 1);
          });
        });
      });
      const int code = app.exec();
      return code != 0 ? code : saved ? 0 : 1;
    }
    if (capture && parser.isSet(deploy)) {
      applySize();
      window.show();
      window.showDeploy();
      nc::app::DeployPanel* panel = window.deployPanel();
      const QString page = parser.value(deploy);
      bool saved = false;
      auto capturePage = [&]() {
        if (page == "generate") panel->resultTabs()->setCurrentWidget(panel->generatePanel());
        else panel->resultTabs()->setCurrentIndex(page == "benchmark" ? 0 : 1);
        QTimer::singleShot(300, &window, [&]() {
          saved = window.grab().save(parser.value(screenshot));
          if (!saved) std::cerr << "neuralcanvas: cannot write " << parser.value(screenshot).toStdString() << "\n";
          QApplication::quit();
        });
      };
      QObject::connect(panel, &nc::app::DeployPanel::jobFinished, &window, [&](bool ok) {
        if (!ok) std::cerr << "neuralcanvas: " << panel->lastError().toStdString() << "\n";
        capturePage();
      });
      // Once the runs are listed (the newest selected), measure or compress as asked, else capture.
      QTimer::singleShot(1500, &window, [&]() {
        if (panel->currentRun().isEmpty()) std::cerr << "neuralcanvas: no run of this project to show\n";
        bool started = false;
        if (page == "benchmark" && !panel->charts()->hasData()) started = panel->measure();
        if (page == "compress") {
          nc::core::CompressOptions options;
          options.pruneFraction = 0.5;
          options.fineTuneEpochs = 1;
          options.quantize = nc::core::QuantizeMode::DynamicInt8;
          started = panel->compress(options);
        }
        if (page == "generate") {
          nc::app::GeneratePanel* generate = panel->generatePanel();
          panel->resultTabs()->setCurrentWidget(generate);
          generate->seedField()->setValue(1);
          QObject::connect(generate, &nc::app::GeneratePanel::finished, &window, [&, generate](bool ok) {
            if (!ok) std::cerr << "neuralcanvas: " << generate->lastError().toStdString() << "\n";
            capturePage();
          });
          started = generate->generate();
          if (!started) std::cerr << "neuralcanvas: " << generate->lastError().toStdString() << "\n";
        }
        if (!started) capturePage();
      });
      const int code = app.exec();
      return code != 0 ? code : saved ? 0 : 1;
    }
    if (capture && parser.isSet(training)) {
      applySize();
      window.show();
      window.showTraining();
      bool saved = false;
      QTimer::singleShot(500, &window, [&]() {
        if (!window.trainingPanel()->showNewestRun()) std::cerr << "neuralcanvas: no run of this project to show\n";
        if (parser.isSet(trainingTab)) window.trainingPanel()->dashboard()->showTab(parser.value(trainingTab));
        QTimer::singleShot(500, &window, [&]() {
          saved = window.grab().save(parser.value(screenshot));
          if (!saved) std::cerr << "neuralcanvas: cannot write " << parser.value(screenshot).toStdString() << "\n";
          QApplication::quit();
        });
      });
      const int code = app.exec();
      return code != 0 ? code : saved ? 0 : 1;
    }
    if (capture && parser.isSet(lrFind)) {
      applySize();
      window.show();
      window.showTraining();
      nc::core::LrFinderOptions options = nc::app::LrFinderDialog::defaultOptions();
      options.limit = std::max<qlonglong>(1, parser.value(lrFind).toLongLong());
      nc::app::LrFinderDialog::setDefaultOptions(options);
      bool saved = false;
      QTimer::singleShot(300, &window, [&]() {
        auto* button = window.trainingPanel()->findChild<QPushButton*>("findLearningRate");
        if (button) button->click();
        auto* dialog = window.trainingPanel()->findChild<nc::app::LrFinderDialog*>();
        if (!dialog) {
          std::cerr << "neuralcanvas: the learning-rate finder did not open\n";
          QApplication::exit(1);
          return;
        }
        QObject::connect(dialog, &nc::app::LrFinderDialog::finished, &window, [&, dialog]() {
          QTimer::singleShot(300, &window, [&, dialog]() {
            QImage image = window.grab().toImage();
            const QPixmap over = dialog->grab();
            QPainter painter(&image);
            const QPoint at((image.width() - over.width()) / 2, (image.height() - over.height()) / 2);
            painter.drawPixmap(at, over);
            painter.setPen(QPen(QColor(120, 120, 120), 1));
            painter.drawRect(QRect(at, over.size() / over.devicePixelRatio()).adjusted(-1, -1, 0, 0));
            painter.end();
            saved = image.save(parser.value(screenshot));
            if (!saved) std::cerr << "neuralcanvas: cannot write " << parser.value(screenshot).toStdString() << "\n";
            QApplication::exit(saved ? 0 : 1);
          });
        });
      });
      return app.exec();
    }
    if (capture && parser.isSet(sweep)) {
      applySize();
      window.show();
      window.showSweep();
      nc::app::SweepPanel* panel = window.sweepPanel();
      if (nc::core::Status s = panel->openSweep(parser.value(sweep)); !s.ok()) {
        std::cerr << "neuralcanvas: " << s.message() << "\n";
        return 2;
      }
      bool saved = false;
      QTimer::singleShot(400, &window, [&]() {
        const std::vector<int> ranked = panel->rankedTrials();
        std::set<int> chosen;
        for (size_t i = 0; i < std::min<size_t>(2, ranked.size()); ++i) chosen.insert(ranked[i]);
        nc::widgets::ParallelCoordinates* pc = panel->parallel();
        if (pc->axisCount() > 0) pc->setBrush(pc->axisCount() - 1, 0.5, 1.0);
        panel->selectTrials(chosen);
        QTimer::singleShot(500, &window, [&]() {
          saved = window.grab().save(parser.value(screenshot));
          if (!saved) std::cerr << "neuralcanvas: cannot write " << parser.value(screenshot).toStdString() << "\n";
          QApplication::quit();
        });
      });
      const int code = app.exec();
      return code != 0 ? code : saved ? 0 : 1;
    }
    if (capture && parser.isSet(trainSeconds)) {
      applySize();
      window.show();
      const bool withPreview = parser.isSet(preview);
      if (!withPreview) window.showTraining();
      if (withPreview) {
        // The model stays in view: its Preview follows the run's weights (snapshots every few seconds).
        QTimer::singleShot(0, &window, [&]() {
          window.prepareScreenshot();
          selectPreviewNode();
          QTimer::singleShot(200, &window, [&]() { window.view()->showForReading(); });
        });
      }
      if (!window.trainingPanel()->start()) {
        std::cerr << "neuralcanvas: training did not start\n";
        return 1;
      }
      const int ms = int(parser.value(trainSeconds).toDouble() * 1000);
      bool saved = false;
      auto captureAndStop = [&]() {
        saved = window.grab().save(parser.value(screenshot));
        if (!saved) std::cerr << "neuralcanvas: cannot write " << parser.value(screenshot).toStdString() << "\n";
        // Stop without waiting on the GUI thread; quit once the worker has reported the end.
        QObject::connect(window.trainingPanel(), &nc::app::TrainingPanel::runActiveChanged, &app, [](bool active) {
          if (!active) QApplication::quit();
        });
        if (window.trainingPanel()->isRunActive()) window.trainingPanel()->stop();
        else QApplication::quit();
      };
      QTimer::singleShot(std::max(ms, 500), &window, [&]() {
        if (!withPreview) return captureAndStop();
        // The weights as they are now: a fresh snapshot, newer than the one on display.
        auto shown = window.previewController()->lastResult();
        const int64_t step = shown && shown->trainedWeights ? shown->weightsStep : -1;
        window.trainingPanel()->controller()->requestWeightsSnapshot();
        whenPreviewed(true, step, [&]() { QTimer::singleShot(300, &window, captureAndStop); });
      });
      int code = app.exec();
      return code != 0 ? code : saved ? 0 : 1;
    }
    if (capture) {
      applySize();
      window.show();
      // Select a node first (the docks re-layout around the inspector's form), then fit the
      // graph to the canvas as it finally is, then capture.
      QTimer::singleShot(300, &window, [&]() {
        window.prepareScreenshot();
        if (parser.isSet(analysis)) {
          window.action("layerAnalysis")->trigger();
          window.analysisTable()->setTintCost(nc::widgets::AnalysisTable::Cost::Flops);
        }
        // The first view, as a person sees it on start.
        QTimer::singleShot(200, &window, [&]() { window.view()->showForReading(); });
        QTimer::singleShot(400, &window, [&]() {
          bool ok = window.grab().save(parser.value(screenshot));
          if (!ok) std::cerr << "neuralcanvas: cannot write " << parser.value(screenshot).toStdString() << "\n";
          QApplication::exit(ok ? 0 : 1);
        });
      });
      return app.exec();
    }
    window.show();
    QTimer::singleShot(0, &window, [&]() { window.offerRecovery(); });
    return app.exec();
  } catch (const std::exception& e) {
    std::cerr << "neuralcanvas: " << e.what() << "\n";
    return 3;
  }
}

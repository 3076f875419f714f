#include "app/gui/MainWindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QEventLoopLocker>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QHBoxLayout>
#include <QMenu>
#include <QVBoxLayout>
#include <cstdio>

#include "app/gui/DeployPanel.h"
#include "app/gui/PreviewController.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainingPanel.h"
#include "core/LayerType.h"
#include "core/MemoryEstimate.h"
#include "core/training/MemoryFit.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/AnalysisTable.h"
#include "widgets/DiagramExport.h"
#include "widgets/DiagnosticsView.h"
#include "widgets/TrainingDashboard.h"
#include "widgets/FindNodeBar.h"
#include "widgets/GraphView.h"
#include "widgets/PreviewPane.h"
#include "widgets/HelpDialogs.h"
#include "widgets/Inspector.h"
#include "widgets/LayerPalette.h"
#include "widgets/NodeItem.h"
#include "widgets/RunList.h"
#include "widgets/TemplateGallery.h"

namespace nc::app {

namespace {
constexpr const char* kGraphMimeType = "application/x-neuralcanvas-graph";
constexpr int kMaxRecent = 8;
constexpr int kAutosaveMs = 60 * 1000;

QString withThousands(int64_t n) { return QLocale(QLocale::English).toString(qlonglong(n)); }

QString bytesText(int64_t bytes) {
  if (bytes >= (int64_t(1) << 30)) return QString::number(double(bytes) / double(1 << 30), 'f', 2) + " GiB";
  if (bytes >= (1 << 20)) return QString::number(double(bytes) / double(1 << 20), 'f', 1) + " MiB";
  return QString::number(double(bytes) / 1024.0, 'f', 1) + " KiB";
}

QString flopsText(int64_t flops) {
  if (flops >= 1000000000) return QString::number(double(flops) / 1e9, 'f', 2) + " G";
  if (flops >= 1000000) return QString::number(double(flops) / 1e6, 'f', 2) + " M";
  return withThousands(flops);
}

QString autosaveFolder() {
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/autosave";
}
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName("mainWindow");
  m_editor = new widgets::GraphEditor(this);
  m_scene = new widgets::GraphScene(m_editor, this);
  m_view = new widgets::GraphView(m_scene);
  m_tabs = new QTabWidget;
  m_tabs->setDocumentMode(true);
  m_tabs->addTab(m_view, tr("Model"));
  m_findBar = new widgets::FindNodeBar(m_scene, m_view);  // an overlay in the canvas' corner
  m_findBar->setObjectName("findNodeBar");
  m_findBar->hide();
  m_training = new TrainingPanel;
  // In a scroll area, so the dashboard's minimum size never forces the window wider.
  auto* trainingScroll = new QScrollArea;
  trainingScroll->setWidget(m_training);
  trainingScroll->setWidgetResizable(true);
  trainingScroll->setFrameShape(QFrame::NoFrame);
  m_tabs->addTab(trainingScroll, tr("Training"));
  m_deploy = new DeployPanel;
  // In a scroll area too: the charts' and controls' minimum sizes never force the window wider.
  auto* deployScroll = new QScrollArea;
  deployScroll->setObjectName("deployScroll");
  deployScroll->setWidget(m_deploy);
  deployScroll->setWidgetResizable(true);
  deployScroll->setFrameShape(QFrame::NoFrame);
  m_deployTab = deployScroll;
  m_tabs->addTab(deployScroll, tr("Deploy"));
  m_sweep = new SweepPanel;
  auto* sweepScroll = new QScrollArea;  // as above: the charts never force the window wider
  sweepScroll->setObjectName("sweepScroll");
  sweepScroll->setWidget(m_sweep);
  sweepScroll->setWidgetResizable(true);
  sweepScroll->setFrameShape(QFrame::NoFrame);
  m_sweepTab = sweepScroll;
  m_tabs->addTab(sweepScroll, tr("Sweep"));
  setCentralWidget(m_tabs);
  createDocks();
  createActions();
  connectTraining();
  connectDeploy();
  // The Sweep tab: sweeps the open project; a sweep and a training run never run together.
  m_sweep->setEditor(m_editor);
  m_sweep->setProjectPath([this]() { return m_path; });
  connect(m_training, &TrainingPanel::runActiveChanged, m_sweep, &SweepPanel::setTrainingActive);
  // Choosing a diagnostics alarm selects the node it names in the editor (when the graph still has it).
  connect(m_training->dashboard()->diagnosticsView(), &widgets::DiagnosticsView::nodeActivated, this, [this](qint64 id) {
    if (m_editor->graph().node(id)) m_scene->selectNodes({id});
  });
  m_training->setStartBlocker([this]() {
    return m_sweep->isRunning() ? tr("A sweep is running (Sweep tab): train once it has ended or stop it.") : QString();
  });
  connect(m_sweep, &SweepPanel::statusMessage, this, [this](const QString& message) { showStatus(message, 8000); });
  connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::tabChanged);

  connect(m_editor, &widgets::GraphEditor::changed, this, &MainWindow::refresh);
  connect(m_editor->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
  connect(m_editor, &widgets::GraphEditor::editRefused, this,
          [this](const QString& message) { showStatus(message, 8000); });
  connect(m_scene, &widgets::GraphScene::statusMessage, this,
          [this](const QString& message) { showStatus(message, 8000); });
  connect(m_scene, &QGraphicsScene::selectionChanged, this, &MainWindow::selectionChanged);
  connect(m_scene, &widgets::GraphScene::documentationRequested, this, &MainWindow::showDocumentation);
  connect(m_palette, &widgets::LayerPalette::layerActivated, this, [this](const QString& type) {
    if (auto id = m_editor->addNode(type, m_view->centreScenePos() - QPointF(86, 30))) m_scene->selectNodes({*id});
  });
  connect(m_problems, &QListWidget::currentItemChanged, this, &MainWindow::updateFixButton);
  connect(m_problems, &QListWidget::customContextMenuRequested, this, [this](const QPoint& at) {
    QListWidgetItem* item = m_problems->itemAt(at);
    if (!item) return;
    m_problems->setCurrentItem(item);
    QMenu menu(this);
    const core::NodeId id = item->data(Qt::UserRole).toLongLong();
    if (id >= 0)
      menu.addAction(tr("Select the node"), this, [this, item]() { Q_EMIT m_problems->itemDoubleClicked(item); });
    const int fix = item->data(Qt::UserRole + 1).isValid() ? item->data(Qt::UserRole + 1).toInt() : -1;
    if (fix >= 0 && fix < int(m_datasetIssues.size()) && m_datasetIssues[size_t(fix)].fix) {
      QAction* a = menu.addAction(tr("Fix: %1").arg(QString::fromStdString(m_datasetIssues[size_t(fix)].fixText)),
                                  this, [this]() { applyDatasetFix(); });
      a->setObjectName("fixAction");
    }
    if (!menu.isEmpty()) menu.exec(m_problems->viewport()->mapToGlobal(at));
  });
  connect(m_problems, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
    core::NodeId id = item->data(Qt::UserRole).toLongLong();
    if (id < 0) return;
    m_tabs->setCurrentWidget(m_view);
    m_scene->selectNodes({id});
    if (auto* node = m_scene->nodeItem(id)) m_view->centerOn(node);
  });

  m_closeDeadline.setSingleShot(true);
  m_closeDeadline.setInterval(kCloseWaitMs);
  connect(&m_closeDeadline, &QTimer::timeout, this, [this]() {
    std::fprintf(stderr, "neuralcanvas: the run has not stopped %d s after the window closed; quitting anyway\n",
                 kCloseWaitMs / 1000);
    m_quitLock.reset();  // the application quits; destruction waits briefly, then exits regardless
  });

  m_backgroundWriter.setMaxThreadCount(1);  // writes in the order asked for
  m_peekPool.setMaxThreadCount(1);
  m_peekDebounce.setSingleShot(true);
  m_peekDebounce.setInterval(250);  // typing a path reads once it pauses
  connect(&m_peekDebounce, &QTimer::timeout, this, &MainWindow::startDatasetPeek);
  connect(m_editor, &widgets::GraphEditor::changed, this, &MainWindow::dataSettingsMaybeChanged);
  m_autosaveTimer.setInterval(kAutosaveMs);
  connect(&m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
  m_autosaveTimer.start();

  // The status bar exists from the start (appearing on the first message would shift the
  // layout), with a fixed-width zoom read-out.
  m_zoomLabel = new QLabel;
  m_zoomLabel->setObjectName("zoomLabel");
  m_zoomLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  m_zoomLabel->setFixedWidth(m_zoomLabel->fontMetrics().horizontalAdvance(QStringLiteral("Zoom 888 %")) + 12);
  statusBar()->addPermanentWidget(m_zoomLabel);
  // The scroll range follows the zoom (the scene rect is fixed), so this tracks every zoom change.
  connect(m_view->horizontalScrollBar(), &QScrollBar::rangeChanged, this, &MainWindow::updateZoomLabel);
  updateZoomLabel();
  m_view->installEventFilter(this);
  m_view->viewport()->installEventFilter(this);

  QSettings settings;
  const bool restored = restoreGeometry(settings.value("window/geometry").toByteArray());
  if (!restored) applyDefaultGeometry();
  else if (const QScreen* s = screen()) {
    // A saved geometry from another screen layout, or a tiny window: start at the default.
    const QRect avail = s->availableGeometry();
    if (!avail.intersects(frameGeometry()) || width() < 640 || height() < 400) applyDefaultGeometry();
  }
  restoreState(settings.value("window/state").toByteArray());
  rebuildRecentMenu();
  markBaseline();
  refresh();
}

void MainWindow::applyDefaultGeometry() {
  const QScreen* s = screen() ? screen() : QGuiApplication::primaryScreen();
  if (!s) {
    resize(1360, 850);
    return;
  }
  const QRect avail = s->availableGeometry();
  // 85 % of the screen; on a 1600x1000 screen that is 1360x850, wide enough for the Training
  // tab's form and buttons beside the charts.
  QSize size(int(avail.width() * 0.85), int(avail.height() * 0.85));
  size = size.expandedTo(QSize(1024, 700)).boundedTo(avail.size());
  resize(size);
  move(avail.center() - QPoint(size.width() / 2, size.height() / 2));
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (m_shownOnce) return;
  m_shownOnce = true;
  // The layout (docks, toolbar, status bar) settles once the event loop runs: fit then.
  if (m_keepFitted) QTimer::singleShot(0, this, [this]() {
      if (m_keepFitted) m_view->showForReading();
    });
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_view->viewport() || watched == m_view) {
    switch (event->type()) {
      case QEvent::Resize:
        if (m_keepFitted && watched == m_view->viewport())
          QTimer::singleShot(0, this, [this]() {
            if (m_keepFitted) m_view->showForReading();
          });
        break;
      case QEvent::Wheel:
      case QEvent::MouseButtonPress:
      case QEvent::KeyPress:
        m_keepFitted = false;  // the user has taken over the view
        break;
      default:
        break;
    }
  }
  return QMainWindow::eventFilter(watched, event);
}

void MainWindow::requestFit() {
  m_keepFitted = true;
  if (isVisible()) m_view->showForReading();  // and again on each resize while the window settles
}

void MainWindow::resetZoom(bool centreOnOrigin) {
  m_keepFitted = false;
  const QPointF centre = centreOnOrigin ? QPointF(0, 0) : m_view->centreScenePos();
  m_view->resetTransform();
  m_view->centerOn(centre);
  updateZoomLabel();
}

void MainWindow::updateZoomLabel() {
  if (m_zoomLabel) m_zoomLabel->setText(tr("Zoom %1 %").arg(qRound(m_view->zoom() * 100)));
}

void MainWindow::showStatus(const QString& message, int timeoutMs) {
  QStatusBar* bar = statusBar();
  const QString line = message.simplified();  // one line, whatever the message holds
  // Before the window is shown the bar has no width yet: the window's width is what it will get.
  int room = (bar->isVisible() ? bar->width() : width()) - (m_zoomLabel ? m_zoomLabel->width() : 0) - 40;
  const QString shown = bar->fontMetrics().elidedText(line, Qt::ElideRight, std::max(room, 200));
  bar->setToolTip(shown == line ? QString() : line);
  bar->showMessage(shown, timeoutMs);
}

QString MainWindow::problemText(const QString& nodeName, const QString& message) {
  if (nodeName.isEmpty()) return message;
  if (message.startsWith(nodeName)) {
    const QString rest = message.mid(nodeName.size());
    // "relu1: ...", "relu1 is ...", "relu1's result ...": already named.
    if (rest.isEmpty() || rest.startsWith(':') || rest.startsWith(' ') || rest.startsWith('\'')) return message;
  }
  return nodeName + QStringLiteral(": ") + message;
}

MainWindow::~MainWindow() {
  waitForAutosave();
  m_peekDebounce.stop();
  m_peekPool.waitForDone();  // its result is posted to this window
  // Join a run still going before the widgets it reports to go away (bounded: see shutdown()).
  m_training->shutdown();
  delete m_preview;  // joins the preview thread; no result reaches the pane after this
  m_preview = nullptr;
  // The editor (a child) is destroyed after this body: its undo stack's last signals must not
  // reach this half-destroyed window.
  disconnect(m_editor->undoStack(), nullptr, this, nullptr);
  disconnect(m_editor, nullptr, this, nullptr);
  // Nor the scene's: destroying selected node items emits selectionChanged, which would rebuild
  // the inspector while the docks are being destroyed.
  disconnect(m_scene, nullptr, this, nullptr);
}

void MainWindow::createDocks() {
  auto* paletteBox = new QWidget;
  auto* paletteLayout = new QVBoxLayout(paletteBox);
  paletteLayout->setContentsMargins(4, 4, 4, 4);
  auto* search = new QLineEdit;
  search->setObjectName("layerSearch");
  search->setPlaceholderText(tr("Search layers"));
  search->setClearButtonEnabled(true);
  m_palette = new widgets::LayerPalette;
  paletteLayout->addWidget(search);
  paletteLayout->addWidget(m_palette);
  m_palette->attachSearchField(search);  // filter as typed; Up/Down highlight; Enter adds the highlighted layer
  auto* paletteDock = new QDockWidget(tr("Layers"));
  paletteDock->setObjectName("paletteDock");
  paletteDock->setWidget(paletteBox);
  addDockWidget(Qt::LeftDockWidgetArea, paletteDock);

  m_inspector = new widgets::Inspector(m_editor);
  auto* inspectorDock = new QDockWidget(tr("Inspector"));
  inspectorDock->setObjectName("inspectorDock");
  // A long parameter form scrolls (its fields take the wheel only when focused: WheelGuard).
  auto* inspectorScroll = new QScrollArea;
  inspectorScroll->setObjectName("inspectorScroll");
  inspectorScroll->setWidget(m_inspector);
  inspectorScroll->setWidgetResizable(true);
  inspectorScroll->setFrameShape(QFrame::NoFrame);
  inspectorScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  inspectorDock->setWidget(inspectorScroll);
  addDockWidget(Qt::RightDockWidgetArea, inspectorDock);

  m_summary = new QLabel;
  m_summary->setObjectName("summary");
  m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_summary->setMargin(8);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_summary->setWordWrap(true);  // a long data description wraps instead of widening the dock
  auto* summaryDock = new QDockWidget(tr("Summary"));
  summaryDock->setObjectName("summaryDock");
  summaryDock->setWidget(m_summary);
  addDockWidget(Qt::RightDockWidgetArea, summaryDock);

  m_problems = new QListWidget;
  m_problems->setObjectName("problems");
  m_problems->setContextMenuPolicy(Qt::CustomContextMenu);
  m_problems->setWordWrap(true);
  // Beside the list: the one-click fix of a graph-vs-data problem ("Fix: set
  // classifier.out_features to 10"), for the selected problem or else the first fixable one.
  m_fixButton = new QPushButton;
  m_fixButton->setObjectName("applyFix");
  m_fixButton->hide();
  connect(m_fixButton, &QPushButton::clicked, this, [this]() { applyDatasetFix(); });
  auto* problemsBox = new QWidget;
  auto* problemsLayout = new QHBoxLayout(problemsBox);
  problemsLayout->setContentsMargins(0, 0, 4, 0);
  problemsLayout->addWidget(m_problems, 1);
  problemsLayout->addWidget(m_fixButton, 0, Qt::AlignTop);
  auto* problemsDock = new QDockWidget(tr("Problems"));
  problemsDock->setObjectName("problemsDock");
  problemsDock->setWidget(problemsBox);
  addDockWidget(Qt::BottomDockWidgetArea, problemsDock);
  // View > Layer analysis: the per-layer table (sortable; rows select nodes; tint by cost), a
  // tab beside the problems, hidden until asked for.
  m_analysis = new widgets::AnalysisTable;
  m_analysis->setObjectName("analysisTable");
  m_analysis->setEditor(m_editor);
  m_analysis->setScene(m_scene);
  auto* analysisDock = new QDockWidget(tr("Layer analysis"));
  analysisDock->setObjectName("analysisDock");
  analysisDock->setWidget(m_analysis);
  addDockWidget(Qt::BottomDockWidgetArea, analysisDock);
  tabifyDockWidget(problemsDock, analysisDock);
  analysisDock->hide();
  problemsDock->raise();
  QAction* analysisAction = analysisDock->toggleViewAction();
  analysisAction->setObjectName("layerAnalysis");
  analysisAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
  connect(analysisAction, &QAction::triggered, this, [this, analysisDock, problemsDock](bool shown) {
    if (!shown) return;
    m_tabs->setCurrentWidget(m_view);
    analysisDock->raise();
    // Tall enough for a dozen rows and the tint legend.
    if (analysisDock->height() < 260) resizeDocks({problemsDock, analysisDock}, {300, 300}, Qt::Vertical);
  });
  // The side docks run the full height: the problems and analysis docks sit under the canvas only,
  // so showing them never squeezes the inspector or the summary.
  setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
  setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
  resizeDocks({paletteDock, inspectorDock}, {210, 300}, Qt::Horizontal);
  // The inspector's form (up to ten fields) gets most of the right side; the summary needs ~9 lines.
  resizeDocks({inspectorDock, summaryDock}, {430, 250}, Qt::Vertical);
  resizeDocks({problemsDock}, {110}, Qt::Vertical);
  // The Preview (issue 14): the selected node's output for a sample, beside the summary.
  m_previewPane = new widgets::PreviewPane;
  auto* previewDock = new QDockWidget(tr("Preview"));
  previewDock->setObjectName("previewDock");
  previewDock->setWidget(m_previewPane);
  addDockWidget(Qt::RightDockWidgetArea, previewDock);
  tabifyDockWidget(summaryDock, previewDock);
  previewDock->raise();
  resizeDocks({inspectorDock, previewDock}, {340, 560}, Qt::Vertical);  // the preview needs the room more than the form
  m_preview = new PreviewController(m_editor, m_scene, m_previewPane, this);
  m_preview->setTrainingController(m_training->controller());
}

void MainWindow::connectTraining() {
  m_training->setProjectSource([this]() { return m_editor->project(); }, [this]() { return m_path; });
  // Settings live in the project: edits in the panel are undoable project edits, and the panel
  // follows the project (open, undo) without echoing back.
  connect(m_training, &TrainingPanel::settingsChanged, this,
          [this](const core::DataConfig& data, const core::TrainConfig& training) {
            if (!(data == m_editor->project().data) || !(training == m_editor->project().training))
              m_editor->setSettings(data, training);
          });
  connect(m_editor, &widgets::GraphEditor::changed, this, [this]() {
    const core::Project& p = m_editor->project();
    if (!(m_training->dataConfig() == p.data) || !(m_training->trainConfig() == p.training))
      m_training->setSettings(p.data, p.training);
  });
  connect(m_training, &TrainingPanel::runActiveChanged, this, [this](bool active) {
    m_editor->setReadOnly(active);
    updateEditActions();
    showStatus(active ? tr("Training: the model is read-only until the run ends.") : tr("Training ended."),
                             6000);
    if (!active && m_quitLock) runEndedAfterClose();
  });
  connect(m_training, &TrainingPanel::problemsRefusedStart, this, [this]() {
    if (auto* dock = findChild<QDockWidget*>("problemsDock")) dock->show();
    m_tabs->setCurrentWidget(m_view);
    showStatus(tr("Fix the problems listed below before training."), 8000);
    m_problems->setFocus();
  });
  connect(m_training, &TrainingPanel::statusMessage, this,
          [this](const QString& message) { showStatus(message, 6000); });
}

void MainWindow::showTraining() { m_tabs->setCurrentIndex(1); }

void MainWindow::showDeploy() { m_tabs->setCurrentWidget(m_deployTab); }

void MainWindow::showSweep() { m_tabs->setCurrentWidget(m_sweepTab); }

void MainWindow::setInteractive(bool interactive) {
  m_interactive = interactive;
  if (m_deploy) m_deploy->setInteractive(interactive);
  if (m_sweep) m_sweep->setInteractive(interactive);
}

void MainWindow::connectDeploy() {
  // The Deploy tab offers the runs the Training tab lists (same folder, same project).
  auto syncRuns = [this]() { m_deploy->setRuns(m_training->runsRoot(), m_training->runList()->owner()); };
  connect(m_training->runList(), &widgets::RunList::refreshed, this, syncRuns);
  syncRuns();
  connect(m_training, &TrainingPanel::runActiveChanged, m_deploy, &DeployPanel::setTrainingActive);
  connect(m_deploy, &DeployPanel::statusMessage, this, [this](const QString& message) { showStatus(message, 8000); });
  // "Open pruned project": as File > Open does (refused during a run; unsaved changes asked about).
  connect(m_deploy, &DeployPanel::openProjectRequested, this, [this](const QString& path) {
    if (m_editor->readOnly()) {
      showError(tr("Cannot open project"), tr("A training run is using the model: open %1 once it has ended.").arg(path));
      return;
    }
    if (!maybeSave()) return;
    if (openProject(path)) m_tabs->setCurrentWidget(m_view);
  });
}

void MainWindow::tabChanged() {
  // The editor's docks are of no use beside the dashboard: hide them there, and bring back the
  // ones that were open when returning to the model.
  const bool model = m_tabs->currentWidget() == m_view;
  if (m_zoomLabel) m_zoomLabel->setVisible(model);  // the canvas' zoom means nothing beside the dashboard
  for (QDockWidget* dock : findChildren<QDockWidget*>()) {
    if (!model && dock->isVisible()) {
      m_hiddenDocks.push_back(dock);
      dock->hide();
    }
  }
  if (model) {
    for (QDockWidget* dock : m_hiddenDocks) dock->show();
    m_hiddenDocks.clear();
  }
}

void MainWindow::createActions() {
  auto make = [this](const QString& name, const QString& text, const QKeySequence& key, auto slot) {
    auto* a = new QAction(text, this);
    a->setObjectName(name);
    if (!key.isEmpty()) a->setShortcut(key);
    connect(a, &QAction::triggered, this, slot);
    addAction(a);
    return a;
  };
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(make("new", tr("&New"), QKeySequence::New, [this]() {
    if (m_editor->readOnly() || !maybeSave()) return;
    newProject();
  }));
  // A gallery with a picture and one line per template; the choice opens as an untitled copy.
  file->addAction(make("newFromTemplate", tr("New from &template…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), [this]() {
    if (m_editor->readOnly()) return;
    std::optional<QString> name = widgets::TemplateGallery::choose(this);
    if (name && maybeSave()) newFromTemplate(*name);
  }));
  file->addAction(make("open", tr("&Open…"), QKeySequence::Open, [this]() {
    if (m_editor->readOnly() || !maybeSave()) return;
    QString path = QFileDialog::getOpenFileName(this, tr("Open project"), QFileInfo(m_path).absolutePath(),
                                                tr("NeuralCanvas projects (*.json);;All files (*)"));
    if (!path.isEmpty()) openProject(path);
  }));
  m_recentMenu = file->addMenu(tr("Open &recent"));
  file->addSeparator();
  file->addAction(make("save", tr("&Save"), QKeySequence::Save, [this]() { saveProject(); }));
  file->addAction(make("saveAs", tr("Save &as…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), [this]() {
    saveProjectAs();
  }));
  file->addSeparator();
  file->addAction(make("exportDiagram", tr("&Export diagram…"), QKeySequence(Qt::CTRL | Qt::Key_E), [this]() {
    if (!m_interactive) return;
    const QString folder = m_path.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                                            : QFileInfo(m_path).absolutePath();
    const QString stem = m_path.isEmpty() ? QString::fromStdString(m_editor->project().name) : QFileInfo(m_path).completeBaseName();
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export diagram"), QDir(folder).filePath(stem + ".png"),
                                                tr("PNG image (*.png);;SVG drawing (*.svg)"), &filter);
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += filter.contains("svg") ? ".svg" : ".png";
    exportDiagramTo(path);
  }));
  // The Deploy tab's run (its best checkpoint), in the background with progress on that tab.
  file->addAction(make("exportTorchScript", tr("Export &TorchScript…"), QKeySequence(), [this]() {
    showDeploy();
    m_deploy->exportWithDialog(DeployPanel::ExportFormat::TorchScript);
  }));
  file->addAction(make("exportTorchScriptInt8", tr("Export TorchScript (&int8)…"), QKeySequence(), [this]() {
    showDeploy();
    m_deploy->exportWithDialog(DeployPanel::ExportFormat::TorchScriptInt8);
  }));
  file->addAction(make("exportOnnx", tr("Export &ONNX…"), QKeySequence(), [this]() {
    showDeploy();
    m_deploy->exportWithDialog(DeployPanel::ExportFormat::Onnx);
  }));
  file->addSeparator();
  file->addAction(make("quit", tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), [this]() { close(); }));

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  // Not the stack's own actions: those stay enabled whenever the stack can undo, also during a
  // run. These go through the editor (which refuses while read-only) and follow its state.
  QAction* undo = make("undo", tr("&Undo"), QKeySequence::Undo, [this]() { m_editor->undo(); });
  QAction* redo = make("redo", tr("&Redo"), QKeySequence::Redo, [this]() { m_editor->redo(); });
  undo->setShortcuts(QKeySequence::Undo);
  // Ctrl+Shift+Z and Ctrl+Y on every platform (the platform's list has only one of them on Linux).
  QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
  for (const QKeySequence& k : {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)})
    if (!redoKeys.contains(k)) redoKeys.append(k);
  redo->setShortcuts(redoKeys);
  QUndoStack* stack = m_editor->undoStack();
  for (auto signal : {&QUndoStack::canUndoChanged, &QUndoStack::canRedoChanged})
    connect(stack, signal, this, &MainWindow::updateEditActions);
  connect(stack, &QUndoStack::undoTextChanged, this, &MainWindow::updateEditActions);
  connect(stack, &QUndoStack::redoTextChanged, this, &MainWindow::updateEditActions);
  edit->addAction(undo);
  edit->addAction(redo);
  edit->addSeparator();
  edit->addAction(make("cut", tr("Cu&t"), QKeySequence::Cut, [this]() { copySelection(true); }));
  edit->addAction(make("copy", tr("&Copy"), QKeySequence::Copy, [this]() { copySelection(false); }));
  edit->addAction(make("paste", tr("&Paste"), QKeySequence::Paste, [this]() { pasteClipboard(); }));
  edit->addAction(make("duplicate", tr("D&uplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), [this]() {
    auto created = m_editor->duplicate(m_scene->selectedNodes());
    m_scene->selectNodes({created.begin(), created.end()});
  }));
  QAction* del = make("delete", tr("&Delete"), QKeySequence::Delete, [this]() { m_scene->deleteSelection(); });
  del->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)});
  edit->addAction(del);
  edit->addAction(make("selectAll", tr("Select &all"), QKeySequence::SelectAll, [this]() {
    for (const auto& [id, item] : m_scene->nodeItems()) item->setSelected(true);
  }));
  edit->addSeparator();
  edit->addAction(make("findNode", tr("&Find node…"), QKeySequence(Qt::CTRL | Qt::Key_F), [this]() {
    m_tabs->setCurrentWidget(m_view);
    m_findBar->activate();
  }));
  edit->addAction(make("findNext", tr("Find &next"), QKeySequence(Qt::Key_F3), [this]() {
    m_tabs->setCurrentWidget(m_view);
    m_findBar->findNext();
  }));
  edit->addAction(make("findPrevious", tr("Find pre&vious"), QKeySequence(Qt::SHIFT | Qt::Key_F3), [this]() {
    m_tabs->setCurrentWidget(m_view);
    m_findBar->findPrevious();
  }));

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* zoomIn = make("zoomIn", tr("Zoom &in"), QKeySequence::ZoomIn, [this]() {
    m_keepFitted = false;
    m_view->zoomBy(1.25);
  });
  // Ctrl++ needs Shift on most keyboards: Ctrl+= (the same key) zooms in too.
  QList<QKeySequence> zoomInKeys = QKeySequence::keyBindings(QKeySequence::ZoomIn);
  if (!zoomInKeys.contains(QKeySequence(Qt::CTRL | Qt::Key_Equal))) zoomInKeys.append(QKeySequence(Qt::CTRL | Qt::Key_Equal));
  zoomIn->setShortcuts(zoomInKeys);
  view->addAction(zoomIn);
  view->addAction(make("zoomOut", tr("Zoom &out"), QKeySequence::ZoomOut, [this]() {
    m_keepFitted = false;
    m_view->zoomBy(0.8);
  }));
  view->addAction(make("zoomReset", tr("&Actual size (100 %)"), QKeySequence(Qt::CTRL | Qt::Key_0), [this]() { resetZoom(false); }));
  view->addAction(make("fit", tr("&Fit to view"), QKeySequence(Qt::CTRL | Qt::Key_1), [this]() { m_view->fitToContents(); }));
  view->addAction(make("autoLayout", tr("&Auto-layout"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L), [this]() {
    if (m_editor->autoLayout()) m_view->fitToContents();
  }));
  // Layout direction: the project's flow, set as one undoable edit that also lays the graph out.
  QMenu* direction = view->addMenu(tr("Layout &direction"));
  m_directionMenu = direction;
  auto* directions = new QActionGroup(this);
  for (auto [name, text, flow] : {std::tuple{"flowTopDown", tr("&Top-down"), core::LayoutDirection::TopDown},
                                  std::tuple{"flowLeftRight", tr("&Left-right"), core::LayoutDirection::LeftRight}}) {
    QAction* a = make(name, text, QKeySequence(), [this, flow = flow]() {
      if (m_editor->project().flow == flow) return;
      if (m_editor->setFlow(flow)) m_view->fitToContents();
      updateDirectionActions();
    });
    a->setCheckable(true);
    directions->addAction(a);
    direction->addAction(a);
    m_graphActions.push_back(a);
  }
  view->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
  QAction* thumbnails = make("nodeThumbnails", tr("Node &thumbnails"), QKeySequence(),
                             [this](bool on) { m_preview->setThumbnailsEnabled(on); });
  thumbnails->setCheckable(true);
  view->addAction(thumbnails);

  QMenu* train = menuBar()->addMenu(tr("&Train"));
  train->addAction(make("train", tr("&Start training"), QKeySequence(Qt::Key_F5), [this]() {
    showTraining();
    m_training->start();
  }));
  train->addAction(make("pauseTraining", tr("&Pause / resume"), QKeySequence(Qt::Key_F6), [this]() {
    if (m_training->isPaused()) m_training->resume();
    else m_training->pause();
  }));
  train->addAction(make("stopTraining", tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5), [this]() { m_training->stop(); }));
  train->addAction(make("showTraining", tr("Show &dashboard"), QKeySequence(Qt::CTRL | Qt::Key_T), [this]() { showTraining(); }));
  train->addSeparator();
  train->addAction(make("showDeploy", tr("De&ploy view"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D), [this]() { showDeploy(); }));
  train->addAction(make("compress", tr("&Compress…"), QKeySequence(), [this]() {
    showDeploy();
    m_deploy->compressWithDialog();
  }));

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(make("layerDocumentation", tr("&Layer documentation"), QKeySequence(Qt::Key_F1), [this]() {
    // The selected node's type, else the palette's current layer, else the first page.
    std::set<core::NodeId> selected = m_scene->selectedNodes();
    QString type;
    if (selected.size() == 1)
      if (const core::Node* n = m_editor->graph().node(*selected.begin())) type = QString::fromStdString(n->type);
    showDocumentation(type);
  }));
  help->addAction(make("shortcuts", tr("&Keyboard shortcuts"), QKeySequence(Qt::CTRL | Qt::Key_Slash), [this]() {
    QList<QAction*> actions = menuBar()->actions();
    widgets::showShortcutsDialog(this, actions);
  }));
  help->addSeparator();
  help->addAction(make("about", tr("&About NeuralCanvas"), QKeySequence(), [this]() { widgets::showAboutDialog(this); }));

  QToolBar* bar = addToolBar(tr("Main"));
  bar->setObjectName("mainToolbar");
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  for (const char* name : {"new", "open", "save"}) bar->addAction(action(name));
  bar->addSeparator();
  bar->addAction(undo);
  bar->addAction(redo);
  bar->addSeparator();
  for (const char* name : {"zoomIn", "zoomOut", "fit", "autoLayout"}) bar->addAction(action(name));
  bar->addSeparator();
  bar->addAction(action("train"));

  for (const char* name : {"new", "newFromTemplate", "open", "cut", "paste", "duplicate", "delete", "autoLayout"})
    m_graphActions.push_back(action(name));
  updateEditActions();
}

void MainWindow::updateEditActions() {
  const bool editable = !m_editor->readOnly();
  for (QAction* a : m_graphActions) a->setEnabled(editable);
  if (m_templatesMenu) m_templatesMenu->setEnabled(editable);
  if (m_recentMenu) m_recentMenu->setEnabled(editable && !m_recentMenu->actions().isEmpty());
  QUndoStack* stack = m_editor->undoStack();
  // The text stays "Undo" / "Redo" (a toolbar button whose text follows the command would change
  // width and shift the buttons after it); the command's name is in the tooltip.
  if (QAction* undo = action("undo")) {
    undo->setEnabled(m_editor->canUndo());
    undo->setToolTip(stack->undoText().isEmpty() ? tr("Undo (Ctrl+Z)") : tr("Undo %1 (Ctrl+Z)").arg(stack->undoText()));
  }
  if (QAction* redo = action("redo")) {
    redo->setEnabled(m_editor->canRedo());
    redo->setToolTip(stack->redoText().isEmpty() ? tr("Redo (Ctrl+Shift+Z or Ctrl+Y)")
                                                 : tr("Redo %1 (Ctrl+Shift+Z or Ctrl+Y)").arg(stack->redoText()));
  }
}

QAction* MainWindow::action(const QString& objectName) const { return findChild<QAction*>(objectName); }

void MainWindow::updateDirectionActions() {
  const bool topDown = m_editor->project().flow == core::LayoutDirection::TopDown;
  if (QAction* a = action("flowTopDown"); a && a->isChecked() != topDown) a->setChecked(topDown);
  if (QAction* a = action("flowLeftRight"); a && a->isChecked() == topDown) a->setChecked(!topDown);
}

bool MainWindow::exportDiagramTo(const QString& path) {
  QString error;
  if (!widgets::exportDiagram(m_scene, path, &error)) {
    showError(tr("Export diagram"), error);
    return false;
  }
  showStatus(tr("Diagram exported to %1").arg(path), 6000);
  return true;
}

void MainWindow::showDocumentation(const QString& type) { widgets::showLayerDocumentation(this, type); }

bool MainWindow::isModified() const { return !m_editor->undoStack()->isClean(); }

void MainWindow::showError(const QString& title, const QString& message) {
  m_lastError = message;
  showStatus(message, 15000);
  if (m_interactive) QMessageBox::critical(this, title, message);
}

QString MainWindow::templatePath(const QString& name) {
  const QStringList roots = {QCoreApplication::applicationDirPath() + "/../resources",
                             QCoreApplication::applicationDirPath() + "/../../resources", QStringLiteral(NC_RESOURCE_DIR)};
  for (const QString& root : roots) {
    QString p = root + "/templates/" + name + ".json";
    if (QFileInfo::exists(p)) return QDir::cleanPath(p);
  }
  return {};
}

bool MainWindow::isShippedTemplate(const QString& path) {
  const QString file = QFileInfo(path).canonicalFilePath();
  if (file.isEmpty()) return false;
  const QStringList roots = {QCoreApplication::applicationDirPath() + "/../resources",
                             QCoreApplication::applicationDirPath() + "/../../resources", QStringLiteral(NC_RESOURCE_DIR)};
  for (const QString& root : roots) {
    const QString dir = QFileInfo(root + "/templates").canonicalFilePath();
    if (!dir.isEmpty() && QFileInfo(file).canonicalPath() == dir) return true;
  }
  return false;
}

bool MainWindow::adoptProject(core::Project project, const QString& path, const QString& templateName) {
  if (!m_editor->setProject(std::move(project))) return false;
  m_path = path;
  m_templateName = templateName;
  markBaseline();
  updateTitle();
  m_training->setProject(m_path, m_editor->project(), TrainingPanel::ProjectChange::Opened);
  requestFit();
  dataSettingsMaybeChanged();
  return true;
}

bool MainWindow::openProject(const QString& path) {
  if (m_editor->readOnly()) {
    showError(tr("Cannot open project"), tr("A training run is using the model: open %1 once it has ended.").arg(path));
    return false;
  }
  core::ProjectLoad load = core::loadProject(path.toStdString());
  if (!load.ok()) {
    showError(tr("Cannot open project"), QString::fromStdString(load.error));
    return false;
  }
  if (isShippedTemplate(path)) {
    // A shipped template opens as an untitled copy: Save asks where, so Enter in a prompt can
    // never overwrite the file that came with the program.
    const QString name = QFileInfo(path).completeBaseName();
    if (!adoptProject(std::move(*load.project), {}, name)) return false;
    showStatus(tr("Opened the template %1 as an untitled copy: Save asks where to keep it.").arg(name), 8000);
    return true;
  }
  if (!adoptProject(std::move(*load.project), QFileInfo(path).absoluteFilePath(), {})) return false;
  addRecent(m_path);
  showStatus(tr("Opened %1").arg(m_path), 5000);
  return true;
}

bool MainWindow::newFromTemplate(const QString& name) {
  if (m_editor->readOnly()) {
    showError(tr("Template"), tr("A training run is using the model: start a new one once it has ended."));
    return false;
  }
  QString path = templatePath(name);
  if (path.isEmpty()) {
    showError(tr("Template missing"), tr("No template named %1 in resources/templates").arg(name));
    return false;
  }
  core::ProjectLoad load = core::loadProject(path.toStdString());
  if (!load.ok()) {
    showError(tr("Cannot open template"), QString::fromStdString(load.error));
    return false;
  }
  return adoptProject(std::move(*load.project), {}, name);  // never overwritten: Save asks for a file
}

bool MainWindow::newProject() {
  if (m_editor->readOnly()) {
    showError(tr("New project"), tr("A training run is using the model: start a new one once it has ended."));
    return false;
  }
  core::Project empty;
  empty.name = "untitled";
  if (!m_editor->setProject(std::move(empty))) return false;
  m_path.clear();
  m_templateName.clear();
  markBaseline();
  updateTitle();
  m_training->setProject(m_path, m_editor->project(), TrainingPanel::ProjectChange::Opened);
  resetZoom(true);  // a blank canvas at 100 %, centred, whatever the last project's zoom was
  return true;
}

bool MainWindow::saveProject(const QString& path) {
  QString target = path.isEmpty() ? m_path : path;
  if (target.isEmpty()) return saveProjectAs();
  if (core::Status s = core::saveProject(m_editor->project(), target.toStdString()); !s) {
    showError(tr("Cannot save project"), QString::fromStdString(s.message()));
    return false;
  }
  m_path = QFileInfo(target).absoluteFilePath();
  m_templateName.clear();
  m_editor->undoStack()->setClean();
  markBaseline();
  addRecent(m_path);
  removeAutosave();
  updateTitle();
  m_training->setProject(m_path, m_editor->project(), TrainingPanel::ProjectChange::Saved);
  dataSettingsMaybeChanged();  // a relative data path now resolves against the new folder
  showStatus(tr("Saved %1").arg(m_path), 5000);
  return true;
}

bool MainWindow::saveProjectAs() {
  if (!m_interactive) return false;
  // Suggest the current file's folder, or for an untitled project / template copy the user's
  // documents (never the shipped templates folder).
  QString folder = m_path.isEmpty() || isShippedTemplate(m_path)
                       ? QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)
                       : QFileInfo(m_path).absolutePath();
  QString suggestion = QDir(folder).filePath(
      m_path.isEmpty() ? QString::fromStdString(m_editor->project().name) + ".json" : QFileInfo(m_path).fileName());
  const QString target =
      QFileDialog::getSaveFileName(this, tr("Save project as"), suggestion, tr("NeuralCanvas projects (*.json)"));
  if (target.isEmpty()) return false;
  return saveProject(target);
}

void MainWindow::markBaseline() { m_baseline = m_editor->project(); }

QString MainWindow::unsavedChangesText() const {
  const core::Project& now = m_editor->project();
  const bool settings = !(now.data == m_baseline.data) || !(now.training == m_baseline.training);
  // The model: everything but the data and training settings (graph, names, layout).
  core::Project nowModel = now;
  nowModel.data = m_baseline.data;
  nowModel.training = m_baseline.training;
  const bool model = core::serializeProject(nowModel) != core::serializeProject(m_baseline);
  if (model && settings) return tr("the model and the training settings");
  if (model) return tr("the model");
  if (settings) return tr("the training settings");
  return {};
}

void MainWindow::updateTitle() {
  QString name;
  if (!m_templateName.isEmpty()) name = tr("%1 (template) – unsaved").arg(m_templateName);
  else if (m_path.isEmpty()) name = tr("%1 – unsaved").arg(QString::fromStdString(m_editor->project().name));
  else name = QFileInfo(m_path).fileName();
  setWindowTitle(QStringLiteral("%1[*] — NeuralCanvas").arg(name));
  setWindowModified(isModified());
}

bool MainWindow::maybeSave() {
  if (!isModified() || !m_interactive) return true;
  const QString what = unsavedChangesText();
  if (what.isEmpty()) return true;  // edited and changed back: the same as the file
  // Save (write the file in place) is the default only for an ordinary file of the user's; an
  // untitled project or a template copy defaults to Save As…, which asks where.
  const bool ordinaryFile = !m_path.isEmpty() && !isShippedTemplate(m_path);
  const QString name = !m_templateName.isEmpty() ? tr("The copy of the template %1").arg(m_templateName)
                       : ordinaryFile           ? QFileInfo(m_path).fileName()
                                                : tr("The untitled project");
  QMessageBox box(QMessageBox::Warning, tr("Unsaved changes"),
                  tr("%1 has unsaved changes to %2. Save them first?").arg(name, what), QMessageBox::NoButton, this);
  box.setObjectName("unsavedChangesPrompt");
  if (!m_templateName.isEmpty())
    box.setInformativeText(tr("The template that ships with NeuralCanvas stays as it is: Save As… keeps your copy in a file of your own."));
  QAbstractButton* save = ordinaryFile ? static_cast<QAbstractButton*>(box.addButton(QMessageBox::Save))
                                       : box.addButton(tr("Save As…"), QMessageBox::AcceptRole);
  QAbstractButton* discard = box.addButton(QMessageBox::Discard);
  QAbstractButton* cancel = box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(qobject_cast<QPushButton*>(save));
  box.setEscapeButton(cancel);
  box.exec();
  QAbstractButton* clicked = box.clickedButton();
  if (clicked == save) return ordinaryFile ? saveProject() : saveProjectAs();
  return clicked == discard;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (m_closing) {  // closed again while the run is stopping: already on its way out
    event->accept();
    return;
  }
  if (!maybeSave()) {
    event->ignore();
    return;
  }
  m_tabs->setCurrentWidget(m_view);  // saves the editor's docks as the user left them
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  removeAutosave();
  m_deploy->cancel();  // a measurement under way ends at its next check; the panel joins it
  if (m_training->isRunActive()) {
    // Never wait here: ask the run to stop (it checks about every second, in every phase), let
    // the window close now, and keep the application's event loop alive until the worker has
    // reported the end and its thread is joined (runEndedAfterClose), at most kCloseWaitMs.
    m_closing = true;
    m_quitLock = std::make_unique<QEventLoopLocker>();
    m_training->stop();
    m_closeDeadline.start();
  }
  event->accept();
}

void MainWindow::runEndedAfterClose() {
  m_closeDeadline.stop();
  m_closing = false;
  m_quitLock.reset();  // the last window is closed: the application quits now
}

void MainWindow::addRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value("recentFiles").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue("recentFiles", recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  if (!m_recentMenu) return;
  m_recentMenu->clear();
  const QStringList recent = QSettings().value("recentFiles").toStringList();
  for (const QString& path : recent)
    m_recentMenu->addAction(QFileInfo(path).fileName() + "  —  " + QFileInfo(path).absolutePath(), this, [this, path]() {
      if (!m_editor->readOnly() && maybeSave()) openProject(path);
    });
  m_recentMenu->setEnabled(!recent.isEmpty() && !m_editor->readOnly());
}

void MainWindow::copySelection(bool cut) {
  std::set<core::NodeId> nodes = m_scene->selectedNodes();
  if (nodes.empty()) return;
  auto* data = new QMimeData;
  QString json = m_editor->copyNodes(nodes);
  data->setData(kGraphMimeType, json.toUtf8());
  data->setText(json);
  QApplication::clipboard()->setMimeData(data);
  if (cut) m_editor->removeItems(nodes);
  const int n = int(nodes.size());
  showStatus(cut ? (n == 1 ? tr("1 node cut") : tr("%1 nodes cut").arg(n))
                 : (n == 1 ? tr("1 node copied") : tr("%1 nodes copied").arg(n)),
             3000);
}

void MainWindow::pasteClipboard() {
  const QMimeData* data = QApplication::clipboard()->mimeData();
  if (!data) return;
  QString json = data->hasFormat(kGraphMimeType) ? QString::fromUtf8(data->data(kGraphMimeType)) : data->text();
  if (json.trimmed().isEmpty()) return;
  QPoint cursor = m_view->viewport()->mapFromGlobal(QCursor::pos());
  QPointF at = m_view->viewport()->rect().contains(cursor) ? m_view->mapToScene(cursor) : m_view->centreScenePos();
  auto created = m_editor->paste(json, at);
  m_scene->selectNodes({created.begin(), created.end()});
}

void MainWindow::selectionChanged() {
  std::set<core::NodeId> nodes = m_scene->selectedNodes();
  m_inspector->setNode(nodes.size() == 1 ? std::optional<core::NodeId>(*nodes.begin()) : std::nullopt);
}

void MainWindow::refresh() {
  const core::Project& p = m_editor->project();
  const core::GraphAnalysis& a = m_editor->analysis();
  core::GraphSummary sum = core::summarize(p.graph, a);
  core::MemoryEstimate memory = core::estimateTrainingMemory(p.graph, a, p.training);
  // The machine's free memory beside the estimate once a run would take most of it (the trainer
  // refuses a run that does not fit: core/training/MemoryFit.h).
  QString memoryCell = bytesText(memory.total());
  if (const int64_t freeBytes = core::availableMemoryForTraining(); freeBytes >= 0 && double(memory.total()) > 0.8 * double(freeBytes))
    memoryCell += tr("<br><small style='color:%1'>free: %2</small>")
                      .arg(memory.total() > freeBytes ? "#c53030" : "#b7791f", bytesText(freeBytes));
  const core::TensorShape* out = a.modelOutput();
  int errors = 0, warnings = 0;
  for (const auto& issue : a.issues) (issue.severity == core::Severity::Error ? errors : warnings)++;
  m_summary->setText(
      tr("<b>%1</b><table cellspacing=3>"
         "<tr><td>Nodes</td><td align=right>%2</td></tr>"
         "<tr><td>Parameters</td><td align=right>%3</td></tr>"
         "<tr><td>FLOPs / sample</td><td align=right>%4</td></tr>"
         "<tr><td>Training memory<br><small>(batch %5, %6, estimate)</small></td><td align=right>%7</td></tr>"
         "<tr><td>Output</td><td align=right>%8</td></tr>"
         "<tr><td>Status</td><td align=right>%9</td></tr></table>"
         "<p style='margin-top:6px'>Data: %10</p>")
          .arg(QString::fromStdString(p.name).toHtmlEscaped())
          .arg(p.graph.nodes().size())
          .arg(withThousands(sum.params))
          .arg(flopsText(sum.flops))
          .arg(p.training.batchSize)
          .arg(QString::fromStdString(p.training.optimizer))
          .arg(memoryCell)
          .arg(out ? QString::fromStdString(out->str()) : tr("none"))
          .arg(errors ? tr("<span style='color:#c53030'>%1 error(s)</span>").arg(errors)
                      : warnings ? tr("valid, %1 warning(s)").arg(warnings) : tr("<span style='color:#2f855a'>valid</span>"))
          .arg(!m_datasetInfo ? tr("reading…")
               : m_datasetInfo->ok ? QString::fromStdString(m_datasetInfo->summary).toHtmlEscaped()
                                   : tr("<span style='color:#b7791f'>not readable</span>")));
  m_summary->setToolTip(m_datasetInfo && !m_datasetInfo->ok ? QString::fromStdString(m_datasetInfo->error) : QString());

  m_problems->clear();
  for (const auto& issue : a.issues) {
    const core::Node* n = issue.node >= 0 ? p.graph.node(issue.node) : nullptr;
    const QString text = problemText(n ? QString::fromStdString(n->name) : QString(), QString::fromStdString(issue.message));
    bool error = issue.severity == core::Severity::Error;
    auto* item = new QListWidgetItem((error ? tr("Error — ") : tr("Warning — ")) + text);
    item->setForeground(error ? QColor(0xc5, 0x30, 0x30) : QColor(0xb7, 0x79, 0x1f));
    item->setData(Qt::UserRole, qlonglong(issue.node));
    item->setToolTip(n ? tr("Double-click to select %1").arg(QString::fromStdString(n->name)) : QString());
    for (size_t i = 0; i < m_datasetIssues.size(); ++i) {
      const core::DatasetIssue& d = m_datasetIssues[i];
      if (d.node != issue.node || d.message != issue.message) continue;
      item->setData(Qt::UserRole + 1, int(i));
      if (d.fix)
        item->setToolTip(tr("Fix: %1 (the button beside the list, or right-click)").arg(QString::fromStdString(d.fixText)));
      else if (!d.fixText.empty())
        item->setToolTip(tr("To fix: %1").arg(QString::fromStdString(d.fixText)));
    }
    m_problems->addItem(item);
  }
  if (a.issues.empty()) m_problems->addItem(tr("No problems: every edge has a shape."));
  updateFixButton();
  updateDirectionActions();
  updateTitle();
}

QString MainWindow::autosavePath() {
  return autosaveFolder() + QStringLiteral("/autosave-%1.json").arg(QCoreApplication::applicationPid());
}

void MainWindow::autosave() {
  if (!isModified()) return;
  // The text is taken here; the durable write (fsync of file and folder, which can take seconds
  // on a busy disk, e.g. while a run writes checkpoints) happens on the background writer.
  std::string text = core::serializeProject(m_editor->project());
  std::string origin = m_path.toStdString();
  QString path = autosavePath();
  m_backgroundWriter.start([text = std::move(text), origin = std::move(origin), path]() {
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (!core::writeFileAtomic(path.toStdString(), text)) return;
    core::writeFileAtomic((path + ".origin").toStdString(), origin);
  });
}

void MainWindow::waitForAutosave() { m_backgroundWriter.waitForDone(); }

void MainWindow::removeAutosave() {
  waitForAutosave();  // a write still queued would bring the file back
  QFile::remove(autosavePath());
  QFile::remove(autosavePath() + ".origin");
}

bool MainWindow::offerRecovery(const std::function<bool(const QString&)>& ask) {
  QDir dir(autosaveFolder());
  const QString own = QFileInfo(autosavePath()).fileName();
  for (const QFileInfo& info : dir.entryInfoList({"autosave-*.json"}, QDir::Files, QDir::Time)) {
    if (info.fileName() == own) continue;
    QString pid = info.baseName().mid(QStringLiteral("autosave-").size());
    if (QFileInfo::exists("/proc/" + pid)) continue;  // that window is still open
    QFile originFile(info.filePath() + ".origin");
    QString origin = originFile.open(QIODevice::ReadOnly) ? QString::fromUtf8(originFile.readAll()) : QString();
    const QString question =
        tr("NeuralCanvas did not exit cleanly. Unsaved work of %1 was kept from %2.\nRecover it?")
            .arg(origin.isEmpty() ? tr("an unsaved project") : origin, info.lastModified().toString());
    bool yes = ask ? ask(question)
                   : QMessageBox::question(this, tr("Recover unsaved work?"), question,
                                           QMessageBox::Yes | QMessageBox::No) == QMessageBox::Yes;
    core::ProjectLoad load = core::loadProject(info.filePath().toStdString());
    bool restored = yes && load.ok();
    if (restored) {
      m_editor->setProject(std::move(*load.project));  // at start-up: no run yet
      m_path = isShippedTemplate(origin) ? QString() : origin;
      m_templateName.clear();
      // Unsaved changes are measured against the file the work came from, when it is there.
      core::ProjectLoad before = origin.isEmpty() ? core::ProjectLoad{} : core::loadProject(origin.toStdString());
      m_baseline = before.ok() ? std::move(*before.project) : core::Project{};
      m_editor->undoStack()->resetClean();  // recovered work is unsaved
      updateTitle();
      m_training->setProject(m_path, m_editor->project(), TrainingPanel::ProjectChange::Opened);
      requestFit();
    } else if (yes) {
      showError(tr("Cannot recover"), QString::fromStdString(load.error));
    }
    QFile::remove(info.filePath());
    QFile::remove(info.filePath() + ".origin");
    return restored;
  }
  return false;
}

void MainWindow::prepareScreenshot() {
  // Show the inspector at work: select the first node (in graph order) with a real parameter form.
  for (core::NodeId id : m_editor->analysis().order) {
    const core::Node* n = m_editor->graph().node(id);
    if (n && n->layer->params().size() >= 4) {
      m_scene->selectNodes({id});
      break;
    }
  }

}

}  // namespace nc::app

namespace nc::app {

QString MainWindow::projectFolder() const { return m_path.isEmpty() ? QString() : QFileInfo(m_path).absolutePath(); }

void MainWindow::dataSettingsMaybeChanged() {
  if (m_rechecking) return;  // our own setExtraIssues
  const core::DataConfig& data = m_editor->project().data;
  if (m_peekStarted && data == m_peekData && projectFolder() == m_peekFolder) {
    if (!m_peekDebounce.isActive()) recheckDataset();
    return;
  }
  // New data settings: the old answer no longer applies. Read again once the edits pause.
  m_peekStarted = true;
  m_peekData = data;
  m_peekFolder = projectFolder();
  ++m_peekGeneration;
  m_datasetInfo.reset();
  recheckDataset();
  m_peekDebounce.start();
}

void MainWindow::startDatasetPeek() {
  const int generation = m_peekGeneration;
  core::DataConfig data = m_peekData;
  std::string folder = m_peekFolder.toStdString();
  QPointer<MainWindow> self(this);
  m_peekPool.start([self, generation, data = std::move(data), folder = std::move(folder)]() {
    core::DatasetInfo info = core::peekDataset(data, folder);  // headers only, cached; never throws
    // The destructor waits for this pool, so the window is alive while this posts.
    QMetaObject::invokeMethod(
        self.data(),
        [self, generation, info = std::move(info)]() mutable {
          if (!self || generation != self->m_peekGeneration) return;  // settings changed meanwhile
          self->m_datasetInfo = std::move(info);
          self->recheckDataset();
          self->refresh();
        },
        Qt::QueuedConnection);
  });
}

void MainWindow::waitForDatasetCheck() {
  if (m_peekDebounce.isActive()) {
    m_peekDebounce.stop();
    startDatasetPeek();
  }
  m_peekPool.waitForDone();
  QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

void MainWindow::recheckDataset() {
  std::vector<core::DatasetIssue> issues;
  if (m_datasetInfo && m_datasetInfo->ok)
    issues = core::checkAgainstDataset(m_editor->graph(), m_editor->analysis(), *m_datasetInfo);
  std::vector<core::GraphIssue> extra;
  for (const core::DatasetIssue& d : issues) extra.push_back({d.node, core::Severity::Error, d.message});
  m_datasetIssues = std::move(issues);
  const std::vector<core::GraphIssue>& now = m_editor->extraIssues();
  bool same = now.size() == extra.size();
  for (size_t i = 0; same && i < extra.size(); ++i)
    same = now[i].node == extra[i].node && now[i].severity == extra[i].severity && now[i].message == extra[i].message;
  if (same) return;
  m_rechecking = true;
  m_editor->setExtraIssues(std::move(extra));  // emits changed(): the canvas and the list follow
  m_rechecking = false;
}

const core::DatasetIssue* MainWindow::currentFix() const {
  auto fixAt = [this](const QListWidgetItem* item) -> const core::DatasetIssue* {
    if (!item || !item->data(Qt::UserRole + 1).isValid()) return nullptr;
    const int i = item->data(Qt::UserRole + 1).toInt();
    if (i < 0 || i >= int(m_datasetIssues.size()) || !m_datasetIssues[size_t(i)].fix) return nullptr;
    return &m_datasetIssues[size_t(i)];
  };
  if (const core::DatasetIssue* d = fixAt(m_problems->currentItem())) return d;
  for (int row = 0; row < m_problems->count(); ++row)
    if (const core::DatasetIssue* d = fixAt(m_problems->item(row))) return d;
  return nullptr;
}

void MainWindow::updateFixButton() {
  if (!m_fixButton) return;
  const core::DatasetIssue* fix = currentFix();
  m_fixButton->setVisible(fix != nullptr);
  m_fixButton->setEnabled(fix && !m_editor->readOnly());
  if (!fix) return;
  const QString text = tr("Fix: %1").arg(QString::fromStdString(fix->fixText));
  // At most a third of the dock's width; the whole text is in the tooltip.
  const int room = std::max(160, width() / 3);
  m_fixButton->setText(m_fixButton->fontMetrics().elidedText(text, Qt::ElideMiddle, room));
  m_fixButton->setToolTip(text);
}

bool MainWindow::applyDatasetFix() {
  const core::DatasetIssue* d = currentFix();
  if (!d || !d->fix) return false;
  const core::NodeId node = d->node;
  const std::string param = d->fix->first;
  const core::ParamValue value = d->fix->second;
  const QString text = QString::fromStdString(d->fixText);
  if (!m_editor->setParam(node, param, value)) return false;  // refused: the editor says why
  showStatus(tr("Fixed: %1").arg(text), 5000);
  return true;
}

}  // namespace nc::app

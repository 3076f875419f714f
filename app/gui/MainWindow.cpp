#include "app/gui/MainWindow.h"

#include <QAction>
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
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <cstdio>

#include "app/gui/TrainingPanel.h"
#include "core/LayerType.h"
#include "core/MemoryEstimate.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/Inspector.h"
#include "widgets/LayerPalette.h"
#include "widgets/NodeItem.h"

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
  m_training = new TrainingPanel;
  // In a scroll area, so the dashboard's minimum size never forces the window wider.
  auto* trainingScroll = new QScrollArea;
  trainingScroll->setWidget(m_training);
  trainingScroll->setWidgetResizable(true);
  trainingScroll->setFrameShape(QFrame::NoFrame);
  m_tabs->addTab(trainingScroll, tr("Training"));
  setCentralWidget(m_tabs);
  createDocks();
  createActions();
  connectTraining();
  connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::tabChanged);

  connect(m_editor, &widgets::GraphEditor::changed, this, &MainWindow::refresh);
  connect(m_editor->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
  connect(m_editor, &widgets::GraphEditor::editRefused, this,
          [this](const QString& message) { statusBar()->showMessage(message, 8000); });
  connect(m_scene, &widgets::GraphScene::statusMessage, this,
          [this](const QString& message) { statusBar()->showMessage(message, 8000); });
  connect(m_scene, &QGraphicsScene::selectionChanged, this, &MainWindow::selectionChanged);
  connect(m_palette, &widgets::LayerPalette::layerActivated, this, [this](const QString& type) {
    if (auto id = m_editor->addNode(type, m_view->centreScenePos() - QPointF(86, 30))) m_scene->selectNodes({*id});
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
  m_autosaveTimer.setInterval(kAutosaveMs);
  connect(&m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
  m_autosaveTimer.start();

  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  rebuildRecentMenu();
  refresh();
}

MainWindow::~MainWindow() {
  waitForAutosave();
  // Join a run still going before the widgets it reports to go away (bounded: see shutdown()).
  m_training->shutdown();
  // The editor (a child) is destroyed after this body: its undo stack's last signals must not
  // reach this half-destroyed window.
  disconnect(m_editor->undoStack(), nullptr, this, nullptr);
  disconnect(m_editor, nullptr, this, nullptr);
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
  auto* summaryDock = new QDockWidget(tr("Summary"));
  summaryDock->setObjectName("summaryDock");
  summaryDock->setWidget(m_summary);
  addDockWidget(Qt::RightDockWidgetArea, summaryDock);

  m_problems = new QListWidget;
  m_problems->setObjectName("problems");
  auto* problemsDock = new QDockWidget(tr("Problems"));
  problemsDock->setObjectName("problemsDock");
  problemsDock->setWidget(m_problems);
  addDockWidget(Qt::BottomDockWidgetArea, problemsDock);
  resizeDocks({paletteDock, inspectorDock}, {210, 300}, Qt::Horizontal);
  resizeDocks({problemsDock}, {110}, Qt::Vertical);
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
    statusBar()->showMessage(active ? tr("Training: the model is read-only until the run ends.") : tr("Training ended."),
                             6000);
    if (!active && m_quitLock) runEndedAfterClose();
  });
  connect(m_training, &TrainingPanel::problemsRefusedStart, this, [this]() {
    if (auto* dock = findChild<QDockWidget*>("problemsDock")) dock->show();
    m_tabs->setCurrentWidget(m_view);
    statusBar()->showMessage(tr("Fix the problems listed below before training."), 8000);
    m_problems->setFocus();
  });
  connect(m_training, &TrainingPanel::statusMessage, this,
          [this](const QString& message) { statusBar()->showMessage(message, 6000); });
}

void MainWindow::showTraining() { m_tabs->setCurrentIndex(1); }

void MainWindow::tabChanged() {
  // The editor's docks are of no use beside the dashboard: hide them there, and bring back the
  // ones that were open when returning to the model.
  const bool model = m_tabs->currentWidget() == m_view;
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
    core::Project empty;
    empty.name = "untitled";
    if (!m_editor->setProject(std::move(empty))) return;
    m_path.clear();
    updateTitle();
  }));
  QMenu* templates = file->addMenu(tr("New from &template"));
  m_templatesMenu = templates;
  for (const char* templateName : {"cnn", "lstm", "transformer", "char_lstm"})
    templates->addAction(templateName, this, [this, name = QString(templateName)]() {
      if (!m_editor->readOnly() && maybeSave()) newFromTemplate(name);
    });
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
    QString path = QFileDialog::getSaveFileName(this, tr("Save project"), m_path, tr("NeuralCanvas projects (*.json)"));
    if (!path.isEmpty()) saveProject(path);
  }));
  file->addSeparator();
  file->addAction(make("quit", tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), [this]() { close(); }));

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  // Not the stack's own actions: those stay enabled whenever the stack can undo, also during a
  // run. These go through the editor (which refuses while read-only) and follow its state.
  QAction* undo = make("undo", tr("&Undo"), QKeySequence::Undo, [this]() { m_editor->undo(); });
  QAction* redo = make("redo", tr("&Redo"), QKeySequence::Redo, [this]() { m_editor->redo(); });
  undo->setShortcuts(QKeySequence::Undo);
  redo->setShortcuts(QKeySequence::Redo);  // Ctrl+Shift+Z and Ctrl+Y
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

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(make("zoomIn", tr("Zoom &in"), QKeySequence::ZoomIn, [this]() { m_view->zoomBy(1.25); }));
  view->addAction(make("zoomOut", tr("Zoom &out"), QKeySequence::ZoomOut, [this]() { m_view->zoomBy(0.8); }));
  view->addAction(make("fit", tr("&Fit to view"), QKeySequence(Qt::CTRL | Qt::Key_0), [this]() { m_view->fitToContents(); }));
  view->addAction(make("autoLayout", tr("&Auto-layout"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L), [this]() {
    if (m_editor->autoLayout()) m_view->fitToContents();
  }));
  view->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

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

  for (const char* name : {"new", "open", "cut", "paste", "duplicate", "delete", "autoLayout"})
    m_graphActions.push_back(action(name));
  updateEditActions();
}

void MainWindow::updateEditActions() {
  const bool editable = !m_editor->readOnly();
  for (QAction* a : m_graphActions) a->setEnabled(editable);
  if (m_templatesMenu) m_templatesMenu->setEnabled(editable);
  if (m_recentMenu) m_recentMenu->setEnabled(editable && !m_recentMenu->actions().isEmpty());
  QUndoStack* stack = m_editor->undoStack();
  if (QAction* undo = action("undo")) {
    undo->setEnabled(m_editor->canUndo());
    undo->setText(stack->undoText().isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(stack->undoText()));
  }
  if (QAction* redo = action("redo")) {
    redo->setEnabled(m_editor->canRedo());
    redo->setText(stack->redoText().isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(stack->redoText()));
  }
}

QAction* MainWindow::action(const QString& objectName) const { return findChild<QAction*>(objectName); }

bool MainWindow::isModified() const { return !m_editor->undoStack()->isClean(); }

void MainWindow::showError(const QString& title, const QString& message) {
  m_lastError = message;
  statusBar()->showMessage(message, 15000);
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
  if (!m_editor->setProject(std::move(*load.project))) return false;
  m_path = QFileInfo(path).absoluteFilePath();
  addRecent(m_path);
  updateTitle();
  m_training->refreshRuns();
  m_view->fitToContents();
  statusBar()->showMessage(tr("Opened %1").arg(m_path), 5000);
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
  if (!m_editor->setProject(std::move(*load.project))) return false;
  m_path.clear();  // a template is never overwritten: Save asks for a file
  updateTitle();
  m_training->refreshRuns();
  m_view->fitToContents();
  return true;
}

bool MainWindow::saveProject(const QString& path) {
  QString target = path.isEmpty() ? m_path : path;
  if (target.isEmpty()) {
    if (!m_interactive) return false;
    target = QFileDialog::getSaveFileName(this, tr("Save project"),
                                          QString::fromStdString(m_editor->project().name) + ".json",
                                          tr("NeuralCanvas projects (*.json)"));
    if (target.isEmpty()) return false;
  }
  if (core::Status s = core::saveProject(m_editor->project(), target.toStdString()); !s) {
    showError(tr("Cannot save project"), QString::fromStdString(s.message()));
    return false;
  }
  m_path = QFileInfo(target).absoluteFilePath();
  m_editor->undoStack()->setClean();
  addRecent(m_path);
  removeAutosave();
  updateTitle();
  m_training->refreshRuns();
  statusBar()->showMessage(tr("Saved %1").arg(m_path), 5000);
  return true;
}

void MainWindow::updateTitle() {
  QString name = m_path.isEmpty() ? QString::fromStdString(m_editor->project().name) + tr(" (unsaved)")
                                  : QFileInfo(m_path).fileName();
  setWindowTitle(QStringLiteral("%1[*] — NeuralCanvas").arg(name));
  setWindowModified(isModified());
}

bool MainWindow::maybeSave() {
  if (!isModified() || !m_interactive) return true;
  auto answer = QMessageBox::warning(this, tr("Unsaved changes"),
                                     tr("The model has unsaved changes. Save them first?"),
                                     QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) return saveProject();
  return true;
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
  statusBar()->showMessage(tr("%n node(s) copied", "", int(nodes.size())), 3000);
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
         "<tr><td>Status</td><td align=right>%9</td></tr></table>")
          .arg(QString::fromStdString(p.name).toHtmlEscaped())
          .arg(p.graph.nodes().size())
          .arg(withThousands(sum.params))
          .arg(flopsText(sum.flops))
          .arg(p.training.batchSize)
          .arg(QString::fromStdString(p.training.optimizer))
          .arg(bytesText(memory.total()))
          .arg(out ? QString::fromStdString(out->str()) : tr("none"))
          .arg(errors ? tr("<span style='color:#c53030'>%1 error(s)</span>").arg(errors)
                      : warnings ? tr("valid, %1 warning(s)").arg(warnings) : tr("<span style='color:#2f855a'>valid</span>")));

  m_problems->clear();
  for (const auto& issue : a.issues) {
    const core::Node* n = issue.node >= 0 ? p.graph.node(issue.node) : nullptr;
    QString where = n ? QString::fromStdString(n->name) + ": " : QString();
    bool error = issue.severity == core::Severity::Error;
    auto* item = new QListWidgetItem((error ? tr("Error — ") : tr("Warning — ")) + where + QString::fromStdString(issue.message));
    item->setForeground(error ? QColor(0xc5, 0x30, 0x30) : QColor(0xb7, 0x79, 0x1f));
    item->setData(Qt::UserRole, qlonglong(issue.node));
    item->setToolTip(n ? tr("Double-click to select %1").arg(QString::fromStdString(n->name)) : QString());
    m_problems->addItem(item);
  }
  if (a.issues.empty()) m_problems->addItem(tr("No problems: every edge has a shape."));
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
      m_path = origin;
      m_editor->undoStack()->resetClean();  // recovered work is unsaved
      updateTitle();
      m_view->fitToContents();
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

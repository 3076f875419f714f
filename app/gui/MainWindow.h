#pragma once
// The main window: palette (left), canvas (centre), inspector and summary (right), problems
// (bottom), menus and toolbar. It owns the GraphEditor (the project and its undo stack) and
// connects the widgets to it; it knows files, settings, the clipboard and autosave.
#include <QMainWindow>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include "core/Project.h"
#include "core/data/DatasetInfo.h"

#include <functional>
#include <memory>
#include <vector>

class QEventLoopLocker;

class QAction;
class QDockWidget;
class QLabel;
class QListWidget;
class QMenu;
class QPushButton;
class QTabWidget;

namespace nc::widgets {
class AnalysisTable;
class FindNodeBar;
class GraphEditor;
class GraphScene;
class GraphView;
class Inspector;
class LayerPalette;
class PreviewPane;
}  // namespace nc::widgets

namespace nc::app {

class DeployPanel;
class PreviewController;
class SweepPanel;
class TrainingPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Loads a project file. On failure the error is shown (a dialog, or only the status bar and
  /// lastError() when not interactive) and the current project stays as it was. Refused while a
  /// run trains (the graph is read-only then), like every action that would change the graph.
  bool openProject(const QString& path);
  /// Opens a template from resources/templates as a new, unsaved project (an untitled copy:
  /// Save asks where; the shipped file is never overwritten by Save). openProject does the same
  /// for any file inside a shipped templates folder.
  bool newFromTemplate(const QString& name);
  /// Saves atomically; an empty path means the current file (an untitled project asks where).
  bool saveProject(const QString& path = {});
  /// Asks for a file (never inside the shipped templates folder by default) and saves there.
  bool saveProjectAs();
  /// File > New: an empty untitled project at 100 % zoom.
  bool newProject();
  /// The project is a copy of a shipped template that has not been saved to a file yet.
  bool isTemplateCopy() const { return !m_templateName.isEmpty(); }
  /// What differs from the file as opened or last saved, in words: "the model", "the training
  /// settings", "the model and the training settings", or empty when nothing does.
  QString unsavedChangesText() const;
  /// Whether `path` is a file of a shipped templates folder (resources/templates).
  static bool isShippedTemplate(const QString& path);
  /// One line of the problems list / status bar for an issue on node `nodeName`: the name is put
  /// in front unless the message already starts with it ("relu1: its input ..." stays as is).
  static QString problemText(const QString& nodeName, const QString& message);
  /// The dataset as last read for the project's data settings (off the GUI thread, cached), or
  /// nothing while it is being read.
  const std::optional<core::DatasetInfo>& datasetInfo() const { return m_datasetInfo; }
  /// Tests: runs a pending dataset read now and waits until its result has been applied.
  void waitForDatasetCheck();
  /// The graph-vs-data problems shown now, each with its one-click fix when there is one.
  const std::vector<core::DatasetIssue>& datasetIssues() const { return m_datasetIssues; }
  /// Applies the fix of the problems list's current item (or else the first fixable problem):
  /// an undoable parameter edit. False when there is nothing to fix.
  bool applyDatasetFix();
  /// The "Fix: …" button beside the problems list (hidden when nothing can be fixed).
  QPushButton* fixButton() const { return m_fixButton; }
  /// Shows a message in the status bar on one line, elided to the bar's width (full text in the
  /// bar's tooltip), so a long message never changes the window's layout.
  void showStatus(const QString& message, int timeoutMs = 6000);
  /// Without dialogs (tests, --screenshot): errors go to lastError() and the status bar, and
  /// closing with unsaved changes does not ask.
  void setInteractive(bool interactive);
  const QString& lastError() const { return m_lastError; }
  const QString& filePath() const { return m_path; }
  bool isModified() const;

  widgets::GraphEditor* editor() const { return m_editor; }
  widgets::GraphScene* scene() const { return m_scene; }
  widgets::GraphView* view() const { return m_view; }
  QListWidget* problemsList() const { return m_problems; }
  widgets::Inspector* inspector() const { return m_inspector; }
  TrainingPanel* trainingPanel() const { return m_training; }
  /// Shows the Training tab.
  void showTraining();
  /// The Deploy tab: a run measured, compressed and exported as deployed (issue 12).
  DeployPanel* deployPanel() const { return m_deploy; }
  /// Shows the Deploy tab.
  void showDeploy();
  /// The Sweep tab: offline hyper-parameter sweeps of the project (issue 14).
  SweepPanel* sweepPanel() const { return m_sweep; }
  void showSweep();
  /// The Preview dock (issue 14): the selected node's output for a sample; node thumbnails.
  widgets::PreviewPane* previewPane() const { return m_previewPane; }
  PreviewController* previewController() const { return m_preview; }
  QAction* action(const QString& objectName) const;
  widgets::FindNodeBar* findBar() const { return m_findBar; }
  widgets::AnalysisTable* analysisTable() const { return m_analysis; }
  /// File > Export diagram… without the dialog: PNG or SVG by the extension; errors as showError.
  bool exportDiagramTo(const QString& path);
  /// Help > Layer documentation (F1, a node's "Show documentation"): the page of `type` ("" = the first).
  void showDocumentation(const QString& type);

  /// Writes the autosave file (the timer does this every minute while there are changes): the
  /// project's text is taken now, the file is written on a background thread.
  void autosave();
  /// Waits until the autosave writes asked for so far are on disk.
  void waitForAutosave();
  /// The autosave file of this window's process.
  static QString autosavePath();
  /// Offers autosaved work left behind by a process that did not exit cleanly; returns whether
  /// one was restored. `ask` replaces the question dialog (tests); it gets the question's text.
  bool offerRecovery(const std::function<bool(const QString&)>& ask = {});
  /// Arranges the window for a screenshot: selects a node so the inspector shows a form (fit the
  /// view afterwards, once the docks have re-laid out).
  void prepareScreenshot();

  /// resources/templates/<name>.json next to the executable or in the source tree.
  static QString templatePath(const QString& name);

  /// The window was closed during a run: it is hidden and the run is stopping; the application
  /// stays alive (its event loop running) until the run has ended, at most kCloseWaitMs.
  bool isWaitingForRunToEnd() const { return m_quitLock != nullptr; }
  static constexpr int kCloseWaitMs = 30'000;

 protected:
  /// Never waits on training: closing during a run asks the run to stop, closes the window at
  /// once and keeps the event loop going until the worker reports the end (then the thread is
  /// joined and the application quits).
  void closeEvent(QCloseEvent* event) override;
  /// The first show fits the graph once the window has its final size.
  void showEvent(QShowEvent* event) override;
  /// Keeps the view fitted while the window settles (resizes of the canvas) until the user
  /// zooms, pans or clicks in it.
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void createActions();
  void createDocks();
  void refresh();
  void updateTitle();
  void showError(const QString& title, const QString& message);
  bool maybeSave();
  void addRecent(const QString& path);
  void rebuildRecentMenu();
  void copySelection(bool cut);
  void pasteClipboard();
  void selectionChanged();
  void removeAutosave();
  void connectTraining();
  void connectDeploy();
  void tabChanged();
  /// Enables the actions that change the graph only while it is editable (no run active).
  void updateEditActions();
  void runEndedAfterClose();
  /// Fits the graph to the view now if the window is shown, else once it is; keeps it fitted
  /// through resizes until the user touches the canvas.
  void requestFit();
  void resetZoom(bool centreOnOrigin);
  void updateZoomLabel();
  /// After a project was loaded or saved: the state unsaved changes are measured against.
  void markBaseline();
  /// Applies a loaded project as the open one (path empty for untitled copies).
  bool adoptProject(core::Project project, const QString& path, const QString& templateName);
  /// The default window size: a share of the screen, when no usable saved geometry exists.
  void applyDefaultGeometry();
  /// After any change: reads the dataset again (debounced, off the GUI thread) when the data
  /// settings or the project's folder changed, else re-checks the graph against the cached info.
  void dataSettingsMaybeChanged();
  void startDatasetPeek();
  /// Checks the graph against m_datasetInfo and hands the problems to the editor.
  void recheckDataset();
  /// The fix the problems list offers now (for its current item, else the first one).
  const core::DatasetIssue* currentFix() const;
  void updateFixButton();
  /// The View > Layout direction item that is checked follows the project's flow.
  void updateDirectionActions();
  QString projectFolder() const;

  widgets::GraphEditor* m_editor = nullptr;
  widgets::GraphScene* m_scene = nullptr;
  widgets::GraphView* m_view = nullptr;
  widgets::LayerPalette* m_palette = nullptr;
  widgets::FindNodeBar* m_findBar = nullptr;
  widgets::AnalysisTable* m_analysis = nullptr;
  widgets::Inspector* m_inspector = nullptr;
  QLabel* m_summary = nullptr;
  QListWidget* m_problems = nullptr;
  QMenu* m_recentMenu = nullptr;
  QTabWidget* m_tabs = nullptr;
  TrainingPanel* m_training = nullptr;
  DeployPanel* m_deploy = nullptr;
  QWidget* m_deployTab = nullptr;
  widgets::PreviewPane* m_previewPane = nullptr;
  PreviewController* m_preview = nullptr;
  SweepPanel* m_sweep = nullptr;
  QWidget* m_sweepTab = nullptr;
  std::vector<QDockWidget*> m_hiddenDocks;  // editor docks hidden while the Training tab shows
  QTimer m_autosaveTimer;
  QMenu* m_templatesMenu = nullptr;
  QMenu* m_directionMenu = nullptr;
  std::vector<QAction*> m_graphActions;  // disabled during a run
  std::unique_ptr<QEventLoopLocker> m_quitLock;  // held from a close during a run to its end
  QTimer m_closeDeadline;
  QThreadPool m_backgroundWriter;  // autosave: durable writes off the GUI thread
  bool m_closing = false;
  QString m_path;
  QString m_templateName;     // non-empty while the project is an unsaved copy of that template
  core::Project m_baseline;   // the project as opened or last saved (what "unsaved changes" means)
  bool m_keepFitted = false;  // refit on canvas resizes until the user zooms, pans or clicks
  bool m_shownOnce = false;
  QLabel* m_zoomLabel = nullptr;
  // Dataset-aware checks: the data settings last read, the answer, and the issues derived.
  QThreadPool m_peekPool;
  QTimer m_peekDebounce;
  bool m_peekStarted = false;
  core::DataConfig m_peekData;
  QString m_peekFolder;
  int m_peekGeneration = 0;
  std::optional<core::DatasetInfo> m_datasetInfo;
  std::vector<core::DatasetIssue> m_datasetIssues;
  bool m_rechecking = false;
  QPushButton* m_fixButton = nullptr;
  QString m_lastError;
  bool m_interactive = true;
};

}  // namespace nc::app

#pragma once
#include <QString>
#include <QWidget>
#include <functional>
#include <memory>

#include "core/Project.h"
#include "core/Status.h"
#include "core/training/TrainingEvents.h"

class QCheckBox;
class QPushButton;
class QToolButton;

namespace nc::core {
struct Dataset;
}
namespace nc::widgets {
class RunList;
class TrainingDashboard;
class TrainingSettingsForm;
}  // namespace nc::widgets

namespace nc::app {

class TrainingController;

/// Training from the GUI in one widget: the project's data and training settings, Start /
/// Pause-Resume / Stop, the live dashboard, the project's runs (compare, continue, export).
///
/// The main window supplies the project through setProjectSource(); Start takes a snapshot of it
/// (with this panel's settings), refuses when the graph has errors (problemsRefusedStart), and
/// trains in a worker thread into a new run folder: `<project folder>/runs/<stem>-<yyyyMMdd-HHmmss>`,
/// or under the application's data folder for an unsaved project or a template.
class TrainingPanel : public QWidget {
  Q_OBJECT
 public:
  enum class ExportFormat { TorchScript, Python };

  explicit TrainingPanel(QWidget* parent = nullptr);
  /// Calls shutdown(): a run still going is stopped and its thread joined.
  ~TrainingPanel() override;

  /// `snapshot` returns the current project (graph and settings); `projectPath` its file, or an
  /// empty string when it is unsaved or a template.
  void setProjectSource(std::function<core::Project()> snapshot, std::function<QString()> projectPath);
  /// What the window calls when the project changes. `change` says why:
  ///  - Opened: a project was opened, created (File > New) or made from a template. The panel
  ///    forgets the previous project's run state (the run on display, overlays, a "Failed"
  ///    message, the selection that enabled Continue), lists the runs of this project (a run
  ///    belongs to it when its folder is named after the project file, or for an unsaved project
  ///    or a template after its name, or its project.json carries the same name; "Show all runs"
  ///    lists the others), and shows the project's settings without emitting settingsChanged.
  ///  - Saved: the same project was saved (perhaps under another name): the runs list follows the
  ///    new file, the state on display stays.
  /// While a run trains nothing is cleared (the window refuses to switch projects then).
  /// `projectPath` is the file ("" when unsaved), as the project source's path function returns.
  enum class ProjectChange { Opened, Saved };
  void setProject(const QString& projectPath, const core::Project& project,
                  ProjectChange change = ProjectChange::Opened);
  /// Shows a project's settings (after opening it) without emitting settingsChanged.
  void setSettings(const core::DataConfig& data, const core::TrainConfig& training);
  core::DataConfig dataConfig() const;
  core::TrainConfig trainConfig() const;

  /// Starts a run of the current project; false when refused (graph errors, a run active, no
  /// project source).
  bool start();
  /// Asked before a run starts or continues: a non-empty answer refuses it with that message
  /// (statusMessage), e.g. while a sweep runs (issue 14).
  void setStartBlocker(std::function<QString()> blocker) { m_startBlocker = std::move(blocker); }
  /// Continues a stopped or finished run from its last checkpoint, in its own folder, up to the
  /// larger of its planned epochs and the epochs set in this panel.
  bool resumeRun(const QString& runDirectory);
  void pause();
  void resume();
  void stop();
  /// For destruction only (no event loop will run again): stops a run and waits for its thread
  /// (bounded, see TrainingController::shutdown); the last checkpoint stays. A window that
  /// closes calls stop() and lets the event loop run until runActiveChanged(false).
  void shutdown();
  bool isRunActive() const;
  bool isPaused() const;
  /// Opens the learning-rate finder (LrFinderDialog) on the current project with this panel's
  /// settings and starts it; its "Use this rate" sets the rate as an edit in the form does
  /// (settingsChanged, so the window's Undo restores the old one). False while a run trains.
  bool findLearningRate();

  /// Exports a run's best (else last) checkpoint to `outPath`. Refused while a run trains:
  /// building a model to export draws from LibTorch's global random generator, which the
  /// running trainer uses too (its results would no longer follow its seed).
  core::Status exportRun(const QString& runDirectory, const QString& outPath, ExportFormat format);

  /// Imports a training program's output folder (train.py --out, see core/training/ImportRun.h)
  /// as a run of the current project into runsRoot(), then lists and shows it. Refused while a
  /// run trains (building the model draws from the random numbers the run uses). Warnings go to
  /// the log; an error (naming the file) is also shown on the dashboard.
  core::Status importRun(const QString& outDirectory);

  /// Where this project's runs go (see the class comment), or the override.
  QString runsRoot() const;
  /// Uses this folder for runs instead (tests, benchmark); empty = the default.
  void setRunsRootOverride(const QString& root);
  /// Re-reads the runs root. When the project's file (or an unsaved project's name) differs from
  /// the last one seen, this acts as setProject(..., Opened) (for callers that only refresh).
  void refreshRuns();
  /// Lists the runs (waiting for the scan), selects the newest and shows it in the dashboard, as a
  /// click on it and Show would; false when the project has no run.
  bool showNewestRun();
  /// Lists the runs of every project in the runs folder (true) or the open project's (false).
  void setShowAllRuns(bool all);
  /// The active run's folder (or the last one started).
  QString currentRunDirectory() const { return m_currentRun; }
  /// Trains on this preloaded data instead of loading the project's data (tests, benchmark).
  void setDataset(std::shared_ptr<const core::Dataset> dataset);

  widgets::TrainingDashboard* dashboard() const { return m_dashboard; }
  widgets::TrainingSettingsForm* settingsForm() const { return m_form; }
  widgets::RunList* runList() const { return m_runs; }
  TrainingController* controller() const { return m_controller; }

 Q_SIGNALS:
  /// A run started (true) or ended (false); the window makes the graph read-only meanwhile.
  void runActiveChanged(bool active);
  /// The user changed a setting; the window stores them in the project and marks it modified.
  void settingsChanged(const core::DataConfig& data, const core::TrainConfig& training);
  /// Start was refused because the graph has errors; the window shows its problems list.
  void problemsRefusedStart();
  /// A run ended (completed, stopped or failed), after the dashboard shows the result.
  void runFinished(const nc::core::RunResult& result);
  /// A short message for the status bar.
  void statusMessage(const QString& message);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildControls();
  QWidget* buildRunsBox();
  struct Identity {
    QString path, name;
    bool operator==(const Identity& o) const { return path == o.path && name == o.name; }
  };
  Identity currentIdentity() const;
  void adoptIdentity(const Identity& id, ProjectChange change);
  void updateRunsCount();
  void showMessage(const QString& text);
  bool launch(const core::Project& project, const QString& runDirectory, const QString& checkpoint);
  QString newRunDirectory(const core::Project& project) const;
  void onActiveChanged(bool active);
  void onFinished(const core::RunResult& result);
  void onRunSelection(const QStringList& directories);
  void showRun(const QString& directory);
  void exportWithDialog(ExportFormat format);
  void updateButtons();

  std::function<core::Project()> m_snapshot;
  std::function<QString()> m_projectPath;
  std::function<QString()> m_startBlocker;
  std::shared_ptr<const core::Dataset> m_dataset;
  QString m_runsRootOverride, m_currentRun, m_shownRun;
  bool m_listedActiveRun = false;  // the active run's folder is in the run list
  Identity m_identity;               // the project whose runs are listed
  bool m_hasIdentity = false;

  TrainingController* m_controller = nullptr;
  widgets::TrainingSettingsForm* m_form = nullptr;
  widgets::TrainingDashboard* m_dashboard = nullptr;
  widgets::RunList* m_runs = nullptr;
  QPushButton* m_start = nullptr;
  QPushButton* m_pause = nullptr;
  QPushButton* m_stop = nullptr;
  QPushButton* m_findLr = nullptr;
  QToolButton* m_continue = nullptr;
  QToolButton* m_export = nullptr;
  QCheckBox* m_showAll = nullptr;
};

}  // namespace nc::app

#pragma once
// The Sweep tab (issue 14): sets up an offline hyper-parameter sweep of the open project (swept
// parameters, trials, strategy, epochs per trial, median early stop, sample limit), runs it on a
// thread of its own (SweepRunner), and shows the trials: a sortable table, parallel coordinates
// with brushing (the table lists the brushed trials only), a scatter of best validation accuracy
// against FLOPs or parameters with the Pareto front, and the validation curves of the selected
// trials. "Apply to project" copies the selected trial's settings into the project as one
// undoable edit. "Open sweep…" shows any sweep folder (also the CLI's); Resume continues a
// stopped one.
#include <QString>
#include <QWidget>
#include <functional>
#include <set>
#include <vector>

#include "core/sweep/Sweep.h"

class QCheckBox;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QVBoxLayout;

namespace nc::widgets {
class GraphEditor;
class ParallelCoordinates;
class ParetoChart;
class SweepTrialFilter;
class SweepTrialModel;
}  // namespace nc::widgets

namespace nc::app {

class SweepRunner;

class SweepPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SweepPanel(QWidget* parent = nullptr);
  /// Stops a running sweep and waits for it (bounded).
  ~SweepPanel() override;

  /// The project edited (parameter targets, validation, Run, Apply to project).
  void setEditor(widgets::GraphEditor* editor);
  /// The open project's file (relative data paths; where new sweeps go: <folder>/sweeps/).
  void setProjectPath(std::function<QString()> path);
  /// Folder new sweeps are created in (tests); empty = sweepsRoot()'s default: <project folder>/sweeps, or
  /// the application data folder's sweeps/ for a template or an unsaved project (as runs are placed).
  void setSweepsRootOverride(const QString& root) { m_rootOverride = root; }
  QString sweepsRoot() const;
  /// Without dialogs (tests, screenshots): errors go to lastError() and the status line.
  void setInteractive(bool interactive) { m_interactive = interactive; }

  // --- Set-up
  /// Adds a parameter row; returns its index.
  int addParamRow(const QString& target = {}, const QString& spec = {});
  int paramRowCount() const { return int(m_rows.size()); }
  QComboBox* paramTarget(int row) const;
  QLineEdit* paramSpec(int row) const;
  /// The row's validation error ("" when valid).
  QString paramError(int row) const;
  QSpinBox* trialsField() const { return m_trials; }
  QComboBox* strategyField() const { return m_strategy; }
  QSpinBox* epochsField() const { return m_epochs; }
  QSpinBox* limitField() const { return m_limit; }
  QCheckBox* medianField() const { return m_median; }
  QPushButton* runButton() const { return m_run; }
  QPushButton* stopButton() const { return m_stop; }
  QPushButton* resumeButton() const { return m_resume; }
  QPushButton* openButton() const { return m_open; }
  QPushButton* applyButton() const { return m_apply; }
  QComboBox* costField() const { return m_cost; }

  /// Run: a new sweep of the open project in a new folder of sweepsRoot(). False (lastError says
  /// why) when a parameter row is invalid, a sweep or a training run is active.
  bool run();
  /// Continues the shown sweep (stopped, or with trials not finished).
  bool resume();
  void stop();
  bool isRunning() const;
  /// Shows the sweep of a folder (its sweep.json); the set-up fields take its spec.
  core::Status openSweep(const QString& directory);
  /// Copies the selected trial's values into the project (one undoable edit).
  bool applySelected();
  /// A training run is active: Run and Resume are refused until it ends.
  void setTrainingActive(bool active);

  // --- Results
  const core::SweepState& state() const { return m_state; }
  QString sweepDirectory() const { return m_directory; }
  /// Trials selected (rows of state().trials), shown in the curves chart.
  const std::set<int>& selectedTrials() const { return m_selected; }
  void selectTrials(const std::set<int>& rows);
  /// Rows of the trials with a best validation accuracy, the most accurate first.
  std::vector<int> rankedTrials() const;
  QTableView* table() const { return m_table; }
  widgets::SweepTrialModel* trialModel() const { return m_model; }
  widgets::SweepTrialFilter* trialFilter() const { return m_filter; }
  widgets::ParallelCoordinates* parallel() const { return m_parallel; }
  widgets::ParetoChart* pareto() const { return m_pareto; }
  QChartView* curves() const { return m_curves; }
  /// Trials drawn in the curves chart (their rows), in order.
  const std::vector<int>& curveTrials() const { return m_curveTrials; }
  const QString& lastError() const { return m_lastError; }
  QString statusText() const;

 Q_SIGNALS:
  void statusMessage(const QString& message);
  void runningChanged(bool running);
  /// A run or resume ended (ok = completed or stopped by the user without error).
  void sweepFinished(bool ok);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  struct ParamRow {
    QWidget* widget = nullptr;
    QComboBox* target = nullptr;
    QLineEdit* spec = nullptr;
    QLabel* error = nullptr;
  };
  void buildUi();
  void refreshTargets();
  void validateRow(ParamRow& row);
  bool collectSpec(core::SweepSpec& spec);
  bool start(const core::Project& project, const core::SweepSpec& spec, const QString& directory);
  void upsertTrial(const core::SweepTrial& trial);
  void refreshViews();
  void refreshCurves();
  void updateButtons();
  void brushChanged();
  void tableSelectionChanged();
  void rowClicked(int row, bool add);
  void fail(const QString& message);
  void setStatus(const QString& message);
  core::Project resolvedProject(core::Project project) const;

  widgets::GraphEditor* m_editor = nullptr;
  std::function<QString()> m_projectPath;
  QString m_rootOverride;
  bool m_interactive = true;
  bool m_trainingActive = false;
  bool m_targetsDirty = true;
  bool m_syncingSelection = false;

  std::vector<ParamRow> m_rows;
  QVBoxLayout* m_rowsLayout = nullptr;
  QSpinBox* m_trials = nullptr;
  QComboBox* m_strategy = nullptr;
  QSpinBox* m_epochs = nullptr;
  QSpinBox* m_limit = nullptr;
  QCheckBox* m_median = nullptr;
  QPushButton* m_run = nullptr;
  QPushButton* m_stop = nullptr;
  QPushButton* m_resume = nullptr;
  QPushButton* m_open = nullptr;
  QPushButton* m_apply = nullptr;
  QComboBox* m_cost = nullptr;
  QLabel* m_status = nullptr;
  QLabel* m_folder = nullptr;
  QStringList m_targetNames;

  widgets::SweepTrialModel* m_model = nullptr;
  widgets::SweepTrialFilter* m_filter = nullptr;
  QTableView* m_table = nullptr;
  widgets::ParallelCoordinates* m_parallel = nullptr;
  widgets::ParetoChart* m_pareto = nullptr;
  QChartView* m_curves = nullptr;
  std::vector<int> m_curveTrials;

  SweepRunner* m_runner = nullptr;
  core::SweepState m_state;
  QString m_directory;
  std::set<int> m_selected;
  QString m_lastError;
};

}  // namespace nc::app

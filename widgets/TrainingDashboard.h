#pragma once
#include <QList>
#include <QString>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <vector>

#include "core/training/TrainingEvents.h"
#include "widgets/MetricSeries.h"
#include "widgets/RunHistory.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QSlider;
class QTabWidget;
class QToolButton;

namespace nc::widgets {

class ConfusionMatrixView;
class ClassMetricsTable;
class MisclassifiedGallery;
class DiagnosticsView;
class SampleGridView;
class MetricChart;

/// The live view of a training run: charts of loss (per step, with TensorBoard-like smoothing,
/// and validation per epoch), accuracy, learning rate, throughput, CPU and memory (GPU curves
/// appear only when the run reports them), a progress bar with epoch, step and ETA, the run's
/// log, and after the run its confusion matrix. Other runs can be overlaid for comparison.
///
/// Metrics arrive in batches (`appendSteps`); the charts are redrawn at most a few times a second
/// through a bounded number of points per curve, so a 100,000-step run draws as fast as a short
/// one. The dashboard only displays: it knows nothing of threads or the trainer.
class TrainingDashboard : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingDashboard(QWidget* parent = nullptr);
  ~TrainingDashboard() override;

  /// Clears everything for a new run of `epochs` epochs named `name`.
  void beginRun(const QString& name, int64_t epochs);
  /// Prefills the charts with a resumed run's earlier metrics.
  void loadHistory(const RunCurves& history);
  void appendSteps(const QList<core::StepMetrics>& steps);
  void appendEpoch(const core::EpochMetrics& epoch);
  void appendResource(const core::ResourceSample& sample);
  void appendLog(const QString& line);
  /// Shows the outcome, the final progress, the confusion matrix and (from the run folder) the
  /// validation samples with their predicted and true classes.
  void finishRun(const core::RunResult& result);
  /// Shows a result loaded from a run folder (confusion matrix and curves), e.g. a selected run.
  void showRun(const RunCurves& curves, const core::RunResult& result);
  /// The status text next to the progress bar ("Running", "Paused", ...).
  void setStatusText(const QString& text);
  /// Progress of data loading, a validation pass or the test pass: the bar counts its samples
  /// and reads e.g. "Epoch 1/3 · validating 2,000 / 6,000" or "testing 4,000 / 10,000" until
  /// the next step or epoch arrives.
  void appendPhase(const core::PhaseProgress& progress);
  /// While paused the bar says "paused" instead of an ETA; after resuming, the ETA is measured
  /// afresh (the pause does not count as training time).
  void setPaused(bool paused);
  bool isPaused() const { return m_paused; }
  /// Clears the run on display, the overlays, the log and the message: "No run yet" (another
  /// project was opened).
  void reset();

  enum class MessageKind { Info, Error };
  /// A message under the progress bar, wrapped over as many lines as it needs (a refused start,
  /// a failed run and its reason, where a stopped run's checkpoint is); empty hides it.
  void setMessage(const QString& text, MessageKind kind = MessageKind::Error);
  void clearMessage() { setMessage({}); }
  QString messageText() const;
  QLabel* messageLabel() const { return m_message; }
  /// Adds a page beside the log under the charts (the panel's run list), shown first.
  void addDetailsTab(QWidget* page, const QString& title);
  /// Shows the page with this title under the charts ("Log", "Runs").
  void showDetailsTab(const QString& title);

  /// Overlays these runs' curves (dashed) on the loss and accuracy charts; empty = none.
  void setComparison(const QList<RunCurves>& runs);
  int comparisonCount() const { return m_comparisonCount; }

  /// TensorBoard's smoothing weight in [0, 1) for the per-step curves.
  void setSmoothing(double weight);
  double smoothing() const;

  /// Renders the charts page to a PNG file.
  bool exportChartsPng(const QString& path);
  /// Writes the current run's step, epoch and resource rows to a CSV file.
  bool exportCsv(const QString& path, QString* error = nullptr) const;

  /// Redraws the charts now instead of on the next refresh tick.
  void refreshNow();

  // Access for the panel, tests and the benchmark.
  MetricChart* lossChart() const { return m_loss; }
  MetricChart* accuracyChart() const { return m_accuracy; }
  MetricChart* learningRateChart() const { return m_lr; }
  MetricChart* throughputChart() const { return m_throughput; }
  MetricChart* cpuChart() const { return m_cpu; }
  MetricChart* memoryChart() const { return m_memory; }
  ConfusionMatrixView* confusionMatrix() const { return m_confusion; }
  SampleGridView* sampleGrid() const { return m_samples; }
  /// Per-class precision, recall, F1 and support beside the confusion matrix (issue 14).
  ClassMetricsTable* classMetricsTable() const { return m_classTable; }
  /// The "Misclassified" tab: every misclassified validation sample of the run shown.
  MisclassifiedGallery* misclassifiedGallery() const { return m_gallery; }
  /// The folder of the run being trained: after each epoch the gallery, the confusion matrix
  /// and the per-class table reload its misclassified.json. Cleared when the run finishes.
  void setLiveRunDirectory(const QString& runDirectory);
  /// The "Diagnostics" tab (issue 14): the panel feeds it the controller's diagnostics signals.
  DiagnosticsView* diagnosticsView() const { return m_diagnostics; }
  QProgressBar* progressBar() const { return m_progress; }
  QString logText() const;
  QString statusText() const;
  QString progressText() const;
  int stepCount() const { return int(m_steps.size()); }
  int epochCount() const { return int(m_epochs.size()); }
  int resourceCount() const { return int(m_resources.size()); }
  /// Chart redraws so far (all charts).
  int chartUpdates() const { return m_chartUpdates; }
  bool hasGpuCurves() const { return m_gpuCurves; }
  /// Shows the tab with this title ("Charts", "Confusion matrix").
  void showTab(const QString& title);

 private:
  struct Metrics;  // the series behind the charts
  void buildCharts();
  QWidget* buildHeader();
  void addStep(const core::StepMetrics& m);
  void addEpoch(const core::EpochMetrics& m);
  void updateProgress();
  void scheduleRefresh();
  /// The timer's refresh: redraws the next chart with new points, then yields to the event loop.
  void refreshSome();
  void clearData();
  void exportPngWithDialog();
  void exportCsvWithDialog();

  std::unique_ptr<Metrics> m_data;
  std::vector<core::StepMetrics> m_steps;
  std::vector<core::EpochMetrics> m_epochs;
  std::vector<core::ResourceSample> m_resources;
  QString m_runName;
  int64_t m_plannedEpochs = 0;
  int64_t m_sessionFirstStep = -1;
  double m_sessionFirstSeconds = 0, m_resourceOffset = 0, m_lastResourceSeconds = 0;
  int m_chartUpdates = 0, m_comparisonCount = 0;
  int m_refreshCursor = 6;  // next chart of a staggered refresh (6 = none pending)
  bool m_gpuCurves = false, m_finished = false, m_paused = false;
  bool m_inPhase = false;  // the bar shows a validation/test pass (m_phase) instead of the steps
  core::PhaseProgress m_phase;
  int m_lossBase = 0, m_accuracyBase = 0;  // curves of the current run; overlays follow

  QLabel* m_status = nullptr;
  QLabel* m_message = nullptr;
  QTabWidget* m_details = nullptr;
  QProgressBar* m_progress = nullptr;
  QSlider* m_smoothingSlider = nullptr;
  QLabel* m_smoothingLabel = nullptr;
  QTabWidget* m_tabs = nullptr;
  SampleGridView* m_samples = nullptr;
  QWidget* m_chartsPage = nullptr;
  MetricChart* m_loss = nullptr;
  MetricChart* m_accuracy = nullptr;
  MetricChart* m_lr = nullptr;
  MetricChart* m_throughput = nullptr;
  MetricChart* m_cpu = nullptr;
  MetricChart* m_memory = nullptr;
  ConfusionMatrixView* m_confusion = nullptr;
  ClassMetricsTable* m_classTable = nullptr;
  MisclassifiedGallery* m_gallery = nullptr;
  QString m_liveRun;  // setLiveRunDirectory
  void showLiveValidation(bool ok);
  DiagnosticsView* m_diagnostics = nullptr;
  QPlainTextEdit* m_log = nullptr;
  QTimer m_refreshTimer;
};

}  // namespace nc::widgets

#pragma once
// The Deploy tab (issue 12): a run of the open project measured as deployed. The run's best (else
// last) checkpoint is exported to <run>/deploy/model.pt and benchmarked per batch size and thread
// count (charts and table, saved to <run>/deploy/benchmark.json and shown again when the run is
// reopened); Compress… prunes and quantizes it into <run>/deploy/compress-<n>/ and compares the
// variants; Export writes TorchScript (optionally int8) or ONNX. All of the work runs off the GUI
// thread, one job at a time, with progress and Cancel. For language-model runs a Generate tab
// (GeneratePanel) writes text with the run.
#include <QString>
#include <QWidget>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/Project.h"
#include "core/Status.h"
#include "core/deploy/Benchmark.h"
#include "core/deploy/Compression.h"
#include "widgets/RunHistory.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QToolButton;

namespace nc::widgets {
class BenchmarkCharts;
class CompressionView;
class RunList;
}  // namespace nc::widgets

namespace nc::app {

class GeneratePanel;

class DeployPanel : public QWidget {
  Q_OBJECT
 public:
  enum class ExportFormat { TorchScript, TorchScriptInt8, Onnx };
  enum class JobKind { None, Measure, Compress, Export };

  explicit DeployPanel(QWidget* parent = nullptr);
  /// Cancels a job under way and joins its thread.
  ~DeployPanel() override;

  /// The runs to offer: the folder and the project that owns them (as the Training tab lists
  /// them). Re-reads the folder when either changed.
  void setRuns(const QString& root, const widgets::RunOwner& owner);
  /// Re-reads the runs folder.
  void refreshRuns();
  /// While a run trains nothing is measured, compressed or exported here (it would take the
  /// trainer's cores, and building a model draws from the random numbers the run uses); a job
  /// under way when a run starts is cancelled.
  void setTrainingActive(bool active);
  /// Without dialogs (tests, --screenshot): errors go to lastError() and the status line.
  void setInteractive(bool interactive) { m_interactive = interactive; }

  /// The run worked on (the selected one), or empty.
  QString currentRun() const { return m_run; }
  /// Selects a listed run (and shows what was measured for it before).
  void selectRun(const QString& directory);

  /// Starts measuring the current run with the fields' settings; false when refused (no run, no
  /// checkpoint, bad fields, a job or a training run active).
  bool measure();
  /// Runs compressModel with `options` (checkpoint and outDir are filled in when empty).
  bool compress(core::CompressOptions options);
  /// Asks with the compress dialog, then compress().
  bool compressWithDialog();
  /// Exports the current run's checkpoint to `path` in the background; false when refused at once
  /// (lastError() says why: e.g. the node ONNX cannot express).
  bool exportTo(ExportFormat format, const QString& path);
  /// Asks for the file, then exportTo().
  void exportWithDialog(ExportFormat format);
  /// Asks the job under way to stop (it ends at its next check).
  void cancel();
  bool isBusy() const { return m_job != JobKind::None; }
  JobKind job() const { return m_job; }

  /// <run>/deploy/compress-<n> with the first n whose folder does not exist yet.
  static QString nextCompressFolder(const QString& runDirectory);
  /// The newest compress-<n>/report.json of a run, or empty.
  static QString latestCompressReport(const QString& runDirectory);

  const QString& lastError() const { return m_lastError; }
  const core::BenchmarkReport& benchmark() const { return m_benchmark; }
  const core::CompressReport& compressReport() const { return m_compressReport; }

  /// <run>/deploy/model.pt, exported from `checkpoint` unless an intact export newer than it is
  /// there (beforeExport is called first when it exports). Empty with *error set on failure.
  /// Thread-safe (runs on worker threads).
  static QString deployArchive(const QString& run, const QString& checkpoint, QString* error,
                               const std::function<void()>& beforeExport = {});

  widgets::RunList* runList() const { return m_runs; }
  /// The Generate tab (shown for language-model runs: data kind "text").
  GeneratePanel* generatePanel() const { return m_generate; }
  widgets::BenchmarkCharts* charts() const { return m_charts; }
  widgets::CompressionView* compression() const { return m_compression; }
  QTabWidget* resultTabs() const { return m_resultTabs; }
  QLineEdit* batchSizesField() const { return m_batchSizes; }
  QLineEdit* threadsField() const { return m_threads; }
  QDoubleSpinBox* secondsField() const { return m_seconds; }
  QPushButton* measureButton() const { return m_measure; }
  QPushButton* cancelButton() const { return m_cancel; }
  QPushButton* compressButton() const { return m_compress; }
  QPushButton* openPrunedButton() const { return m_openPruned; }
  QToolButton* exportButton() const { return m_export; }
  QProgressBar* progressBar() const { return m_progress; }
  QLabel* progressLabel() const { return m_progressText; }
  QLabel* archiveLabel() const { return m_archive; }
  QLabel* runLabel() const { return m_runInfo; }

 Q_SIGNALS:
  /// "Open pruned project": the window opens this project file as File > Open would.
  void openProjectRequested(const QString& path);
  void statusMessage(const QString& message);
  /// A job ended (ok = it did what was asked; false when it failed or was cancelled).
  void jobFinished(bool ok);

 protected:
  /// Re-reads the runs folder when the tab is shown (a run may have finished meanwhile).
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildControls();
  void onRunSelection();
  void showSaved();
  void updateButtons();
  void updateArchiveText();
  bool refuse(const QString& message);
  /// Runs `work` on a new thread as the one job; `work` gets a cancellation check and a function
  /// that posts a callable to the GUI thread (dropped once this panel is gone).
  bool startJob(JobKind kind, const QString& firstStage,
                std::function<void(const std::function<bool()>& cancelled,
                                   const std::function<void(std::function<void()>)>& post)> work);
  void endJob(bool ok, const QString& message);
  void setStage(const QString& text, int done, int total);
  void joinWorker();

  widgets::RunList* m_runs = nullptr;
  widgets::BenchmarkCharts* m_charts = nullptr;
  widgets::CompressionView* m_compression = nullptr;
  GeneratePanel* m_generate = nullptr;
  QTabWidget* m_resultTabs = nullptr;
  QLineEdit* m_batchSizes = nullptr;
  QLineEdit* m_threads = nullptr;
  QDoubleSpinBox* m_seconds = nullptr;
  QPushButton* m_measure = nullptr;
  QPushButton* m_cancel = nullptr;
  QPushButton* m_compress = nullptr;
  QPushButton* m_openPruned = nullptr;
  QToolButton* m_export = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_progressText = nullptr;
  QLabel* m_archive = nullptr;
  QLabel* m_runInfo = nullptr;

  QString m_root;
  widgets::RunOwner m_owner;
  bool m_hasRoot = false;
  QString m_run;
  core::BenchmarkReport m_benchmark;
  core::CompressReport m_compressReport;
  JobKind m_job = JobKind::None;
  std::thread m_thread;
  std::shared_ptr<std::atomic<bool>> m_cancelFlag;
  bool m_trainingActive = false;
  bool m_interactive = true;
  QString m_lastError;
};

}  // namespace nc::app

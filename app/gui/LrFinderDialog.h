#pragma once
#include <QDialog>
#include <memory>
#include <thread>

#include "core/Project.h"
#include "core/training/LrFinder.h"

class QLabel;
class QLineSeries;
class QPushButton;
class QSpinBox;
class QChart;
class QChartView;
class QLogValueAxis;
class QValueAxis;

namespace nc::core {
struct Dataset;
class TrainingControl;
}  // namespace nc::core
namespace nc::widgets {
class ScientificSpinBox;
}

namespace nc::app {

/// The learning-rate range test from the Training tab (Training > "Find learning rate…"): runs
/// core::findLearningRate on a copy of the project's model off the GUI thread, charting the
/// smoothed loss (and the raw loss, faint) against the rate on a log axis as the steps come in,
/// marks the suggested rate, and "Use this rate" hands it to the caller (rateChosen), which puts
/// it into the settings the way an edit of the form does (so one Undo restores the old rate).
/// The options (steps, rate range, sample limit) can be changed and the test run again.
class LrFinderDialog : public QDialog {
  Q_OBJECT
 public:
  LrFinderDialog(const core::Project& project, std::shared_ptr<const core::Dataset> dataset,
                 QWidget* parent = nullptr);
  /// Stops a test still running and waits for it (it stops between two steps).
  ~LrFinderDialog() override;

  /// The options new dialogs start with (the screenshot option makes them small); process-wide.
  static void setDefaultOptions(const core::LrFinderOptions& options);
  static core::LrFinderOptions defaultOptions();

  /// Starts a test with the options in the form; false when one is running.
  bool start();
  /// Asks the running test to stop after its current step.
  void stop();
  bool isRunning() const { return m_running; }
  /// The last finished test (empty points before one finished).
  const core::LrFinderResult& result() const { return m_result; }

  QPushButton* useButton() const { return m_use; }
  QPushButton* stopButton() const { return m_stop; }
  QPushButton* runButton() const { return m_run; }
  QChart* chart() const { return m_chart; }
  QLineSeries* smoothedSeries() const { return m_smoothed; }

 Q_SIGNALS:
  /// "Use this rate" was pressed: the suggested rate (already rounded to two digits).
  void rateChosen(double rate);
  /// A test ended (completed, diverged, stopped or failed); result() has it.
  void finished();

 private:
  core::LrFinderOptions optionsFromForm() const;
  void addPoint(const core::LrFinderPoint& point);
  void onFinished(const core::LrFinderResult& result);
  void join();
  void updateButtons();
  void fitY();

  core::Project m_project;
  std::shared_ptr<const core::Dataset> m_dataset;
  std::shared_ptr<core::TrainingControl> m_control;
  std::thread m_thread;
  bool m_running = false;
  core::LrFinderResult m_result;
  double m_lowest = 0, m_first = 0;

  QSpinBox* m_steps = nullptr;
  QSpinBox* m_limit = nullptr;
  widgets::ScientificSpinBox* m_minLr = nullptr;
  widgets::ScientificSpinBox* m_maxLr = nullptr;
  QPushButton* m_run = nullptr;
  QPushButton* m_stop = nullptr;
  QPushButton* m_use = nullptr;
  QLabel* m_status = nullptr;
  QLabel* m_suggestion = nullptr;
  QChart* m_chart = nullptr;
  QChartView* m_view = nullptr;
  QLineSeries* m_raw = nullptr;
  QLineSeries* m_smoothed = nullptr;
  QLineSeries* m_marker = nullptr;
  QLogValueAxis* m_x = nullptr;
  QValueAxis* m_y = nullptr;
};

}  // namespace nc::app

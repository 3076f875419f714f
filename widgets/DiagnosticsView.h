#pragma once
#include <QString>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "core/training/TrainingEvents.h"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QListWidget;

namespace nc::widgets {

/// One histogram drawn as bars over [min, max] (a node's weights or gradients).
class HistogramWidget : public QWidget {
  Q_OBJECT
 public:
  explicit HistogramWidget(const QString& title, QWidget* parent = nullptr);
  void setHistogram(const core::HistogramData& h);
  const core::HistogramData& histogram() const { return m_data; }
  QSize sizeHint() const override { return {260, 150}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  QString m_title;
  core::HistogramData m_data;
};

/// The dashboard's "Diagnostics" tab (issue 14): per-node weight norm, gradient norm or
/// update-to-weight ratio over the steps (a picker; log scale; one line per node), the latest
/// epoch's weight and gradient histograms of a chosen node, and the run's alarms, each naming its
/// node. Fed live (appendSample, setHistograms, appendAlarm) or from a run folder (loadRun).
class DiagnosticsView : public QWidget {
  Q_OBJECT
 public:
  enum class Metric { WeightNorm = 0, GradNorm = 1, UpdateRatio = 2 };

  explicit DiagnosticsView(QWidget* parent = nullptr);

  void clear();
  /// Replaces everything with a run folder's diagnostics.jsonl, histograms.jsonl and alarms.jsonl.
  void loadRun(const QString& directory);
  void appendSample(const core::DiagnosticsSample& sample);
  void setHistograms(const core::EpochHistograms& histograms);
  void appendAlarm(const core::TrainingAlarm& alarm);

  void setMetric(Metric m);
  Metric metric() const;
  /// Chooses the node whose histograms are shown (by id); false if it has none.
  bool showNode(int64_t nodeId);
  /// Redraws the chart now instead of on the next refresh tick.
  void refreshNow();

  // Access for tests.
  QComboBox* metricPicker() const { return m_metricPicker; }
  QComboBox* nodePicker() const { return m_nodePicker; }
  QListWidget* alarmList() const { return m_alarms; }
  QChart* chart() const;
  HistogramWidget* weightHistogram() const { return m_weights; }
  HistogramWidget* gradientHistogram() const { return m_gradients; }
  int sampleCount() const { return int(m_samples.size()); }
  int alarmCount() const { return int(m_alarmData.size()); }

 Q_SIGNALS:
  /// An alarm was chosen in the list: the node it names (the editor may select it).
  void nodeActivated(qint64 nodeId);

 private:
  void rebuildChart();
  void updateHistograms();
  void updateNodePicker();
  void scheduleRefresh();

  std::vector<core::DiagnosticsSample> m_samples;
  core::EpochHistograms m_histograms;
  std::vector<core::TrainingAlarm> m_alarmData;
  QComboBox* m_metricPicker = nullptr;
  QComboBox* m_nodePicker = nullptr;
  QChartView* m_chartView = nullptr;
  HistogramWidget* m_weights = nullptr;
  HistogramWidget* m_gradients = nullptr;
  QLabel* m_histogramTitle = nullptr;
  QListWidget* m_alarms = nullptr;
  QTimer m_refresh;
  bool m_dirty = false;
};

}  // namespace nc::widgets

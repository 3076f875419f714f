#pragma once
#include <QChartView>
#include <QColor>
#include <QString>
#include <memory>
#include <vector>

#include "widgets/MetricSeries.h"

class QLineSeries;
class QValueAxis;

class QChart;

namespace nc::widgets {

/// A new chart in the dashboard's style: bold title, no animation, tight margins, square corners,
/// a small legend at the bottom. Every chart of the application starts from here.
QChart* newStyledChart(const QString& title);

/// One chart of the training dashboard: a few curves over a shared x axis (steps, epochs or
/// seconds). The data lives in MetricSeries objects that the dashboard appends to; `refresh()`
/// redraws only the curves whose data changed, each through a bounded number of points, and fits
/// the axes to the data. No animation: charts are redrawn in place several times a second.
class MetricChart : public QChartView {
  Q_OBJECT
 public:
  enum class Draw {
    Envelope,  // raw data, min/max per bucket (noisy per-step values)
    Smoothed,  // exponentially smoothed with the chart's smoothing weight
    Markers,   // raw data with a dot on every point (per-epoch values)
  };
  /// Points budget per curve: envelopes draw at most 2 * kBuckets points.
  static constexpr int kBuckets = 500;

  MetricChart(const QString& title, const QString& xTitle, const QString& yTitle, QWidget* parent = nullptr);

  /// Adds a curve drawing `data`. Several curves may share one series (raw and smoothed loss).
  /// Returns the curve's index. `inLegend` = false hides it from the legend.
  int addCurve(const QString& name, std::shared_ptr<const MetricSeries> data, Draw draw, const QColor& color,
               Qt::PenStyle style = Qt::SolidLine, qreal width = 2.0, bool inLegend = true);
  /// Removes the curves from `index` on (comparison overlays are added last).
  void removeCurvesFrom(int index);
  int curveCount() const { return int(m_curves.size()); }
  /// Points currently drawn by a curve (bounded however long the data is).
  int drawnPoints(int curve) const;

  /// Smoothing weight in [0, 1) of the Smoothed curves.
  void setSmoothing(double weight);
  /// Keeps 0 inside the y range (losses, throughput, memory).
  void setIncludeZero(bool on) { m_includeZero = on; }
  /// Fixes the y range (e.g. 0..100 for percentages) instead of following the data.
  void setFixedYRange(double lo, double hi);
  /// Whole-number y ticks and labels (samples/s, CPU %, MiB). Otherwise the labels carry as many
  /// digits as the tick spacing needs.
  void setYIntegers(bool on);
  /// The axes (tests: ranges, tick spacing, label formats).
  QValueAxis* xAxis() const { return m_x; }
  QValueAxis* yAxis() const { return m_y; }

  /// Redraws the curves whose data changed since the last call and fits the axes. Returns true
  /// when anything was redrawn.
  bool refresh();
  /// Forces the next refresh to redraw everything (after data was cleared or replaced).
  void invalidate();
  bool hasData() const;
  /// How many times refresh() redrew something (for the responsiveness benchmark).
  int updateCount() const { return m_updates; }

 private:
  struct Curve {
    std::shared_ptr<const MetricSeries> data;
    Draw draw;
    QLineSeries* series;
    int drawnSize = -1;  // data size when last drawn; -1 = redraw
  };
  void fitAxes();

  std::vector<Curve> m_curves;
  QValueAxis* m_x = nullptr;
  QValueAxis* m_y = nullptr;
  double m_smoothing = 0.6;
  bool m_includeZero = false, m_fixedY = false, m_yIntegers = false;
  double m_fixedLo = 0, m_fixedHi = 1;
  int m_updates = 0;
};

}  // namespace nc::widgets

#pragma once
#include <QList>
#include <QPointF>
#include <vector>

namespace nc::widgets {

/// One metric over x (steps or seconds). Every raw point is kept (a 100,000-step run costs
/// 1.6 MB), but what is drawn is bounded: `envelope()` and `smoothed()` reduce any number of
/// points to a fixed budget, so a chart's cost does not grow with the run's length.
class MetricSeries {
 public:
  /// Appends a point; non-finite values (a missing validation loss is NaN) are skipped.
  void append(double x, double y);
  void clear();
  int size() const { return int(m_points.size()); }
  bool empty() const { return m_points.empty(); }
  const std::vector<QPointF>& points() const { return m_points; }
  const QPointF& last() const { return m_points.back(); }

  /// At most 2 * `buckets` points. Consecutive points are grouped into equal-count buckets and
  /// each bucket keeps its lowest and highest point in x order, so spikes stay visible.
  QList<QPointF> envelope(int buckets) const;

  /// At most `buckets` points: the bucket means of the exponentially smoothed series, with
  /// TensorBoard's debiasing (the first points are not pulled towards zero). `weight` in [0, 1):
  /// 0 = no smoothing.
  QList<QPointF> smoothed(double weight, int buckets) const;

  /// Bounds of the raw points; false when empty.
  bool bounds(double& minX, double& maxX, double& minY, double& maxY) const;

 private:
  std::vector<QPointF> m_points;
  double m_minX = 0, m_maxX = 0, m_minY = 0, m_maxY = 0;
};

}  // namespace nc::widgets

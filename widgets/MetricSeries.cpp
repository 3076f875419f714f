#include "widgets/MetricSeries.h"

#include <algorithm>
#include <cmath>

namespace nc::widgets {

void MetricSeries::append(double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y)) return;
  if (m_points.empty()) {
    m_minX = m_maxX = x;
    m_minY = m_maxY = y;
  } else {
    m_minX = std::min(m_minX, x);
    m_maxX = std::max(m_maxX, x);
    m_minY = std::min(m_minY, y);
    m_maxY = std::max(m_maxY, y);
  }
  m_points.emplace_back(x, y);
}

void MetricSeries::clear() {
  m_points.clear();
  m_minX = m_maxX = m_minY = m_maxY = 0;
}

QList<QPointF> MetricSeries::envelope(int buckets) const {
  const size_t n = m_points.size();
  buckets = std::max(buckets, 1);
  QList<QPointF> out;
  if (n <= size_t(2 * buckets)) {
    out.reserve(qsizetype(n));
    for (const QPointF& p : m_points) out.append(p);
    return out;
  }
  const size_t per = (n + size_t(buckets) - 1) / size_t(buckets);
  out.reserve(2 * buckets);
  for (size_t begin = 0; begin < n; begin += per) {
    size_t end = std::min(n, begin + per), lo = begin, hi = begin;
    for (size_t i = begin + 1; i < end; ++i) {
      if (m_points[i].y() < m_points[lo].y()) lo = i;
      if (m_points[i].y() > m_points[hi].y()) hi = i;
    }
    out.append(m_points[std::min(lo, hi)]);
    if (lo != hi) out.append(m_points[std::max(lo, hi)]);
  }
  return out;
}

QList<QPointF> MetricSeries::smoothed(double weight, int buckets) const {
  const size_t n = m_points.size();
  buckets = std::max(buckets, 1);
  weight = std::clamp(weight, 0.0, 0.999);
  const size_t per = std::max<size_t>(1, (n + size_t(buckets) - 1) / size_t(buckets));
  QList<QPointF> out;
  out.reserve(qsizetype(n / per + 1));
  double ema = 0, debias = 1, sumX = 0, sumY = 0;
  size_t inBucket = 0;
  for (size_t i = 0; i < n; ++i) {
    ema = ema * weight + (1 - weight) * m_points[i].y();
    debias *= weight;
    double value = weight > 0 ? ema / (1 - debias) : m_points[i].y();
    sumX += m_points[i].x();
    sumY += value;
    if (++inBucket == per || i + 1 == n) {
      // The last bucket ends exactly at the newest point, so the curve reaches the right edge.
      out.append(i + 1 == n && inBucket > 1 ? QPointF(m_points[i].x(), sumY / double(inBucket))
                                            : QPointF(sumX / double(inBucket), sumY / double(inBucket)));
      sumX = sumY = 0;
      inBucket = 0;
    }
  }
  return out;
}

bool MetricSeries::bounds(double& minX, double& maxX, double& minY, double& maxY) const {
  if (m_points.empty()) return false;
  minX = m_minX;
  maxX = m_maxX;
  minY = m_minY;
  maxY = m_maxY;
  return true;
}

}  // namespace nc::widgets

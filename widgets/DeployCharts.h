#pragma once
// The Deploy view's figures (issue 12): a benchmark's latency and throughput per batch size (one
// curve per thread count) with the same numbers as a table, and a compression report's variants
// side by side (table and ratio bar chart). Plain structs in, no torch.
#include <QString>
#include <QWidget>
#include <cstdint>

#include "core/deploy/Benchmark.h"
#include "core/deploy/Compression.h"

class QChartView;
class QLabel;
class QTableWidget;

namespace nc::widgets {

/// "812.4 KiB", "1.23 MiB"
QString deployBytesText(int64_t bytes);
/// Milliseconds with three significant digits and no exponent: "0.0123", "1.23", "12.3", "1,234".
QString deployMsText(double ms);
/// FLOPs: "5.60 M", "1.20 G", else grouped digits.
QString deployFlopsText(int64_t n);
/// A count with thousands separators; "1.23 M" above ten million.
QString deployCountText(int64_t n);

/// Latency (p50 line, a band up to p99 and p95 markers) and throughput against the batch size
/// on a log axis, one colour per thread count, and a table of every case.
/// Series are named for tests: "p50 <threads>", "p95 <threads>", "band <threads>",
/// "throughput <threads>".
class BenchmarkCharts : public QWidget {
  Q_OBJECT
 public:
  explicit BenchmarkCharts(QWidget* parent = nullptr);
  /// Shows the report's cases (an empty or failed report clears the charts and the table).
  void setReport(const core::BenchmarkReport& report);
  void clear();
  bool hasData() const { return m_cases > 0; }

  QChartView* latencyChart() const { return m_latency; }
  QChartView* throughputChart() const { return m_throughput; }
  QTableWidget* table() const { return m_table; }

 private:
  QChartView* m_latency = nullptr;
  QChartView* m_throughput = nullptr;
  QTableWidget* m_table = nullptr;
  int m_cases = 0;
};

/// A compression report: one row per variant (accuracy and its change in points, size, parameters,
/// FLOPs, latency at batch 1 and 32, each with its ratio to the FP32 variant) and a bar chart of
/// those ratios per variant.
class CompressionView : public QWidget {
  Q_OBJECT
 public:
  explicit CompressionView(QWidget* parent = nullptr);
  void setReport(const core::CompressReport& report);
  void clear();
  bool hasData() const { return m_rows > 0; }

  QTableWidget* table() const { return m_table; }
  QChartView* chart() const { return m_chart; }
  QLabel* notes() const { return m_notes; }

  enum Column { kVariant, kAccuracy, kAccuracyChange, kSize, kParams, kFlops, kLatency1, kLatency32, kNote, kColumnCount };

 private:
  QTableWidget* m_table = nullptr;
  QChartView* m_chart = nullptr;
  QLabel* m_notes = nullptr;
  int m_rows = 0;
};

}  // namespace nc::widgets

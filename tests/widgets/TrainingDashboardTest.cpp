// The dashboard without a trainer: bounded drawing for long runs, smoothing, exports, GPU curves.
#include <gtest/gtest.h>

#include <QFile>
#include <QChart>
#include <QImage>
#include <QSet>
#include <QValueAxis>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QTextStream>
#include <cmath>

#include "widgets/MetricChart.h"
#include "widgets/MetricSeries.h"
#include "widgets/TrainingDashboard.h"

namespace nc::test {
namespace {

using widgets::MetricChart;
using widgets::MetricSeries;
using widgets::TrainingDashboard;

/// A loss curve like a real one: decaying, noisy, with a spike every 10,000 steps.
QList<core::StepMetrics> fakeSteps(int64_t first, int64_t count, int64_t perEpoch) {
  QList<core::StepMetrics> steps;
  for (int64_t s = first; s < first + count; ++s) {
    core::StepMetrics m;
    m.step = s;
    m.epoch = (s - 1) / perEpoch + 1;
    m.batch = (s - 1) % perEpoch + 1;
    m.batchesPerEpoch = perEpoch;
    m.loss = 2.0 * std::exp(-double(s) / 20000.0) + 0.1 * std::sin(double(s)) + (s % 10000 == 0 ? 3.0 : 0.0);
    m.accuracy = 1.0 - m.loss / 3.0;
    m.learningRate = 1e-3;
    m.samplesPerSecond = 5000;
    m.elapsedSeconds = double(s) * 0.001;
    steps.append(m);
  }
  return steps;
}

TEST(TrainingDashboard, HundredThousandStepsDrawThroughABoundedNumberOfPoints) {
  TrainingDashboard d;
  d.resize(1200, 800);
  d.beginRun("long", 100);
  for (int64_t first = 1; first <= 100000; first += 1000) d.appendSteps(fakeSteps(first, 1000, 1000));
  d.refreshNow();
  EXPECT_EQ(d.stepCount(), 100000);
  MetricChart* loss = d.lossChart();
  for (int curve = 0; curve < loss->curveCount(); ++curve) EXPECT_LE(loss->drawnPoints(curve), 2 * MetricChart::kBuckets);
  EXPECT_GT(loss->drawnPoints(0), MetricChart::kBuckets / 2) << "the raw envelope still has detail";
  EXPECT_LE(d.throughputChart()->drawnPoints(0), 2 * MetricChart::kBuckets);
  EXPECT_NEAR(d.progressBar()->value(), 100000, 1);

  d.setSmoothing(0.95);
  d.refreshNow();
  EXPECT_LE(loss->drawnPoints(1), MetricChart::kBuckets);
}

TEST(MetricSeries, EnvelopeKeepsSpikesAndSmoothingIsDebiased) {
  MetricSeries s;
  for (int i = 0; i < 10000; ++i) s.append(i, i == 5000 ? 100.0 : 1.0);
  s.append(10000, std::nan(""));  // skipped
  EXPECT_EQ(s.size(), 10000);
  QList<QPointF> env = s.envelope(100);
  EXPECT_LE(env.size(), 200);
  bool spike = false;
  for (const QPointF& p : env) spike = spike || p.y() == 100.0;
  EXPECT_TRUE(spike) << "min/max buckets never drop an outlier";
  for (int i = 1; i < env.size(); ++i) EXPECT_LT(env[i - 1].x(), env[i].x()) << "points stay in x order";

  MetricSeries flat;
  for (int i = 0; i < 10; ++i) flat.append(i, 2.0);
  QList<QPointF> sm = flat.smoothed(0.9, 100);
  ASSERT_EQ(sm.size(), 10);
  EXPECT_NEAR(sm.front().y(), 2.0, 1e-9) << "debiased: the first point is not pulled towards 0";
  EXPECT_NEAR(sm.back().y(), 2.0, 1e-9);
}

TEST(TrainingDashboard, ExportsChartsAsPngAndMetricsAsCsv) {
  TrainingDashboard d;
  d.resize(1200, 800);
  d.beginRun("export", 2);
  d.appendSteps(fakeSteps(1, 20, 10));
  core::EpochMetrics e;
  e.epoch = 1;
  e.step = 10;
  e.valLoss = 0.5;
  e.valAccuracy = 0.8;
  d.appendEpoch(e);
  core::ResourceSample r;
  r.elapsedSeconds = 1;
  r.processCpuPercent = 95;
  r.residentBytes = 300 << 20;
  d.appendResource(r);

  QTemporaryDir dir;
  QString png = dir.filePath("charts.png"), csv = dir.filePath("metrics.csv");
  ASSERT_TRUE(d.exportChartsPng(png));
  QImage image(png);
  ASSERT_FALSE(image.isNull());
  EXPECT_GT(image.width(), 100);
  ASSERT_TRUE(d.exportCsv(csv));
  QFile f(csv);
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
  ASSERT_EQ(lines.size(), 1 + 20 + 1 + 1);
  EXPECT_TRUE(lines[0].startsWith("kind,epoch,step"));
  EXPECT_TRUE(lines[21].startsWith("epoch,1,10,"));
  EXPECT_TRUE(lines[22].startsWith("resource,"));
  EXPECT_FALSE(d.exportCsv(dir.filePath("missing/folder/metrics.csv")));
}

TEST(TrainingDashboard, GpuCurvesAppearOnlyWhenTheRunReportsThem) {
  TrainingDashboard d;
  d.beginRun("gpu", 1);
  core::ResourceSample cpuOnly;
  cpuOnly.elapsedSeconds = 1;
  d.appendResource(cpuOnly);
  EXPECT_FALSE(d.hasGpuCurves());
  int memoryCurves = d.memoryChart()->curveCount();
  core::ResourceSample gpu = cpuOnly;
  gpu.elapsedSeconds = 2;
  gpu.gpuAllocatedBytes = 1 << 30;
  gpu.gpuUtilizationPercent = 80;
  d.appendResource(gpu);
  EXPECT_TRUE(d.hasGpuCurves());
  EXPECT_EQ(d.memoryChart()->curveCount(), memoryCurves + 1);
}

TEST(TrainingDashboard, FinishedRunShowsTheConfusionMatrixAndOutcome) {
  TrainingDashboard d;
  d.beginRun("done", 1);
  d.appendSteps(fakeSteps(1, 10, 10));
  core::RunResult r;
  r.status = core::RunStatus::Completed;
  r.classNames = {"a", "b"};
  r.confusion = {{8, 2}, {1, 9}};
  d.finishRun(r);
  EXPECT_EQ(d.statusText(), "Completed");
  EXPECT_EQ(d.progressBar()->value(), d.progressBar()->maximum());
}

/// The labels an axis shows: one per tick (multiples of the interval inside the range).
QStringList tickLabels(const QValueAxis* axis) {
  QStringList labels;
  double interval = axis->tickInterval();
  if (!(interval > 0)) return labels;
  const QByteArray format = axis->labelFormat().toLatin1();
  for (double v = std::ceil(axis->min() / interval - 1e-9) * interval; v <= axis->max() + interval * 1e-9; v += interval)
    labels << QString::asprintf(format.constData(), std::abs(v) < interval * 1e-9 ? 0.0 : v);
  return labels;
}

void expectDistinctLabels(const QValueAxis* axis, const char* what) {
  QStringList labels = tickLabels(axis);
  EXPECT_GE(labels.size(), 2) << what;
  EXPECT_EQ(labels.size(), QSet<QString>(labels.begin(), labels.end()).size())
      << what << ": repeated tick labels " << labels.join(' ').toStdString();
}

// Issue 11: empty charts read "0 0 1 1 1" on their axes (ticks 0.25 apart labelled as integers).
// Empty, tiny and flat ranges get distinct labels; step axes never tick between integers.
TEST(MetricChart, TickLabelsAreDistinctForEmptySmallAndFlatRanges) {
  TrainingDashboard d;
  d.resize(1200, 800);
  d.refreshNow();
  MetricChart* charts[] = {d.lossChart(), d.accuracyChart(), d.learningRateChart(),
                           d.throughputChart(), d.cpuChart(), d.memoryChart()};
  for (MetricChart* c : charts) {
    std::string title = c->chart()->title().toStdString();
    expectDistinctLabels(c->xAxis(), (title + " x, empty").c_str());
    expectDistinctLabels(c->yAxis(), (title + " y, empty").c_str());
    EXPECT_GE(c->xAxis()->tickInterval(), 1.0) << title;
  }
  // Three steps, a loss that barely moves, a constant learning rate, a flat memory curve.
  d.beginRun("small", 1);
  QList<core::StepMetrics> steps = fakeSteps(1, 3, 10);
  for (int i = 0; i < 3; ++i) {
    steps[i].loss = 0.41 + 0.00005 * i;
    steps[i].learningRate = 1e-3;
    steps[i].accuracy = 0.5;
  }
  d.appendSteps(steps);
  for (int i = 0; i < 3; ++i) {
    core::ResourceSample r;
    r.elapsedSeconds = 0.5 * i;
    r.processCpuPercent = 99.5;
    r.residentBytes = int64_t(370.2 * 1024 * 1024);
    d.appendResource(r);
  }
  d.refreshNow();
  for (MetricChart* c : charts) {
    std::string title = c->chart()->title().toStdString();
    expectDistinctLabels(c->xAxis(), (title + " x, small").c_str());
    expectDistinctLabels(c->yAxis(), (title + " y, small").c_str());
  }
  EXPECT_EQ(tickLabels(d.lossChart()->xAxis()), (QStringList{"1", "2", "3"}));
  EXPECT_EQ(d.memoryChart()->yAxis()->labelFormat(), "%.0f");
}

}  // namespace
}  // namespace nc::test

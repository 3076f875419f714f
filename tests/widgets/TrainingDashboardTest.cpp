// The dashboard without a trainer: bounded drawing for long runs, smoothing, exports, GPU curves.
#include <gtest/gtest.h>

#include <QFile>
#include <QImage>
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

}  // namespace
}  // namespace nc::test

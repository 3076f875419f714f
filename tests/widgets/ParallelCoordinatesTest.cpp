// The Sweep view's charts (issue 14): parallel coordinates (axis scales, brushing by a mouse drag
// on an axis, double-click clears, clicking a line) and the Pareto front of a hand-made set.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "widgets/ParallelCoordinates.h"
#include "widgets/ParetoChart.h"

namespace parallel_coordinates_test {

using nc::widgets::ParallelAxis;

// Three axes: a log range (learning rate), a categorical one (3 choices), the metric.
std::vector<ParallelAxis> axes() {
  ParallelAxis lr;
  lr.title = "training.learning_rate";
  lr.scale = ParallelAxis::Scale::Log;
  lr.low = 1e-4;
  lr.high = 1e-2;
  ParallelAxis ch;
  ch.title = "fc1.out_features";
  ch.scale = ParallelAxis::Scale::Categorical;
  ch.categories = {"8", "16", "32"};
  ParallelAxis metric;
  metric.title = "best val accuracy";
  metric.low = 0.5;
  metric.high = 1.0;
  return {lr, ch, metric};
}

// rows: {lr, choice index, accuracy}
std::vector<std::vector<double>> rows() {
  return {{1e-4, 0, 0.60}, {1e-3, 1, 0.80}, {1e-2, 2, 0.95}, {3e-3, 0, 0.70}, {2e-4, 2, 0.90}};
}

void drag(QWidget* w, QPointF from, QPointF to) {
  QTest::mousePress(w, Qt::LeftButton, {}, from.toPoint());
  QTest::mouseMove(w, ((from + to) / 2).toPoint());
  QTest::mouseMove(w, to.toPoint());
  QTest::mouseRelease(w, Qt::LeftButton, {}, to.toPoint());
}

}  // namespace parallel_coordinates_test

TEST(ParallelCoordinates, ScalesPlaceValuesOnTheirAxes) {
  nc::widgets::ParallelCoordinates pc;
  pc.resize(600, 320);
  pc.setData(parallel_coordinates_test::axes(), parallel_coordinates_test::rows());
  ASSERT_EQ(pc.axisCount(), 3);
  // Log axis: the geometric middle is half-way; categorical: first at the bottom, last at the top.
  EXPECT_NEAR(pc.normalized(0, 1e-3), 0.5, 1e-9);
  EXPECT_NEAR(pc.normalized(0, 1e-4), 0.0, 1e-9);
  EXPECT_NEAR(pc.normalized(1, 0), 0.0, 1e-9);
  EXPECT_NEAR(pc.normalized(1, 1), 0.5, 1e-9);
  EXPECT_NEAR(pc.normalized(1, 2), 1.0, 1e-9);
  EXPECT_NEAR(pc.normalized(2, 0.75), 0.5, 1e-9);
  EXPECT_TRUE(std::isnan(pc.normalized(0, NAN)));
  EXPECT_TRUE(std::isnan(pc.normalized(0, -1)));  // not on a log axis
  EXPECT_LT(pc.axisX(0), pc.axisX(1));
  EXPECT_LT(pc.pointFor(0, 1e-2).y(), pc.pointFor(0, 1e-4).y());  // higher values higher up
  // Ranges widen to the data; a constant metric still gets an axis.
  std::vector<nc::widgets::ParallelAxis> a = parallel_coordinates_test::axes();
  pc.setData(a, {{0.05, 0, 0.7}, {1e-4, 1, 0.7}});
  EXPECT_NEAR(pc.axis(0).high, 0.05, 1e-12);
  EXPECT_LT(pc.axis(2).low, pc.axis(2).high);
  EXPECT_NEAR(pc.normalized(2, 0.7), 0.4, 1e-9);
}

// Axis titles never overlap and stay inside the widget, however narrow it is: long titles are
// elided (middle), short ones kept whole and centred on their axis where there is room.
TEST(ParallelCoordinates, TitlesNeverOverlapAndStayInside) {
  nc::widgets::ParallelCoordinates pc;
  std::vector<nc::widgets::ParallelAxis> a = parallel_coordinates_test::axes();
  a[1].title = "a_rather_long_node_name.out_features";
  a.push_back(a[2]);
  a[3].title = "x";
  for (int width : {260, 480, 640, 1200}) {
    pc.resize(width, 300);
    pc.setData(a, parallel_coordinates_test::rows());
    for (int i = 0; i < pc.axisCount(); ++i) {
      const QRectF r = pc.titleRect(i);
      EXPECT_GE(r.left(), 0) << width << " axis " << i;
      EXPECT_LE(r.right(), width) << width << " axis " << i;
      EXPECT_FALSE(pc.titleText(i).isEmpty()) << width << " axis " << i;
      if (i > 0) {
        EXPECT_LE(pc.titleRect(i - 1).right(), r.left()) << width << ": titles " << i - 1 << " and " << i << " overlap";
      }
    }
  }
  // Wide: the short title is whole and centred on its axis; the long one whole too.
  EXPECT_EQ(pc.titleText(3), "x");
  EXPECT_EQ(pc.titleText(1), "a_rather_long_node_name.out_features");
  EXPECT_NEAR(pc.titleRect(2).center().x(), pc.axisX(2), 1.0);
  // Narrow: the long one is elided in the middle.
  pc.resize(260, 300);
  EXPECT_TRUE(pc.titleText(1).contains(QChar(0x2026))) << pc.titleText(1).toStdString();
}

TEST(ParallelCoordinates, DragOnAnAxisBrushesAndDoubleClickClears) {
  nc::widgets::ParallelCoordinates pc;
  pc.resize(600, 320);
  pc.setData(parallel_coordinates_test::axes(), parallel_coordinates_test::rows());
  pc.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&pc));
  QSignalSpy brushed(&pc, &nc::widgets::ParallelCoordinates::brushChanged);
  EXPECT_EQ(pc.brushedRows().size(), 5u);  // nothing brushed: every row is in

  // Drag on the metric axis from 0.85 up to 0.97: the trials at 0.90 and 0.95 stay.
  parallel_coordinates_test::drag(&pc, pc.pointFor(2, 0.85), pc.pointFor(2, 0.97));
  EXPECT_GE(brushed.count(), 1);
  ASSERT_TRUE(pc.hasBrush(2));
  EXPECT_EQ(pc.brushedRows(), (std::vector<int>{2, 4}));
  EXPECT_FALSE(pc.isRowBrushed(0));  // drawn grey

  // A second brush, dragged downwards on the log axis over 1e-4..5e-4: only row 4 (2e-4) is in both.
  parallel_coordinates_test::drag(&pc, pc.pointFor(0, 5e-4), pc.pointFor(0, 1e-4) + QPointF(0, 4));
  ASSERT_TRUE(pc.hasBrush(0));
  EXPECT_EQ(pc.brushedRows(), (std::vector<int>{4}));

  // Brush on the categorical axis around "16" only, after clearing the others by double-clicks.
  QTest::mouseDClick(&pc, Qt::LeftButton, {}, pc.pointFor(2, 0.75).toPoint());
  EXPECT_FALSE(pc.hasBrush(2));
  EXPECT_EQ(pc.brushedRows(), (std::vector<int>{0, 4}));  // 1e-4 and 2e-4
  QTest::mouseDClick(&pc, Qt::LeftButton, {}, pc.pointFor(0, 1e-3).toPoint());
  EXPECT_FALSE(pc.anyBrush());
  EXPECT_EQ(pc.brushedRows().size(), 5u);
  parallel_coordinates_test::drag(&pc, pc.pointFor(1, 0.7), pc.pointFor(1, 1.3));
  EXPECT_EQ(pc.brushedRows(), (std::vector<int>{1}));

  // A grab (for a look) paints greyed and coloured lines without trouble.
  EXPECT_FALSE(pc.grab().isNull());
}

TEST(ParallelCoordinates, ClickingALineReportsItsRow) {
  nc::widgets::ParallelCoordinates pc;
  pc.resize(600, 320);
  pc.setData(parallel_coordinates_test::axes(), parallel_coordinates_test::rows());
  pc.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&pc));
  QSignalSpy clicked(&pc, &nc::widgets::ParallelCoordinates::rowClicked);
  // A quarter of the way from axis 1 to axis 2 on row 2's line (choice 32 -> 0.95).
  const QPointF a = pc.pointFor(1, 2), b = pc.pointFor(2, 0.95);
  QTest::mouseClick(&pc, Qt::LeftButton, {}, (a + (b - a) * 0.25).toPoint());
  ASSERT_EQ(clicked.count(), 1);
  EXPECT_EQ(clicked.at(0).at(0).toInt(), 2);
  EXPECT_FALSE(clicked.at(0).at(1).toBool());
  QTest::mouseClick(&pc, Qt::LeftButton, Qt::ControlModifier, (a + (b - a) * 0.25).toPoint());
  ASSERT_EQ(clicked.count(), 2);
  EXPECT_TRUE(clicked.at(1).at(1).toBool());
  // Far from any line: nothing.
  QTest::mouseClick(&pc, Qt::LeftButton, {}, QPoint(3, 3));
  EXPECT_EQ(clicked.count(), 2);
}

TEST(ParetoFront, HandMadeSet) {
  using nc::widgets::paretoFront;
  //                      0    1    2    3    4    5    6
  std::vector<double> cost{10, 20, 15, 40, 20, NAN, 5};
  std::vector<double> acc{0.80, 0.90, 0.78, 0.91, 0.85, 0.99, 0.70};
  // 6 (5, .70) -> 0 (10, .80) -> 1 (20, .90) -> 3 (40, .91); 2 is dominated by 0, 4 by 1, 5 has no cost.
  EXPECT_EQ(paretoFront(cost, acc), (std::vector<size_t>{6, 0, 1, 3}));
  // Equal cost: only the most accurate; equal points: the first.
  EXPECT_EQ(paretoFront({1, 1, 1}, {0.5, 0.7, 0.7}), (std::vector<size_t>{1}));
  // A cheaper and better point dominates everything.
  EXPECT_EQ(paretoFront({3, 2, 1}, {0.1, 0.2, 0.3}), (std::vector<size_t>{2}));
  EXPECT_TRUE(paretoFront({}, {}).empty());

  nc::widgets::ParetoChart chart;
  std::vector<nc::widgets::ParetoChart::Point> points;
  for (size_t i = 0; i < cost.size(); ++i)
    points.push_back({int(i) + 100, QString("trial %1").arg(i), cost[i] * 1e6, 1000.0 - cost[i], acc[i]});
  chart.setPoints(points);
  EXPECT_EQ(chart.frontRows(), (std::vector<int>{106, 100, 101, 103}));
  // Against parameters (1000 - cost: the order reverses) the front is different.
  chart.setCost(nc::widgets::ParetoChart::Cost::Params);
  EXPECT_EQ(chart.frontRows(), (std::vector<int>{103}));
}

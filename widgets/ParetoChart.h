#pragma once
// The Sweep view's scatter of best validation accuracy against a cost (FLOPs or parameters), with
// the Pareto front (highest accuracy for the cost: no other trial is at least as accurate and at
// most as costly) drawn as a connected line. Clicking a point selects its trial.
#include <QChartView>
#include <QString>
#include <set>
#include <vector>

class QScatterSeries;
class QLineSeries;

namespace nc::widgets {

/// Indices of the Pareto-optimal points (maximize accuracy, minimize cost), ordered by cost
/// (cheapest first). Points with a non-finite value are ignored; of identical points the first
/// counts.
std::vector<size_t> paretoFront(const std::vector<double>& cost, const std::vector<double>& accuracy);

class ParetoChart : public QChartView {
  Q_OBJECT
 public:
  enum class Cost { Flops, Params };
  struct Point {
    int row = -1;          // caller's row (trial)
    QString label;         // "trial 3"
    double flops = 0, params = 0, accuracy = 0;
  };
  explicit ParetoChart(QWidget* parent = nullptr);

  void setPoints(std::vector<Point> points);
  void setCost(Cost cost);
  Cost cost() const { return m_cost; }
  void setSelectedRows(const std::set<int>& rows);
  /// Rows on the Pareto front, cheapest first (of the current cost).
  std::vector<int> frontRows() const;
  /// Where a row's point is drawn (widget coordinates; tests).
  QPointF pointPosition(int row) const;

  QSize sizeHint() const override { return {460, 300}; }

 Q_SIGNALS:
  void rowClicked(int row, bool add);

 protected:
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  void rebuild();
  double costOf(const Point& p) const { return m_cost == Cost::Flops ? p.flops : p.params; }

  std::vector<Point> m_points;
  std::set<int> m_selected;
  Cost m_cost = Cost::Flops;
};

}  // namespace nc::widgets

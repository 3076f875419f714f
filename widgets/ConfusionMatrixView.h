#pragma once
#include <QPair>
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <vector>

namespace nc::widgets {

/// A confusion matrix as a heat map: rows are true classes, columns predicted ones; each cell
/// shows its count and is shaded by the share of its row, so a weak class stands out however
/// many samples it has. The diagonal is drawn in blue, mistakes in red.
class ConfusionMatrixView : public QWidget {
  Q_OBJECT
 public:
  explicit ConfusionMatrixView(QWidget* parent = nullptr);
  /// `counts[true][predicted]`; `classNames` may be shorter (missing names show the index).
  void setMatrix(const std::vector<std::vector<int64_t>>& counts, const QStringList& classNames);
  void clear();
  bool isEmpty() const { return m_counts.empty(); }
  /// Share of the samples on the diagonal (0 when empty).
  double accuracy() const;

  QSize sizeHint() const override { return {560, 460}; }
  /// The cell at a widget point as {true, predicted}; {-1, -1} outside the matrix.
  QPair<int, int> cellAt(const QPoint& pos) const;
  /// The centre of a cell (as last painted), for tests that click it.
  QPoint cellCenter(int trueClass, int predictedClass) const;

 Q_SIGNALS:
  /// A cell was clicked: the gallery of misclassified samples filters to it.
  void cellClicked(int trueClass, int predictedClass);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  QString className(int i) const;

  std::vector<std::vector<int64_t>> m_counts;
  QStringList m_names;
  int m_left = 0, m_top = 0, m_cell = 0;  // the grid's geometry as last painted
};

}  // namespace nc::widgets

#pragma once
// A parallel-coordinates chart (issue 14, the Sweep view): one vertical axis per dimension, one
// polyline per row through its values, coloured by the colour axis (the metric). Brushing: a drag
// along an axis selects an interval of it; rows outside any brush are drawn grey and
// brushedRows() leaves them out; a double-click on an axis clears its brush. A click on a line
// selects its row (rowClicked).
#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace nc::widgets {

struct ParallelAxis {
  enum class Scale { Linear, Log, Categorical };
  QString title;
  Scale scale = Scale::Linear;
  double low = 0, high = 1;  // Linear / Log: the range shown (widened to the data)
  QStringList categories;    // Categorical: values are indices into this list
};

class ParallelCoordinates : public QWidget {
  Q_OBJECT
 public:
  explicit ParallelCoordinates(QWidget* parent = nullptr);

  /// rows[r][a] is row r's value on axis a (NaN = missing: the line skips that axis). Keeps the
  /// brushes of axes whose title and scale stay the same.
  void setData(std::vector<ParallelAxis> axes, std::vector<std::vector<double>> rows);
  /// The axis whose value colours the lines (default: the last one).
  void setColorAxis(int axis);
  /// Rows drawn on top, thicker.
  void setSelectedRows(const std::set<int>& rows);

  int axisCount() const { return int(m_axes.size()); }
  int rowCount() const { return int(m_rows.size()); }
  const ParallelAxis& axis(int a) const { return m_axes[size_t(a)]; }

  /// Brush of axis `a` as an interval of positions along it (0 = bottom, 1 = top).
  void setBrush(int a, double from, double to);
  void clearBrush(int a);
  void clearBrushes();
  bool hasBrush(int a) const;
  bool anyBrush() const;
  /// Whether row r lies inside every brush (true for all rows when nothing is brushed).
  bool isRowBrushed(int r) const;
  std::vector<int> brushedRows() const;

  /// Where `value` lies on axis `a`, in widget coordinates (tests, hit testing).
  QPointF pointFor(int a, double value) const;
  /// The axis' x position and the y of its bottom and top.
  double axisX(int a) const;
  double axisBottom() const;
  double axisTop() const;
  /// Axis `a`'s title as drawn (bold, elided to its room) and where: inside the widget and
  /// within half the distance to each neighbouring axis, so titles never overlap.
  QString titleText(int a) const;
  QRectF titleRect(int a) const;
  /// Position of `value` along axis `a`, 0 (bottom) to 1 (top); NaN when missing or out of scale.
  double normalized(int a, double value) const;
  /// The row whose line passes within `tolerance` pixels of `at`, or -1.
  int rowAt(QPointF at, double tolerance = 5) const;
  /// Colour for a position 0..1 of the colour axis (shared with the other sweep charts).
  static QColor metricColor(double t);

  QSize sizeHint() const override { return {560, 300}; }
  QSize minimumSizeHint() const override { return {240, 160}; }

 Q_SIGNALS:
  void brushChanged();
  /// A line was clicked (with Ctrl held: `add` = true, to add it to the selection).
  void rowClicked(int row, bool add);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  int axisNear(double x) const;
  double positionAt(double y) const;
  QString tickText(int a, double position) const;

  std::vector<ParallelAxis> m_axes;
  std::vector<std::vector<double>> m_rows;
  std::vector<std::optional<std::pair<double, double>>> m_brushes;  // per axis, positions (low, high)
  int m_colorAxis = -1;
  std::set<int> m_selected;
  int m_dragAxis = -1;
  double m_dragFrom = 0;
  QPointF m_pressAt;
  bool m_dragged = false;
};

}  // namespace nc::widgets

#pragma once
// Per-class precision, recall, F1 and support beside the confusion matrix (issue 14): a sortable
// table whose average rows (macro, weighted) stay at the bottom whatever the sort.
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <vector>

class QLabel;
class QStandardItemModel;
class QTableView;

namespace nc::widgets {

class PinnedRowsProxy;

class ClassMetricsTable : public QWidget {
  Q_OBJECT
 public:
  explicit ClassMetricsTable(QWidget* parent = nullptr);
  /// `counts[true][predicted]` (core::computeClassMetrics); `classNames` may be shorter.
  void setMatrix(const std::vector<std::vector<int64_t>>& counts, const QStringList& classNames);
  void clear();

  enum Column { ClassColumn, PrecisionColumn, RecallColumn, F1Column, SupportColumn };
  QTableView* view() const { return m_view; }
  /// Rows as shown (sorted), averages last: the class name (or "macro avg") of row `row`.
  QString rowName(int row) const;
  /// The number shown in a cell (precision, recall, F1 in [0, 1]; support a count).
  double value(int row, Column column) const;
  int rowCount() const;
  /// Sorts as a click on the column's header does.
  void sortBy(Column column, Qt::SortOrder order);

 Q_SIGNALS:
  /// A class row was double-clicked (its class index).
  void classActivated(int classIndex);

 private:
  QStandardItemModel* m_model = nullptr;
  PinnedRowsProxy* m_proxy = nullptr;
  QTableView* m_view = nullptr;
  QLabel* m_caption = nullptr;
};

}  // namespace nc::widgets

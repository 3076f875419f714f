#pragma once
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

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString className(int i) const;

  std::vector<std::vector<int64_t>> m_counts;
  QStringList m_names;
};

}  // namespace nc::widgets

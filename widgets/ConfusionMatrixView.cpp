#include "widgets/ConfusionMatrixView.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

namespace nc::widgets {

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QWidget(parent) {
  setMinimumSize(320, 280);
  setAutoFillBackground(true);
  QPalette p = palette();
  p.setColor(QPalette::Window, Qt::white);
  setPalette(p);
}

void ConfusionMatrixView::setMatrix(const std::vector<std::vector<int64_t>>& counts, const QStringList& classNames) {
  m_counts = counts;
  m_names = classNames;
  update();
}

void ConfusionMatrixView::clear() {
  m_counts.clear();
  m_names.clear();
  update();
}

double ConfusionMatrixView::accuracy() const {
  int64_t right = 0, all = 0;
  for (size_t i = 0; i < m_counts.size(); ++i)
    for (size_t j = 0; j < m_counts[i].size(); ++j) {
      all += m_counts[i][j];
      if (i == j) right += m_counts[i][j];
    }
  return all > 0 ? double(right) / double(all) : 0.0;
}

QString ConfusionMatrixView::className(int i) const {
  return i < m_names.size() && !m_names[i].isEmpty() ? m_names[i] : QString::number(i);
}

QPair<int, int> ConfusionMatrixView::cellAt(const QPoint& pos) const {
  const int n = int(m_counts.size());
  if (n == 0 || m_cell <= 0 || pos.x() < m_left || pos.y() < m_top) return {-1, -1};
  const int j = (pos.x() - m_left) / m_cell, i = (pos.y() - m_top) / m_cell;
  return i < n && j < n ? QPair<int, int>(i, j) : QPair<int, int>(-1, -1);
}

QPoint ConfusionMatrixView::cellCenter(int trueClass, int predictedClass) const {
  return {m_left + predictedClass * m_cell + m_cell / 2, m_top + trueClass * m_cell + m_cell / 2};
}

void ConfusionMatrixView::mousePressEvent(QMouseEvent* event) {
  auto [t, p] = cellAt(event->position().toPoint());
  if (event->button() == Qt::LeftButton && t >= 0) Q_EMIT cellClicked(t, p);
  QWidget::mousePressEvent(event);
}

void ConfusionMatrixView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing, false);
  const int n = int(m_counts.size());
  if (n == 0) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter, tr("The confusion matrix on the validation split appears after the first validation pass."));
    return;
  }
  QFont font = painter.font();
  QFontMetrics fm(font);
  int labelWidth = 0;
  for (int i = 0; i < n; ++i) labelWidth = std::max(labelWidth, fm.horizontalAdvance(className(i)));
  labelWidth += 12;
  const int top = fm.height() * 2 + 8, left = labelWidth + fm.height() + 6;
  const int bottom = labelWidth + 4;
  const int cell = std::max(8, std::min((width() - left - 8) / n, (height() - top - bottom) / n));
  m_left = left;
  m_top = top;
  m_cell = cell;

  painter.setPen(palette().color(QPalette::WindowText));
  QFont bold = font;
  bold.setBold(true);
  painter.setFont(bold);
  painter.drawText(QRect(left, 0, cell * n, fm.height() + 4), Qt::AlignCenter,
                   tr("Predicted  (validation accuracy %1%)").arg(accuracy() * 100.0, 0, 'f', 1));
  painter.save();
  painter.translate(fm.height(), top + cell * n / 2);
  painter.rotate(-90);
  painter.drawText(QRect(-cell * n / 2, -fm.height(), cell * n, fm.height() + 4), Qt::AlignCenter, tr("True"));
  painter.restore();
  painter.setFont(font);

  for (int i = 0; i < n; ++i) {
    int64_t rowTotal = 0;
    for (int64_t c : m_counts[size_t(i)]) rowTotal += c;
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(left - labelWidth, top + i * cell, labelWidth - 6, cell), Qt::AlignRight | Qt::AlignVCenter,
                     className(i));
    for (int j = 0; j < n && j < int(m_counts[size_t(i)].size()); ++j) {
      int64_t count = m_counts[size_t(i)][size_t(j)];
      double share = rowTotal > 0 ? double(count) / double(rowTotal) : 0.0;
      QColor base = i == j ? QColor(33, 102, 172) : QColor(202, 0, 32);
      QColor fill = QColor::fromRgbF(1 - share * (1 - base.redF()), 1 - share * (1 - base.greenF()),
                                     1 - share * (1 - base.blueF()));
      QRect r(left + j * cell, top + i * cell, cell, cell);
      painter.fillRect(r, fill);
      painter.setPen(QColor(230, 230, 230));
      painter.drawRect(r.adjusted(0, 0, -1, -1));
      if (cell >= fm.height() + 2 && count > 0) {
        painter.setPen(share > 0.5 ? Qt::white : Qt::black);
        painter.drawText(r, Qt::AlignCenter, QString::number(count));
      }
    }
  }
  // Column labels, rotated, under the matrix.
  painter.setPen(palette().color(QPalette::WindowText));
  for (int j = 0; j < n; ++j) {
    painter.save();
    painter.translate(left + j * cell + cell / 2 + fm.ascent() / 2, top + n * cell + 4);
    painter.rotate(-90);
    painter.drawText(QRect(-labelWidth, -fm.height(), labelWidth, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                     className(j));
    painter.restore();
  }
}

}  // namespace nc::widgets

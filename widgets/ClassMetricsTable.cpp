#include "widgets/ClassMetricsTable.h"

#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <algorithm>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include "core/training/ClassMetrics.h"

namespace nc::widgets {

namespace {
constexpr int kSortRole = Qt::UserRole + 1;    // the number behind a cell
constexpr int kPinnedRole = Qt::UserRole + 2;  // average rows: always last, in their own order
constexpr int kClassRole = Qt::UserRole + 3;   // a class row's index; -1 for averages
}  // namespace

/// Sorts by the numbers behind the cells and keeps the average rows below the classes.
class PinnedRowsProxy : public QSortFilterProxyModel {
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;

 protected:
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override {
    QVariant lp = left.siblingAtColumn(0).data(kPinnedRole), rp = right.siblingAtColumn(0).data(kPinnedRole);
    int l = lp.isValid() ? lp.toInt() : 0, r = rp.isValid() ? rp.toInt() : 0;
    if (l != 0 || r != 0) {
      // Pinned rows go last in either order: the view reverses lessThan for a descending sort.
      bool ascending = sortOrder() == Qt::AscendingOrder;
      if (l == r) return false;
      if (l == 0) return ascending;   // a class before an average
      if (r == 0) return !ascending;
      return ascending ? l < r : l > r;
    }
    return QSortFilterProxyModel::lessThan(left, right);
  }
};

ClassMetricsTable::ClassMetricsTable(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_caption = new QLabel(tr("Per class (validation split)"), this);
  m_caption->setTextFormat(Qt::PlainText);
  m_caption->setWordWrap(true);
  layout->addWidget(m_caption);
  m_model = new QStandardItemModel(0, 5, this);
  m_model->setHorizontalHeaderLabels({tr("Class"), tr("Precision"), tr("Recall"), tr("F1"), tr("Support")});
  m_proxy = new PinnedRowsProxy(this);
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(kSortRole);
  m_view = new QTableView(this);
  m_view->setObjectName("classMetricsTable");
  m_view->setModel(m_proxy);
  m_view->setSortingEnabled(true);
  m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_view->verticalHeader()->hide();
  m_view->setWordWrap(false);
  m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_view->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_view->sortByColumn(-1, Qt::AscendingOrder);  // the classes' own order until a header is clicked
  layout->addWidget(m_view, 1);
  connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
    QVariant cls = index.siblingAtColumn(0).data(kClassRole);
    if (cls.isValid() && cls.toInt() >= 0) Q_EMIT classActivated(cls.toInt());
  });
  setMinimumWidth(300);
}

void ClassMetricsTable::setMatrix(const std::vector<std::vector<int64_t>>& counts, const QStringList& classNames) {
  std::vector<std::string> names;
  for (const QString& n : classNames) names.push_back(n.toStdString());
  core::ClassMetrics m = core::computeClassMetrics(counts, names);
  m_model->removeRows(0, m_model->rowCount());
  auto number = [](double v, int pinned, const QString& tip = {}) {
    auto* item = new QStandardItem(QString::number(v, 'f', 4));
    item->setData(v, kSortRole);
    item->setData(pinned, kPinnedRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (!tip.isEmpty()) item->setToolTip(tip);
    return item;
  };
  auto count = [](int64_t v, int pinned) {
    auto* item = new QStandardItem(QLocale().toString(qlonglong(v)));
    item->setData(double(v), kSortRole);
    item->setData(pinned, kPinnedRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
  };
  for (size_t i = 0; i < m.classes.size(); ++i) {
    const core::ClassScore& s = m.classes[i];
    QString name = int(i) < classNames.size() && !classNames[int(i)].isEmpty() ? classNames[int(i)]
                                                                             : QString::number(i);
    auto* nameItem = new QStandardItem(name);
    nameItem->setData(name.toLower(), kSortRole);
    nameItem->setData(0, kPinnedRole);
    nameItem->setData(int(i), kClassRole);
    QString precisionTip = s.noPredictions ? tr("no predictions: no sample was predicted as %1").arg(name) : QString();
    QString recallTip = s.noSamples ? tr("no samples of %1 in the validation split").arg(name) : QString();
    m_model->appendRow({nameItem, number(s.precision, 0, precisionTip), number(s.recall, 0, recallTip),
                        number(s.f1, 0, precisionTip.isEmpty() ? recallTip : precisionTip),
                        count(s.support, 0)});
  }
  auto average = [&](const QString& label, const core::AverageScore& a, int pinned) {
    auto* nameItem = new QStandardItem(label);
    QFont bold = nameItem->font();
    bold.setBold(true);
    nameItem->setFont(bold);
    nameItem->setData(pinned, kPinnedRole);
    nameItem->setData(-1, kClassRole);
    m_model->appendRow({nameItem, number(a.precision, pinned), number(a.recall, pinned), number(a.f1, pinned),
                        count(a.support, pinned)});
  };
  if (!m.classes.empty()) {
    average(tr("macro avg"), m.macro, 1);
    average(tr("weighted avg"), m.weighted, 2);
  }
  m_caption->setText(m.classes.empty() ? tr("Per class (validation split)")
                                       : tr("Per class (validation split, %L1 samples, accuracy %2 %)")
                                             .arg(m.samples)
                                             .arg(m.accuracy * 100.0, 0, 'f', 2));
  m_proxy->invalidate();
  // Wide enough for every column: the splitter beside the confusion matrix gives way to it.
  int width = 2 * m_view->frameWidth() + m_view->verticalScrollBar()->sizeHint().width() + 8;
  QFont bold = m_view->font();
  bold.setBold(true);
  const QFontMetrics fm(bold);
  int nameWidth = fm.horizontalAdvance(tr("weighted avg"));
  for (int r = 0; r < m_model->rowCount(); ++r)
    nameWidth = std::max(nameWidth, fm.horizontalAdvance(m_model->item(r, 0)->text()));
  width += std::min(nameWidth, 240) + 16 + 4 * (fm.horizontalAdvance(tr("Precision")) + 24);
  m_view->setMinimumWidth(std::max(300, width));
}

void ClassMetricsTable::clear() {
  m_model->removeRows(0, m_model->rowCount());
  m_caption->setText(tr("Per class (validation split)"));
}

int ClassMetricsTable::rowCount() const { return m_proxy->rowCount(); }

QString ClassMetricsTable::rowName(int row) const { return m_proxy->index(row, 0).data().toString(); }

double ClassMetricsTable::value(int row, Column column) const {
  return m_proxy->index(row, int(column)).data(kSortRole).toDouble();
}

void ClassMetricsTable::sortBy(Column column, Qt::SortOrder order) { m_view->sortByColumn(int(column), order); }

}  // namespace nc::widgets

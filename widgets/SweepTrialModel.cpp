#include "widgets/SweepTrialModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <limits>

namespace nc::widgets {

namespace {
enum Fixed { kTrial, kStatus };
const char* const kTail[] = {"best val acc", "final val acc", "test acc", "params", "FLOPs", "seconds"};
constexpr int kTailCount = 6;

QString percentText(double v) { return std::isfinite(v) ? QString::number(v * 100, 'f', 2) + " %" : QStringLiteral("—"); }
double orMissing(double v) { return std::isfinite(v) ? v : -std::numeric_limits<double>::infinity(); }

// A JSON scalar as shown: numbers compactly, strings without their quotes.
QString valueText(const std::string& json) {
  if (json.size() >= 2 && json.front() == '"' && json.back() == '"') return QString::fromStdString(json.substr(1, json.size() - 2));
  bool ok = false;
  const double v = QString::fromStdString(json).toDouble(&ok);
  if (ok) return QString::number(v, 'g', 4);
  return QString::fromStdString(json);
}
}  // namespace

SweepTrialModel::SweepTrialModel(QObject* parent) : QAbstractTableModel(parent) {}

std::string SweepTrialModel::valueOf(const core::SweepTrial& trial, const std::string& target) {
  for (const core::SweepValue& v : trial.values)
    if (v.target == target) return v.json;
  return {};
}

void SweepTrialModel::setState(const core::SweepState& state) {
  std::vector<std::string> targets;
  for (const core::SweepParam& p : state.spec.params) targets.push_back(p.target);
  for (const core::SweepTrial& t : state.trials)
    for (const core::SweepValue& v : t.values)
      if (std::find(targets.begin(), targets.end(), v.target) == targets.end()) targets.push_back(v.target);
  if (targets != m_targets || state.trials.size() != m_state.trials.size()) {
    beginResetModel();
    m_state = state;
    m_targets = std::move(targets);
    endResetModel();
    return;
  }
  m_state = state;
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

int SweepTrialModel::columnOf(const QString& header) const {
  for (int c = 0; c < columnCount(); ++c)
    if (headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString() == header) return c;
  return -1;
}

int SweepTrialModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(m_state.trials.size());
}

int SweepTrialModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : 2 + int(m_targets.size()) + kTailCount;
}

QVariant SweepTrialModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
    return QAbstractTableModel::headerData(section, orientation, role);
  if (section == kTrial) return tr("trial");
  if (section == kStatus) return tr("status");
  const int p = section - 2;
  if (p >= 0 && p < int(m_targets.size())) {
    // The full target as tooltip; shown on two lines ("training." over "learning_rate") to stay narrow.
    QString name = QString::fromStdString(m_targets[size_t(p)]);
    if (role == Qt::ToolTipRole) return name;
    const int dot = int(name.indexOf('.'));
    return dot > 0 ? name.left(dot + 1) + "\n" + name.mid(dot + 1) : name;
  }
  const int t = p - int(m_targets.size());
  if (t >= 0 && t < kTailCount) return tr(kTail[t]);
  return {};
}

QVariant SweepTrialModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const core::SweepTrial& trial = m_state.trials[size_t(index.row())];
  if (role == TrialRole) return index.row();
  const int c = index.column();
  const int p = c - 2;
  const int t = p - int(m_targets.size());
  if (role == Qt::TextAlignmentRole)
    return c == kStatus ? QVariant(int(Qt::AlignLeft | Qt::AlignVCenter)) : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
  if (role == Qt::ToolTipRole && c == kStatus && !trial.message.empty()) return QString::fromStdString(trial.message);
  if (role == Qt::ForegroundRole && c == kStatus) {
    if (trial.status == "failed") return QBrush(QColor(190, 30, 30));
    if (trial.status == "running") return QBrush(QColor(20, 110, 200));
    if (trial.status == "stopped_early" || trial.status == "stopped") return QBrush(QColor(140, 110, 20));
    return {};
  }
  const bool display = role == Qt::DisplayRole;
  const bool sort = role == SortRole;
  if (!display && !sort) return {};
  if (c == kTrial) return display ? QVariant(QString::number(trial.index)) : QVariant(double(trial.index));
  if (c == kStatus) return QString::fromStdString(trial.status).replace('_', ' ');
  if (p >= 0 && p < int(m_targets.size())) {
    const std::string json = valueOf(trial, m_targets[size_t(p)]);
    if (display) return valueText(json);
    bool ok = false;
    const double v = QString::fromStdString(json).toDouble(&ok);
    return ok ? QVariant(v) : QVariant(valueText(json));
  }
  switch (t) {
    case 0: return display ? QVariant(percentText(trial.bestValAccuracy)) : QVariant(orMissing(trial.bestValAccuracy));
    case 1: return display ? QVariant(percentText(trial.finalValAccuracy)) : QVariant(orMissing(trial.finalValAccuracy));
    case 2: return display ? QVariant(percentText(trial.testAccuracy)) : QVariant(orMissing(trial.testAccuracy));
    case 3: return display ? QVariant(trial.params > 0 ? QLocale(QLocale::English).toString(qlonglong(trial.params)) : QStringLiteral("—"))
                           : QVariant(double(trial.params));
    case 4: return display ? QVariant(trial.flops > 0 ? QString::number(double(trial.flops) / 1e6, 'f', 2) + " M" : QStringLiteral("—"))
                           : QVariant(double(trial.flops));
    case 5: return display ? QVariant(trial.seconds > 0 ? QString::number(trial.seconds, 'f', 1) : QStringLiteral("—"))
                           : QVariant(trial.seconds);
    default: return {};
  }
}

SweepTrialFilter::SweepTrialFilter(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(SweepTrialModel::SortRole);
  setDynamicSortFilter(true);
}

void SweepTrialFilter::setAllowedRows(std::optional<std::set<int>> rows) {
  if (rows == m_allowed) return;
  m_allowed = std::move(rows);
  invalidateFilter();
}

bool SweepTrialFilter::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
  return !m_allowed || m_allowed->count(sourceRow) > 0;
}

bool SweepTrialFilter::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  const QVariant a = left.data(SweepTrialModel::SortRole), b = right.data(SweepTrialModel::SortRole);
  const bool an = a.typeId() == QMetaType::Double, bn = b.typeId() == QMetaType::Double;
  if (an && bn) {
    if (a.toDouble() != b.toDouble()) return a.toDouble() < b.toDouble();
    return left.row() < right.row();
  }
  if (an != bn) return an;  // numbers before words
  const int cmp = QString::compare(a.toString(), b.toString(), Qt::CaseInsensitive);
  return cmp != 0 ? cmp < 0 : left.row() < right.row();
}

}  // namespace nc::widgets

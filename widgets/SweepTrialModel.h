#pragma once
// The Sweep view's table of trials: one row per trial of a core::SweepState, one column each for
// the trial number, status, every swept parameter, best / final validation accuracy, test
// accuracy, parameters, FLOPs and seconds. Sorting (through SweepTrialFilter) uses the numbers
// (Qt::UserRole), not the text; SweepTrialFilter also hides trials outside a brush.
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <optional>
#include <set>
#include <vector>

#include "core/sweep/Sweep.h"

namespace nc::widgets {

class SweepTrialModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  /// Sort key role: numbers as double (missing = -infinity, so they sort first ascending), words as text.
  static constexpr int SortRole = Qt::UserRole;
  /// The trial's row in the state (int), on every cell.
  static constexpr int TrialRole = Qt::UserRole + 1;

  explicit SweepTrialModel(QObject* parent = nullptr);

  void setState(const core::SweepState& state);
  const core::SweepState& state() const { return m_state; }
  /// The swept targets, in column order ("training.learning_rate", "conv1.out_channels").
  const std::vector<std::string>& targets() const { return m_targets; }
  /// The trial's value for `target` as JSON text, or empty.
  static std::string valueOf(const core::SweepTrial& trial, const std::string& target);
  /// The column of a header by its full name ("best val acc", a target such as "fc1.out_features"), or -1.
  int columnOf(const QString& header) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  core::SweepState m_state;
  std::vector<std::string> m_targets;
};

/// Sorts by SweepTrialModel::SortRole and shows only the allowed trials (all when unset).
class SweepTrialFilter : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit SweepTrialFilter(QObject* parent = nullptr);
  void setAllowedRows(std::optional<std::set<int>> rows);

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  std::optional<std::set<int>> m_allowed;
};

}  // namespace nc::widgets

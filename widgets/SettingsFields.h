#pragma once
// The settings of core::DataConfig and core::TrainConfig as the form sees them: which keys exist,
// in which order, of which type, with which range or choices. Read from the core's own field
// tables (through their JSON writer and parser), so a setting added to the core appears in the
// form without a change here; what the core cannot say (labels, groups, help) comes from hints.
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

#include "core/data/DataConfig.h"
#include "core/training/TrainConfig.h"

namespace nc::widgets {

enum class Section { Data, Training };

struct SettingField {
  enum class Kind { Int, Real, Bool, Choice, Text, List };
  Section section = Section::Training;
  QString key;                // JSON key, e.g. "learning_rate"
  Kind kind = Kind::Text;
  double lo = 0, hi = 0;      // Int and Real: the range the core accepts
  bool hasRange = false;
  QStringList choices;        // Choice: the values the core accepts

  // Presentation (from the hints; defaults derived from the key).
  QString label, help, group, zeroText;  // zeroText: shown for 0 ("off", "all")
  bool logSteps = false;
  double step = 0;            // Real: spin box step (0 = a hundredth of the range)
  /// Whether the setting matters for the current values (e.g. momentum only for SGD/RMSprop).
  std::function<bool(const core::DataConfig&, const core::TrainConfig&)> applies;
};

/// Every data setting then every training setting, in the core's table order.
const std::vector<SettingField>& settingFields();

/// The group titles in display order ("Data", "Optimizer", ...).
QStringList settingGroups();

/// Display text of a choice value ("adam" -> "Adam", "cross_entropy" -> "Cross-entropy").
QString choiceLabel(const QString& key, const QString& value);

}  // namespace nc::widgets

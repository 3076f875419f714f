#pragma once
#include <QList>
#include <QMap>
#include <QString>
#include <QWidget>

#include "core/data/DataConfig.h"
#include "core/training/TrainConfig.h"

class QLabel;

namespace nc::widgets {

struct SettingField;

/// Edits a project's data and training settings (core::DataConfig, core::TrainConfig). The form
/// is generated from the settings the core defines (SettingsFields.h): a spin box per number
/// with the core's range, a combo box per choice, a check box per flag. Every edit is checked by
/// the core's own parser; a refused value is marked on its editor with the core's message and
/// the settings keep their previous value. Settings that do not apply to the current choices are
/// disabled (momentum for Adam, step size for a cosine schedule) or, for another kind of data
/// (sequence length for images), hidden. Two tabs: "Data and run" (data, epochs, batch, device)
/// and "Optimization" (optimizer, learning-rate schedule, loss, checkpoints and early stopping).
class TrainingSettingsForm : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingSettingsForm(QWidget* parent = nullptr);
  ~TrainingSettingsForm() override;

  /// Shows these settings (e.g. of a project just opened) without emitting settingsChanged.
  void setSettings(const core::DataConfig& data, const core::TrainConfig& training);
  const core::DataConfig& dataConfig() const { return m_data; }
  const core::TrainConfig& trainConfig() const { return m_training; }

  /// Editable or not (during a run): the editors are disabled, the tabs can still be looked at.
  void setEditable(bool editable);
  bool isEditable() const { return m_editable; }

  /// The editor of a setting, by "data/<key>" or "training/<key>" (tests, focus from errors).
  QWidget* editor(const QString& path) const;
  /// The core's message for a refused value, or empty.
  QString errorFor(const QString& path) const;

  /// Sets a setting from text as if the user had typed it ("0.01", "adam", "true", "[28, 28]").
  /// Returns false (and marks the editor) when the core refuses it.
  bool setValueText(const QString& path, const QString& text);

  /// Loads the Fashion-MNIST preset (IDX files at /usr/share/datasets/fashion-mnist).
  void applyFashionMnistPreset();

 Q_SIGNALS:
  /// The user changed a setting (the new settings are valid).
  void settingsChanged(const core::DataConfig& data, const core::TrainConfig& training);

 private:
  struct Editor;
  QWidget* createEditor(const SettingField& field);
  QWidget* createPathEditor(const SettingField& field);
  void showValues();
  void updateApplicability();
  /// Applies one JSON value to the settings through the core's parser.
  bool apply(const QString& path, const std::string& jsonValue);
  void markError(const QString& path, const QString& message);
  void browseForData();

  core::DataConfig m_data;
  core::TrainConfig m_training;
  QMap<QString, Editor*> m_editors;  // by path; owned, deleted in the destructor
  bool m_updating = false, m_editable = true;
  QList<QWidget*> m_pages;
};

}  // namespace nc::widgets

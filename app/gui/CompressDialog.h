#pragma once
// Compress… (issue 12): what to do to a trained run's model -- structured channel pruning (share
// of channels), global magnitude pruning (share of weights zeroed), fine-tuning epochs after
// either, dynamic int8 quantization, how many test samples to evaluate
// on -- with a live preview of the pruning plan (the nodes cut, the nodes left alone and why, the
// parameters and FLOPs after against before).
#include <QDialog>
#include <QTimer>

#include "core/Project.h"
#include "core/deploy/Compression.h"

class QCheckBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace nc::app {

class CompressDialog : public QDialog {
  Q_OBJECT
 public:
  explicit CompressDialog(const core::Project& project, QWidget* parent = nullptr);

  /// Shown under the fields ("Writes into …").
  void setOutputFolder(const QString& folder);
  /// pruneFraction, sparsity, fineTuneEpochs, quantize and evalLimit as set (checkpoint, outDir left empty).
  core::CompressOptions options() const;

  /// Re-plans now (the fields re-plan shortly after each change).
  void updatePreview();
  QString previewText() const;

  QDoubleSpinBox* pruneField() const { return m_prune; }
  QDoubleSpinBox* sparsityField() const { return m_sparsity; }
  QSpinBox* fineTuneField() const { return m_fineTune; }
  QCheckBox* int8Box() const { return m_int8; }
  QSpinBox* evalLimitField() const { return m_evalLimit; }
  QLabel* preview() const { return m_preview; }
  QDialogButtonBox* buttons() const { return m_buttons; }

 private:
  core::Project m_project;
  QDoubleSpinBox* m_prune = nullptr;
  QDoubleSpinBox* m_sparsity = nullptr;
  QSpinBox* m_fineTune = nullptr;
  QCheckBox* m_int8 = nullptr;
  QSpinBox* m_evalLimit = nullptr;
  QLabel* m_preview = nullptr;
  QLabel* m_output = nullptr;
  QDialogButtonBox* m_buttons = nullptr;
  QTimer m_debounce;
};

}  // namespace nc::app

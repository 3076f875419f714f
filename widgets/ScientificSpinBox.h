#pragma once
#include <QDoubleSpinBox>

namespace nc::widgets {

/// A double spin box that shows values compactly ("0.001", "1e-05") with full precision, for
/// settings that span orders of magnitude. With logarithmic steps, the arrows multiply or divide
/// by about 2.15 (three steps per power of ten: 1e-3 -> 2.15e-3 -> 4.63e-3 -> 9.98e-3).
class ScientificSpinBox : public QDoubleSpinBox {
  Q_OBJECT
 public:
  explicit ScientificSpinBox(QWidget* parent = nullptr);
  void setLogarithmicSteps(bool on) { m_log = on; }

  QString textFromValue(double value) const override;
  double valueFromText(const QString& text) const override;
  QValidator::State validate(QString& text, int& pos) const override;
  void stepBy(int steps) override;

 private:
  bool m_log = false;
};

}  // namespace nc::widgets

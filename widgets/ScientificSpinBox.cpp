#include "widgets/ScientificSpinBox.h"

#include <algorithm>
#include <cmath>

namespace nc::widgets {

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
  setDecimals(15);  // QDoubleSpinBox rounds to `decimals`; the text is formatted by textFromValue
  setKeyboardTracking(false);
}

QString ScientificSpinBox::textFromValue(double value) const { return QString::number(value, 'g', 6); }

double ScientificSpinBox::valueFromText(const QString& text) const { return text.trimmed().toDouble(); }

QValidator::State ScientificSpinBox::validate(QString& text, int&) const {
  QString t = text.trimmed();
  if (t.isEmpty() || t == "-" || t.endsWith('e', Qt::CaseInsensitive) || t.endsWith("e-", Qt::CaseInsensitive) ||
      t.endsWith('.'))
    return QValidator::Intermediate;
  bool ok = false;
  double v = t.toDouble(&ok);
  if (!ok) return QValidator::Invalid;
  return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
}

void ScientificSpinBox::stepBy(int steps) {
  if (!m_log) {
    QDoubleSpinBox::stepBy(steps);
    return;
  }
  double v = value();
  if (v <= 0) {
    setValue(steps > 0 ? std::max(minimum(), 1e-6) : minimum());
    return;
  }
  // Rounded to 3 significant digits so that three steps land exactly on the next power of 10.
  double next = v * std::pow(10.0, steps / 3.0);
  double scale = std::pow(10.0, std::floor(std::log10(next)) - 2);
  setValue(std::clamp(std::round(next / scale) * scale, minimum(), maximum()));
}

}  // namespace nc::widgets

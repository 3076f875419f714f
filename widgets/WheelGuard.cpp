#include "widgets/WheelGuard.h"

#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>
#include <QWidget>

namespace nc::widgets {
namespace {

constexpr const char* kGuardName = "nc_wheelGuard";

/// Installed on one widget (and owned by it). Returning true with the event ignored makes
/// QApplication offer the wheel event to the parent widgets, up to the scroll area's viewport.
class WheelGuardFilter : public QObject {
 public:
  explicit WheelGuardFilter(QWidget* owner) : QObject(owner) { setObjectName(kGuardName); }

  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() != QEvent::Wheel) return false;
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || widget->hasFocus()) return false;
    event->ignore();
    return true;
  }
};

}  // namespace

void guardWheel(QWidget* widget) {
  if (!widget || isWheelGuarded(widget)) return;
  widget->setFocusPolicy(Qt::StrongFocus);
  widget->installEventFilter(new WheelGuardFilter(widget));
}

void guardWheelInTree(QWidget* root) {
  if (!root) return;
  auto guarded = [](QWidget* w) {
    return qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSlider*>(w);
  };
  if (guarded(root)) guardWheel(root);
  for (QWidget* w : root->findChildren<QWidget*>()) {
    if (w->inherits("QScrollBar")) continue;  // scroll bars (sliders too) keep scrolling
    if (guarded(w)) guardWheel(w);
  }
}

bool isWheelGuarded(const QWidget* widget) {
  return widget && widget->findChild<QObject*>(kGuardName, Qt::FindDirectChildrenOnly) != nullptr;
}

}  // namespace nc::widgets

#pragma once
// Value widgets (spin boxes, combo boxes, sliders) inside a scrolling form must not change when
// the user only scrolls the form: a wheel turn over an unfocused field is passed on to the scroll
// area instead (issue 10, item 4: scrolling the Training settings turned a learning rate of
// 0.001 into 2.15e-08). A field takes the wheel once it has the focus (click or Tab into it).
class QObject;
class QWidget;

namespace nc::widgets {

/// Guards one widget: Qt::StrongFocus (a wheel turn no longer gives it the focus) and an event
/// filter that passes wheel events on to the parent while the widget has no focus.
void guardWheel(QWidget* widget);

/// Guards every spin box, combo box and slider among `root`'s descendants (and `root` itself).
void guardWheelInTree(QWidget* root);

/// Whether `widget` is guarded (tests).
bool isWheelGuarded(const QWidget* widget);

}  // namespace nc::widgets

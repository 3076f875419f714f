// Issue 10 item 4: scrolling over the Training settings turned the learning rate from 0.001 into
// 2.15e-08 without a sign. Spin boxes, combo boxes and sliders inside scrolling forms take the
// wheel only when focused; otherwise the wheel scrolls the form. Real wheel events, delivered
// as the window system delivers them: to the widget under the pointer, through
// QApplication::notify (event filters, then propagation to the parents).
#include <gtest/gtest.h>

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QSlider>
#include <QSpinBox>
#include <QTest>
#include <QtTest/qtestspontaneevent.h>
#include <QWheelEvent>

#include "app/gui/MainWindow.h"
#include "app/gui/TrainingPanel.h"
#include "core/LayerType.h"
#include "core/Project.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/Inspector.h"
#include "widgets/TrainingDashboard.h"
#include "widgets/TrainingSettingsForm.h"
#include "widgets/WheelGuard.h"

namespace nc::test {
namespace {

/// One notch of the wheel over the centre of `widget` (down: negative angle), sent to the child
/// under the pointer as a mouse would.
void turnWheel(QWidget* widget, int notches) {
  QPoint local = widget->rect().center();
  QWidget* target = widget->childAt(local);
  if (!target) target = widget;
  QPoint at = target->mapFrom(widget, local);
  QWheelEvent event(QPointF(at), QPointF(target->mapToGlobal(at)), QPoint(), QPoint(0, 120 * notches), Qt::NoButton,
                    Qt::NoModifier, Qt::NoScrollPhase, false);
  // As from the window system (QTest does the same for keys and clicks): only spontaneous wheel
  // events propagate from a widget that ignores them to its parents.
  QSpontaneKeyEvent::setSpontaneous(&event);
  qApp->notify(target, &event);
}

QScrollArea* scrollAreaOf(QWidget* w) {
  for (QWidget* p = w->parentWidget(); p; p = p->parentWidget())
    if (auto* area = qobject_cast<QScrollArea*>(p)) return area;
  return nullptr;
}

/// Clicks into the text part of a spin box or onto a combo box: the widget gets the focus.
void clickInto(QWidget* field) {
  QWidget* target = field;
  if (auto* spin = qobject_cast<QAbstractSpinBox*>(field))
    if (auto* line = spin->findChild<QLineEdit*>()) target = line;
  QTest::mouseClick(target, Qt::LeftButton, Qt::NoModifier, target->rect().center());
}

TEST(WheelGuard, ScrollingTheTrainingSettingsFormScrollsItAndChangesNoSetting) {
  app::TrainingPanel panel;
  core::TrainConfig training;
  training.learningRate = 0.001;
  panel.setSettings(core::DataConfig{}, training);
  int changes = 0;
  QObject::connect(&panel, &app::TrainingPanel::settingsChanged, [&] { ++changes; });
  panel.resize(1000, 420);  // the form is taller than that: its scroll area scrolls
  panel.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
  panel.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&panel));

  auto* lr = qobject_cast<QDoubleSpinBox*>(panel.settingsForm()->editor("training/learning_rate"));
  auto* optimizer = qobject_cast<QComboBox*>(panel.settingsForm()->editor("training/optimizer"));
  auto* epochs = qobject_cast<QSpinBox*>(panel.settingsForm()->editor("training/epochs"));
  ASSERT_TRUE(lr && optimizer && epochs);
  QScrollArea* area = scrollAreaOf(lr);
  ASSERT_NE(area, nullptr);
  // The settings are on two tabs, each of which fits the window: a short scroll area scrolls.
  area->setFixedHeight(200);
  auto* tabs = panel.findChild<QTabWidget*>("settingsTabs");
  ASSERT_NE(tabs, nullptr);
  QScrollBar* bar = area->verticalScrollBar();

  for (QWidget* field : std::initializer_list<QWidget*>{lr, optimizer, epochs}) {
    SCOPED_TRACE(field->metaObject()->className());
    for (int i = 0; i < tabs->count(); ++i)
      if (tabs->widget(i)->isAncestorOf(field)) tabs->setCurrentIndex(i);
    QApplication::processEvents();
    ASSERT_GT(bar->maximum(), 0) << "the form does not need to scroll at this size";
    EXPECT_TRUE(widgets::isWheelGuarded(field));
    EXPECT_EQ(field->focusPolicy(), Qt::StrongFocus) << "a wheel turn would give it the focus";
    area->ensureWidgetVisible(field, 0, 80);
    QApplication::processEvents();
    const QString before = field->property("text").toString() + "|" + QString::number(optimizer->currentIndex());
    // Scroll towards the end that has room, so the scroll area can move.
    const int notches = bar->value() < bar->maximum() ? -1 : 1;
    const int position = bar->value();
    turnWheel(field, notches);
    turnWheel(field, notches);
    EXPECT_NE(bar->value(), position) << "the wheel did not reach the scroll area";
    EXPECT_EQ(field->property("text").toString() + "|" + QString::number(optimizer->currentIndex()), before);
  }
  EXPECT_DOUBLE_EQ(lr->value(), 0.001);
  EXPECT_DOUBLE_EQ(panel.trainConfig().learningRate, 0.001);
  EXPECT_EQ(changes, 0) << "scrolling changed a setting";

  // Clicked into, the field takes the wheel (and the form does not scroll under it).
  area->ensureWidgetVisible(lr, 0, 80);
  QApplication::processEvents();
  clickInto(lr);
  ASSERT_TRUE(lr->hasFocus());
  const int position = bar->value();
  turnWheel(lr, 1);
  EXPECT_NEAR(lr->value(), 0.00215, 1e-9) << "a focused learning rate steps by the wheel (x 2.15)";
  EXPECT_EQ(bar->value(), position);
  EXPECT_DOUBLE_EQ(panel.trainConfig().learningRate, lr->value());
  EXPECT_EQ(changes, 1);

  area->ensureWidgetVisible(optimizer, 0, 80);
  QApplication::processEvents();
  clickInto(optimizer);  // opens the popup: close it, the focus stays
  if (QWidget* popup = QApplication::activePopupWidget()) popup->close();
  optimizer->setFocus(Qt::MouseFocusReason);
  ASSERT_TRUE(optimizer->hasFocus());
  const int index = optimizer->currentIndex();
  turnWheel(optimizer, -1);
  EXPECT_NE(optimizer->currentIndex(), index) << "a focused combo box takes the wheel";
}

TEST(WheelGuard, TheInspectorAndTheDashboardSliderIgnoreTheWheelUnlessFocused) {
  app::MainWindow w;
  w.setInteractive(false);
  ASSERT_TRUE(w.newFromTemplate("cnn"));
  w.resize(1400, 900);
  w.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&w));
  w.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
  // A Conv2d: integer spin boxes and a choice.
  std::optional<core::NodeId> conv;
  for (const auto& [id, node] : w.editor()->graph().nodes())
    if (node.type == "Conv2d") conv = id;
  ASSERT_TRUE(conv);
  w.scene()->selectNodes({*conv});
  QApplication::processEvents();
  ASSERT_EQ(w.inspector()->node(), conv);
  ASSERT_NE(scrollAreaOf(w.inspector()), nullptr) << "the inspector scrolls when its form is long";
  const std::string before = core::serializeProject(w.editor()->project());
  int guarded = 0;
  for (const auto& spec : w.editor()->graph().node(*conv)->layer->params()) {
    QWidget* field = w.inspector()->fieldWidget(spec.name);
    ASSERT_NE(field, nullptr);
    if (!qobject_cast<QAbstractSpinBox*>(field) && !qobject_cast<QComboBox*>(field)) continue;
    SCOPED_TRACE(spec.name);
    EXPECT_TRUE(widgets::isWheelGuarded(field));
    turnWheel(field, 1);
    turnWheel(field, -1);
    turnWheel(field, -1);
    ++guarded;
  }
  EXPECT_GE(guarded, 3);
  EXPECT_EQ(core::serializeProject(w.editor()->project()), before) << "scrolling the inspector changed a parameter";
  EXPECT_FALSE(w.isModified());

  QWidget* field = w.inspector()->fieldWidget("out_channels");
  ASSERT_NE(field, nullptr);
  clickInto(field);
  ASSERT_TRUE(field->hasFocus());
  turnWheel(field, 1);
  EXPECT_NE(core::serializeProject(w.editor()->project()), before) << "a focused field takes the wheel";

  w.showTraining();
  QApplication::processEvents();
  auto* slider = w.trainingPanel()->dashboard()->findChild<QSlider*>();
  ASSERT_NE(slider, nullptr);
  const double smoothing = w.trainingPanel()->dashboard()->smoothing();
  turnWheel(slider, 1);
  turnWheel(slider, -1);
  turnWheel(slider, -1);
  EXPECT_DOUBLE_EQ(w.trainingPanel()->dashboard()->smoothing(), smoothing) << "scrolling moved the smoothing slider";
}

}  // namespace
}  // namespace nc::test

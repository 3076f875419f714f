// The settings form: generated from the core's settings, checked by the core's parser.
#include <gtest/gtest.h>

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTest>
#include <QWheelEvent>

#include "core/Project.h"
#include "core/training/Devices.h"
#include "widgets/SettingsFields.h"
#include "widgets/TrainingSettingsForm.h"

namespace nc::test {
namespace {

using widgets::TrainingSettingsForm;

TEST(TrainingSettingsForm, HasAnEditorForEverySettingWithTheCoresRanges) {
  TrainingSettingsForm form;
  for (const auto& f : widgets::settingFields()) {
    QString path = (f.section == widgets::Section::Data ? "data/" : "training/") + f.key;
    EXPECT_NE(form.editor(path), nullptr) << path.toStdString();
  }
  auto* epochs = qobject_cast<QSpinBox*>(form.editor("training/epochs"));
  ASSERT_NE(epochs, nullptr);
  EXPECT_EQ(epochs->minimum(), 1);
  EXPECT_EQ(epochs->maximum(), 100000);
  auto* optimizer = qobject_cast<QComboBox*>(form.editor("training/optimizer"));
  ASSERT_NE(optimizer, nullptr);
  EXPECT_EQ(optimizer->count(), 4) << "sgd, adam, adamw, rmsprop, read from the core";
  EXPECT_GE(optimizer->findData("rmsprop"), 0);
}

TEST(TrainingSettingsForm, EditsGoThroughTheCoreAndEmitTheNewSettings) {
  TrainingSettingsForm form;
  core::TrainConfig seen;
  int changes = 0;
  QObject::connect(&form, &TrainingSettingsForm::settingsChanged,
                   [&](const core::DataConfig&, const core::TrainConfig& t) {
                     seen = t;
                     ++changes;
                   });
  ASSERT_TRUE(form.setValueText("training/learning_rate", "0.01"));
  EXPECT_EQ(changes, 1);
  EXPECT_DOUBLE_EQ(seen.learningRate, 0.01);

  EXPECT_FALSE(form.setValueText("training/learning_rate", "50"));
  EXPECT_TRUE(form.errorFor("training/learning_rate").contains("must be in")) << form.errorFor("training/learning_rate").toStdString();
  EXPECT_DOUBLE_EQ(form.trainConfig().learningRate, 0.01) << "a refused value changes nothing";
  EXPECT_EQ(changes, 1);

  ASSERT_TRUE(form.setValueText("data/image_size", "64, 48"));
  EXPECT_EQ(form.dataConfig().imageSize, (std::vector<int64_t>{64, 48}));

  auto* batch = qobject_cast<QSpinBox*>(form.editor("training/batch_size"));
  batch->setValue(128);  // as the user would
  EXPECT_EQ(form.trainConfig().batchSize, 128);
  EXPECT_EQ(seen.batchSize, 128);
}

TEST(TrainingSettingsForm, SetSettingsShowsValuesWithoutEmittingAndDisablesWhatDoesNotApply) {
  TrainingSettingsForm form;
  int changes = 0;
  QObject::connect(&form, &TrainingSettingsForm::settingsChanged, [&] { ++changes; });
  core::DataConfig d;
  d.path = "/data/somewhere";
  core::TrainConfig t;
  t.optimizer = "adam";
  t.epochs = 7;
  form.setSettings(d, t);
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(qobject_cast<QSpinBox*>(form.editor("training/epochs"))->value(), 7);
  EXPECT_FALSE(form.editor("training/momentum")->isEnabled()) << "no momentum setting for Adam";
  ASSERT_TRUE(form.setValueText("training/optimizer", "sgd"));
  EXPECT_TRUE(form.editor("training/momentum")->isEnabled());
  EXPECT_FALSE(form.editor("data/sequence_length")->isEnabled()) << "only for text data";

  form.applyFashionMnistPreset();
  EXPECT_EQ(form.dataConfig().path, "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(form.dataConfig().kind, "idx");
}

TEST(TrainingSettingsForm, CudaIsDisabledWithAReasonWhenUnavailable) {
  if (core::cudaAvailable()) GTEST_SKIP() << "this machine has CUDA";
  TrainingSettingsForm form;
  auto* device = qobject_cast<QComboBox*>(form.editor("training/device"));
  ASSERT_NE(device, nullptr);
  auto* model = qobject_cast<QStandardItemModel*>(device->model());
  QStandardItem* cuda = model->item(device->findData("cuda"));
  ASSERT_NE(cuda, nullptr);
  EXPECT_FALSE(cuda->isEnabled());
  EXPECT_TRUE(cuda->toolTip().contains("CUDA"));
}

// Issue 13: gradient accumulation and precision are settings of the form, edited as a user does
// (type into the spin box and press Enter; pick from the combo box with the keyboard), and the
// edits reach the project's training settings (what the main window stores from settingsChanged).
TEST(TrainingSettingsForm, AccumulationAndPrecisionAreEditedLikeAUserAndReachTheProject) {
  TrainingSettingsForm form;
  form.resize(700, 900);
  form.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&form));
  core::Project project;
  int changes = 0;
  QObject::connect(&form, &TrainingSettingsForm::settingsChanged,
                   [&](const core::DataConfig& d, const core::TrainConfig& t) {
                     project.data = d;
                     project.training = t;
                     ++changes;
                   });

  auto* accumulate = qobject_cast<QSpinBox*>(form.editor("training/accumulate_steps"));
  ASSERT_NE(accumulate, nullptr);
  EXPECT_EQ(accumulate->minimum(), 1);
  EXPECT_EQ(accumulate->maximum(), 4096);
  EXPECT_EQ(accumulate->value(), 1);
  EXPECT_TRUE(accumulate->toolTip().contains("BatchNorm")) << accumulate->toolTip().toStdString();
  EXPECT_TRUE(accumulate->toolTip().contains("optimizer steps"));
  auto* precision = qobject_cast<QComboBox*>(form.editor("training/precision"));
  ASSERT_NE(precision, nullptr);
  EXPECT_EQ(precision->currentData().toString(), "float32");
  EXPECT_TRUE(precision->toolTip().contains("checkpoints stay float32")) << precision->toolTip().toStdString();
  auto* tabs = form.findChild<QTabWidget*>("settingsTabs");
  ASSERT_NE(tabs, nullptr);
  EXPECT_TRUE(tabs->widget(0)->isAncestorOf(accumulate)) << "with the batch size, on the first tab";
  EXPECT_TRUE(tabs->widget(0)->isAncestorOf(precision));
  tabs->setCurrentIndex(0);

  // A wheel turn over the unfocused field (scrolling the form) changes nothing.
  QWheelEvent wheel(QPointF(5, 5), accumulate->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, 120), Qt::NoButton,
                    Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(accumulate, &wheel);
  EXPECT_EQ(accumulate->value(), 1);
  EXPECT_EQ(changes, 0);

  // Click into the field, select its text, type 8, press Enter.
  QLineEdit* text = accumulate->findChild<QLineEdit*>();
  ASSERT_NE(text, nullptr);
  QTest::mouseClick(text, Qt::LeftButton, {}, text->rect().center());
  QTest::keyClick(text, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(text, "8");
  QTest::keyClick(text, Qt::Key_Return);
  EXPECT_EQ(accumulate->value(), 8);
  EXPECT_EQ(form.trainConfig().accumulateSteps, 8);
  EXPECT_EQ(project.training.accumulateSteps, 8);
  EXPECT_EQ(changes, 1);
  // A value out of the core's range cannot be typed: the spin box holds the core's range.
  QTest::keyClick(text, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(text, "5000");
  QTest::keyClick(text, Qt::Key_Return);
  EXPECT_EQ(form.trainConfig().accumulateSteps, 500) << "the last 0 would leave the range: refused as typed";
  EXPECT_EQ(project.training.accumulateSteps, 500);

  // Focus the combo box and step down to the next choice with the keyboard.
  QTest::mouseClick(precision, Qt::LeftButton, {}, precision->rect().center());
  if (QWidget* popup = QApplication::activePopupWidget()) {  // the list opened: pick bfloat16 in it
    auto* view = popup->findChild<QAbstractItemView*>();
    ASSERT_NE(view, nullptr);
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_Return);
  } else {
    QTest::keyClick(precision, Qt::Key_Down);
  }
  EXPECT_EQ(precision->currentData().toString(), "bfloat16");
  EXPECT_EQ(form.trainConfig().precision, "bfloat16");
  EXPECT_EQ(project.training.precision, "bfloat16");
  if (!core::cudaAvailable()) {
    QTest::keyClick(precision, Qt::Key_Down);
    EXPECT_EQ(form.trainConfig().precision, "bfloat16") << "float16 (CUDA only) cannot be picked without CUDA";
    auto* model = qobject_cast<QStandardItemModel*>(precision->model());
    QStandardItem* half = model->item(precision->findData("float16"));
    ASSERT_NE(half, nullptr);
    EXPECT_FALSE(half->isEnabled());
    EXPECT_TRUE(half->toolTip().contains("CUDA"));
  }

  // Both are stored in the project file.
  std::string json = core::serializeProject(project);
  EXPECT_NE(json.find("\"accumulate_steps\": 500"), std::string::npos) << json;
  EXPECT_NE(json.find("\"precision\": \"bfloat16\""), std::string::npos);

  // A project opened with other values shows them without emitting.
  core::TrainConfig t;
  t.accumulateSteps = 16;
  t.precision = "float32";
  int before = changes;
  form.setSettings(project.data, t);
  EXPECT_EQ(accumulate->value(), 16);
  EXPECT_EQ(precision->currentData().toString(), "float32");
  EXPECT_EQ(changes, before);
}

}  // namespace
}  // namespace nc::test

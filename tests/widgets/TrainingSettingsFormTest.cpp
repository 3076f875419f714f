// The settings form: generated from the core's settings, checked by the core's parser.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QSpinBox>
#include <QStandardItemModel>

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

}  // namespace
}  // namespace nc::test

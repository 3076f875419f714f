#include "widgets/TrainingSettingsForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <climits>
#include <nlohmann/json.hpp>

#include "core/training/Devices.h"
#include "widgets/ScientificSpinBox.h"
#include "widgets/SettingsFields.h"
#include "widgets/WheelGuard.h"

namespace nc::widgets {
namespace {

using Json = nlohmann::ordered_json;
using Kind = SettingField::Kind;
constexpr const char* kFashionMnistPath = "/usr/share/datasets/fashion-mnist";

QString pathOf(const SettingField& f) { return (f.section == Section::Data ? "data/" : "training/") + f.key; }

}  // namespace

struct TrainingSettingsForm::Editor {
  const SettingField* field = nullptr;
  QWidget* input = nullptr;  // QSpinBox, ScientificSpinBox, QCheckBox, QComboBox or QLineEdit
  QWidget* row = nullptr;    // the input, or the path row holding it
  QFormLayout* form = nullptr;
  QLabel* label = nullptr;
  QString error;
};

TrainingSettingsForm::TrainingSettingsForm(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  // Two pages, each short enough for the default window without scrolling (one long form had
  // its lower headings cut at the scroll area's edge): what to train on and for how long, then
  // how the optimizer steps.
  auto* tabs = new QTabWidget(this);
  tabs->setObjectName("settingsTabs");
  tabs->setDocumentMode(true);
  layout->addWidget(tabs);
  QWidget* pages[2];
  QVBoxLayout* pageLayouts[2];
  const QString pageTitles[2] = {tr("Data and run"), tr("Optimization")};
  for (int i = 0; i < 2; ++i) {
    pages[i] = new QWidget(tabs);
    pageLayouts[i] = new QVBoxLayout(pages[i]);
    pageLayouts[i]->setContentsMargins(2, 4, 2, 2);
    tabs->addTab(pages[i], pageTitles[i]);
    m_pages << pages[i];
  }
  QMap<QString, QFormLayout*> forms;
  for (const QString& group : settingGroups()) {
    const int page = group == "Data" || group == "Run" ? 0 : 1;
    auto* box = new QGroupBox(group, pages[page]);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setContentsMargins(6, 4, 6, 4);
    form->setVerticalSpacing(2);
    forms[group] = form;
    pageLayouts[page]->addWidget(box);
  }
  for (QVBoxLayout* l : pageLayouts) l->addStretch(1);
  for (const SettingField& f : settingFields()) {
    auto* e = new Editor;
    e->field = &f;
    m_editors[pathOf(f)] = e;
    QWidget* row = f.key == "path" && f.section == Section::Data ? createPathEditor(f) : createEditor(f);
    e->label = new QLabel(f.label, this);
    e->label->setToolTip(f.help);
    e->input->setToolTip(f.help);
    QFormLayout* form = forms.value(f.group);
    if (!form) form = forms.value(f.section == Section::Data ? "Data" : "Run");
    form->addRow(e->label, row);
    e->row = row;
    e->form = form;
  }
  guardWheelInTree(this);  // scrolling the form never changes a setting
  showValues();
}

TrainingSettingsForm::~TrainingSettingsForm() { qDeleteAll(m_editors); }

QWidget* TrainingSettingsForm::createEditor(const SettingField& f) {
  Editor* e = m_editors.value(pathOf(f));
  const QString path = pathOf(f);
  switch (f.kind) {
    case Kind::Int: {
      auto* spin = new QSpinBox(this);
      double hi = f.hasRange ? std::min(f.hi, double(INT_MAX)) : double(INT_MAX);
      spin->setRange(f.hasRange ? int(std::max(f.lo, double(INT_MIN))) : 0, int(hi));
      spin->setKeyboardTracking(false);
      spin->setGroupSeparatorShown(true);
      if (!f.zeroText.isEmpty() && f.lo == 0) spin->setSpecialValueText(f.zeroText);
      connect(spin, &QSpinBox::valueChanged, this, [this, path](int v) {
        if (!m_updating) apply(path, std::to_string(v));
      });
      e->input = spin;
      break;
    }
    case Kind::Real: {
      auto* spin = new ScientificSpinBox(this);
      spin->setRange(f.hasRange ? f.lo : -1e300, f.hasRange ? std::min(f.hi, 1e300) : 1e300);
      spin->setLogarithmicSteps(f.logSteps);
      spin->setSingleStep(f.step > 0 ? f.step : f.hasRange ? (spin->maximum() - spin->minimum()) / 100.0 : 1.0);
      if (!f.zeroText.isEmpty() && f.lo == 0) spin->setSpecialValueText(f.zeroText);
      connect(spin, &QDoubleSpinBox::valueChanged, this, [this, path](double v) {
        if (!m_updating) apply(path, Json(v).dump());
      });
      e->input = spin;
      break;
    }
    case Kind::Bool: {
      auto* box = new QCheckBox(this);
      connect(box, &QCheckBox::toggled, this, [this, path](bool on) {
        if (!m_updating) apply(path, on ? "true" : "false");
      });
      e->input = box;
      break;
    }
    case Kind::Choice: {
      auto* combo = new QComboBox(this);
      for (const QString& c : f.choices) combo->addItem(choiceLabel(f.key, c), c);
      if (f.key == "device") {
        int cuda = combo->findData("cuda");
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        if (cuda >= 0 && model && !core::cudaAvailable()) {
          model->item(cuda)->setEnabled(false);
          model->item(cuda)->setToolTip(QString::fromStdString(core::cudaUnavailableReason()));
          combo->setItemText(cuda, tr("CUDA (GPU) — not available"));
        }
      }
      if (f.key == "precision") {  // float16 autocast exists on CUDA only
        int half = combo->findData("float16");
        auto* model = qobject_cast<QStandardItemModel*>(combo->model());
        if (half >= 0 && model && !core::cudaAvailable()) {
          model->item(half)->setEnabled(false);
          model->item(half)->setToolTip(tr("float16 needs a CUDA GPU: %1")
                                            .arg(QString::fromStdString(core::cudaUnavailableReason())));
          combo->setItemText(half, tr("float16 — needs CUDA"));
        }
      }
      connect(combo, &QComboBox::currentIndexChanged, this, [this, path, combo](int i) {
        if (!m_updating && i >= 0) apply(path, Json(combo->itemData(i).toString().toStdString()).dump());
      });
      e->input = combo;
      break;
    }
    case Kind::Text:
    case Kind::List: {
      auto* line = new QLineEdit(this);
      bool list = f.kind == Kind::List;
      connect(line, &QLineEdit::editingFinished, this, [this, path, line, list] {
        if (m_updating) return;
        std::string text = line->text().trimmed().toStdString();
        if (apply(path, list ? "[" + text + "]" : Json(text).dump()) && !line->hasFocus()) showValues();
      });
      e->input = line;
      break;
    }
  }
  return e->input;
}

QWidget* TrainingSettingsForm::createPathEditor(const SettingField& f) {
  auto* row = new QWidget(this);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  h->setSpacing(2);
  QWidget* line = createEditor(f);
  auto* browse = new QToolButton(row);
  browse->setText("…");
  browse->setToolTip(tr("Choose the data folder or file"));
  connect(browse, &QToolButton::clicked, this, &TrainingSettingsForm::browseForData);
  auto* presets = new QToolButton(row);
  presets->setText(tr("Presets ▾"));
  presets->setPopupMode(QToolButton::InstantPopup);
  presets->setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }");  // drawn over the text
  auto* menu = new QMenu(presets);
  QAction* fashion = menu->addAction(tr("Fashion-MNIST (%1)").arg(kFashionMnistPath));
  connect(fashion, &QAction::triggered, this, &TrainingSettingsForm::applyFashionMnistPreset);
  presets->setMenu(menu);
  h->addWidget(line, 1);
  h->addWidget(browse);
  h->addWidget(presets);
  return row;
}

void TrainingSettingsForm::setEditable(bool editable) {
  m_editable = editable;
  for (QWidget* page : m_pages) page->setEnabled(editable);
}

void TrainingSettingsForm::browseForData() {
  bool file = m_data.kind == "csv" || m_data.kind == "text";
  QString start = QString::fromStdString(m_data.path);
  QString chosen = file ? QFileDialog::getOpenFileName(this, tr("Data file"), start)
                        : QFileDialog::getExistingDirectory(this, tr("Data folder"), start);
  if (!chosen.isEmpty()) setValueText("data/path", chosen);
}

void TrainingSettingsForm::applyFashionMnistPreset() {
  core::DataConfig d = m_data;
  d.kind = "idx";
  d.path = kFashionMnistPath;
  m_data = d;
  showValues();
  Q_EMIT settingsChanged(m_data, m_training);
}

void TrainingSettingsForm::setSettings(const core::DataConfig& data, const core::TrainConfig& training) {
  m_data = data;
  m_training = training;
  for (Editor* e : m_editors) markError(pathOf(*e->field), {});
  showValues();
}

void TrainingSettingsForm::showValues() {
  m_updating = true;
  const Json data = Json::parse(core::dataConfigToJson(m_data));
  const Json training = Json::parse(core::trainConfigToJson(m_training));
  for (Editor* e : m_editors) {
    const SettingField& f = *e->field;
    const Json& root = f.section == Section::Data ? data : training;
    auto it = root.find(f.key.toStdString());
    if (it == root.end()) continue;
    const Json& v = *it;
    if (auto* spin = qobject_cast<QSpinBox*>(e->input)) {
      spin->setValue(int(std::clamp<int64_t>(v.get<int64_t>(), spin->minimum(), spin->maximum())));
    } else if (auto* real = qobject_cast<QDoubleSpinBox*>(e->input)) {
      real->setValue(v.get<double>());
    } else if (auto* box = qobject_cast<QCheckBox*>(e->input)) {
      box->setChecked(v.get<bool>());
    } else if (auto* combo = qobject_cast<QComboBox*>(e->input)) {
      combo->setCurrentIndex(combo->findData(QString::fromStdString(v.get<std::string>())));
    } else if (auto* line = qobject_cast<QLineEdit*>(e->input)) {
      QString text = v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString::fromStdString(v.dump());
      if (v.is_array()) text = text.mid(1, text.size() - 2).replace(",", ", ");
      line->setText(text);
      // A long path shows its start ("/usr/share/datasets/…", not "…atasets/fashion-mnist");
      // the whole of it is in the tooltip.
      line->setCursorPosition(0);
      if (e->error.isEmpty() && f.kind == Kind::Text)
        line->setToolTip(text.isEmpty() ? f.help : QStringLiteral("%1\n\n%2").arg(text, f.help));
    }
  }
  m_updating = false;
  updateApplicability();
}

void TrainingSettingsForm::updateApplicability() {
  for (Editor* e : m_editors) {
    bool on = !e->field->applies || e->field->applies(m_data, m_training);
    // Settings of another data kind are hidden (they would only clutter the form); those of
    // another optimizer or schedule stay visible but disabled, as a hint of what exists.
    if (e->field->section == Section::Data) e->form->setRowVisible(e->row, on);
    e->input->setEnabled(on);
    e->label->setEnabled(on);
  }
}

bool TrainingSettingsForm::apply(const QString& path, const std::string& jsonValue) {
  Editor* e = m_editors.value(path);
  if (!e) return false;
  const std::string text = "{" + Json(e->field->key.toStdString()).dump() + ":" + jsonValue + "}";
  core::Status status;
  if (e->field->section == Section::Data) {
    core::DataConfig d = m_data;
    status = core::dataConfigFromJson(text, d);
    if (status.ok()) m_data = d;
  } else {
    core::TrainConfig t = m_training;
    status = core::trainConfigFromJson(text, t);
    if (status.ok()) m_training = t;
  }
  if (!status.ok()) {
    markError(path, QString::fromStdString(status.message()));
    return false;
  }
  markError(path, {});
  updateApplicability();
  Q_EMIT settingsChanged(m_data, m_training);
  return true;
}

void TrainingSettingsForm::markError(const QString& path, const QString& message) {
  Editor* e = m_editors.value(path);
  if (!e || e->error == message) return;
  e->error = message;
  e->input->setStyleSheet(message.isEmpty() ? QString() : QStringLiteral("background-color: #fde0dc;"));
  e->input->setToolTip(message.isEmpty() ? e->field->help : message);
  e->label->setStyleSheet(message.isEmpty() ? QString() : QStringLiteral("color: #c0392b;"));
}

QWidget* TrainingSettingsForm::editor(const QString& path) const {
  Editor* e = m_editors.value(path);
  return e ? e->input : nullptr;
}

QString TrainingSettingsForm::errorFor(const QString& path) const {
  Editor* e = m_editors.value(path);
  return e ? e->error : QString();
}

bool TrainingSettingsForm::setValueText(const QString& path, const QString& text) {
  Editor* e = m_editors.value(path);
  if (!e) return false;
  std::string t = text.trimmed().toStdString(), json;
  switch (e->field->kind) {
    case Kind::Int:
    case Kind::Real:
    case Kind::Bool: json = t; break;
    case Kind::Choice:
    case Kind::Text: json = Json(t).dump(); break;
    case Kind::List: json = t.empty() || t.front() != '[' ? "[" + t + "]" : t; break;
  }
  if (!Json::accept(json)) {
    markError(path, tr("'%1' is not a valid value").arg(text));
    return false;
  }
  bool ok = apply(path, json);
  if (ok) showValues();
  return ok;
}

}  // namespace nc::widgets

#include "widgets/SettingsFields.h"

#include <QMap>
#include <QRegularExpression>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace nc::widgets {
namespace {

using Json = nlohmann::ordered_json;
using Applies = std::function<bool(const core::DataConfig&, const core::TrainConfig&)>;

/// What the core's tables cannot say: label, help, group, and when the setting applies.
struct Hint {
  const char* label;
  const char* group;
  const char* help;
  const char* zeroText = "";
  bool logSteps = false;
  double step = 0;
  Applies applies = nullptr;
};

bool isImage(const core::DataConfig& d) { return d.kind == "idx" || d.kind == "cifar10" || d.kind == "image-folder"; }

const QMap<QString, Hint>& hints() {
  static const QMap<QString, Hint> kHints = {
      // Data
      {"data/kind", {"Dataset kind", "Data", "idx: MNIST/Fashion-MNIST files; cifar10: binary batches; csv: numeric "
                                             "columns and a label; image-folder: one subfolder per class; text: "
                                             "character-level next-token data"}},
      {"data/path", {"Path", "Data", "Folder (idx, cifar10, image-folder) or file (csv, text)"}},
      {"data/validation_fraction",
       {"Validation fraction", "Data", "Share of the training data held out for validation", "none", false, 0.05}},
      {"data/seed", {"Split seed", "Data", "Seed of the train/validation split"}},
      {"data/limit", {"Sample limit", "Data", "Use at most this many training samples (0 = all)", "all"}},
      {"data/crop_padding",
       {"Random crop padding", "Data", "Augmentation: zero-pad by this many pixels, then crop randomly", "off", false,
        0, [](const core::DataConfig& d, const core::TrainConfig&) { return isImage(d); }}},
      {"data/horizontal_flip",
       {"Random horizontal flip", "Data", "Augmentation: flip images left-right at random", "", false, 0,
        [](const core::DataConfig& d, const core::TrainConfig&) { return isImage(d); }}},
      {"data/label_column",
       {"Label column", "Data", "CSV: the label column's header name or 0-based index", "", false, 0,
        [](const core::DataConfig& d, const core::TrainConfig&) { return d.kind == "csv"; }}},
      {"data/image_size",
       {"Image size", "Data", "Image folder: images are resized to height, width", "", false, 0,
        [](const core::DataConfig& d, const core::TrainConfig&) { return d.kind == "image-folder"; }}},
      {"data/channels",
       {"Channels", "Data", "Image folder: 1 (grey) or 3 (RGB)", "", false, 0,
        [](const core::DataConfig& d, const core::TrainConfig&) { return d.kind == "image-folder"; }}},
      {"data/sequence_length",
       {"Sequence length", "Data", "Text: characters per training window", "", false, 0,
        [](const core::DataConfig& d, const core::TrainConfig&) { return d.kind == "text"; }}},
      // Training
      {"training/epochs", {"Epochs", "Run", "Passes over the training data"}},
      {"training/batch_size", {"Batch size", "Run", "Samples per optimizer step"}},
      {"training/optimizer", {"Optimizer", "Optimizer", "The update rule"}},
      {"training/learning_rate", {"Learning rate", "Optimizer", "Step size of the optimizer", "", true}},
      {"training/momentum",
       {"Momentum", "Optimizer", "SGD momentum / RMSprop momentum", "", false, 0.01,
        [](const core::DataConfig&, const core::TrainConfig& t) { return t.optimizer == "sgd" || t.optimizer == "rmsprop"; }}},
      {"training/nesterov",
       {"Nesterov", "Optimizer", "SGD: Nesterov momentum", "", false, 0,
        [](const core::DataConfig&, const core::TrainConfig& t) { return t.optimizer == "sgd"; }}},
      {"training/weight_decay", {"Weight decay", "Optimizer", "L2 penalty (decoupled for AdamW)", "off", true}},
      {"training/grad_clip", {"Gradient clipping", "Optimizer", "Maximum global gradient norm (0 = off)", "off", false, 0.5}},
      {"training/schedule", {"Schedule", "Learning-rate schedule", "How the learning rate changes over the run"}},
      {"training/step_size",
       {"Step size (epochs)", "Learning-rate schedule", "Step schedule: epochs between decays", "", false, 0,
        [](const core::DataConfig&, const core::TrainConfig& t) { return t.schedule == "step"; }}},
      {"training/gamma",
       {"Decay factor", "Learning-rate schedule", "Step schedule: the learning rate is multiplied by this", "", false,
        0.05, [](const core::DataConfig&, const core::TrainConfig& t) { return t.schedule == "step"; }}},
      {"training/min_learning_rate",
       {"Minimum learning rate", "Learning-rate schedule", "Cosine schedule: the floor it decays to", "0", true, 0,
        [](const core::DataConfig&, const core::TrainConfig& t) { return t.schedule == "cosine"; }}},
      {"training/warmup_steps",
       {"Warm-up steps", "Learning-rate schedule", "Linear warm-up over this many steps (any schedule)", "none"}},
      {"training/loss", {"Loss", "Loss", "cross-entropy on class indices, or mean squared error on one-hot targets"}},
      {"training/label_smoothing",
       {"Label smoothing", "Loss", "Cross-entropy: share of the target spread over the other classes", "off", false,
        0.05, [](const core::DataConfig&, const core::TrainConfig& t) { return t.loss == "cross_entropy"; }}},
      {"training/seed", {"Seed", "Run", "Seed of the initial weights and the batch order"}},
      {"training/device", {"Device", "Run", "Where to train"}},
      {"training/threads", {"Threads", "Run", "LibTorch threads (0 = its default)", "default"}},
      {"training/patience",
       {"Early-stopping patience", "Checkpoints and early stopping",
        "Stop after this many epochs without improvement of the monitored metric (0 = off)", "off"}},
      {"training/monitor",
       {"Monitor", "Checkpoints and early stopping", "Metric that picks the best checkpoint (best.pt) and drives early stopping"}},
      {"training/accumulate_steps",
       {"Accumulate batches", "Run",
        "Gradient accumulation: each optimizer step sums the gradients of this many batches, so the effective "
        "batch is batch size x this, in the memory of one batch. Steps per epoch, the learning-rate schedule, "
        "warm-up and checkpoints count optimizer steps. BatchNorm's running statistics still update after every "
        "batch (as in PyTorch), and its batch statistics are those of one batch"}},
      {"training/precision",
       {"Precision", "Run",
        "Arithmetic of the training forward pass. bfloat16: autocast (CPU or CUDA), faster where the CPU has "
        "bfloat16 instructions (AVX512-BF16, AMX) and on recent GPUs. float16: autocast with dynamic loss "
        "scaling, CUDA only. Weights, optimizer state and checkpoints stay float32; validation and test run in "
        "float32"}},
      {"training/eval_batch_size", {"Evaluation batch size", "Run", "Samples per batch when evaluating (validation, test). On a CPU, more than about 128 is slower, not faster: the activations no longer fit the caches"}},
  };
  return kHints;
}

/// The message of a parse error, without its "/prefix/key: " part.
std::string probe(Section section, const std::string& key, const Json& value) {
  Json object = {{key, value}};
  std::string text = object.dump();
  core::Status s;
  if (section == Section::Data) {
    core::DataConfig c;
    s = core::dataConfigFromJson(text, c);
  } else {
    core::TrainConfig c;
    s = core::trainConfigFromJson(text, c);
  }
  if (s.ok()) return {};
  auto colon = s.message().find(": ");
  return colon == std::string::npos ? s.message() : s.message().substr(colon + 2);
}

/// Reads the range out of the core's "must be in [lo, hi]" / "must be >= lo" messages.
void probeRange(SettingField& f, const Json& outOfRange) {
  static const QRegularExpression inRange("must be in \\[([^,\\]]+), ([^\\]]+)\\]"), atLeast("must be >= ([-0-9.e+]+)");
  QString msg = QString::fromStdString(probe(f.section, f.key.toStdString(), outOfRange));
  if (auto m = inRange.match(msg); m.hasMatch()) {
    f.lo = m.captured(1).toDouble();
    f.hi = m.captured(2).toDouble();
    f.hasRange = true;
  } else if (auto m2 = atLeast.match(msg); m2.hasMatch()) {
    f.lo = m2.captured(1).toDouble();
    f.hi = std::numeric_limits<double>::max();
    f.hasRange = true;
  }
}

/// Reads the choices out of the core's "'x' is not one of: a, b, c" message.
void probeChoices(SettingField& f) {
  QString msg = QString::fromStdString(probe(f.section, f.key.toStdString(), Json("\x01")));
  const QString marker = "is not one of: ";
  int at = int(msg.indexOf(marker));
  if (at < 0) return;
  f.choices = msg.mid(at + marker.size()).split(", ", Qt::SkipEmptyParts);
  f.kind = SettingField::Kind::Choice;
}

QString labelFromKey(const QString& key) {
  QString s = key;
  s.replace('_', ' ');
  if (!s.isEmpty()) s[0] = s[0].toUpper();
  return s;
}

void addFields(Section section, const std::string& defaultsJson, std::vector<SettingField>& out) {
  Json defaults = Json::parse(defaultsJson);
  const QString prefix = section == Section::Data ? "data/" : "training/";
  for (auto it = defaults.begin(); it != defaults.end(); ++it) {
    SettingField f;
    f.section = section;
    f.key = QString::fromStdString(it.key());
    const Json& v = it.value();
    if (v.is_boolean()) {
      f.kind = SettingField::Kind::Bool;
    } else if (v.is_number_integer()) {
      f.kind = SettingField::Kind::Int;
      probeRange(f, Json(std::numeric_limits<int64_t>::min()));
    } else if (v.is_number()) {
      f.kind = SettingField::Kind::Real;
      probeRange(f, Json(-1e308));
    } else if (v.is_string()) {
      probeChoices(f);
    } else if (v.is_array()) {
      f.kind = SettingField::Kind::List;
    }
    auto hint = hints().constFind(prefix + f.key);
    if (hint != hints().constEnd()) {
      f.label = hint->label;
      f.group = hint->group;
      f.help = hint->help;
      f.zeroText = hint->zeroText;
      f.logSteps = hint->logSteps;
      f.step = hint->step;
      f.applies = hint->applies;
    } else {
      f.label = labelFromKey(f.key);
      f.group = section == Section::Data ? "Data" : "Run";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace

const std::vector<SettingField>& settingFields() {
  static const std::vector<SettingField> kFields = [] {
    std::vector<SettingField> fields;
    addFields(Section::Data, core::dataConfigToJson(core::DataConfig{}), fields);
    addFields(Section::Training, core::trainConfigToJson(core::TrainConfig{}), fields);
    return fields;
  }();
  return kFields;
}

QStringList settingGroups() {
  return {"Data", "Run", "Optimizer", "Learning-rate schedule", "Loss", "Checkpoints and early stopping"};
}

QString choiceLabel(const QString& key, const QString& value) {
  static const QMap<QString, QString> kLabels = {
      {"sgd", "SGD"},           {"adam", "Adam"},          {"adamw", "AdamW"},
      {"rmsprop", "RMSprop"},   {"constant", "Constant"},  {"step", "Step decay"},
      {"cosine", "Cosine"},     {"cross_entropy", "Cross-entropy"}, {"mse", "Mean squared error"},
      {"cpu", "CPU"},           {"cuda", "CUDA (GPU)"},    {"val_accuracy", "Validation accuracy"},
      {"val_loss", "Validation loss"}, {"idx", "IDX (MNIST, Fashion-MNIST)"}, {"cifar10", "CIFAR-10 binary"},
      {"float32", "float32"}, {"bfloat16", "bfloat16 (autocast)"}, {"float16", "float16 (autocast, loss scaling)"},
      {"csv", "CSV table"},     {"image-folder", "Image folder"}, {"text", "Text (characters)"}};
  Q_UNUSED(key);
  return kLabels.value(value, value);
}

}  // namespace nc::widgets

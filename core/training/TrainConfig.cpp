#include "core/training/TrainConfig.h"

#include "core/ConfigFields.h"
#include "core/SettingsJson.h"

namespace nc::core {

bool TrainConfig::operator==(const TrainConfig& o) const { return trainConfigToJson(*this) == trainConfigToJson(o); }

namespace {

using namespace config;
using Field = config::Field<TrainConfig>;

const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      intField("epochs", &TrainConfig::epochs, 1, 100000),
      intField("batch_size", &TrainConfig::batchSize, 1, 1 << 20),
      choiceField("optimizer", &TrainConfig::optimizer, {"sgd", "adam", "adamw", "rmsprop"}),
      realField("learning_rate", &TrainConfig::learningRate, 1e-12, 10.0),
      realField("momentum", &TrainConfig::momentum, 0.0, 0.9999),
      boolField("nesterov", &TrainConfig::nesterov),
      realField("weight_decay", &TrainConfig::weightDecay, 0.0, 1.0),
      choiceField("schedule", &TrainConfig::schedule, {"constant", "step", "cosine"}),
      intField("step_size", &TrainConfig::stepSize, 1, 100000),
      realField("gamma", &TrainConfig::gamma, 0.0, 1.0),
      realField("min_learning_rate", &TrainConfig::minLearningRate, 0.0, 10.0),
      intField("warmup_steps", &TrainConfig::warmupSteps, 0, 100'000'000),
      choiceField("loss", &TrainConfig::loss, {"cross_entropy", "mse"}),
      realField("label_smoothing", &TrainConfig::labelSmoothing, 0.0, 0.5),
      realField("grad_clip", &TrainConfig::gradClip, 0.0, 1e6),
      intField("seed", &TrainConfig::seed, 0, int64_t(1) << 53),
      choiceField("device", &TrainConfig::device, {"cpu", "cuda"}),
      intField("threads", &TrainConfig::threads, 0, 1024),
      intField("patience", &TrainConfig::patience, 0, 100000),
      choiceField("monitor", &TrainConfig::monitor, {"val_accuracy", "val_loss"}),
      intField("eval_batch_size", &TrainConfig::evalBatchSize, 1, 1 << 20),
      intField("accumulate_steps", &TrainConfig::accumulateSteps, 1, 4096),
      choiceField("precision", &TrainConfig::precision, {"float32", "bfloat16", "float16"}),
  };
  return kFields;
}

}  // namespace

Status trainConfigFromJson(const std::string& text, TrainConfig& out, const std::string& prefix) {
  return config::parse(text, out, prefix, fields());
}

Status trainConfigFromJsonValue(const nlohmann::json& value, TrainConfig& out, const std::string& prefix,
                                const BigNumbers* numbers) {
  return config::parse(value, out, prefix, fields(), numbers);
}

std::string trainConfigToJson(const TrainConfig& c) { return config::write(c, fields()); }

}  // namespace nc::core

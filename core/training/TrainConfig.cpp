#include "core/training/TrainConfig.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace nc::core {

using nlohmann::json;

bool TrainConfig::operator==(const TrainConfig& o) const { return trainConfigToJson(*this) == trainConfigToJson(o); }

namespace {

/// One setting: its JSON key, how to read it (returns an error or "") and how to write it.
struct Field {
  const char* key;
  std::function<std::string(const json&, TrainConfig&)> read;
  std::function<json(const TrainConfig&)> write;
};

std::string range(double lo, double hi, double v) {
  std::ostringstream os;
  os << "must be in [" << lo << ", " << hi << "], got " << v;
  return os.str();
}

Field intField(const char* key, int64_t TrainConfig::*member, int64_t lo, int64_t hi) {
  return {key,
          [=](const json& v, TrainConfig& c) -> std::string {
            if (!v.is_number_integer()) return "expected an integer, got " + v.dump();
            int64_t x = v.get<int64_t>();
            if (x < lo || x > hi) return range(double(lo), double(hi), double(x));
            c.*member = x;
            return {};
          },
          [=](const TrainConfig& c) { return json(c.*member); }};
}

Field realField(const char* key, double TrainConfig::*member, double lo, double hi) {
  return {key,
          [=](const json& v, TrainConfig& c) -> std::string {
            if (!v.is_number()) return "expected a number, got " + v.dump();
            double x = v.get<double>();
            if (!(x >= lo && x <= hi)) return range(lo, hi, x);
            c.*member = x;
            return {};
          },
          [=](const TrainConfig& c) { return json(c.*member); }};
}

Field boolField(const char* key, bool TrainConfig::*member) {
  return {key,
          [=](const json& v, TrainConfig& c) -> std::string {
            if (!v.is_boolean()) return "expected true or false, got " + v.dump();
            c.*member = v.get<bool>();
            return {};
          },
          [=](const TrainConfig& c) { return json(c.*member); }};
}

Field choiceField(const char* key, std::string TrainConfig::*member, std::vector<std::string> choices) {
  return {key,
          [=](const json& v, TrainConfig& c) -> std::string {
            if (!v.is_string()) return "expected a string, got " + v.dump();
            std::string s = v.get<std::string>();
            std::string all;
            for (const auto& choice : choices) {
              if (choice == s) {
                c.*member = s;
                return {};
              }
              all += (all.empty() ? "" : ", ") + choice;
            }
            return "'" + s + "' is not one of: " + all;
          },
          [=](const TrainConfig& c) { return json(c.*member); }};
}

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
  };
  return kFields;
}

}  // namespace

Status trainConfigFromJson(const std::string& text, TrainConfig& out, const std::string& prefix) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::error(prefix + ": malformed JSON (" + std::string(e.what()) + ")");
  }
  if (!root.is_object()) return Status::error(prefix + ": expected an object");
  TrainConfig c = out;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const Field* f = nullptr;
    for (const auto& candidate : fields())
      if (it.key() == candidate.key) f = &candidate;
    if (!f) return Status::error(prefix + "/" + it.key() + ": unknown setting");
    if (std::string err = f->read(it.value(), c); !err.empty()) return Status::error(prefix + "/" + it.key() + ": " + err);
  }
  out = c;
  return {};
}

std::string trainConfigToJson(const TrainConfig& c) {
  json root = json::object();
  for (const auto& f : fields()) root[f.key] = f.write(c);
  return root.dump();
}

}  // namespace nc::core

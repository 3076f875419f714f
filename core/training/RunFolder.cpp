#include "core/training/RunFolder.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "core/FileIO.h"
#include "core/JsonUtil.h"
#include "core/training/ClassMetrics.h"

namespace nc::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kCsvHeader = "kind,epoch,step,loss,accuracy,learning_rate,samples_per_s,val_loss,val_accuracy,seconds";

/// JSON has no NaN: write null.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string csvNumber(double v) {
  if (!std::isfinite(v)) return "";
  std::ostringstream os;
  os.precision(7);
  os << v;
  return os.str();
}

std::string epochCsv(const EpochMetrics& m) {
  return "epoch," + std::to_string(m.epoch) + "," + std::to_string(m.step) + "," + csvNumber(m.trainLoss) + "," +
         csvNumber(m.trainAccuracy) + ",," + csvNumber(m.samplesPerSecond) + "," + csvNumber(m.valLoss) + "," +
         csvNumber(m.valAccuracy) + "," + csvNumber(m.seconds) + "\n";
}

std::string epochJsonl(const EpochMetrics& m) {
  json j = {{"kind", "epoch"},
            {"epoch", m.epoch},
            {"step", m.step},
            {"train_loss", number(m.trainLoss)},
            {"train_accuracy", number(m.trainAccuracy)},
            {"val_loss", number(m.valLoss)},
            {"val_accuracy", number(m.valAccuracy)},
            {"samples_per_s", number(m.samplesPerSecond)},
            {"seconds", number(m.seconds)},
            {"best", m.best}};
  return dumpJson(j) + "\n";
}

/// An entry of a checkpoint's history (see Trainer) back as metrics; nullopt-like `ok` false
/// when it is not an object with an epoch and a step.
bool epochFromHistory(const json& h, EpochMetrics& m) {
  if (!h.is_object() || !h.contains("epoch") || !h["epoch"].is_number_integer() || !h.contains("step") ||
      !h["step"].is_number_integer())
    return false;
  auto num = [&](const char* key) {
    auto it = h.find(key);
    return it != h.end() && it->is_number() ? it->get<double>() : std::numeric_limits<double>::quiet_NaN();
  };
  m.epoch = h["epoch"].get<int64_t>();
  m.step = h["step"].get<int64_t>();
  m.trainLoss = num("train_loss");
  m.trainAccuracy = num("train_accuracy");
  m.valLoss = num("val_loss");
  m.valAccuracy = num("val_accuracy");
  m.seconds = num("seconds");
  m.samplesPerSecond = num("samples_per_s");
  auto best = h.find("best");
  m.best = best != h.end() && best->is_boolean() && best->get<bool>();
  return true;
}

std::string readAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// Keeps the lines of metrics.jsonl whose "step" is <= maxStep (epoch lines carry the step at
/// which the epoch ended); a line cut short by a kill ends the file. Returns the epochs kept.
std::set<int64_t> truncateJsonl(const fs::path& file, int64_t maxStep, std::string& text) {
  std::istringstream in(readAll(file));
  std::set<int64_t> epochs;
  std::string line;
  while (std::getline(in, line)) {
    JsonParse p = parseJson(line);
    if (!p.ok() || !p.value.is_object()) break;
    const json& j = p.value;
    auto step = j.find("step");
    if (step == j.end() || !step->is_number_integer() || step->get<int64_t>() > maxStep) continue;
    text += line + "\n";
    auto kind = j.find("kind");
    auto epoch = j.find("epoch");
    if (kind != j.end() && *kind == "epoch" && epoch != j.end() && epoch->is_number_integer())
      epochs.insert(epoch->get<int64_t>());
  }
  return epochs;
}

std::set<int64_t> truncateCsv(const fs::path& file, int64_t maxStep, std::string& text) {
  std::istringstream in(readAll(file));
  std::set<int64_t> epochs;
  std::string line;
  text = std::string(kCsvHeader) + "\n";
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      if (line.rfind("kind,", 0) == 0) continue;
    }
    if (std::count(line.begin(), line.end(), ',') != 9) break;  // cut short by a kill
    std::istringstream is(line);
    std::string kind, epoch, step;
    std::getline(is, kind, ',');
    std::getline(is, epoch, ',');
    std::getline(is, step, ',');
    try {
      if (std::stoll(step) > maxStep) continue;
      text += line + "\n";
      if (kind == "epoch") epochs.insert(std::stoll(epoch));
    } catch (const std::exception&) {
      break;
    }
  }
  return epochs;
}

}  // namespace

std::string createUniqueRunDirectory(const std::string& parent, const std::string& name, std::string& error) {
  std::error_code ec;
  fs::create_directories(parent.empty() ? fs::path(".") : fs::path(parent), ec);
  if (ec) {
    error = parent + ": cannot create the runs folder (" + ec.message() + ")";
    return {};
  }
  for (int i = 1; i < 10000; ++i) {
    fs::path candidate = fs::path(parent) / (i == 1 ? name : name + "-" + std::to_string(i));
    if (fs::create_directory(candidate, ec)) return candidate.string();
    if (ec) {
      error = candidate.string() + ": cannot create run folder (" + ec.message() + ")";
      return {};
    }
  }
  error = (fs::path(parent) / name).string() + ": no free run folder name";
  return {};
}

Status RunFolder::open(const std::string& path, const std::string& projectJson, int64_t resumeAfterStep,
                       const std::string& historyJson) {
  if (path.empty()) return {};
  fs::path dir(path);
  std::error_code ec;
  bool resume = resumeAfterStep >= 0;
  if (!resume && fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Status::error(path + ": exists and is not a folder");
    if (!fs::is_empty(dir, ec))
      return Status::error(path + ": the folder is not empty (it holds another run?): a new run needs a new or empty "
                                  "folder, so that it never mixes its metrics with older ones; choose another folder, "
                                  "or continue that run with --resume");
  }
  fs::create_directories(dir / "checkpoints", ec);
  if (ec) return Status::error(path + ": cannot create run folder (" + ec.message() + ")");
  m_path = path;
  std::string csvText, jsonlText;
  if (resume) {
    removeStaleTempFiles(dir.string());
    removeStaleTempFiles((dir / "checkpoints").string());
    std::set<int64_t> inJsonl, inCsv;
    bool hasJsonl = fs::exists(dir / "metrics.jsonl"), hasCsv = fs::exists(dir / "metrics.csv");
    if (hasJsonl) inJsonl = truncateJsonl(dir / "metrics.jsonl", resumeAfterStep, jsonlText);
    csvText = std::string(kCsvHeader) + "\n";
    if (hasCsv) inCsv = truncateCsv(dir / "metrics.csv", resumeAfterStep, csvText);
    // Epoch lines the checkpoint knows but the files lost (a kill between the two writes).
    JsonParse history = parseJson(historyJson);
    if (history.ok() && history.value.is_array())
      for (const auto& h : history.value) {
        EpochMetrics m;
        if (!epochFromHistory(h, m) || m.step > resumeAfterStep) continue;
        if (!inJsonl.count(m.epoch)) jsonlText += epochJsonl(m);
        if (!inCsv.count(m.epoch)) csvText += epochCsv(m);
      }
    if (Status s = writeFileAtomic((dir / "metrics.jsonl").string(), jsonlText); !s) return s;
    if (Status s = writeFileAtomic((dir / "metrics.csv").string(), csvText); !s) return s;
  } else {
    if (Status s = writeFileAtomic((dir / "metrics.csv").string(), std::string(kCsvHeader) + "\n"); !s) return s;
    if (Status s = writeFileAtomic((dir / "metrics.jsonl").string(), ""); !s) return s;
  }
  if (!projectJson.empty())
    if (Status s = writeFileAtomic((dir / "project.json").string(), projectJson); !s) return s;
  m_csv.open(dir / "metrics.csv", std::ios::app);
  m_jsonl.open(dir / "metrics.jsonl", std::ios::app);
  m_log.open(dir / "log.txt", std::ios::app);
  if (!m_csv || !m_jsonl || !m_log)
    return Status::error(path + ": cannot write metrics files (" + std::strerror(errno) + ")");
  return {};
}

std::string RunFolder::checkpointPath(const std::string& name) const {
  return (fs::path(m_path) / "checkpoints" / (name + ".pt")).string();
}

void RunFolder::step(const StepMetrics& m) {
  if (!enabled()) return;
  m_csv << "step," << m.epoch << "," << m.step << "," << csvNumber(m.loss) << "," << csvNumber(m.accuracy) << ","
        << csvNumber(m.learningRate) << "," << csvNumber(m.samplesPerSecond) << ",,," << csvNumber(m.elapsedSeconds)
        << "\n";
  json j = {{"kind", "step"},
            {"epoch", m.epoch},
            {"step", m.step},
            {"loss", number(m.loss)},
            {"accuracy", number(m.accuracy)},
            {"learning_rate", number(m.learningRate)},
            {"samples_per_s", number(m.samplesPerSecond)},
            {"seconds", number(m.elapsedSeconds)}};
  m_jsonl << dumpJson(j) << "\n";
  m_csv.flush();
  m_jsonl.flush();
}

void RunFolder::epoch(const EpochMetrics& m) {
  if (!enabled()) return;
  m_csv << epochCsv(m);
  m_jsonl << epochJsonl(m);
  m_csv.flush();
  m_jsonl.flush();
}

void RunFolder::log(const std::string& line) {
  if (!enabled()) return;
  m_log << line << "\n" << std::flush;
}

void RunFolder::result(const RunResult& r) {
  if (!enabled()) return;
  std::vector<std::string> classes;
  for (const auto& c : r.classNames) classes.push_back(toUtf8(c));
  json j = {{"status", runStatusName(r.status)},
            {"message", toUtf8(r.message)},
            {"epochs_completed", r.epochsCompleted},
            {"best_val_accuracy", number(r.bestValidationAccuracy)},
            {"test_loss", r.testAccuracy < 0 ? json(nullptr) : number(r.testLoss)},
            {"test_accuracy", r.testAccuracy < 0 ? json(nullptr) : number(r.testAccuracy)},
            {"class_names", classes},
            {"confusion", r.confusion}};
  if (!r.confusion.empty()) {
    // Per-class precision, recall and F1 of the same matrix (issue 14).
    json metrics = classMetricsJson(computeClassMetrics(r.confusion, r.classNames));
    j["per_class_split"] = "validation";
    j["per_class_note"] = "from the confusion matrix: the validation split at the last validation pass of the run";
    for (const char* key : {"per_class", "macro_avg", "weighted_avg"}) j[key] = metrics[key];
  }
  writeFileAtomic((fs::path(m_path) / "result.json").string(), dumpJson(j, 2) + "\n");
}

}  // namespace nc::core

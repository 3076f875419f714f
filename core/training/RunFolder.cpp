#include "core/training/RunFolder.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/Project.h"

namespace nc::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kCsvHeader = "kind,epoch,step,loss,accuracy,learning_rate,samples_per_s,val_loss,val_accuracy,seconds";

/// JSON has no NaN: write null.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

/// Keeps the lines of a metrics file whose "step" is <= maxStep (epoch lines carry the step
/// at which the epoch ended).
void truncateJsonl(const fs::path& file, int64_t maxStep) {
  std::ifstream in(file);
  std::vector<std::string> keep;
  std::string line;
  while (std::getline(in, line)) {
    try {
      json j = json::parse(line);
      if (j.value("step", int64_t(0)) <= maxStep) keep.push_back(line);
    } catch (const json::exception&) {
      break;  // a line cut short by a kill: drop it and everything after
    }
  }
  std::string text;
  for (const auto& l : keep) text += l + "\n";
  writeFileAtomic(file.string(), text);
}

void truncateCsv(const fs::path& file, int64_t maxStep) {
  std::ifstream in(file);
  std::string line, text;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      text += line + "\n";
      header = false;
      continue;
    }
    std::istringstream is(line);
    std::string kind, epoch, step;
    std::getline(is, kind, ',');
    std::getline(is, epoch, ',');
    std::getline(is, step, ',');
    try {
      if (std::stoll(step) <= maxStep && std::count(line.begin(), line.end(), ',') == 9) text += line + "\n";
    } catch (const std::exception&) {
    }
  }
  writeFileAtomic(file.string(), text);
}

std::string csvNumber(double v) {
  if (!std::isfinite(v)) return "";
  std::ostringstream os;
  os.precision(7);
  os << v;
  return os.str();
}

}  // namespace

Status RunFolder::open(const std::string& path, const std::string& projectJson, int64_t resumeAfterStep) {
  if (path.empty()) return {};
  std::error_code ec;
  fs::create_directories(fs::path(path) / "checkpoints", ec);
  if (ec) return Status::error(path + ": cannot create run folder (" + ec.message() + ")");
  m_path = path;
  fs::path dir(path);
  if (resumeAfterStep >= 0) {
    if (fs::exists(dir / "metrics.jsonl")) truncateJsonl(dir / "metrics.jsonl", resumeAfterStep);
    if (fs::exists(dir / "metrics.csv")) truncateCsv(dir / "metrics.csv", resumeAfterStep);
  }
  if (Status s = writeFileAtomic((dir / "project.json").string(), projectJson); !s) return s;
  bool csvExists = fs::exists(dir / "metrics.csv") && fs::file_size(dir / "metrics.csv") > 0;
  m_csv.open(dir / "metrics.csv", std::ios::app);
  m_jsonl.open(dir / "metrics.jsonl", std::ios::app);
  m_log.open(dir / "log.txt", std::ios::app);
  if (!m_csv || !m_jsonl || !m_log) return Status::error(path + ": cannot write metrics files");
  if (!csvExists) m_csv << kCsvHeader << "\n" << std::flush;
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
  json j = {{"kind", "step"},         {"epoch", m.epoch},          {"step", m.step},
            {"loss", number(m.loss)}, {"accuracy", number(m.accuracy)}, {"learning_rate", m.learningRate},
            {"samples_per_s", number(m.samplesPerSecond)}, {"seconds", m.elapsedSeconds}};
  m_jsonl << j.dump() << "\n";
  m_csv.flush();
  m_jsonl.flush();
}

void RunFolder::epoch(const EpochMetrics& m) {
  if (!enabled()) return;
  m_csv << "epoch," << m.epoch << "," << m.step << "," << csvNumber(m.trainLoss) << "," << csvNumber(m.trainAccuracy)
        << ",," << csvNumber(m.samplesPerSecond) << "," << csvNumber(m.valLoss) << "," << csvNumber(m.valAccuracy) << ","
        << csvNumber(m.seconds) << "\n";
  json j = {{"kind", "epoch"},
            {"epoch", m.epoch},
            {"step", m.step},
            {"train_loss", number(m.trainLoss)},
            {"train_accuracy", number(m.trainAccuracy)},
            {"val_loss", number(m.valLoss)},
            {"val_accuracy", number(m.valAccuracy)},
            {"samples_per_s", number(m.samplesPerSecond)},
            {"seconds", m.seconds},
            {"best", m.best}};
  m_jsonl << j.dump() << "\n";
  m_csv.flush();
  m_jsonl.flush();
}

void RunFolder::log(const std::string& line) {
  if (!enabled()) return;
  m_log << line << "\n" << std::flush;
}

void RunFolder::result(const RunResult& r) {
  if (!enabled()) return;
  json j = {{"status", runStatusName(r.status)},
            {"message", r.message},
            {"epochs_completed", r.epochsCompleted},
            {"best_val_accuracy", number(r.bestValidationAccuracy)},
            {"test_loss", r.testAccuracy < 0 ? json(nullptr) : number(r.testLoss)},
            {"test_accuracy", r.testAccuracy < 0 ? json(nullptr) : number(r.testAccuracy)},
            {"class_names", r.classNames},
            {"confusion", r.confusion}};
  writeFileAtomic((fs::path(m_path) / "result.json").string(), j.dump(2) + "\n");
}

}  // namespace nc::core

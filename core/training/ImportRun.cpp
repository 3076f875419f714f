#include "core/training/ImportRun.h"

#include <unistd.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/FileIO.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/Sha256.h"
#include "core/data/DataPath.h"
#include "core/export/PythonExporter.h"
#include "core/training/Checkpoint.h"
#include "core/training/ResumeRules.h"
#include "core/training/RunFolder.h"

namespace nc::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A problem that ends the import; its text is the message.
struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string readBytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ImportError(file.string() + ": cannot read the file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// One metrics line, in file order.
struct MetricsLine {
  bool isEpoch = false;
  StepMetrics step;
  EpochMetrics epoch;
};

/// Collects the warnings about skipped lines of one file: the first few in full, then a count.
class LineWarnings {
 public:
  explicit LineWarnings(std::string file) : m_file(std::move(file)) {}
  void add(size_t line, const std::string& why) {
    if (m_count++ < kShown) m_text += std::string(m_text.empty() ? "" : "; ") + "line " + std::to_string(line) + ": " + why;
  }
  void flush(std::vector<std::string>& out) const {
    if (m_count == 0) return;
    out.push_back(m_file + ": skipped " + std::to_string(m_count) + (m_count == 1 ? " line" : " lines") +
                  " that are not metrics (" + m_text + (m_count > kShown ? "; ..." : "") + ")");
  }

 private:
  static constexpr size_t kShown = 5;
  std::string m_file, m_text;
  size_t m_count = 0;
};

/// A field that must be an integer >= 0; false when missing or not one.
bool readCount(const json& j, const char* key, int64_t& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() < 0) return false;
  out = it->get<int64_t>();
  return true;
}

/// A field that may be a number, null or missing (NaN); false when it is something else.
bool readNumber(const json& j, const char* key, double& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out = kNaN;
    return true;
  }
  if (!it->is_number()) return false;
  out = it->get<double>();
  return true;
}

/// Parses metrics.jsonl: valid step and epoch lines in order; invalid ones are skipped with a
/// warning. When the steps go back (the program resumed from its own checkpoint and wrote the
/// redone steps again), the later lines replace the earlier ones from that point on.
std::vector<MetricsLine> readMetrics(const fs::path& file, std::vector<std::string>& warnings) {
  std::istringstream in(readBytes(file));
  std::vector<MetricsLine> lines;
  LineWarnings skipped(file.string());
  std::string raw;
  size_t number = 0, restarts = 0;
  while (std::getline(in, raw)) {
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (raw.find_first_not_of(" \t") == std::string::npos) continue;
    JsonParse p = parseJson(toUtf8(raw));
    if (!p.ok()) {
      skipped.add(number, "not JSON (" + p.error + ")");
      continue;
    }
    const json& j = p.value;
    if (!j.is_object()) {
      skipped.add(number, "not a JSON object");
      continue;
    }
    auto kind = j.find("kind");
    std::string k = kind != j.end() && kind->is_string() ? kind->get<std::string>() : std::string();
    MetricsLine m;
    int64_t epoch = 0, step = 0;
    if (!readCount(j, "epoch", epoch) || !readCount(j, "step", step)) {
      if (k == "step" || k == "epoch") skipped.add(number, "no whole-number \"epoch\" and \"step\"");
      else skipped.add(number, "\"kind\" is " + (kind == j.end() ? std::string("missing") : describeJson(*kind)) +
                                   ", not \"step\" or \"epoch\"");
      continue;
    }
    if (k == "step") {
      StepMetrics& s = m.step;
      s.epoch = epoch;
      s.step = step;
      if (!readNumber(j, "loss", s.loss) || !readNumber(j, "accuracy", s.accuracy) ||
          !readNumber(j, "learning_rate", s.learningRate) || !readNumber(j, "samples_per_s", s.samplesPerSecond) ||
          !readNumber(j, "seconds", s.elapsedSeconds)) {
        skipped.add(number, "a value of the step line is not a number");
        continue;
      }
      // A restart: drop what the program redid.
      size_t before = lines.size();
      while (!lines.empty() && (lines.back().isEpoch ? lines.back().epoch.step >= step : lines.back().step.step >= step))
        lines.pop_back();
      restarts += lines.size() != before;
    } else if (k == "epoch") {
      EpochMetrics& e = m.epoch;
      m.isEpoch = true;
      e.epoch = epoch;
      e.step = step;
      if (!readNumber(j, "train_loss", e.trainLoss) || !readNumber(j, "train_accuracy", e.trainAccuracy) ||
          !readNumber(j, "val_loss", e.valLoss) || !readNumber(j, "val_accuracy", e.valAccuracy) ||
          !readNumber(j, "samples_per_s", e.samplesPerSecond) || !readNumber(j, "seconds", e.seconds)) {
        skipped.add(number, "a value of the epoch line is not a number");
        continue;
      }
      auto best = j.find("best");
      if (best != j.end() && !best->is_boolean() && !best->is_null()) {
        skipped.add(number, "\"best\" is not true or false");
        continue;
      }
      e.best = best != j.end() && best->is_boolean() && best->get<bool>();
      size_t before = lines.size();
      while (!lines.empty() && lines.back().isEpoch && lines.back().epoch.epoch >= epoch) lines.pop_back();
      restarts += lines.size() != before;
    } else {
      skipped.add(number, "\"kind\" is " + (kind == j.end() ? std::string("missing") : describeJson(*kind)) +
                              ", not \"step\" or \"epoch\"");
      continue;
    }
    lines.push_back(m);
  }
  skipped.flush(warnings);
  if (restarts > 0)
    warnings.push_back(file.string() + ": the steps start again " + std::to_string(restarts) +
                       " time(s) (the program resumed from its checkpoint): the later lines are kept");
  return lines;
}

json epochHistoryEntry(const EpochMetrics& m) {
  auto num = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  return {{"epoch", m.epoch},
          {"step", m.step},
          {"train_loss", num(m.trainLoss)},
          {"train_accuracy", num(m.trainAccuracy)},
          {"val_loss", num(m.valLoss)},
          {"val_accuracy", num(m.valAccuracy)},
          {"seconds", std::isfinite(m.seconds) ? m.seconds : 0.0},
          {"samples_per_s", std::isfinite(m.samplesPerSecond) ? m.samplesPerSecond : 0.0},
          {"best", m.best}};
}

/// The metric the run's best checkpoint is chosen by (as the trainer does).
double monitored(const EpochMetrics& e, const std::string& monitor) {
  bool hasVal = std::isfinite(e.valAccuracy);
  return monitor == "val_loss" ? (hasVal ? e.valLoss : e.trainLoss) : (hasVal ? e.valAccuracy : e.trainAccuracy);
}

/// Checkpoint bookkeeping after the first `count` epochs (the trainer's best/patience rules).
CheckpointState stateAfter(const std::vector<EpochMetrics>& epochs, size_t count, const TrainConfig& training,
                           const std::string& projectJson) {
  CheckpointState s;
  const std::string& monitor = training.monitor;
  const std::string configJson = trainConfigToJson(training);
  bool lower = monitor == "val_loss";
  s.bestMetric = lower ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  json history = json::array();
  for (size_t i = 0; i < count && i < epochs.size(); ++i) {
    const EpochMetrics& e = epochs[i];
    double metric = monitored(e, monitor);
    if (lower ? metric < s.bestMetric : metric > s.bestMetric) {
      s.bestMetric = metric;
      s.epochsSinceBest = 0;
    } else {
      ++s.epochsSinceBest;
    }
    history.push_back(epochHistoryEntry(e));
    s.epoch = e.epoch;
    s.step = e.step;
  }
  if (!std::isfinite(s.bestMetric)) s.bestMetric = 0;
  s.historyJson = dumpJson(history);
  s.configJson = configJson;
  s.projectJson = projectJson;
  return s;
}

/// result.json of the training program as our RunResult (written again through RunFolder, so
/// the imported file is ours whatever extra keys it had). Fields that are not what they should
/// be are dropped with a warning.
RunResult readResult(const fs::path& file, std::vector<std::string>& warnings) {
  RunResult r;
  JsonParse p = parseJson(toUtf8(readBytes(file)));
  if (!p.ok() || !p.value.is_object())
    throw ImportError(file.string() + ": not a JSON object" + (p.ok() ? std::string() : " (" + p.error + ")"));
  const json& j = p.value;
  auto warn = [&](const std::string& key, const std::string& why) {
    warnings.push_back(file.string() + ": \"" + key + "\" " + why + "; left out");
  };
  std::string status = j.value("status", json()).is_string() ? j["status"].get<std::string>() : std::string();
  if (status == "completed") r.status = RunStatus::Completed;
  else if (status == "stopped") r.status = RunStatus::Stopped;
  else if (status == "failed") r.status = RunStatus::Failed;
  else {
    r.status = RunStatus::Stopped;
    warnings.push_back(file.string() + ": \"status\" is " + (j.contains("status") ? describeJson(j["status"]) : "missing") +
                       ", not completed, stopped or failed; the run is imported as stopped");
  }
  if (j.contains("message")) {
    if (j["message"].is_string()) r.message = j["message"].get<std::string>();
    else if (!j["message"].is_null()) warn("message", "is not text");
  }
  if (j.contains("epochs_completed")) {
    if (!readCount(j, "epochs_completed", r.epochsCompleted)) warn("epochs_completed", "is not a whole number >= 0");
  }
  double v = kNaN;
  if (!readNumber(j, "best_val_accuracy", v)) warn("best_val_accuracy", "is not a number");
  r.bestValidationAccuracy = v;
  double loss = kNaN, accuracy = kNaN;
  if (!readNumber(j, "test_loss", loss)) warn("test_loss", "is not a number");
  if (!readNumber(j, "test_accuracy", accuracy)) warn("test_accuracy", "is not a number");
  if (std::isfinite(accuracy) && accuracy >= 0) {
    r.testAccuracy = accuracy;
    r.testLoss = loss;
  }
  if (j.contains("class_names")) {
    const json& names = j["class_names"];
    bool ok = names.is_array();
    for (const auto& n : names) ok = ok && n.is_string();
    if (ok)
      for (const auto& n : names) r.classNames.push_back(n.get<std::string>());
    else if (!names.is_null()) warn("class_names", "is not a list of texts");
  }
  if (j.contains("confusion") && !j["confusion"].is_null()) {
    const json& c = j["confusion"];
    bool ok = c.is_array() && (r.classNames.empty() || c.size() == r.classNames.size());
    for (const auto& row : c) {
      ok = ok && row.is_array() && row.size() == c.size();
      if (ok)
        for (const auto& x : row) ok = ok && x.is_number_integer() && x.get<int64_t>() >= 0;
    }
    if (ok)
      for (const auto& row : c) r.confusion.push_back(row.get<std::vector<int64_t>>());
    else warn("confusion", "is not a square table of counts, one row per class");
  }
  return r;
}

std::string timeStamp() {
  std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
  return stamp;
}

/// The run folder being built: a hidden temporary folder beside the destination, renamed over
/// the (claimed, empty) destination at the end. Removes what it made unless committed.
class Staging {
 public:
  ~Staging() {
    std::error_code ec;
    if (!m_tmp.empty()) fs::remove_all(m_tmp, ec);
    if (m_createdDest && !m_committed) fs::remove(m_dest, ec);  // only ever empty
  }
  /// Claims the destination: `explicitDir` (must not exist or be empty), else a fresh unique
  /// "<stem>-<stamp>" folder under `root`.
  void claim(const std::string& explicitDir, const std::string& root, const std::string& stem) {
    std::error_code ec;
    if (!explicitDir.empty()) {
      m_dest = fs::absolute(explicitDir, ec);
      if (fs::exists(m_dest, ec)) {
        if (!fs::is_directory(m_dest, ec)) throw ImportError(explicitDir + ": exists and is not a folder");
        if (!fs::is_empty(m_dest, ec))
          throw ImportError(explicitDir + ": the folder is not empty (it holds another run?): an imported run needs a "
                                          "new or empty folder; choose another one");
      } else {
        fs::create_directories(m_dest.parent_path(), ec);
        if (!fs::create_directory(m_dest, ec))
          throw ImportError(explicitDir + ": cannot create the run folder" + (ec ? " (" + ec.message() + ")" : ""));
        m_createdDest = true;
      }
    } else {
      std::string error;
      std::string dir = createUniqueRunDirectory(root, stem + "-" + timeStamp(), error);
      if (dir.empty()) throw ImportError(error);
      m_dest = fs::absolute(dir, ec);
      m_createdDest = true;
    }
    m_tmp = m_dest.parent_path() / ("." + m_dest.filename().string() + ".import-tmp-" + std::to_string(::getpid()));
    fs::remove_all(m_tmp, ec);
  }
  fs::path tmp() const { return m_tmp; }
  fs::path dest() const { return m_dest; }
  void commit() {
    std::error_code ec;
    syncDirectory(m_tmp.string());
    syncDirectory((m_tmp / "checkpoints").string());
    fs::rename(m_tmp, m_dest, ec);  // over the empty folder claimed above
    if (ec) throw ImportError(m_dest.string() + ": cannot move the imported run into place (" + ec.message() + ")");
    m_tmp.clear();
    m_committed = true;
    syncDirectory(m_dest.parent_path().string());
  }

 private:
  fs::path m_dest, m_tmp;
  bool m_createdDest = false, m_committed = false;
};

ImportRunResult runImport(const std::string& outDir, const Project& project, const std::string& projectPath,
                          const ImportRunOptions& options) {
  ImportRunResult r;
  std::vector<std::string>& warnings = r.warnings;
  std::error_code ec;
  const fs::path out(outDir);
  if (!fs::is_directory(out, ec)) throw ImportError(outDir + ": not a folder");
  for (const char* required : {"metrics.jsonl", "last.state.pt"})
    if (!fs::is_regular_file(out / required, ec))
      throw ImportError((out / required).string() +
                        ": missing (a training program's output folder holds metrics.jsonl and last.state.pt; is " +
                        outDir + " the folder given to train.py --out?)");
  GraphAnalysis analysis = analyze(project.graph);
  if (!analysis.ok()) throw ImportError("the project's model has errors; run validate for details");

  // The project the run belongs to: PROJECT, with the training settings the program used.
  Project runProject = project;
  const fs::path trainedFile = out / "project.json";
  if (fs::exists(trainedFile, ec)) {
    ProjectLoad trained = loadProject(trainedFile.string());
    if (!trained.ok()) throw ImportError(trained.error);
    std::vector<std::string> graphDiffs;
    for (const auto& c : resumeConflicts(*trained.project, project)) {
      if (c.rfind("the graph", 0) == 0) graphDiffs.push_back(c);
      else if (c.rfind("data.", 0) == 0 && c.rfind("data.path ", 0) != 0)
        warnings.push_back(trainedFile.string() + ": " + c + " (the run's project.json keeps the project's data)");
    }
    if (!graphDiffs.empty()) {
      std::string text;
      for (size_t i = 0; i < graphDiffs.size() && i < 6; ++i) text += (i ? "; " : "") + graphDiffs[i];
      if (graphDiffs.size() > 6) text += "; and " + std::to_string(graphDiffs.size() - 6) + " more";
      throw ImportError(outDir + " was trained with another model than " +
                        (projectPath.empty() ? "the project" : projectPath) + " (" + text +
                        "; comparing its project.json, 'in the run' is the trained model's, 'now' the project's)");
    }
    runProject.training = trained.project->training;
  } else {
    warnings.push_back(trainedFile.string() + ": missing; the run is recorded with the project's training settings");
  }
  const std::string projectJson = serializeProject(runProject);

  std::vector<MetricsLine> lines = readMetrics(out / "metrics.jsonl", warnings);
  std::vector<EpochMetrics> epochs;
  for (const auto& l : lines) {
    if (l.isEpoch) epochs.push_back(l.epoch);
    else ++r.steps;
  }
  r.epochs = int64_t(epochs.size());

  // The weights, strictly (every key, every shape).
  GraphModule last(project.graph, analysis);
  if (Status s = loadPythonState(project, (out / "last.state.pt").string(), last); !s) throw ImportError(s.message());
  std::optional<GraphModule> best;
  if (fs::exists(out / "best.state.pt", ec)) {
    best.emplace(project.graph, analysis);
    if (Status s = loadPythonState(project, (out / "best.state.pt").string(), *best); !s) throw ImportError(s.message());
  } else {
    warnings.push_back((out / "best.state.pt").string() + ": missing; the run has no best checkpoint (export and eval "
                                                          "use last.pt)");
  }

  RunResult result;
  if (fs::exists(out / "result.json", ec)) {
    result = readResult(out / "result.json", warnings);
    if (result.epochsCompleted != r.epochs)
      warnings.push_back((out / "result.json").string() + ": epochs_completed is " +
                         std::to_string(result.epochsCompleted) + " but metrics.jsonl has " +
                         std::to_string(r.epochs) + " epoch lines");
  } else {
    warnings.push_back((out / "result.json").string() +
                       ": missing (the program did not finish?); the run is imported as stopped");
    result.status = RunStatus::Stopped;
    result.message = "imported without result.json (the training program did not finish)";
    result.epochsCompleted = r.epochs;
    result.bestValidationAccuracy = kNaN;
    for (const auto& e : epochs)
      if (std::isfinite(e.valAccuracy))
        result.bestValidationAccuracy = std::isfinite(result.bestValidationAccuracy)
                                            ? std::max(result.bestValidationAccuracy, e.valAccuracy)
                                            : e.valAccuracy;
  }
  std::string logText;
  if (fs::exists(out / "log.txt", ec)) logText = toUtf8(readBytes(out / "log.txt"));

  // The folder, built aside and renamed into place.
  Staging staging;
  std::string root = options.runsRoot;
  if (root.empty())
    root = projectPath.empty() ? std::string("runs") : (fs::path(projectFolder(projectPath)) / "runs").string();
  std::string stem = runFolderStemFor(projectPath.empty() ? (project.name.empty() ? "untitled" : project.name)
                                                          : fs::path(projectPath).stem().string());
  staging.claim(options.runDirectory, root, stem);
  {
    RunFolder folder;
    if (Status s = folder.open(staging.tmp().string(), projectJson); !s) throw ImportError(s.message());
    for (const auto& l : lines) {
      if (l.isEpoch) folder.epoch(l.epoch);
      else folder.step(l.step);
    }
    folder.log("imported by neuralcanvas-cli import-run from " + toUtf8(fs::absolute(out, ec).string()) +
               " (a training program's output; last.state.pt SHA-256 " +
               sha256File((out / "last.state.pt").string()).substr(0, 16) + "...)");
    for (const auto& w : warnings) folder.log("import warning: " + toUtf8(w));
    std::istringstream logLines(logText);
    for (std::string line; std::getline(logLines, line);) folder.log(line);
    folder.result(result);
  }
  for (const char* file : {"project.json", "metrics.jsonl", "metrics.csv", "log.txt", "result.json"})
    if (!fs::is_regular_file(staging.tmp() / file, ec))
      throw ImportError((staging.dest() / file).string() + ": could not be written");

  // Checkpoints in our format: the best one holds the history up to its epoch, as the trainer's.
  size_t bestCount = epochs.size();
  bool flagged = false;
  for (size_t i = 0; i < epochs.size(); ++i)
    if (epochs[i].best) {
      bestCount = i + 1;
      flagged = true;
    }
  if (!flagged && !epochs.empty()) {
    const std::string monitor = runProject.training.monitor;
    for (size_t i = 0; i < epochs.size(); ++i)
      if (monitor == "val_loss" ? monitored(epochs[i], monitor) < monitored(epochs[bestCount - 1], monitor)
                                : monitored(epochs[i], monitor) > monitored(epochs[bestCount - 1], monitor))
        bestCount = i + 1;
  }
  const fs::path checkpoints = staging.tmp() / "checkpoints";
  try {
    saveCheckpoint((checkpoints / "last.pt").string(), last, nullptr,
                   stateAfter(epochs, epochs.size(), runProject.training, projectJson));
    if (best)
      saveCheckpoint((checkpoints / "best.pt").string(), *best, nullptr,
                     stateAfter(epochs, bestCount, runProject.training, projectJson));
  } catch (const std::exception& e) {
    throw ImportError(e.what());
  }
  staging.commit();
  r.runDirectory = staging.dest().string();
  return r;
}

}  // namespace

std::string runFolderStemFor(const std::string& text) {
  std::string stem;
  bool inRun = false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    bool keep = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' || c == '.' ||
                c == '-';
    if (keep) stem += c;
    else if (!inRun) stem += '_';
    inRun = !keep;
  }
  return stem;
}

ImportRunResult importRun(const std::string& outDir, const Project& project, const std::string& projectPath,
                          const ImportRunOptions& options) {
  try {
    return runImport(outDir, project, projectPath, options);
  } catch (const ImportError& e) {
    ImportRunResult r;
    r.status = Status::error(e.what());
    return r;
  } catch (const c10::Error& e) {
    ImportRunResult r;
    r.status = Status::error(outDir + ": import failed: " + std::string(e.what_without_backtrace()).substr(0, 400));
    return r;
  } catch (const std::exception& e) {
    ImportRunResult r;
    r.status = Status::error(outDir + ": import failed: " + std::string(e.what()).substr(0, 400));
    return r;
  }
}

}  // namespace nc::core

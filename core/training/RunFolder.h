#pragma once
#include <fstream>
#include <string>

#include "core/Status.h"
#include "core/training/TrainingEvents.h"

namespace nc::core {

/// A run's folder: project.json (config snapshot), metrics.csv and metrics.jsonl (one line per
/// step and per epoch, flushed as written), log.txt, checkpoints/, result.json.
/// A disabled folder (empty path) writes nothing.
class RunFolder {
 public:
  RunFolder() = default;
  /// Creates the folder. With `resumeAfterStep` >= 0, keeps the existing metrics up to that
  /// step (dropping lines of a partial epoch that the resumed run redoes) and appends.
  Status open(const std::string& path, const std::string& projectJson, int64_t resumeAfterStep = -1);
  bool enabled() const { return !m_path.empty(); }
  const std::string& path() const { return m_path; }
  std::string checkpointPath(const std::string& name) const;  // checkpoints/<name>.pt

  void step(const StepMetrics& m);
  void epoch(const EpochMetrics& m);
  void log(const std::string& line);
  void result(const RunResult& r);

 private:
  std::string m_path;
  std::ofstream m_csv, m_jsonl, m_log;
};

}  // namespace nc::core

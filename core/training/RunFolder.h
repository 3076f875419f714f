#pragma once
#include <fstream>
#include <string>

#include "core/Status.h"
#include "core/training/TrainingEvents.h"

namespace nc::core {

/// Creates a fresh, empty run folder "<parent>/<name>" and returns its path; when that name is
/// taken (an earlier run, or another process started in the same second) "<name>-2", "<name>-3",
/// ... Claiming uses mkdir, which is atomic, so two processes never get the same folder.
/// On failure returns "" and sets `error` (naming the folder).
std::string createUniqueRunDirectory(const std::string& parent, const std::string& name, std::string& error);

/// A run's folder: project.json (config snapshot), metrics.csv and metrics.jsonl (one line per
/// step and per epoch, flushed as written), log.txt, checkpoints/, result.json.
/// A disabled folder (empty path) writes nothing.
class RunFolder {
 public:
  RunFolder() = default;
  /// A fresh run (`resumeAfterStep` < 0): creates the folder, which must not exist or be empty
  /// (a run never appends to another run's metrics), and writes `projectJson` as project.json.
  /// A resumed run (`resumeAfterStep` >= 0, the checkpoint's step): removes leftovers of
  /// interrupted writes ("*.tmp-*"), keeps the metrics lines up to that step (dropping those of
  /// the partial epoch that the resumed run redoes), re-adds epoch lines of `historyJson` (the
  /// checkpoint's epochs) that a kill lost, and appends. project.json is rewritten only when
  /// `projectJson` is not empty (the caller passes the run's own project with the new epoch count).
  Status open(const std::string& path, const std::string& projectJson, int64_t resumeAfterStep = -1,
              const std::string& historyJson = "[]");
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

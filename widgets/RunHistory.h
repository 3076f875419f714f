#pragma once
// Reading run folders written by core::RunFolder (project.json, metrics.jsonl or metrics.csv,
// result.json, checkpoints/): what the run list shows and the curves the dashboard overlays.
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <vector>

#include "core/training/TrainingEvents.h"

namespace nc::widgets {

/// One run folder at a glance.
struct RunSummary {
  QString directory;
  QString name;            // the folder's name
  QDateTime started;       // from the folder name's time stamp, else the folder's time
  QString status;          // "completed", "stopped", "failed" or "running" (no result yet)
  QString message;         // why it stopped or failed
  QString settings;        // e.g. "adam lr 0.001 · batch 64 · 3 epochs"
  QString projectName;     // the "name" in the run's project.json
  QString stem;            // the folder name without its time stamp ("cnn" of "cnn-20261129-173219")
  int64_t epochsCompleted = 0;
  int64_t epochsPlanned = 0;
  double bestValAccuracy = -1;  // -1 = unknown
  double testAccuracy = -1;
  bool hasCheckpoint = false;   // checkpoints/last.pt exists
};

/// A file or project name as run folders start with it: runs of "my net.json" are named
/// "my_net-<yyyyMMdd-HHmmss>" (characters other than letters, digits, '_', '.', '-' become '_').
QString runFolderStem(const QString& name);
/// The stem of a run folder's name: "cnn-20261129-173219" and "cnn-20261129-173219-2" -> "cnn";
/// "" when the name has no time stamp (a folder named by hand).
QString stemOfRunFolder(const QString& folderName);

/// Which runs belong to the open project, so that the run list shows them (and the others on
/// request). A run belongs when its folder's stem is one of `stems` (new runs are named after the
/// project file, or after the project's name when it has no file), or when `projectName` is set
/// and equals the name in the run's project.json (runs of templates and unsaved projects, which
/// share the application's runs folder).
struct RunOwner {
  QStringList stems;
  QString projectName;
  bool isEmpty() const { return stems.isEmpty() && projectName.isEmpty(); }
  bool owns(const RunSummary& run) const;
  bool operator==(const RunOwner& o) const { return stems == o.stems && projectName == o.projectName; }
};

/// A run's metrics as the trainer reported them.
struct RunCurves {
  QString name;
  QString directory;
  std::vector<core::StepMetrics> steps;
  std::vector<core::EpochMetrics> epochs;
};

/// Run folders (subfolders holding a project.json) under `root`, newest first.
QStringList findRunDirectories(const QString& root);
RunSummary readRunSummary(const QString& directory);
/// From metrics.jsonl, or metrics.csv when there is no JSON lines file.
RunCurves readRunCurves(const QString& directory);
/// The result.json of a finished run: class names and confusion matrix (empty when missing).
core::RunResult readRunResult(const QString& directory);
/// checkpoints/best.pt if present, else checkpoints/last.pt, else empty.
QString bestCheckpoint(const QString& directory);

}  // namespace nc::widgets

#include "core/export/TrainingProgram.h"

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "core/FileIO.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/export/ExportCommon.h"
#include "core/export/PythonExporter.h"
#include "core/training/Checkpoint.h"

namespace nc::core {

namespace fs = std::filesystem;

namespace {

/// A new, empty temporary folder beside `target` (".NAME.tmp-XXXXXX"); empty path on failure.
fs::path makeTempFolder(const fs::path& target, std::string& error) {
  fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    error = parent.string() + ": cannot create the folder (" + ec.message() + ")";
    return {};
  }
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path candidate = parent / ("." + target.filename().string() + ".tmp-" + std::to_string(random() % 1000000));
    if (fs::create_directory(candidate, ec)) return candidate;
    if (ec) {
      error = candidate.string() + ": cannot create a temporary folder (" + ec.message() + ")";
      return {};
    }
  }
  error = parent.string() + ": no free temporary folder name";
  return {};
}

/// The trainer's initial model (seed, then the graph's modules) with identity input normalization
/// shaped as the trainer's statistics will be ([C, 1, 1] for images, [F] for features), saved as a
/// checkpoint that exportPython reads.
void saveInitialWeights(const Project& project, const GraphAnalysis& a, const std::string& path) {
  torch::manual_seed(uint64_t(project.training.seed));
  GraphModule model(project.graph, a);
  const TensorShape* in = a.shapeOf(a.inputNode);
  if (in && in->dtype == DType::Float32 && !in->dims.empty()) {
    std::vector<int64_t> shape(in->dims.size(), 1);
    shape[0] = in->dims[0];
    model->setInputNormalization(torch::zeros(shape), torch::ones(shape));
  }
  CheckpointState state;
  state.configJson = trainConfigToJson(project.training);
  saveCheckpoint(path, model, nullptr, state);
}

Status writeProgramFiles(const Project& project, const fs::path& dir, const TrainingProgramOptions& options) {
  GraphAnalysis a = analyze(project.graph);
  if (!a.ok()) {
    std::string msg = "the model has errors:";
    for (const auto& i : analysisErrors(a)) msg += " " + i.message + ";";
    return Status::error(msg);
  }
  std::vector<GraphIssue> issues = checkPythonExportable(project.graph);
  if (!issues.empty()) {
    std::string msg = "cannot export to PyTorch source:";
    for (const auto& i : issues) msg += " " + i.message + ";";
    return Status::error(msg);
  }
  ExportOptions exportOptions;
  exportOptions.checkpoint = options.checkpoint;
  if (options.checkpoint.empty()) {
    exportOptions.checkpoint = (dir / "initial.pt").string();
    try {
      saveInitialWeights(project, a, exportOptions.checkpoint);
    } catch (const c10::Error& e) {
      return Status::error("cannot build the initial weights: " + std::string(e.what_without_backtrace()).substr(0, 500));
    } catch (const std::exception& e) {
      return Status::error(std::string("cannot build the initial weights: ") + e.what());
    }
  } else if (Status s = verifyCheckpoint(options.checkpoint); !s) {
    return s;
  }
  Status exported = exportPython(project, (dir / "model.py").string(), exportOptions);
  if (options.checkpoint.empty()) {
    std::error_code ec;
    fs::remove(exportOptions.checkpoint, ec);
    fs::remove(checksumPathFor(exportOptions.checkpoint), ec);
  }
  if (!exported) return exported;
  nlohmann::json program = {{"format", "neuralcanvas-training-program"},
                            {"version", 1},
                            {"initial_weights", options.checkpoint.empty() ? "initial" : "checkpoint"},
                            {"checkpoint", options.checkpoint.empty() ? std::string() : toUtf8(fs::path(options.checkpoint).filename().string())}};
  const std::pair<const char*, std::string> files[] = {
      {"data.py", trainingProgramDataPy()},
      {"train.py", trainingProgramTrainPy()},
      {"README.txt", trainingProgramReadme()},
      {"project.json", serializeProject(project)},
      {"program.json", dumpJson(program, 2) + "\n"},
  };
  for (const auto& [name, text] : files)
    if (Status s = writeFileAtomic((dir / name).string(), text); !s) return s;
  return {};
}

}  // namespace

Status exportTrainingProgram(const Project& project, const std::string& outDir, const TrainingProgramOptions& options) {
  if (outDir.empty()) return Status::error("no output folder given");
  fs::path target = fs::path(outDir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  std::error_code ec;
  bool existed = fs::exists(target, ec);
  if (existed) {
    if (!fs::is_directory(target, ec)) return Status::error(outDir + ": exists and is not a folder");
    if (!fs::is_empty(target, ec))
      return Status::error(outDir + ": the folder is not empty; the training program needs a new or empty folder");
  }
  std::string error;
  fs::path temp = makeTempFolder(target, error);
  if (temp.empty()) return Status::error(error);
  Status s = writeProgramFiles(project, temp, options);
  if (s) {
    if (existed) fs::remove(target, ec);  // empty (checked above)
    fs::rename(temp, target, ec);
    if (ec) s = Status::error(outDir + ": cannot move the written folder into place (" + ec.message() + ")");
    else syncDirectory(target.parent_path().empty() ? "." : target.parent_path().string());
  }
  if (!s) {
    fs::remove_all(temp, ec);
    if (existed && !fs::exists(target, ec)) fs::create_directory(target, ec);
  }
  return s;
}

}  // namespace nc::core

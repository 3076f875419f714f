#pragma once
#include <string>
#include <vector>

namespace nc::app {

/// Exit codes shared by the CLI commands.
enum ExitCode { kExitOk = 0, kExitInvalid = 1, kExitUnreadable = 2, kExitUsage = 64 };

int runValidate(const std::vector<std::string>& args);
int runLayers(const std::vector<std::string>& args);
/// layout PROJECT [--out FILE] [--wrap N]: the editor's auto-layout, written atomically.
int runLayout(const std::vector<std::string>& args);
int runTrain(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);
int runExport(const std::vector<std::string>& args);
int runImport(const std::vector<std::string>& args);
int runPredict(const std::vector<std::string>& args);
/// benchmark MODEL.pt: latency, throughput and memory per batch size and thread count (BenchmarkCommand.cpp).
int runBenchmark(const std::vector<std::string>& args);
/// compress PROJECT: pruned and int8 variants with a comparison report (CompressCommand.cpp).
int runCompress(const std::vector<std::string>& args);
/// export PROJECT --format onnx ... (OnnxCommand.cpp; called by runExport for that format).
int runExportOnnx(const std::vector<std::string>& args);
/// export PROJECT --format pytorch-training --out DIR ... (TrainingProgramCommand.cpp; called by runExport).
int runExportTrainingProgram(const std::vector<std::string>& args);
/// import-run DIR PROJECT: a training program's output folder becomes a run folder (ImportRunCommand.cpp).
int runImportRun(const std::vector<std::string>& args);
/// generate MODEL.pt --prompt TEXT: samples text from an exported language model (GenerateCommand.cpp).
int runGenerate(const std::vector<std::string>& args);
/// lr-find PROJECT: the learning-rate range test and a suggested rate (LrFindCommand.cpp).
int runLrFind(const std::vector<std::string>& args);
/// sweep PROJECT --param ... : an offline hyper-parameter sweep, resumable (SweepCommand.cpp).
int runSweepCommand(const std::vector<std::string>& args);

}  // namespace nc::app

// The training-program export (export --format pytorch-training, issue 13): the folder it
// writes, its starting weights (exactly the trainer's), the refusals that write nothing, and one
// Python run (tests/python/training_program_check.py) in which one process of train.py follows
// our trainer's loss curve and torchrun with 2 processes ends with identical weights on both.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "NoPythonLayer.h"
#include "core/GraphModule.h"
#include "core/LayerRegistry.h"
#include "core/LayerType.h"
#include "core/Project.h"
#include "core/export/TrainingProgram.h"
#include "core/training/Checkpoint.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

Project cnnTemplate() {
  ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/cnn.json");
  EXPECT_TRUE(load.ok()) << load.error;
  return *load.project;
}

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Entries of `dir` whose name contains ".tmp-" (left-over temporary folders).
int tempEntries(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  return n;
}

TEST(TrainingProgram, WritesTheFolderWithTheTrainersInitialWeights) {
  TempDir dir("trainprog");
  fs::create_directories(dir.path());
  Project p = cnnTemplate();
  p.training.seed = 7;
  fs::path out = dir.path() / "program";
  torch::manual_seed(12345);  // whatever the global generator holds, the export seeds it itself
  Status s = exportTrainingProgram(p, out.string());
  ASSERT_TRUE(s.ok()) << s.message();
  for (const char* name : {"model.py", "model.state.pt", "data.py", "train.py", "README.txt", "project.json",
                           "program.json"})
    EXPECT_TRUE(fs::is_regular_file(out / name)) << name;
  EXPECT_EQ(tempEntries(dir.path()), 0);
  std::string readme = readText(out / "README.txt");
  EXPECT_NE(readme.find("--redirects 1 --tee 1"), std::string::npos);
  EXPECT_NE(readme.find("--nnodes"), std::string::npos);
  ProjectLoad again = parseProject(readText(out / "project.json"));
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(again.project->training.seed, 7);
  EXPECT_NE(readText(out / "program.json").find("\"initial\""), std::string::npos);

  // model.state.pt holds exactly the weights our trainer starts from: seed, then the model.
  std::string bytes = readText(out / "model.state.pt");
  c10::IValue loaded = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  c10::Dict<c10::IValue, c10::IValue> state = loaded.toGenericDict();
  torch::manual_seed(7);
  GraphModule trainer(p.graph, analyze(p.graph));
  int matched = 0;
  for (const auto& param : trainer->named_parameters()) {
    bool found = false;
    for (const auto& entry : state) {
      torch::Tensor t = entry.value().toTensor();
      if (t.sizes() == param.value().sizes() && torch::equal(t, param.value())) found = true;
    }
    EXPECT_TRUE(found) << param.key() << " is not among the exported tensors with the same values";
    matched += found;
  }
  EXPECT_GT(matched, 4);
  // Identity normalization shaped as the statistics train.py puts there ([C, 1, 1]).
  torch::Tensor mean = state.at("input_mean").toTensor();
  EXPECT_EQ(mean.sizes().vec(), (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(mean.abs().sum().item<double>(), 0.0);

  // An empty existing folder is fine (and is filled), here from a checkpoint: its weights and its
  // normalization are exported, and program.json tells train.py to keep that normalization.
  torch::manual_seed(99);
  GraphModule trained(p.graph, analyze(p.graph));
  trained->setInputNormalization(torch::full({1, 1, 1}, 0.25), torch::full({1, 1, 1}, 0.5));
  const std::string checkpoint = (dir.path() / "trained.pt").string();
  saveCheckpoint(checkpoint, trained, nullptr, CheckpointState{});
  fs::path empty = dir.path() / "empty";
  fs::create_directories(empty);
  TrainingProgramOptions options;
  options.checkpoint = checkpoint;
  Status e = exportTrainingProgram(p, empty.string(), options);
  ASSERT_TRUE(e.ok()) << e.message();
  EXPECT_TRUE(fs::is_regular_file(empty / "train.py"));
  EXPECT_NE(readText(empty / "program.json").find("\"checkpoint\": \"trained.pt\""), std::string::npos)
      << readText(empty / "program.json");
  bytes = readText(empty / "model.state.pt");
  state = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
  EXPECT_FLOAT_EQ(state.at("input_mean").toTensor().item<float>(), 0.25f);
  torch::Tensor first = trained->parameters().front();
  bool found = false;
  for (const auto& entry : state)
    if (entry.value().toTensor().sizes() == first.sizes() && torch::equal(entry.value().toTensor(), first)) found = true;
  EXPECT_TRUE(found) << "the checkpoint's weights were not exported";
}

TEST(TrainingProgram, RefusalsNameTheProblemAndWriteNothing) {
  TempDir dir("trainprog_refuse");
  fs::create_directories(dir.path());
  Project good = cnnTemplate();

  // A folder that is not empty: refused, its file untouched.
  fs::path full = dir.path() / "full";
  fs::create_directories(full);
  std::ofstream(full / "keep.txt") << "mine";
  Status s = exportTrainingProgram(good, full.string());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not empty"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(full.string()), std::string::npos) << s.message();
  EXPECT_EQ(readText(full / "keep.txt"), "mine");
  EXPECT_EQ(std::distance(fs::directory_iterator(full), fs::directory_iterator()), 1);

  // A file in the way.
  fs::path file = dir.path() / "file";
  std::ofstream(file) << "x";
  s = exportTrainingProgram(good, file.string());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a folder"), std::string::npos) << s.message();

  // A model with errors (the Output disconnected).
  Project broken = good;
  for (const auto& [id, n] : good.graph.nodes())
    if (n.layer->isOutput()) broken.graph.removeNode(id);
  fs::path out = dir.path() / "broken";
  s = exportTrainingProgram(broken, out.string());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("error"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(out));

  // A node that cannot be written as PyTorch source: named.
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{4}}});
  NodeId tanh = b.add("Tanh");
  NodeId o = b.add("Output");
  b.link(in, tanh);
  b.link(tanh, o);
  static const TanhWithoutPython kNoPython;
  const_cast<Node*>(b.graph.node(tanh))->layer = &kNoPython;
  Project noPython = good;
  noPython.graph = b.graph;
  out = dir.path() / "nopython";
  s = exportTrainingProgram(noPython, out.string());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(noPython.graph.node(tanh)->name + " (Tanh)"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(out));

  // A checkpoint that does not exist: named; an empty target folder stays as it was.
  fs::path emptyTarget = dir.path() / "empty";
  fs::create_directories(emptyTarget);
  TrainingProgramOptions options;
  options.checkpoint = (dir.path() / "missing.pt").string();
  s = exportTrainingProgram(good, emptyTarget.string(), options);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing.pt"), std::string::npos) << s.message();
  EXPECT_TRUE(fs::is_directory(emptyTarget));
  EXPECT_TRUE(fs::is_empty(emptyTarget));

  EXPECT_EQ(tempEntries(dir.path()), 0) << "a temporary folder was left behind";
}

TEST(TrainingProgram, CliExportRefusesAndExplains) {
  TempDir dir("trainprog_cli");
  fs::create_directories(dir.path() / "full");
  std::ofstream(dir.path() / "full" / "a") << "a";
  const std::string cli = NC_CLI_PATH, tmpl = std::string(NC_SOURCE_DIR) + "/resources/templates/cnn.json";
  int status = 0;
  std::string help = runCommand(cli + " export " + tmpl + " --format pytorch-training --help", &status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << help;
  EXPECT_NE(help.find("--redirects 1 --tee 1"), std::string::npos) << help;
  std::string out = runCommand(cli + " export " + tmpl + " --format pytorch-training --out " + dir.str("full"), &status);
  EXPECT_NE(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("not empty"), std::string::npos) << out;
  EXPECT_NE(out.find("nothing was exported"), std::string::npos) << out;
  out = runCommand(cli + " export " + tmpl + " --format pytorch-training", &status);
  EXPECT_EQ(WEXITSTATUS(status), 64) << out;
}

bool pythonWithTorch() {
  int status = 0;
  runCommand("/usr/bin/python3 -c 'import torch, torch.distributed.run'", &status);
  return status == 0;
}

TEST(TrainingProgram, PythonFollowsOurTrainerAndTorchrunRanksAgree) {
  if (!pythonWithTorch()) GTEST_SKIP() << "/usr/bin/python3 with PyTorch is not available";
  if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is not installed";
  TempDir dir("trainprog_py");
  auto start = std::chrono::steady_clock::now();
  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) +
                                   "/tests/python/training_program_check.py " + NC_CLI_PATH + " " + NC_SOURCE_DIR +
                                   " " + dir.str(),
                               &status);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("OK loss curve"), std::string::npos) << out;
  EXPECT_NE(out.find("OK torchrun"), std::string::npos) << out;
  std::cout << out << "(" << seconds << " s)\n";
  // The torchrun output comes back with import-run, and eval of the imported run's last checkpoint
  // gives train.py's test accuracy (tests/python/import_run_check.py; no second torchrun).
  if (status != 0) return;
  std::string imported = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) +
                                        "/tests/python/import_run_check.py " + NC_CLI_PATH + " " + dir.str("tr") + " " +
                                        dir.str("cnn.json") + " " + dir.str("imported_runs"),
                                    &status);
  EXPECT_EQ(status, 0) << imported;
  EXPECT_NE(imported.find("OK import-run"), std::string::npos) << imported;
  std::cout << imported;
}

}  // namespace
}  // namespace nc::test

// Whole models: the templates export, load back, agree with the app, round-trip their project,
// and a trained Fashion-MNIST model scores the same accuracy in plain PyTorch as in the app.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../GraphTestUtil.h"
#include "core/GraphModule.h"
#include "core/LayerType.h"
#include "core/Project.h"
#include "core/export/Predictor.h"
#include "core/export/PythonExporter.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"
#include "core/training/Trainer.h"

namespace nc::test::template_export_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

std::string templatePath(const std::string& name) {
  return std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json";
}

fs::path tempFile(const std::string& name) {
  return fs::temp_directory_path() / ("nc_tpl_export_" + std::to_string(::getpid()) + "_" + name);
}

class TemplateExport : public ::testing::TestWithParam<std::string> {};

TEST_P(TemplateExport, ArchiveMatchesTheAppAndCarriesItsProject) {
  ProjectLoad load = loadProject(templatePath(GetParam()));
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_TRUE(checkExportable(load.project->graph).empty());
  // A model with non-trivial input normalization, saved as a checkpoint and exported from it.
  torch::manual_seed(0);
  GraphModule model = compileGraph(load.project->graph);
  bool tokens = GetParam().rfind("char_", 0) == 0;
  if (!tokens) model->setInputNormalization(torch::full({1, 1, 1}, 0.3), torch::full({1, 1, 1}, 0.35));
  fs::path ckpt = tempFile(GetParam() + ".ckpt.pt");
  saveCheckpoint(ckpt.string(), model, nullptr, CheckpointState{});
  fs::path out = tempFile(GetParam() + ".pt");
  ExportOptions options;
  options.checkpoint = ckpt.string();
  options.classNames = {"a", "b"};  // no need to read the data here
  Status s = exportTorchScript(*load.project, out.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();

  torch::jit::Module loaded = torch::jit::load(out.string());
  model->eval();
  torch::NoGradGuard guard;
  for (int64_t batch : {1, 4}) {
    torch::Tensor x = tokens ? torch::randint(0, 128, {batch, 64}, torch::kLong) : torch::rand({batch, 1, 28, 28});
    torch::Tensor expected = model->forward(x);
    torch::Tensor actual = loaded.forward({x}).toTensor();
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-5)) << (actual - expected).abs().max().item<double>();
  }
  std::string code = generateTorchScript(load.project->graph);
  EXPECT_NE(code.find("def forward(self, x: Tensor) -> Tensor:"), std::string::npos);
  EXPECT_NE(code.find("\n    return "), std::string::npos) << code;
  // Readable: every node's result is a variable named after the node.
  for (const auto& [id, n] : load.project->graph.nodes()) {
    if (!n.layer->isOutput()) {
      EXPECT_NE(code.find("    " + n.name + " = "), std::string::npos) << n.name << "\n" << code;
    }
  }

  ProjectLoad back = importProjectFromArchive(out.string());
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(serializeProject(*back.project), serializeProject(*load.project));
  fs::remove(out);
  fs::remove(ckpt);
}

INSTANTIATE_TEST_SUITE_P(Templates, TemplateExport, ::testing::Values("cnn", "residual_cnn", "lstm", "transformer", "char_lstm", "char_transformer"));

TEST(TemplateExport, NonArchiveImportIsAClearError) {
  fs::path junk = tempFile("junk.pt");
  { std::ofstream(junk) << "not a model"; }
  ProjectLoad r = importProjectFromArchive(junk.string());
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("not a TorchScript archive"), std::string::npos) << r.error;
  fs::remove(junk);
}

struct Quiet : TrainingObserver {};

TEST(TrainedExport, PlainPyTorchGetsTheSameTestAccuracyAsTheApp) {
  ProjectLoad load = loadProject(templatePath("cnn"));
  ASSERT_TRUE(load.ok());
  fs::path dir = tempFile("run");
  TrainJob job;
  job.project = *load.project;
  job.project.data.limit = 600;
  job.project.training.epochs = 1;
  job.project.training.threads = 1;
  job.runDirectory = dir.string();
  Quiet quiet;
  TrainingControl control;
  RunResult r = runTraining(job, quiet, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;

  fs::path model = tempFile("cnn_trained.pt");
  ExportOptions options;
  options.checkpoint = (dir / "checkpoints" / "last.pt").string();
  Status s = exportTorchScript(job.project, model.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();

  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) + "/tests/python/eval_fashion.py " +
                            model.string(), &status);
  ASSERT_EQ(status, 0) << out;
  double pythonAccuracy = std::stod(out.substr(out.find("accuracy ") + 9));
  EXPECT_NEAR(pythonAccuracy, r.testAccuracy, 1e-4) << out;
  // The PyTorch-source export of the same checkpoint scores the same.
  fs::path source = tempFile("cnn_trained.py");
  s = exportPython(job.project, source.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();
  out = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) + "/tests/python/eval_fashion.py " + source.string(), &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NEAR(std::stod(out.substr(out.find("accuracy ") + 9)), r.testAccuracy, 1e-4) << out;
  fs::remove(source);
  fs::remove(pythonStatePath(source.string()));

  // predict on the real test images through torch::jit::load, with class names from the data.
  PredictResult p = predict(model.string(), {"/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"}, 2, 3);
  ASSERT_TRUE(p.ok()) << p.error;
  ASSERT_EQ(p.predictions.size(), 3u);
  EXPECT_EQ(p.predictions[0].top.size(), 2u);
  EXPECT_GE(p.predictions[0].top[0].second, p.predictions[0].top[1].second);
  const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  EXPECT_NE(std::find(names.begin(), names.end(), p.predictions[0].top[0].first), names.end())
      << p.predictions[0].top[0].first;
  fs::remove_all(dir);
  fs::remove(model);
}

}  // namespace
}  // namespace nc::test::template_export_test

namespace nc::test::template_export_test {
namespace {

TEST_P(TemplateExport, PythonSourceMatchesTheApp) {
  ProjectLoad load = loadProject(templatePath(GetParam()));
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_TRUE(checkPythonExportable(load.project->graph).empty());
  torch::manual_seed(1);
  GraphModule model = compileGraph(load.project->graph);
  bool tokens = GetParam().rfind("char_", 0) == 0;
  if (!tokens) model->setInputNormalization(torch::full({1, 1, 1}, 0.3), torch::full({1, 1, 1}, 0.35));
  fs::path ckpt = tempFile(GetParam() + ".pyckpt.pt");
  saveCheckpoint(ckpt.string(), model, nullptr, CheckpointState{});
  fs::path source = tempFile(GetParam() + "_model.py");
  ExportOptions options;
  options.checkpoint = ckpt.string();
  Status s = exportPython(*load.project, source.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();
  model->eval();
  std::vector<c10::IValue> io;
  {
    torch::NoGradGuard guard;
    for (int64_t batch : {1, 4}) {
      torch::Tensor x = tokens ? torch::randint(0, 128, {batch, 64}, torch::kLong) : torch::rand({batch, 1, 28, 28});
      io.push_back(x);
      io.push_back(model->forward(x));
    }
  }
  fs::path ioFile = tempFile(GetParam() + ".pyio.pt");
  std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create(io));
  std::ofstream(ioFile, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  fs::path list = tempFile(GetParam() + ".pylist.txt");
  std::ofstream(list) << source.string() << " " << ioFile.string() << "\n";
  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) + "/tests/python/check_python_exports.py " +
                            list.string(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("all 1 python exports match"), std::string::npos) << out;
  for (const fs::path& f : {ckpt, source, fs::path(pythonStatePath(source.string())), ioFile, list}) fs::remove(f);
}

}  // namespace
}  // namespace nc::test::template_export_test

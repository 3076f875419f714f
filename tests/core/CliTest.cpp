// End-to-end tests of neuralcanvas-cli as a user runs it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <torch/torch.h>

#include "GraphTestUtil.h"
#include "core/Project.h"

namespace nc::test {
namespace {

namespace fs = std::filesystem;

struct CliResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr
};

CliResult runCli(const std::string& args) {
  std::string cmd = std::string(NC_CLI_PATH) + " " + args + " 2>&1";
  CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string templatePath(const std::string& name) {
  return std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json";
}

fs::path writeTemp(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / ("nc_cli_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(CliValidate, AcceptsEachTemplateAndPrintsShapesAndTotals) {
  for (const char* name : {"cnn", "lstm", "transformer"}) {
    CliResult r = runCli("validate " + templatePath(name));
    EXPECT_EQ(r.exitCode, 0) << name << "\n" << r.output;
    EXPECT_NE(r.output.find("total parameters:"), std::string::npos) << name;
    EXPECT_NE(r.output.find("[B, 1, 28, 28]"), std::string::npos) << name;
    EXPECT_NE(r.output.find("-> [B, 10]"), std::string::npos) << name;
    EXPECT_NE(r.output.find("data: "), std::string::npos) << name << "\n" << r.output;
    EXPECT_NE(r.output.find("OK: the model is valid and fits the data"), std::string::npos) << name;
  }
}

// validate checks the graph against the project's data as the editor and the trainer do: each
// disagreement is an error naming the node with its fix; unreadable data is a warning only.
TEST(CliValidate, ChecksTheGraphAgainstTheData) {
  // CSV data: 2 features, 3 classes. The graph takes 8 features and outputs 5 classes.
  fs::path csv = writeTemp("points.csv", "x,y,label\n0.1,0.2,a\n0.3,0.1,b\n0.5,0.9,c\n0.4,0.4,a\n");
  GraphBuilder b;
  core::NodeId in = b.input({8});
  core::NodeId fc = b.add("Linear", {{"out_features", int64_t{5}}});
  core::NodeId out = b.add("Output");
  b.link(in, fc);
  b.link(fc, out);
  core::Project p;
  p.graph = b.graph;
  p.data.kind = "csv";
  p.data.path = csv.string();
  fs::path file = writeTemp("points.json", core::serializeProject(p));
  CliResult r = runCli("validate " + file.string());
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_NE(r.output.find("data: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("error [node input1 (#1)]: does not fit the data:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("set input1.shape to [2]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("set linear1.out_features to 3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("INVALID: 2 errors"), std::string::npos) << r.output;

  // --no-data: only the graph, which is valid.
  r = runCli("validate --no-data " + file.string());
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(r.output.find("data"), std::string::npos) << r.output;

  // Fixed as the messages say: valid and fits.
  p.graph.setParam(in, "shape", std::vector<int64_t>{2});
  p.graph.setParam(fc, "out_features", int64_t{3});
  std::ofstream(file) << core::serializeProject(p);
  r = runCli("validate " + file.string());
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("OK: the model is valid and fits the data"), std::string::npos) << r.output;

  // Data that cannot be read: a warning naming the file, the exit code of the graph alone.
  p.data.path = (fs::temp_directory_path() / "nc_no_such_points.csv").string();
  std::ofstream(file) << core::serializeProject(p);
  r = runCli("validate " + file.string());
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("warning: the data could not be read"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nc_no_such_points.csv"), std::string::npos) << r.output;
  fs::remove(file);
  fs::remove(csv);
}

TEST(CliValidate, InvalidGraphExitsOneListingIssuesWithNodeIds) {
  GraphBuilder b;
  core::NodeId in = b.input({64, 7, 7});
  core::NodeId fc = b.add("Linear");
  b.link(in, fc);
  core::Project p;
  p.graph = b.graph;
  fs::path file = writeTemp("invalid.json", core::serializeProject(p));
  CliResult r = runCli("validate --no-data " + file.string());  // the graph alone (the data check: below)
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_NE(r.output.find("error [node linear1 (#2)]: Linear expects a 2-D"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("error: the graph has no Output node"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("INVALID: 2 errors"), std::string::npos) << r.output;
  fs::remove(file);
}

TEST(CliValidate, UnreadableOrMalformedFileExitsTwoWithOneLine) {
  CliResult missing = runCli("validate /no/such/file.json");
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_EQ(missing.output, "error: /no/such/file.json: cannot open file\n");
  fs::path file = writeTemp("broken.json", "{\"format\": \"neuralcanvas-project\", \"version\": ");
  CliResult broken = runCli("validate " + file.string());
  EXPECT_EQ(broken.exitCode, 2);
  EXPECT_NE(broken.output.find("malformed JSON"), std::string::npos) << broken.output;
  EXPECT_EQ(std::count(broken.output.begin(), broken.output.end(), '\n'), 1) << broken.output;
  fs::remove(file);
}

TEST(CliValidate, HelpOnEveryCommand) {
  for (const char* cmd : {"--help", "validate --help", "layers --help", "train --help", "eval --help"}) {
    CliResult r = runCli(cmd);
    EXPECT_EQ(r.exitCode, 0) << cmd;
    EXPECT_NE(r.output.find("usage: neuralcanvas-cli"), std::string::npos) << cmd;
  }
  EXPECT_NE(runCli("frobnicate").exitCode, 0);
}

TEST(CliTrain, TrainsTheCnnTemplateOnASliceOfRealFashionMnistAndEvaluates) {
  fs::path out = fs::temp_directory_path() / ("nc_cli_run_" + std::to_string(::getpid()));
  fs::remove_all(out);
  CliResult r = runCli("train " + templatePath("cnn") + " --limit 600 --epochs 1 --batch-size 64 --threads 2 --out " +
                       out.string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("epoch 1/1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("test accuracy: 0."), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("run folder: " + out.string()), std::string::npos) << r.output;
  for (const char* f : {"project.json", "metrics.csv", "metrics.jsonl", "log.txt", "result.json", "checkpoints/last.pt"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  CliResult e = runCli("eval " + templatePath("cnn") + " --checkpoint " + (out / "checkpoints" / "last.pt").string());
  EXPECT_EQ(e.exitCode, 0) << e.output;
  EXPECT_NE(e.output.find("test accuracy: 0."), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("(10000 samples)"), std::string::npos) << e.output;
  // Resuming a finished run with more epochs continues it.
  CliResult more = runCli("train --resume " + out.string() + " --epochs 2 --limit 600");
  EXPECT_EQ(more.exitCode, 0) << more.output;
  EXPECT_NE(more.output.find("resumed from"), std::string::npos) << more.output;
  EXPECT_NE(more.output.find("epoch 2/2"), std::string::npos) << more.output;
  fs::remove_all(out);
}

TEST(CliTrain, BadOptionsAndMissingCudaAreClearErrors) {
  CliResult cuda = runCli("train " + templatePath("cnn") + " --device cuda --limit 64 --out /tmp/nc_cli_cuda_" +
                          std::to_string(::getpid()));
  fs::remove_all("/tmp/nc_cli_cuda_" + std::to_string(::getpid()));
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(cuda.exitCode, 1);
    EXPECT_NE(cuda.output.find("error: CUDA was requested"), std::string::npos) << cuda.output;
  }
  CliResult bad = runCli("train " + templatePath("cnn") + " --epochs zero");
  EXPECT_EQ(bad.exitCode, 64);
  EXPECT_NE(bad.output.find("--epochs expects an integer, got 'zero'"), std::string::npos) << bad.output;
  CliResult unknown = runCli("train " + templatePath("cnn") + " --frobnicate 3");
  EXPECT_NE(unknown.output.find("unknown option --frobnicate"), std::string::npos) << unknown.output;
  CliResult help = runCli("train --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("--resume DIR"), std::string::npos);
}

TEST(CliExport, PythonFormatWritesSourceAndStateDictAndUnknownFormatsAreUsageErrors) {
  fs::path dir = fs::temp_directory_path() / ("nc_cli_export_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  CliResult r = runCli("export " + templatePath("lstm") + " --out " + (dir / "lstm.py").string() + " --format python");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("lstm.state.pt"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir / "lstm.py"));
  EXPECT_TRUE(fs::exists(dir / "lstm.state.pt"));
  std::ifstream source(dir / "lstm.py");
  std::string text((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("nn.LSTM("), std::string::npos) << text;
  EXPECT_NE(text.find("batch_first=True"), std::string::npos) << text;

  CliResult bad = runCli("export " + templatePath("lstm") + " --out " + (dir / "x.tflite").string() + " --format tflite");
  EXPECT_EQ(bad.exitCode, 64);
  EXPECT_NE(bad.output.find("unknown --format 'tflite' (use torchscript, python, onnx or pytorch-training)"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(dir / "x.tflite"));
  CliResult help = runCli("export --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("--format torchscript|python|onnx"), std::string::npos) << help.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nc::test

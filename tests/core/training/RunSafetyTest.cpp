// Trust in runs: text JSON whatever the bytes, stop in every phase, run folders never mixed,
// resume rules, durable checksummed checkpoints, metrics that survive kill -9.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "BlobData.h"
#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/JsonUtil.h"
#include "core/Project.h"
#include "core/Sha256.h"
#include "core/data/Dataset.h"
#include "core/export/Predictor.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"
#include "core/training/ResumeRules.h"
#include "core/training/RunFolder.h"
#include "core/training/Trainer.h"

namespace nc::test::run_safety_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

std::shared_ptr<Dataset> blobs(int64_t n = 256, int64_t testCount = 64) {
  return nc::test::blobDataset({7, n, testCount});
}

Project mlp() {
  Project p = nc::test::blobMlp();
  p.data.kind = "csv";
  p.data.path = "blobs.csv";
  p.training.epochs = 2;  // 192 training samples in batches of 32: 6 steps per epoch
  p.training.learningRate = 0.01;
  return p;
}

struct Recorder : TrainingObserver {
  std::vector<StepMetrics> steps;
  std::vector<EpochMetrics> epochs;
  std::vector<std::string> logs;
  std::function<void(const StepMetrics&)> onEachStep;
  std::function<void(const std::string&)> onEachLog;
  void onStep(const StepMetrics& m) override {
    steps.push_back(m);
    if (onEachStep) onEachStep(m);
  }
  void onEpoch(const EpochMetrics& m) override { epochs.push_back(m); }
  void onLog(const std::string& m) override {
    logs.push_back(m);
    if (onEachLog) onEachLog(m);
  }
};


RunResult train(const Project& p, const std::string& dir, const std::string& resume = "",
                std::shared_ptr<Dataset> data = nullptr, Recorder* recorder = nullptr,
                TrainingControl* control = nullptr) {
  Recorder local;
  TrainingControl localControl;
  TrainJob job;
  job.project = p;
  job.runDirectory = dir;
  job.resumeCheckpoint = resume;
  job.dataset = data ? data : blobs();
  return runTraining(job, recorder ? *recorder : local, control ? *control : localControl);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int countTempFiles(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += contains(e.path().filename().string(), ".tmp-");
  return n;
}

/// (kind, epoch, step) of each metrics.jsonl line.
std::vector<std::tuple<std::string, int64_t, int64_t>> jsonlRows(const std::string& dir) {
  std::vector<std::tuple<std::string, int64_t, int64_t>> rows;
  std::istringstream in(readFile(dir + "/metrics.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    JsonParse p = parseJson(line);
    EXPECT_TRUE(p.ok()) << line;
    if (!p.ok()) continue;
    rows.emplace_back(p.value["kind"].get<std::string>(), p.value["epoch"].get<int64_t>(), p.value["step"].get<int64_t>());
  }
  return rows;
}

/// Epoch numbers of the csv's epoch rows, and the number of step rows.
std::pair<std::vector<int64_t>, int> csvRows(const std::string& dir) {
  std::istringstream in(readFile(dir + "/metrics.csv"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("kind,epoch,step", 0), 0u);
  std::vector<int64_t> epochs;
  int steps = 0;
  while (std::getline(in, line)) {
    if (line.rfind("epoch,", 0) == 0) epochs.push_back(std::stoll(line.substr(6)));
    else steps += line.rfind("step,", 0) == 0;
  }
  return {epochs, steps};
}

/// Checks metrics of a run of `epochs` epochs of 6 steps: each step and epoch once, in order.
void expectCompleteMetrics(const std::string& dir, int64_t epochs) {
  auto rows = jsonlRows(dir);
  std::vector<int64_t> epochRows, stepRows;
  for (const auto& [kind, epoch, step] : rows) (kind == "epoch" ? epochRows : stepRows).push_back(kind == "epoch" ? epoch : step);
  std::vector<int64_t> wantEpochs, wantSteps;
  for (int64_t e = 1; e <= epochs; ++e) wantEpochs.push_back(e);
  for (int64_t s = 1; s <= epochs * 6; ++s) wantSteps.push_back(s);
  EXPECT_EQ(epochRows, wantEpochs) << readFile(dir + "/metrics.jsonl");
  EXPECT_EQ(stepRows, wantSteps);
  auto [csvEpochs, csvSteps] = csvRows(dir);
  EXPECT_EQ(csvEpochs, wantEpochs) << readFile(dir + "/metrics.csv");
  EXPECT_EQ(csvSteps, int(epochs * 6));
}

// ---- 1. JSON whatever the bytes -------------------------------------------------------------

TEST(RunSafety, ResultJsonIsValidWhateverTheBytesOfClassNamesAndMessages) {
  TempDir dir;
  RunFolder folder;
  ASSERT_TRUE(folder.open(dir.str(), "{}\n").ok());
  RunResult r;
  r.status = RunStatus::Completed;
  r.classNames = {"caf\xE9", "\xC3", "\xA9", "ok", std::string("\0x", 2)};
  r.message = "bad \xFF byte";
  r.confusion = {{1, 0}, {0, 1}};
  folder.result(r);  // threw json type_error 316 before
  JsonParse p = parseJson(readFile(dir.str("result.json")));
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_TRUE(isValidUtf8(readFile(dir.str("result.json"))));
  EXPECT_EQ(p.value["class_names"][0], "caf\xC3\xA9");
  EXPECT_EQ(p.value["status"], "completed");
}

TEST(RunSafety, CharModelOnAccentedTextTrainsWritesItsResultAndPredicts) {
  TempDir dir;
  fs::create_directories(dir.str());
  std::string text;
  for (int i = 0; i < 300; ++i) text += "le caf\xC3\xA9 est tr\xC3\xA8s bon ";
  writeFile(dir.str("accents.txt"), text);
  ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/char_lstm.json");
  ASSERT_TRUE(load.ok()) << load.error;
  Project p = *load.project;
  p.data.path = dir.str("accents.txt");
  p.data.sequenceLength = 16;
  p.graph.setParam(p.graph.nodes().begin()->first, "shape", std::vector<int64_t>{16});
  p.training.epochs = 1;
  p.training.threads = 2;
  TrainJob job;
  job.project = p;
  job.runDirectory = dir.str("run");
  Recorder rec;
  TrainingControl control;
  RunResult r = runTraining(job, rec, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  for (const char* f : {"result.json", "validation_samples.json", "metrics.jsonl", "project.json"}) {
    std::string written = readFile(dir.str(std::string("run/") + f));
    EXPECT_TRUE(isValidUtf8(written)) << f;
  }
  JsonParse result = parseJson(readFile(dir.str("run/result.json")));
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.value["status"], "completed");
  // Export and predict the next character of accented text.
  ExportOptions options;
  options.checkpoint = dir.str("run/checkpoints/last.pt");
  options.classNames = r.classNames;
  Status s = exportTorchScript(p, dir.str("char.pt"), options);
  ASSERT_TRUE(s.ok()) << s.message();
  PredictResult pr = predict(dir.str("char.pt"), {"le caf\xC3\xA9 est tr\xC3\xA8s"}, 3);
  ASSERT_TRUE(pr.ok()) << pr.error;
  ASSERT_EQ(pr.predictions.size(), 1u);
  EXPECT_EQ(pr.predictions[0].top.size(), 3u);
}

// ---- 2. Stop in every phase --------------------------------------------------------------------

TEST(RunSafety, StopDuringValidationEndsTheRunAtOnceAsStopped) {
  auto data = blobs(20000, 0);  // 5,000 validation samples at 1 per batch
  Project p = mlp();
  p.training.batchSize = 5000;
  p.training.evalBatchSize = 1;
  Recorder rec;
  TrainingControl control;
  rec.onEachStep = [&](const StepMetrics& m) {
    if (m.batch == m.batchesPerEpoch) control.requestStop();  // the next phase is validation
  };
  auto start = std::chrono::steady_clock::now();
  RunResult r = train(p, "", "", data, &rec, &control);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, RunStatus::Stopped);
  EXPECT_TRUE(contains(r.message, "validation of epoch 1")) << r.message;
  EXPECT_TRUE(rec.epochs.empty()) << "validation ran to its end";
  EXPECT_EQ(r.epochsCompleted, 0);
  EXPECT_LT(seconds, 5.0);
}

TEST(RunSafety, StopDuringTheTestPassEndsTheRunAtOnceAsStopped) {
  auto data = blobs(64, 300000);  // a long test pass at 1 sample per batch
  Project p = mlp();
  p.training.epochs = 1;
  p.training.evalBatchSize = 1;
  p.data.validationFraction = 0.25;
  Recorder rec;
  TrainingControl control;
  std::thread stopper;
  rec.onEachLog = [&](const std::string& line) {
    if (line.rfind("epoch 1/1", 0) == 0)
      stopper = std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        control.requestStop();
      });
  };
  auto start = std::chrono::steady_clock::now();
  RunResult r = train(p, "", "", data, &rec, &control);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (stopper.joinable()) stopper.join();
  EXPECT_EQ(r.status, RunStatus::Stopped) << r.message;
  EXPECT_TRUE(contains(r.message, "test pass")) << r.message;
  EXPECT_LT(r.testAccuracy, 0);
  EXPECT_EQ(r.epochsCompleted, 1);
  EXPECT_LT(seconds, 5.0);
}

TEST(RunSafety, StopBeforeTheDataIsLoadedEndsTheRunAsStopped) {
  TempDir dir;
  fs::create_directories(dir.str());
  writeFile(dir.str("t.txt"), std::string(5000, 'a'));
  Project p = mlp();
  p.data.kind = "text";
  p.data.path = dir.str("t.txt");
  TrainingControl control;
  control.requestStop();
  Recorder rec;
  TrainJob job;
  job.project = p;
  RunResult r = runTraining(job, rec, control);
  EXPECT_EQ(r.status, RunStatus::Stopped);
  EXPECT_TRUE(contains(r.message, "dataset loading")) << r.message;
}

// ---- 3. Run folders are never mixed ------------------------------------------------------------

TEST(RunSafety, AFreshRunRefusesAFolderThatHoldsFilesAndLeavesItAlone) {
  TempDir dir;
  ASSERT_EQ(train(mlp(), dir.str()).status, RunStatus::Completed);
  std::string metrics = readFile(dir.str("metrics.jsonl")), result = readFile(dir.str("result.json"));
  RunResult again = train(mlp(), dir.str());
  EXPECT_EQ(again.status, RunStatus::Failed);
  EXPECT_TRUE(contains(again.message, dir.str() + ": the folder is not empty")) << again.message;
  EXPECT_EQ(readFile(dir.str("metrics.jsonl")), metrics);
  EXPECT_EQ(readFile(dir.str("result.json")), result);
  // An existing empty folder is fine.
  fs::create_directories(dir.str("empty"));
  EXPECT_EQ(train(mlp(), dir.str("empty")).status, RunStatus::Completed);
}

TEST(RunSafety, GeneratedRunFolderNamesAreUnique) {
  TempDir dir;
  std::string error;
  std::set<std::string> names;
  for (int i = 0; i < 5; ++i) {
    std::string made = createUniqueRunDirectory(dir.str("runs"), "proj-20260101-120000", error);
    ASSERT_FALSE(made.empty()) << error;
    EXPECT_TRUE(fs::is_directory(made));
    names.insert(fs::path(made).filename().string());
  }
  EXPECT_EQ(names, (std::set<std::string>{"proj-20260101-120000", "proj-20260101-120000-2", "proj-20260101-120000-3",
                                         "proj-20260101-120000-4", "proj-20260101-120000-5"}));
}

// ---- 4 and 7. Resume rules ---------------------------------------------------------------------

TEST(RunSafety, ResumeRefusesChangesThatBreakTheRunNamingEachAndKeepsProjectJson) {
  TempDir dir;
  Project p = mlp();
  ASSERT_EQ(train(p, dir.str()).status, RunStatus::Completed);
  std::string project = readFile(dir.str("project.json")), result = readFile(dir.str("result.json"));
  std::string ckpt = dir.str("checkpoints/last.pt");

  Project changed = p;
  changed.training.epochs = 4;
  changed.training.batchSize = 16;
  changed.data.limit = 100;
  changed.data.validationFraction = 0.5;
  changed.training.optimizer = "sgd";
  changed.graph.setParam(2, "out_features", int64_t{16});  // same value: not a change
  RunResult r = train(changed, dir.str(), ckpt);
  EXPECT_EQ(r.status, RunStatus::Failed);
  for (const char* field : {"training.batch_size is 32 in the run but 16 now", "data.limit", "data.validation_fraction",
                            "training.optimizer"})
    EXPECT_TRUE(contains(r.message, field)) << field << " in " << r.message;
  EXPECT_FALSE(contains(r.message, "epochs")) << r.message;
  EXPECT_EQ(readFile(dir.str("project.json")), project) << "a refused resume leaves project.json alone";
  EXPECT_EQ(readFile(dir.str("result.json")), result);

  Project graphChanged = p;
  graphChanged.training.epochs = 3;
  graphChanged.graph.setParam(2, "out_features", int64_t{12});
  r = train(graphChanged, dir.str(), ckpt);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_TRUE(contains(r.message, "parameter out_features is 16 in the run but 12 now")) << r.message;

  // Nothing left to do: refused, and result.json (with its confusion matrix) stays as it was.
  r = train(p, dir.str(), ckpt);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_TRUE(contains(r.message, "already completed 2 epochs")) << r.message;
  EXPECT_EQ(readFile(dir.str("result.json")), result);
  JsonParse before = parseJson(result);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before.value["confusion"].size(), 4u);

  // More epochs (and other safe settings) continue the run; only the epoch count changes on disk.
  Project more = p;
  more.training.epochs = 3;
  more.training.threads = 2;
  more.training.evalBatchSize = 7;
  std::vector<NodeId> ids;
  for (const auto& [id, n] : more.graph.nodes()) ids.push_back(id);
  for (NodeId id : ids) more.graph.move(id, 500, 500);
  r = train(more, dir.str(), ckpt);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  ProjectLoad onDisk = loadProject(dir.str("project.json"));
  ASSERT_TRUE(onDisk.ok());
  writeFile(dir.str("original.json"), project);  // read as loadProject reads (relative data paths resolved)
  Project expected = *loadProject(dir.str("original.json")).project;
  expected.training.epochs = 3;
  EXPECT_EQ(serializeProject(*onDisk.project), serializeProject(expected));
  expectCompleteMetrics(dir.str(), 3);
}

TEST(RunSafety, ResumeRulesListEveryBreakingDifferenceOnly) {
  Project a = mlp(), b = mlp();
  EXPECT_TRUE(resumeConflicts(a, b).empty());
  b.training.epochs = 9;
  b.training.patience = 3;
  b.training.device = "cuda";
  b.training.threads = 4;
  EXPECT_TRUE(resumeConflicts(a, b).empty());
  b.training.seed = 1;
  b.training.learningRate = 0.5;
  b.data.seed = 3;
  b.data.path = "other.csv";
  b.graph.removeNode(3);
  auto c = resumeConflicts(a, b);
  EXPECT_EQ(c.size(), 6u);
  std::string all;
  for (const auto& s : c) all += s + "\n";
  for (const char* f : {"training.seed", "training.learning_rate", "data.seed", "data.path", "was removed",
                        "connections differ"})
    EXPECT_TRUE(contains(all, f)) << f << "\n" << all;
}

// ---- 6, 8, 9. Durable, checksummed checkpoints; metrics that survive kill -9 -------------------

TEST(RunSafety, CheckpointsAreWrittenWithAChecksumAndVerifiedOnLoad) {
  TempDir dir;
  ASSERT_EQ(train(mlp(), dir.str()).status, RunStatus::Completed);
  for (const char* name : {"last", "best"}) {
    std::string ckpt = dir.str(std::string("checkpoints/") + name + ".pt");
    std::string sidecar = readFile(ckpt + ".sha256");
    EXPECT_EQ(sidecar, sha256File(ckpt) + "  " + name + ".pt\n");
    EXPECT_TRUE(verifyCheckpoint(ckpt).ok());
  }
  EXPECT_EQ(countTempFiles(dir.str()), 0);
  std::string ckpt = dir.str("checkpoints/last.pt");
  // A missing checksum: refused, naming the file.
  fs::copy_file(ckpt, dir.str("copy.pt"));
  Status s = verifyCheckpoint(dir.str("copy.pt"));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.message(), dir.str("copy.pt") + ": cannot verify")) << s.message();
  // One changed byte: refused by eval, export and resume, each naming the file.
  std::string bytes = readFile(ckpt);
  bytes[bytes.size() / 2] ^= 0x10;
  writeFile(ckpt, bytes);
  EvalResult e = evaluateCheckpoint(mlp(), ckpt, blobs());
  EXPECT_FALSE(e.ok);
  EXPECT_TRUE(contains(e.error, ckpt + ": the checkpoint is damaged")) << e.error;
  Status x = exportTorchScript(mlp(), dir.str("m.pt"), ExportOptions{ckpt, {}});
  EXPECT_FALSE(x.ok());
  EXPECT_TRUE(contains(x.message(), ckpt)) << x.message();
  Project more = mlp();
  more.training.epochs = 3;
  RunResult r = train(more, dir.str(), ckpt);
  EXPECT_EQ(r.status, RunStatus::Failed);
  EXPECT_TRUE(contains(r.message, ckpt + ": the checkpoint is damaged")) << r.message;
}

TEST(RunSafety, AKillAtAnyStepOfACheckpointSaveLeavesACheckpointThatVerifies) {
  TempDir dir;
  fs::create_directories(dir.str());
  GraphModule model = compileGraph(mlp().graph);
  std::string path = dir.str("c.pt");
  saveCheckpoint(path, model, nullptr, CheckpointState{});
  std::string oldBytes = readFile(path), oldSidecar = readFile(checksumPathFor(path));
  {
    torch::NoGradGuard g;
    for (auto& t : model->parameters()) t.add_(1);
  }
  CheckpointState later;
  later.epoch = 1;
  saveCheckpoint(path, model, nullptr, later);
  std::string newBytes = readFile(path), newSidecar = readFile(checksumPathFor(path));
  ASSERT_NE(oldBytes, newBytes);
  std::string both = oldSidecar + newSidecar;  // the sidecar between steps 1 and 3 of a save
  struct Moment {
    const char* what;
    std::string file, sidecar;
  };
  for (const Moment& m : {Moment{"before the sidecar is updated", oldBytes, oldSidecar},
                          Moment{"after the sidecar accepts both", oldBytes, both},
                          Moment{"after the rename", newBytes, both},
                          Moment{"after the sidecar is final", newBytes, newSidecar}}) {
    writeFile(path, m.file);
    writeFile(checksumPathFor(path), m.sidecar);
    EXPECT_TRUE(verifyCheckpoint(path).ok()) << m.what;
  }
}

TEST(RunSafety, KillJustAfterTheCheckpointRenameLosesNoMetricsAndResumeCleansLeftovers) {
  TempDir dir;
  Project p = mlp();
  ASSERT_EQ(train(p, dir.str()).status, RunStatus::Completed);
  // As if killed right after last.pt of epoch 2 was renamed into place, before anything else:
  // the metrics lines of epoch 2's end are missing, temporary files of the save lie around.
  for (const char* f : {"metrics.jsonl", "metrics.csv"}) {
    std::istringstream in(readFile(dir.str(f)));
    std::string line, kept;
    while (std::getline(in, line))
      if (!(contains(line, "\"kind\":\"epoch\"") && contains(line, "\"epoch\":2")) && line.rfind("epoch,2,", 0) != 0)
        kept += line + "\n";
    writeFile(dir.str(f), kept + "step,2,1");  // and a line cut short
  }
  writeFile(dir.str("checkpoints/best.pt.tmp-999-0"), "half a checkpoint");
  writeFile(dir.str("checkpoints/last.pt.sha256.tmp-999-1"), "half");
  writeFile(dir.str("result.json.tmp-999-2"), "{");
  Project more = p;
  more.training.epochs = 3;
  RunResult r = train(more, dir.str(), dir.str("checkpoints/last.pt"));
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  expectCompleteMetrics(dir.str(), 3);
  EXPECT_EQ(countTempFiles(dir.str()), 0);
}

TEST(RunSafety, KillWhileTheCheckpointIsWrittenResumesFromThePreviousOneWithItsMetrics) {
  TempDir dir;
  Project p = mlp();
  p.training.epochs = 1;
  ASSERT_EQ(train(p, dir.str()).status, RunStatus::Completed);
  // As if epoch 2 finished, wrote its metrics, and was killed while last.pt was being written.
  std::string jsonl = readFile(dir.str("metrics.jsonl")), csv = readFile(dir.str("metrics.csv"));
  for (int s = 7; s <= 12; ++s) {
    jsonl += "{\"kind\":\"step\",\"epoch\":2,\"step\":" + std::to_string(s) + ",\"loss\":9}\n";
    csv += "step,2," + std::to_string(s) + ",9,0,0.01,1,,,1\n";
  }
  jsonl += "{\"kind\":\"epoch\",\"epoch\":2,\"step\":12,\"train_loss\":9}\n";
  csv += "epoch,2,12,9,0,,1,9,0,1\n";
  writeFile(dir.str("metrics.jsonl"), jsonl);
  writeFile(dir.str("metrics.csv"), csv);
  writeFile(dir.str("checkpoints/last.pt.tmp-999-0"), "partial");
  std::string sidecar = readFile(dir.str("checkpoints/last.pt.sha256"));
  writeFile(dir.str("checkpoints/last.pt.sha256"), sidecar + std::string(64, 'a') + "  last.pt\n");
  Project more = p;
  more.training.epochs = 2;
  Recorder rec;
  RunResult r = train(more, dir.str(), dir.str("checkpoints/last.pt"), nullptr, &rec);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  EXPECT_EQ(rec.steps.front().step, 7);
  expectCompleteMetrics(dir.str(), 2);
  EXPECT_EQ(countTempFiles(dir.str()), 0);
  EXPECT_FALSE(contains(readFile(dir.str("metrics.jsonl")), "\"loss\":9")) << "the killed epoch's lines are redone";
}

// ---- 10, 11. Checkpoint fuzz: damaged files are clear errors naming the file ------------------

TEST(CheckpointFuzz, DamagedCheckpointsAreRefusedNamingTheFile) {
  TempDir dir;
  fs::create_directories(dir.str());
  Project p = mlp();
  GraphModule model = compileGraph(p.graph);
  std::string good = dir.str("good.pt");
  saveCheckpoint(good, model, nullptr, CheckpointState{});
  const std::string original = readFile(good), sidecar = readFile(checksumPathFor(good));
  std::mt19937 rng(20261129);
  const std::string path = dir.str("fuzzed.pt");
  int cases = 0, refused = 0;
  auto attempt = [&](const std::string& bytes, const std::string& kind) {
    writeFile(path, bytes);
    writeFile(checksumPathFor(path), sidecar);  // the checksum recorded for the good file
    GraphModule m = compileGraph(p.graph);
    ++cases;
    try {
      loadCheckpoint(path, m, nullptr, false);
      ADD_FAILURE() << kind << ": a damaged checkpoint was loaded";
    } catch (const std::runtime_error& e) {
      std::string what = e.what();
      EXPECT_EQ(what.rfind(path + ": ", 0), 0u) << kind << ": " << what;
      EXPECT_TRUE(contains(what, "damaged")) << kind << ": " << what;
      EXPECT_FALSE(contains(what, "Exception raised from")) << what;
      ++refused;
    }
  };
  const size_t n = original.size();
  for (int flips : {1, 8, 64, 1024})
    for (const char* region : {"header", "middle", "anywhere"})
      for (int k = 0; k < 10; ++k) {
        std::string b = original;
        for (int f = 0; f < flips; ++f) {
          size_t at = std::string(region) == "header" ? rng() % std::min<size_t>(n, 512)
                      : std::string(region) == "middle" ? n / 4 + rng() % (n / 2)
                                                        : rng() % n;
          b[at] = char(uint8_t(b[at]) ^ uint8_t(1 + rng() % 255));
        }
        attempt(b, std::to_string(flips) + " flips in the " + region);
      }
  for (int k = 0; k < 20; ++k) attempt(original.substr(0, rng() % n), "truncated");
  attempt("", "empty");
  attempt(std::string(64, '\0') + original.substr(64), "zeroed header");
  attempt(original + "trailing junk", "appended junk");
  attempt("PK\x03\x04 not really a zip", "fake zip");
  EXPECT_GE(cases, 100);
  EXPECT_EQ(refused, cases);
  // The intact file still loads.
  writeFile(path, original);
  GraphModule m = compileGraph(p.graph);
  EXPECT_NO_THROW(loadCheckpoint(path, m, nullptr, false));
}

TEST(CheckpointFuzz, DamageThatMatchesItsChecksumIsStillAClearErrorNamingTheFile) {
  // Past the checksum (as if file and checksum were damaged together), LibTorch's own errors must
  // still come back in words naming the file, never a crash or a bare "at() was not in the map".
  TempDir dir;
  fs::create_directories(dir.str());
  Project p = mlp();
  GraphModule model = compileGraph(p.graph);
  std::string good = dir.str("good.pt");
  saveCheckpoint(good, model, nullptr, CheckpointState{});
  const std::string original = readFile(good);
  std::mt19937 rng(7);
  const std::string path = dir.str("resealed.pt");
  int errors = 0;
  for (int k = 0; k < 40; ++k) {
    std::string b = k < 20 ? original.substr(0, rng() % original.size()) : original;
    if (k >= 20)
      for (int f = 0; f < 64; ++f) b[rng() % 512] ^= char(1 + rng() % 255);
    writeFile(path, b);
    writeFile(checksumPathFor(path), sha256Hex(b) + "  resealed.pt\n");
    GraphModule m = compileGraph(p.graph);
    try {
      loadCheckpoint(path, m, nullptr, false);
    } catch (const std::runtime_error& e) {
      ++errors;
      std::string what = e.what();
      EXPECT_EQ(what.rfind(path + ": cannot load checkpoint", 0), 0u) << what;
      EXPECT_FALSE(contains(what, "Exception raised from")) << what;
    }
  }
  EXPECT_GE(errors, 20);  // every truncation at least
}


TEST(CheckpointFuzz, PredictOnADamagedArchiveNamesItWithoutAStackTrace) {
  TempDir dir;
  fs::create_directories(dir.str());
  Project p = mlp();
  ASSERT_TRUE(exportTorchScript(p, dir.str("m.pt"), ExportOptions{"", {"a", "b", "c", "d"}}).ok());
  const std::string original = readFile(dir.str("m.pt"));
  writeFile(dir.str("x.csv"), "1,2,3,4,5,6,7,8\n");
  std::mt19937 rng(11);
  for (int k = 0; k < 12; ++k) {
    std::string b = original.substr(0, k == 0 ? 0 : rng() % original.size());
    std::string path = dir.str("cut.pt");
    writeFile(path, b);
    PredictResult r = predict(path, {dir.str("x.csv")});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error.rfind(path + ": ", 0), 0u) << r.error;
    EXPECT_FALSE(contains(r.error, "Exception raised from")) << r.error;
    EXPECT_FALSE(contains(r.error, "frame #")) << r.error;
  }
}

}  // namespace
}  // namespace nc::test::run_safety_test

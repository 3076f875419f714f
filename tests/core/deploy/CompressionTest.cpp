// The compression report (issue 12): fp32 / int8 / pruned / pruned-int8 / sparse / sparse-int8
// variants of a trained model,
// each exported and measured as deployed; evaluateArchive; report.json; the compress command.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/script.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/FileIO.h"
#include "core/GraphModule.h"
#include "core/LayerAnalysis.h"
#include "core/data/Dataset.h"
#include "core/deploy/ArchiveEval.h"
#include "core/deploy/Compression.h"
#include "core/deploy/Quantize.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"
#include "core/training/Trainer.h"

namespace nc::test::compression_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

void writeBigEndian(std::ofstream& f, uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  f.write(b, 4);
}

/// An IDX image/label pair of `n` 8x8 images: class c (0..3) lights quadrant c a little, plus noise.
void writeIdxSplit(const fs::path& folder, const std::string& prefix, int n, int seed) {
  std::ofstream images(folder / (prefix + "-images-idx3-ubyte"), std::ios::binary);
  std::ofstream labels(folder / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
  writeBigEndian(images, 0x803);
  writeBigEndian(images, uint32_t(n));
  writeBigEndian(images, 8);
  writeBigEndian(images, 8);
  writeBigEndian(labels, 0x801);
  writeBigEndian(labels, uint32_t(n));
  uint32_t state = uint32_t(seed) * 2654435761u + 1;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 24;
  };
  for (int i = 0; i < n; ++i) {
    int c = int(next() % 4);
    labels.put(char(c));
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        bool lit = (y / 4) * 2 + (x / 4) == c;
        int v = int(next() % 160) + (lit ? 50 : 0);  // overlapping: accuracy well below 1, so it tells variants apart
        images.put(char(std::min(v, 255)));
      }
  }
}

/// The CNN template in small: conv-bn-relu-pool, conv-bn-relu, flatten, fc, classifier. Most
/// weights are in the Linear layers (so int8 shrinks the file).
Project tinyCnnProject(const std::string& dataFolder) {
  GraphBuilder b;
  NodeId in = b.input({1, 8, 8});
  NodeId conv1 = b.add("Conv2d", {{"out_channels", int64_t{8}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
  NodeId bn1 = b.add("BatchNorm2d");
  NodeId relu1 = b.add("ReLU");
  NodeId pool = b.add("MaxPool2d", {{"kernel_size", int64_t{2}}});
  NodeId conv2 = b.add("Conv2d", {{"out_channels", int64_t{16}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}});
  NodeId bn2 = b.add("BatchNorm2d");
  NodeId relu2 = b.add("ReLU");
  NodeId flat = b.add("Flatten");
  NodeId fc1 = b.add("Linear", {{"out_features", int64_t{64}}});
  NodeId relu3 = b.add("ReLU");
  NodeId fc2 = b.add("Linear", {{"out_features", int64_t{10}}});
  NodeId out = b.add("Output");
  NodeId chain[] = {in, conv1, bn1, relu1, pool, conv2, bn2, relu2, flat, fc1, relu3, fc2, out};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) b.link(chain[i], chain[i + 1]);
  Project p;
  p.name = "tiny-cnn";
  p.graph = b.graph;
  p.data.kind = "idx";
  p.data.path = dataFolder;
  p.data.validationFraction = 0.25;
  p.training.epochs = 2;
  p.training.batchSize = 32;
  p.training.evalBatchSize = 50;  // the last test batch is partial
  p.training.learningRate = 0.01;
  p.training.threads = 1;
  return p;
}

struct Fixture {
  fs::path root;
  Project project;
  std::string projectFile, checkpoint;
};

/// Data, project and a checkpoint trained for two short epochs: made once per test process.
const Fixture& fixture() {
  static Fixture f = [] {
    Fixture x;
    x.root = processScratchDir("compress");
    fs::create_directories(x.root / "data");
    writeIdxSplit(x.root / "data", "train", 256, 1);
    writeIdxSplit(x.root / "data", "t10k", 120, 2);
    x.project = tinyCnnProject((x.root / "data").string());
    x.projectFile = (x.root / "tiny.json").string();
    EXPECT_TRUE(saveProject(x.project, x.projectFile));
    TrainJob job;
    job.project = x.project;
    job.runDirectory = (x.root / "run").string();
    TrainingObserver quiet;
    TrainingControl control;
    RunResult r = runTraining(job, quiet, control);
    EXPECT_EQ(r.status, RunStatus::Completed) << r.message;
    x.checkpoint = (x.root / "run" / "checkpoints" / "best.pt").string();
    return x;
  }();
  return f;
}

CompressOptions quickOptions(const std::string& outDir) {
  CompressOptions o;
  o.checkpoint = fixture().checkpoint;
  o.outDir = outDir;
  o.benchmarkSeconds = 0.02;
  o.threads = 1;
  return o;
}

/// Zero entries / all entries of the dim >= 2 weights of Conv/Linear nodes, read from a checkpoint.
double zeroShare(const Project& project, const std::string& checkpoint) {
  torch::NoGradGuard guard;
  GraphModule model = compileGraph(project.graph);
  loadCheckpoint(checkpoint, model, nullptr, false);
  int64_t zeros = 0, total = 0;
  for (const auto& p : model->named_parameters()) {
    if (p.value().dim() < 2) continue;
    total += p.value().numel();
    zeros += (p.value() == 0).sum().item<int64_t>();
  }
  return total ? double(zeros) / double(total) : 0;
}

/// The same share in an exported archive's float parameters (dim >= 2), as deployed.
double archiveZeroShare(const std::string& archive) {
  torch::jit::Module m = torch::jit::load(archive);
  int64_t zeros = 0, total = 0;
  for (const auto& p : m.named_parameters(/*recurse=*/true)) {
    if (p.value.dim() < 2 || !p.value.is_floating_point()) continue;
    total += p.value.numel();
    zeros += (p.value == 0).sum().item<int64_t>();
  }
  return total ? double(zeros) / double(total) : 0;
}

TEST(CompressModel, MakesAndMeasuresAllSixVariantsAsDeployed) {
  const Fixture& f = fixture();
  TempDir out("compress-all");
  CompressOptions o = quickOptions(out.str());
  o.pruneFraction = 0.5;
  o.sparsity = 0.6;
  o.fineTuneEpochs = 1;
  o.quantize = QuantizeMode::DynamicInt8;
  std::vector<std::pair<std::string, double>> progress;
  CompressReport r = compressModel(f.project, o, [&](const std::string& s, double x) { progress.push_back({s, x}); });
  ASSERT_TRUE(r.status) << r.status.message();
  ASSERT_EQ(r.variants.size(), 6u);
  EXPECT_EQ(r.variants[0].name, "fp32");
  EXPECT_EQ(r.variants[1].name, "int8");
  EXPECT_EQ(r.variants[2].name, "pruned");
  EXPECT_EQ(r.variants[3].name, "pruned-int8");
  EXPECT_EQ(r.variants[4].name, "sparse");
  EXPECT_EQ(r.variants[5].name, "sparse-int8");
  EXPECT_EQ(r.evalSplit, "test");
  EXPECT_EQ(r.evalSamples, 120);

  // The fp32 archive gives what the checkpoint gives through the trainer's evaluation.
  EvalResult direct = evaluateCheckpoint(f.project, f.checkpoint);
  ASSERT_TRUE(direct.ok) << direct.error;
  EXPECT_NEAR(r.variants[0].testAccuracy, direct.accuracy, 1e-6);
  EXPECT_GT(direct.accuracy, 0.4) << "the fixture learns its four quadrants";
  EXPECT_LT(direct.accuracy, 1.0) << "the fixture is not trivial";

  useFastQuantizedEngine();
  for (const auto& v : r.variants) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(fs::path(v.archive).parent_path(), out.path());
    EXPECT_EQ(fs::path(v.archive).filename(), v.name + ".pt");
    EXPECT_NO_THROW(torch::jit::load(v.archive)) << "the archive loads";
    EXPECT_GE(v.testAccuracy, 0.0);
    EXPECT_LE(v.testAccuracy, 1.0);
    EXPECT_EQ(v.fileBytes, int64_t(fs::file_size(v.archive)));
    EXPECT_GT(v.parameters, 0);
    EXPECT_GT(v.flops, 0);
    EXPECT_GT(v.latencyMsBatch1, 0);
    EXPECT_GT(v.latencyMsBatch32, 0);
    EXPECT_GT(v.compressedBytes, 0);
    EXPECT_LT(v.compressedBytes, v.fileBytes) << "the archive is a stored zip: zlib shrinks it";
    EXPECT_FALSE(v.note.empty());
  }
  const CompressVariant &fp32 = r.variants[0], &int8 = r.variants[1], &pruned = r.variants[2],
                        &prunedInt8 = r.variants[3];
  // int8: same counts as its float source; a smaller file (the model is Linear-heavy).
  EXPECT_EQ(int8.parameters, fp32.parameters);
  EXPECT_EQ(int8.flops, fp32.flops);
  EXPECT_LT(int8.fileBytes, fp32.fileBytes * 6 / 10);
  EXPECT_NE(int8.note.find("int8"), std::string::npos);
  EXPECT_EQ(prunedInt8.flops, pruned.flops);
  EXPECT_LT(prunedInt8.fileBytes, pruned.fileBytes);
  // Pruned: fewer FLOPs and parameters, a project and checkpoint the editor opens.
  EXPECT_LT(pruned.flops, fp32.flops * 6 / 10);
  EXPECT_LT(pruned.parameters, fp32.parameters);
  EXPECT_NE(pruned.note.find("fine-tuned 1 epoch"), std::string::npos) << pruned.note;
  EXPECT_NE(pruned.note.find("->"), std::string::npos) << pruned.note;
  EXPECT_EQ(pruned.project, (out.path() / "pruned" / "project.json").string());
  EXPECT_EQ(prunedInt8.project, pruned.project);
  EXPECT_EQ(prunedInt8.checkpoint, pruned.checkpoint);
  EXPECT_TRUE(fs::exists(out.path() / "pruned" / "pruned.pt"));
  EXPECT_TRUE(fs::is_directory(out.path() / "pruned" / "finetune"));
  ProjectLoad prunedProject = loadProject(pruned.project);
  ASSERT_TRUE(prunedProject.ok()) << prunedProject.error;
  EvalResult prunedDirect = evaluateCheckpoint(*prunedProject.project, pruned.checkpoint);
  ASSERT_TRUE(prunedDirect.ok) << prunedDirect.error;
  EXPECT_NEAR(pruned.testAccuracy, prunedDirect.accuracy, 1e-6) << "the pruned archive is its checkpoint";
  GraphAnalysis analysis = analyze(prunedProject.project->graph);
  EXPECT_EQ(layerTotals(analyzeLayers(prunedProject.project->graph, analysis, prunedProject.project->training)).flops,
            pruned.flops);

  // Sparse: the same graph with the smallest 60% of the Conv/Linear weights zeroed, fine-tuned with
  // the zeros held: the checkpoint after fine-tuning and the archive still hold them.
  const CompressVariant &sparse = r.variants[4], &sparseInt8 = r.variants[5];
  EXPECT_EQ(sparse.project, "") << "the graph is unchanged";
  EXPECT_EQ(sparse.checkpoint, (out.path() / "sparse" / "finetune" / "checkpoints" / "best.pt").string());
  EXPECT_EQ(sparseInt8.checkpoint, sparse.checkpoint);
  EXPECT_TRUE(fs::exists(out.path() / "sparse" / "sparse.pt"));
  EXPECT_EQ(zeroShare(f.project, (out.path() / "sparse" / "sparse.pt").string()), sparse.sparsity)
      << "pruning made exactly the share the fine-tuning kept";
  const double measured = zeroShare(f.project, sparse.checkpoint);
  EXPECT_GE(measured, 0.6 - 1e-4) << "the zeros stayed zero through fine-tuning";
  EXPECT_LT(measured, 0.6 + 0.01);
  EXPECT_DOUBLE_EQ(sparse.sparsity, measured);
  EXPECT_DOUBLE_EQ(sparseInt8.sparsity, measured);
  EXPECT_GE(archiveZeroShare(sparse.archive), 0.6 - 1e-4) << "the exported archive holds the zeros";
  EXPECT_LT(zeroShare(f.project, f.checkpoint), 0.01) << "the trained weights are dense";
  EXPECT_EQ(sparse.parameters, fp32.parameters);
  EXPECT_EQ(sparse.flops, fp32.flops);
  EXPECT_NEAR(double(sparse.fileBytes), double(fp32.fileBytes), 0.05 * double(fp32.fileBytes))
      << "dense storage: zeros take as much room as any weight";
  EXPECT_LT(sparse.compressedBytes, fp32.compressedBytes * 8 / 10) << "compressed, the zeros do save room";
  for (const char* s : {"60.0", "zero", "fine-tuned 1 epoch", "dense", "neither smaller nor faster"})
    EXPECT_NE(sparse.note.find(s), std::string::npos) << s << "\n" << sparse.note;
  EXPECT_EQ(fp32.sparsity, 0);

  // Progress: stages in order, fractions never go back, ends at 1.
  ASSERT_FALSE(progress.empty());
  for (size_t i = 1; i < progress.size(); ++i) EXPECT_GE(progress[i].second, progress[i - 1].second - 1e-12) << i;
  EXPECT_DOUBLE_EQ(progress.back().second, 1.0);
  bool sawFineTune = false, sawSparse = false;
  for (const auto& [stage, x] : progress) {
    sawFineTune |= stage.find("fine-tuning the pruned") != std::string::npos;
    sawSparse |= stage.find("fine-tuning the sparse") != std::string::npos;
  }
  EXPECT_TRUE(sawFineTune);
  EXPECT_TRUE(sawSparse);

  // report.json: relative paths (the folder can move), read back to the same report.
  ASSERT_EQ(r.reportPath, (out.path() / "report.json").string());
  std::ifstream in(r.reportPath);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, compressReportJson(r));
  EXPECT_EQ(text.find(out.str()), std::string::npos) << "no absolute paths inside:\n" << text;
  // Plain PyTorch (torch.jit.load) gets the same accuracy from every archive on the same batches.
  int status = 0;
  std::string python = runCommand("/usr/bin/python3 " + std::string(NC_SOURCE_DIR) + "/tests/python/compress_accuracy.py " +
                                      r.reportPath + " " + f.project.data.path + " " +
                                      std::to_string(f.project.training.evalBatchSize),
                                  &status);
  ASSERT_EQ(status, 0) << python;
  std::istringstream lines(python);
  for (const auto& v : r.variants) {
    std::string name;
    double accuracy = -1;
    lines >> name >> accuracy;
    EXPECT_EQ(name, v.name) << python;
    EXPECT_NEAR(accuracy, v.testAccuracy, 1e-6) << v.name << "\n" << python;
  }
  CompressReport parsed = parseCompressReport(text);
  ASSERT_TRUE(parsed.status) << parsed.status.message();
  EXPECT_EQ(compressReportJson(parsed), text);
  EXPECT_EQ(parsed.variants[2].archive, "pruned.pt");
  EXPECT_EQ(parsed.variants[2].project, "pruned/project.json");
  fs::path moved = fs::path(out.str() + "-moved");
  fs::rename(out.path(), moved);
  CompressReport loaded = loadCompressReport((moved / "report.json").string());
  ASSERT_TRUE(loaded.status) << loaded.status.message();
  ASSERT_EQ(loaded.variants.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(loaded.variants[i].archive, (moved / (r.variants[i].name + ".pt")).string());
    EXPECT_TRUE(fs::exists(loaded.variants[i].archive));
    EXPECT_EQ(loaded.variants[i].testAccuracy, r.variants[i].testAccuracy);
    EXPECT_EQ(loaded.variants[i].flops, r.variants[i].flops);
    EXPECT_EQ(loaded.variants[i].sparsity, r.variants[i].sparsity);
    EXPECT_EQ(loaded.variants[i].compressedBytes, r.variants[i].compressedBytes);
  }
  EXPECT_EQ(loaded.variants[4].checkpoint, (moved / "sparse" / "finetune" / "checkpoints" / "best.pt").string());
  EXPECT_TRUE(fs::exists(loaded.variants[2].project));
  EXPECT_EQ(loaded.variants[0].checkpoint, f.checkpoint) << "outside the folder: absolute";
  EXPECT_EQ(loaded.variants[1].checkpoint, f.checkpoint);
  EXPECT_EQ(loaded.variants[0].project, "");
  EXPECT_EQ(loaded.evalSamples, 120);
  std::string table = compressReportTable(loaded);
  for (const char* s : {"variant", "accuracy", "fp32", "pruned-int8", "sparse-int8", "gzip", "zeros", "x", "pt"})
    EXPECT_NE(table.find(s), std::string::npos) << s << "\n" << table;
  fs::remove_all(moved);
}

TEST(CompressModel, QuantizeOnlyMakesTwoVariantsAndHonoursTheEvaluationLimit) {
  TempDir out("compress-int8");
  CompressOptions o = quickOptions(out.str());
  o.quantize = QuantizeMode::DynamicInt8;
  o.evalLimit = 30;
  CompressReport r = compressModel(fixture().project, o);
  ASSERT_TRUE(r.status) << r.status.message();
  ASSERT_EQ(r.variants.size(), 2u);
  EXPECT_EQ(r.variants[1].name, "int8");
  EXPECT_EQ(r.evalSamples, 30);
  EXPECT_FALSE(fs::exists(out.path() / "pruned"));
  EXPECT_TRUE(fs::exists(out.path() / "report.json"));
}

// Nothing to prune (the only Linear produces the logits): the float and int8 variants are still
// made and measured, and the report says why there is no pruned one.
TEST(CompressModel, APruningThatCutsNothingLeavesTheOtherVariantsAndANote) {
  const Fixture& f = fixture();
  GraphBuilder b;
  NodeId in = b.input({1, 8, 8});
  NodeId flat = b.add("Flatten");
  NodeId fc = b.add("Linear", {{"out_features", int64_t{10}}});
  NodeId logits = b.add("Output");
  b.link(in, flat);
  b.link(flat, fc);
  b.link(fc, logits);
  Project p = f.project;
  p.graph = b.graph;
  TempDir run("compress-linear-run");
  TrainJob job;
  job.project = p;
  job.project.training.epochs = 1;
  job.runDirectory = run.str();
  TrainingObserver quiet;
  TrainingControl control;
  ASSERT_EQ(runTraining(job, quiet, control).status, RunStatus::Completed);

  TempDir out("compress-nothing");
  CompressOptions o = quickOptions(out.str());
  o.checkpoint = run.str("checkpoints/best.pt");
  o.pruneFraction = 0.5;
  o.fineTuneEpochs = 1;
  o.quantize = QuantizeMode::DynamicInt8;
  std::vector<double> fractions;
  CompressReport r = compressModel(p, o, [&](const std::string&, double x) { fractions.push_back(x); });
  ASSERT_TRUE(r.status) << r.status.message();
  ASSERT_EQ(r.variants.size(), 2u);
  EXPECT_EQ(r.variants[0].name, "fp32");
  EXPECT_EQ(r.variants[1].name, "int8");
  std::string notes;
  for (const auto& n : r.notes) notes += n + "\n";
  EXPECT_NE(notes.find("no pruned variant"), std::string::npos) << notes;
  EXPECT_NE(notes.find("linear"), std::string::npos) << "names the node:\n" << notes;
  EXPECT_FALSE(fs::exists(out.path() / "pruned.pt"));
  EXPECT_FALSE(fs::exists(out.path() / "pruned"));
  ASSERT_FALSE(fractions.empty());
  for (size_t i = 1; i < fractions.size(); ++i) EXPECT_GE(fractions[i], fractions[i - 1] - 1e-12);
  EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  CompressReport loaded = loadCompressReport(r.reportPath);
  ASSERT_TRUE(loaded.status) << loaded.status.message();
  EXPECT_EQ(loaded.notes, r.notes);
}

TEST(CompressModel, RefusesANonEmptyFolderAndBadOptionsWritingNothing) {
  const Fixture& f = fixture();
  TempDir out("compress-refuse");
  fs::create_directories(out.path());
  std::ofstream(out.path() / "keep.txt") << "mine";
  CompressReport r = compressModel(f.project, quickOptions(out.str()));
  ASSERT_FALSE(r.status);
  EXPECT_NE(r.status.message().find("not empty"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find(out.str()), std::string::npos) << r.status.message();
  EXPECT_EQ(std::distance(fs::directory_iterator(out.path()), fs::directory_iterator()), 1);

  struct Case {
    std::function<void(CompressOptions&)> change;
    const char* fragment;
  };
  const Case cases[] = {
      {[](CompressOptions& o) { o.checkpoint.clear(); }, "no checkpoint"},
      {[](CompressOptions& o) { o.outDir.clear(); }, "no output folder"},
      {[](CompressOptions& o) { o.pruneFraction = 1.0; }, "prune fraction"},
      {[](CompressOptions& o) { o.pruneFraction = -0.1; }, "prune fraction"},
      {[](CompressOptions& o) { o.pruneFraction = std::nan(""); }, "prune fraction"},
      {[](CompressOptions& o) { o.fineTuneEpochs = 1; }, "give a prune fraction or a sparsity"},
      {[](CompressOptions& o) { o.sparsity = 1.0; }, "sparsity"},
      {[](CompressOptions& o) { o.sparsity = -0.5; }, "sparsity"},
      {[](CompressOptions& o) { o.sparsity = std::nan(""); }, "sparsity"},
      {[](CompressOptions& o) { o.benchmarkSeconds = 0; }, "benchmark seconds"},
      {[](CompressOptions& o) { o.checkpoint = "/no/such/best.pt"; }, "/no/such/best.pt"},
  };
  for (const Case& c : cases) {
    TempDir fresh("compress-bad");
    CompressOptions o = quickOptions(fresh.str());
    c.change(o);
    CompressReport bad = compressModel(f.project, o);
    ASSERT_FALSE(bad.status) << c.fragment;
    EXPECT_NE(bad.status.message().find(c.fragment), std::string::npos) << bad.status.message();
    EXPECT_FALSE(fs::exists(fresh.path())) << c.fragment << ": nothing is written, not even the folder";
  }
}

TEST(CompressModel, CancelStopsAtEachStageWithoutAReport) {
  const Fixture& f = fixture();
  // Cancel as soon as a stage containing `at` is reported (fine-tuning: inside the trainer).
  for (const char* at : {"loading", "pruning", "fine-tuning the pruned model: epoch", "zeroing the smallest",
                         "fine-tuning the sparse model: epoch", "evaluating int8", "measuring the latency of pruned"}) {
    SCOPED_TRACE(at);
    TempDir out("compress-cancel");
    CompressOptions o = quickOptions(out.str());
    o.pruneFraction = 0.5;
    o.sparsity = 0.5;
    o.fineTuneEpochs = 1;
    o.quantize = QuantizeMode::DynamicInt8;
    bool stop = false;
    auto started = std::chrono::steady_clock::now();
    CompressReport r = compressModel(
        f.project, o, [&](const std::string& stage, double) { stop = stop || stage.find(at) != std::string::npos; },
        [&] { return stop; });
    EXPECT_TRUE(stop);
    ASSERT_FALSE(r.status);
    EXPECT_EQ(r.status.message(), "cancelled");
    EXPECT_TRUE(r.variants.empty());
    EXPECT_FALSE(fs::exists(out.path() / "report.json"));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
  }
}

TEST(ArchiveEval, MatchesTheCheckpointAndRefusesDataOfAnotherShape) {
  const Fixture& f = fixture();
  TempDir out("archive-eval");
  fs::create_directories(out.path());
  const std::string archive = (out.path() / "m.pt").string();
  ExportOptions eo;
  eo.checkpoint = f.checkpoint;
  ASSERT_TRUE(exportTorchScript(f.project, archive, eo));
  EvalResult direct = evaluateCheckpoint(f.project, f.checkpoint);
  ASSERT_TRUE(direct.ok) << direct.error;

  // Preloaded data, several limits and batch sizes: the same figure as evaluateCheckpoint for all.
  DatasetLoad load = loadDataset(f.project.data);
  ASSERT_TRUE(load.ok()) << load.error;
  auto data = std::make_shared<const Dataset>(std::move(*load.dataset));
  for (int64_t batch : {1, 7, 128}) {
    Project p = f.project;
    p.training.evalBatchSize = batch;
    ArchiveEval e = evaluateArchive(archive, p, data);
    ASSERT_TRUE(e.status) << e.status.message();
    EXPECT_EQ(e.split, "test");
    EXPECT_EQ(e.samples, 120);
    EXPECT_NEAR(e.accuracy, direct.accuracy, 1e-6) << batch;
  }
  ArchiveEval limited = evaluateArchive(archive, f.project, data, 10);
  ASSERT_TRUE(limited.status);
  EXPECT_EQ(limited.samples, 10);
  EXPECT_NEAR(limited.accuracy * 10, std::round(limited.accuracy * 10), 1e-9);

  // No test split: the validation split, as evaluateCheckpoint uses.
  auto noTest = std::make_shared<Dataset>(*data);
  noTest->testInputs = torch::Tensor();
  noTest->testTargets = torch::Tensor();
  ArchiveEval validation = evaluateArchive(archive, f.project, noTest);
  EvalResult directValidation = evaluateCheckpoint(f.project, f.checkpoint, noTest);
  ASSERT_TRUE(validation.status) << validation.status.message();
  EXPECT_EQ(validation.split, "validation");
  EXPECT_EQ(validation.samples, directValidation.samples);
  EXPECT_NEAR(validation.accuracy, directValidation.accuracy, 1e-6);

  // Data the model does not take: a message naming the archive and both shapes.
  auto wrong = std::make_shared<Dataset>(*data);
  wrong->testInputs = torch::zeros({4, 1, 6, 6}, torch::kUInt8);
  wrong->testTargets = torch::zeros({4}, torch::kLong);
  wrong->sampleShape = TensorShape{{1, 6, 6}, DType::Float32, 0};
  ArchiveEval refused = evaluateArchive(archive, f.project, wrong);
  ASSERT_FALSE(refused.status);
  EXPECT_NE(refused.status.message().find("[1, 8, 8]"), std::string::npos) << refused.status.message();
  EXPECT_NE(refused.status.message().find("[1, 6, 6]"), std::string::npos) << refused.status.message();

  // Missing or damaged archive; cancellation.
  ArchiveEval missing = evaluateArchive((out.path() / "none.pt").string(), f.project, data);
  ASSERT_FALSE(missing.status);
  EXPECT_NE(missing.status.message().find("none.pt"), std::string::npos) << missing.status.message();
  ArchiveEval cancelled = evaluateArchive(archive, f.project, data, 0, [] { return true; });
  ASSERT_FALSE(cancelled.status);
  EXPECT_EQ(cancelled.status.message(), "cancelled");
}

TEST(CompressReportJson, BadReportsAreRefusedNamingTheJsonPath) {
  CompressReport good;
  CompressVariant v;
  v.name = "fp32";
  v.archive = "fp32.pt";
  v.testAccuracy = 0.9;
  v.fileBytes = 1000;
  CompressVariant sparse = v;
  sparse.name = "sparse";
  sparse.archive = "sparse.pt";
  sparse.sparsity = 0.8;
  sparse.compressedBytes = 400;
  good.variants = {v, sparse};
  good.notes = {"a note"};
  const std::string text = compressReportJson(good);
  CompressReport back = parseCompressReport(text);
  ASSERT_TRUE(back.status) << back.status.message();
  EXPECT_EQ(compressReportJson(back), text);
  EXPECT_EQ(back.notes, good.notes);
  ASSERT_EQ(back.variants.size(), 2u);
  EXPECT_EQ(back.variants[1].sparsity, 0.8);
  EXPECT_EQ(back.variants[1].compressedBytes, 400);
  // A report written before the sparse variant (no compressed_bytes, no sparsity) still reads.
  CompressReport old = parseCompressReport(
      R"({"format": "neuralcanvas-compress-report", "version": 1, "variants": [{"name": "fp32", "archive": "fp32.pt",
          "file_bytes": 1000, "test_accuracy": 0.9}]})");
  ASSERT_TRUE(old.status) << old.status.message();
  ASSERT_EQ(old.variants.size(), 1u);
  EXPECT_EQ(old.variants[0].sparsity, 0);
  EXPECT_EQ(old.variants[0].compressedBytes, 0);
  EXPECT_NE(compressReportTable(old).find("-"), std::string::npos);

  struct Case {
    std::string json, fragment;
  };
  const std::string head = R"({"format": "neuralcanvas-compress-report", "version": 1, )";
  const Case cases[] = {
      {"", "not a compression report"},
      {"[1, 2]", "/: expected an object"},
      {R"({"format": "neuralcanvas-project", "version": 1, "variants": []})", "/format"},
      {R"({"format": "neuralcanvas-compress-report", "version": 9, "variants": []})", "/version"},
      {head + R"("variants": {}})", "/variants: expected an array"},
      {head + R"("variants": [3]})", "/variants/0: expected an object"},
      {head + R"("variants": [{"archive": "a.pt"}]})", "/variants/0/name"},
      {head + R"("variants": [{"name": "x"}]})", "/variants/0/archive"},
      {head + R"("variants": [{"name": "x", "archive": "a.pt", "file_bytes": -1}]})", "/variants/0/file_bytes"},
      {head + R"("variants": [{"name": "x", "archive": "a.pt", "flops": 1.5}]})", "/variants/0/flops"},
      {head + R"("variants": [{"name": "x", "archive": "a.pt", "test_accuracy": 2}]})", "/variants/0/test_accuracy"},
      {head + R"("variants": [{"name": "x", "archive": "a.pt", "latency_ms_batch1": "fast"}]})",
       "/variants/0/latency_ms_batch1"},
      {head + R"("variants": [{"name": 5, "archive": "a.pt"}]})", "/variants/0/name"},
      {head + R"("variants": [], "notes": [1]})", "/notes/0"},
      {head + R"("variants": [{"name": "x", "archive": "a.pt", "sparsity": 1.5}]})", "/variants/0/sparsity"},
      {head + R"("variants": [{"name": "x", "archive": "a.pt", "compressed_bytes": -3}]})", "/variants/0/compressed_bytes"},
      {head + R"("variants": [], "eval_samples": "many"})", "/eval_samples"},
      {std::string(200, '[') + std::string(200, ']'), "not a compression report"},
  };
  for (const Case& c : cases) {
    CompressReport r = parseCompressReport(c.json);
    ASSERT_FALSE(r.status) << c.json;
    EXPECT_NE(r.status.message().find(c.fragment), std::string::npos) << c.json << "\n" << r.status.message();
    EXPECT_TRUE(r.variants.empty());
  }
  TempDir dir("compress-load");
  fs::create_directories(dir.path());
  ASSERT_TRUE(writeFileAtomic(dir.str("report.json"), "{broken"));
  CompressReport r = loadCompressReport(dir.str("report.json"));
  ASSERT_FALSE(r.status);
  EXPECT_NE(r.status.message().find(dir.str("report.json")), std::string::npos) << r.status.message();
  EXPECT_FALSE(loadCompressReport(dir.str("none.json")).status);
}

struct CliRun {
  int exitCode = -1;
  std::string output;
};

CliRun runCli(const std::string& args) {
  int status = 0;
  CliRun r;
  r.output = runCommand(std::string(NC_CLI_PATH) + " " + args, &status);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(CliCompress, PrintsTheComparisonTableAndWritesTheReport) {
  const Fixture& f = fixture();
  TempDir out("cli-compress");
  CliRun r = runCli("compress " + f.projectFile + " --checkpoint " + f.checkpoint +
                     " --prune 0.5 --sparsity 0.5 --fine-tune 1 --quantize dynamic-int8 --seconds 0.02 --threads 1 --out " +
                    out.str());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  for (const char* s : {"variant", "accuracy", "change", "size", "FLOPs", "b1 ms", "b32 ms", "fp32", "int8",
                        "pruned-int8", "fine-tuned 1 epoch", "report: ", "pruned project: ", "100%", "sparse-int8",
                        "gzip", "zeros", "50.0%", "neither smaller nor faster"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
  CompressReport report = loadCompressReport(out.str("report.json"));
  ASSERT_TRUE(report.status) << report.status.message();
  ASSERT_EQ(report.variants.size(), 6u);
  EXPECT_GE(report.variants[4].sparsity, 0.5 - 1e-4);

  // Refusals: a non-empty folder (1), usage mistakes (64), an unreadable project (2).
  CliRun again = runCli("compress " + f.projectFile + " --checkpoint " + f.checkpoint + " --out " + out.str());
  EXPECT_EQ(again.exitCode, 1) << again.output;
  EXPECT_NE(again.output.find("not empty"), std::string::npos) << again.output;
  for (const std::string& args :
       {"compress " + f.projectFile + " --checkpoint " + f.checkpoint,  // no --out
        "compress " + f.projectFile + " --checkpoint c --out o --quantize int4",
        "compress " + f.projectFile + " --checkpoint c --out o --sparsity 1",
        "compress " + f.projectFile + " --checkpoint c --out o --fine-tune 1"}) {  // fine-tuning needs pruning
    CliRun u = runCli(args);
    EXPECT_EQ(u.exitCode, 64) << args << "\n" << u.output;
    EXPECT_TRUE(u.output.find("error") != std::string::npos || u.output.find("usage:") != std::string::npos)
        << args << "\n" << u.output;
  }
  CliRun help = runCli("compress --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.output.find("usage: neuralcanvas-cli compress PROJECT"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("--sparsity S"), std::string::npos) << help.output;
  CliRun missing = runCli("compress /no/such/project.json --checkpoint c --out " + out.str("x"));
  EXPECT_EQ(missing.exitCode, 2) << missing.output;
}

}  // namespace
}  // namespace nc::test::compression_test

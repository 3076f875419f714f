// Exported archives are checked before use (issue 10, item 15): the file's SHA-256 beside it
// (MODEL.pt.sha256, sha256sum's format) and the weights' SHA-256 inside meta.json; a damaged
// archive is a clear error naming it. meta.json is valid JSON whatever bytes the class names hold
// (item 1): a byte-level char model trained on accented UTF-8 text exports to both formats.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../GraphTestUtil.h"
#include "../ScratchDir.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/Project.h"
#include "core/Sha256.h"
#include "core/export/PythonExporter.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"
#include "core/training/Trainer.h"

namespace nc::test::archive_integrity_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

fs::path scratch() { return processScratchDir("integrity"); }

std::string readBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

Project smallProject() {
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{1, 8, 8}}});
  NodeId conv = b.add("Conv2d", {{"out_channels", int64_t{4}}, {"kernel_size", int64_t{3}}});
  NodeId flat = b.add("Flatten");
  NodeId lin = b.add("Linear", {{"out_features", int64_t{3}}});
  NodeId out = b.add("Output");
  b.link(in, conv);
  b.link(conv, flat);
  b.link(flat, lin);
  b.link(lin, out);
  Project p;
  p.name = "small";
  p.graph = b.graph;
  return p;
}

std::string metaJson(const std::string& archive) {
  torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", ""}};
  torch::jit::load(archive, torch::kCPU, extra);
  return extra["neuralcanvas/meta.json"];
}

TEST(ArchiveIntegrity, ExportRecordsFileAndWeightChecksums) {
  Project p = smallProject();
  fs::path archive = scratch() / "small.pt";
  ExportOptions options;
  options.classNames = {"a", "b", "c"};
  ASSERT_TRUE(exportTorchScript(p, archive.string(), options).ok());
  ASSERT_TRUE(fs::exists(archiveChecksumPath(archive.string())));
  std::string sidecar = readBytes(archiveChecksumPath(archive.string()));
  EXPECT_EQ(sidecar, sha256File(archive.string()) + "  small.pt\n");
  int status = 0;
  std::string out = runCommand("cd " + scratch().string() + " && sha256sum -c small.pt.sha256", &status);
  EXPECT_EQ(status, 0) << out;
  JsonParse meta = parseJson(metaJson(archive.string()));
  ASSERT_TRUE(meta.ok()) << meta.error;
  ASSERT_TRUE(meta.value.contains("weights_sha256"));
  EXPECT_EQ(meta.value["weights_sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(verifyArchive(archive.string()).ok()) << verifyArchive(archive.string()).message();
  // No temporary files left beside it.
  for (const auto& e : fs::directory_iterator(scratch()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST(ArchiveIntegrity, FlippedBytesAnywhereAreAClearErrorNamingTheFile) {
  Project p = smallProject();
  fs::path archive = scratch() / "flip_src.pt";
  ExportOptions options;
  options.classNames = {"a", "b", "c"};
  ASSERT_TRUE(exportTorchScript(p, archive.string(), options).ok());
  const std::string good = readBytes(archive);
  const std::string sidecar = readBytes(archiveChecksumPath(archive.string()));
  int cases = 0;
  for (size_t count : {1u, 8u, 64u})
    for (double where : {0.0, 0.01, 0.3, 0.5, 0.7, 0.99}) {
      std::string bad = good;
      size_t at = std::min(size_t(where * double(bad.size())), bad.size() - count);
      for (size_t i = 0; i < count; ++i) bad[at + i] = char(bad[at + i] ^ 0x5A);
      fs::path damaged = scratch() / ("flip_" + std::to_string(cases++) + ".pt");
      writeBytes(damaged, bad);
      writeBytes(archiveChecksumPath(damaged.string()), sidecar);
      Status s = verifyArchive(damaged.string());
      ASSERT_FALSE(s.ok()) << count << " bytes at " << at;
      EXPECT_NE(s.message().find(damaged.string()), std::string::npos) << s.message();
      EXPECT_NE(s.message().find("damaged"), std::string::npos) << s.message();
      ProjectLoad imported = importProjectFromArchive(damaged.string());
      EXPECT_FALSE(imported.ok());
      EXPECT_NE(imported.error.find(damaged.string()), std::string::npos) << imported.error;
    }
}

TEST(ArchiveIntegrity, ChangedWeightsAreCaughtEvenWithoutTheChecksumFile) {
  // The archive alone (its .sha256 not copied along): the weights' digest inside meta.json still
  // catches a changed weight. The first parameter's bytes are found in the file and one flipped.
  Project p = smallProject();
  fs::path archive = scratch() / "alone.pt";
  ExportOptions options;
  options.classNames = {"a"};
  ASSERT_TRUE(exportTorchScript(p, archive.string(), options).ok());
  fs::remove(archiveChecksumPath(archive.string()));
  EXPECT_TRUE(verifyArchive(archive.string()).ok());
  torch::jit::Module m = torch::jit::load(archive.string());
  torch::Tensor w;
  for (const auto& param : m.named_parameters(false))
    if (param.value.numel() >= 16) {
      w = param.value.contiguous();
      break;
    }
  ASSERT_TRUE(w.defined());
  std::string needle(static_cast<const char*>(w.data_ptr()), 64);
  std::string bytes = readBytes(archive);
  size_t at = bytes.find(needle);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 5] = char(bytes[at + 5] ^ 0x01);
  fs::path changed = scratch() / "alone_changed.pt";
  writeBytes(changed, bytes);
  Status s = verifyArchive(changed.string());
  ASSERT_FALSE(s.ok()) << "a changed weight was accepted";
  EXPECT_NE(s.message().find(changed.string()), std::string::npos) << s.message();
  // Missing files and non-archives are named too.
  Status missing = verifyArchive((scratch() / "nope.pt").string());
  EXPECT_NE(missing.message().find("nope.pt"), std::string::npos);
  fs::path junk = scratch() / "junk.pt";
  writeBytes(junk, "not an archive");
  Status notArchive = verifyArchive(junk.string());
  EXPECT_NE(notArchive.message().find("junk.pt: not a TorchScript archive"), std::string::npos) << notArchive.message();
}

struct Quiet : TrainingObserver {};

TEST(ArchiveIntegrity, ByteLevelCharModelOnAccentedTextExportsToBothFormats) {
  fs::path text = scratch() / "accents.txt";
  {
    std::ofstream out(text, std::ios::binary);
    for (int i = 0; i < 300; ++i) out << "le caf\xC3\xA9 est tr\xC3\xA8s bon ";
  }
  ProjectLoad load = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/char_lstm.json");
  ASSERT_TRUE(load.ok()) << load.error;
  Project p = *load.project;
  p.name = "caf\xC3\xA9 \xFF model";  // not even valid UTF-8
  p.data.path = text.string();
  p.data.limit = 256;
  p.training.epochs = 1;
  p.training.threads = 1;
  TrainJob job;
  job.project = p;
  job.runDirectory = (scratch() / "char_run").string();
  Quiet quiet;
  TrainingControl control;
  RunResult r = runTraining(job, quiet, control);
  ASSERT_EQ(r.status, RunStatus::Completed) << r.message;
  ExportOptions options;
  options.checkpoint = (scratch() / "char_run" / "checkpoints" / "last.pt").string();
  fs::path archive = scratch() / "char.pt";
  Status s = exportTorchScript(p, archive.string(), options);  // class names read from the text
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(verifyArchive(archive.string()).ok());
  JsonParse meta = parseJson(metaJson(archive.string()));
  ASSERT_TRUE(meta.ok()) << meta.error;
  EXPECT_TRUE(isValidUtf8(metaJson(archive.string())));
  ASSERT_TRUE(meta.value.contains("vocabulary_bytes"));
  std::vector<int> vocab = meta.value["vocabulary_bytes"].get<std::vector<int>>();
  EXPECT_NE(std::find(vocab.begin(), vocab.end(), 0xC3), vocab.end());
  EXPECT_NE(std::find(vocab.begin(), vocab.end(), 0xA9), vocab.end());
  EXPECT_EQ(meta.value["class_names"].size(), vocab.size());
  ProjectLoad back = importProjectFromArchive(archive.string());
  ASSERT_TRUE(back.ok()) << back.error;

  fs::path source = scratch() / "char.py";
  s = exportPython(p, source.string(), options);
  ASSERT_TRUE(s.ok()) << s.message();
  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + source.string(), &status);  // its __main__ runs a batch
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("torch.Size([2, 64, 128])"), std::string::npos) << out;
}

}  // namespace
}  // namespace nc::test::archive_integrity_test

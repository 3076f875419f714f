// peekDataset (shape and classes from headers, cached) and checkAgainstDataset (the graph's Input
// and output against them, with fixes).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "ReaderTestUtil.h"
#include "core/Project.h"
#include "core/data/DatasetInfo.h"

namespace nc::test::readers::dataset_info_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

DataConfig config(const std::string& kind, const std::string& path) {
  DataConfig c;
  c.kind = kind;
  c.path = path;
  return c;
}

/// The peek agrees with what training reads (loadDataset): sample shape, dtype, vocabulary, classes.
void expectSameAsLoad(const DataConfig& c, const std::string& what) {
  DatasetInfo info = peekDataset(c);
  ASSERT_TRUE(info.ok) << what << ": " << info.error;
  DatasetLoad load = loadDataset(c);
  ASSERT_TRUE(load.ok()) << what << ": " << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(info.sampleShape, d.sampleShape.dims) << what;
  EXPECT_EQ(info.dtype, d.sampleShape.dtype) << what;
  EXPECT_EQ(info.vocab, d.sampleShape.vocab) << what;
  EXPECT_EQ(info.classes, d.numClasses()) << what;
  EXPECT_EQ(info.classNames, d.classNames) << what;
  EXPECT_EQ(info.nextToken, d.task == Task::NextToken) << what;
  EXPECT_EQ(info.trainSamples, d.trainInputs.size(0)) << what;
}

Project loadTemplate(const std::string& name) {
  ProjectLoad l = loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json");
  EXPECT_TRUE(l.ok()) << l.error;
  return *l.project;
}

NodeId nodeNamed(const Graph& g, const std::string& name) {
  for (const auto& [id, n] : g.nodes())
    if (n.name == name) return id;
  return -1;
}

DatasetInfo fashionInfo() {
  DatasetInfo info;
  info.ok = true;
  info.sampleShape = {1, 28, 28};
  info.classes = 10;
  return info;
}

}  // namespace

TEST(DatasetInfo, FashionMnistFromItsHeaders) {
  const std::string folder = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(folder)) GTEST_SKIP() << folder << " is not installed";
  DatasetInfo info = peekDataset(config("idx", folder));
  ASSERT_TRUE(info.ok) << info.error;
  EXPECT_EQ(info.sampleShape, (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(info.classes, 10);
  ASSERT_EQ(info.classNames.size(), 10u);
  EXPECT_EQ(info.classNames[0], "T-shirt/top");
  EXPECT_EQ(info.trainSamples, 60000);
  EXPECT_EQ(info.dtype, DType::Float32);
  EXPECT_FALSE(info.nextToken);
  EXPECT_NE(info.summary.find("Fashion-MNIST: [1, 28, 28], 10 classes"), std::string::npos) << info.summary;
}

TEST(DatasetInfo, EveryKindAgreesWithWhatTrainingReads) {
  TempDir dir("peek");
  // IDX, raw and gzip, with a label beyond 9 (11 classes) and 2 x 3 images.
  for (bool gzip : {false, true}) {
    fs::path folder = dir / (gzip ? "idx-gz" : "idx");
    auto write = gzip ? writeGzip : writeBytes;
    const std::string ext = gzip ? ".gz" : "";
    write(folder / ("train-images-idx3-ubyte" + ext), idxImages(4, 2, 3));
    write(folder / ("train-labels-idx1-ubyte" + ext), idxLabels({0, 7, 10, 3}));
    expectSameAsLoad(config("idx", folder.string()), gzip ? "idx gzip" : "idx");
    EXPECT_EQ(peekDataset(config("idx", folder.string())).classes, 11);
  }
  // CIFAR-10: two records, a class list of 3.
  {
    ByteVector batch;
    for (uint8_t label : {2, 0}) {
      batch.push_back(label);
      batch.insert(batch.end(), 3 * 32 * 32, label);
    }
    writeBytes(dir / "cifar" / "data_batch_1.bin", batch);
    writeText(dir / "cifar" / "batches.meta.txt", "cat\n\ndog\nbird\n");
    expectSameAsLoad(config("cifar10", (dir / "cifar").string()), "cifar10");
  }
  // CSV: named label column of strings; numeric labels where "1" and "1.0" are one class;
  // label by index without a header; semicolons and quotes.
  {
    writeText(dir / "s.csv", "x,y,label\n1,2,dog\n3,4,cat\n\n5,6,bird\n7,8,cat\n");
    expectSameAsLoad(config("csv", (dir / "s.csv").string()), "csv strings");
    writeText(dir / "n.csv", "a;b;c;label\n1;2;3;2\n1;2;3;1.0\n1;2;3;1\n1;2;3;10\n");
    expectSameAsLoad(config("csv", (dir / "n.csv").string()), "csv numbers");
    EXPECT_EQ(peekDataset(config("csv", (dir / "n.csv").string())).classNames,
              (std::vector<std::string>{"1.0", "2", "10"}));
    writeText(dir / "i.csv", "0.5,\"a,b\",1\n0.25,x,2\n");  // a quoted label holding the separator
    DataConfig byIndex = config("csv", (dir / "i.csv").string());
    byIndex.labelColumn = "1";
    expectSameAsLoad(byIndex, "csv by index");
  }
  // Image folder: train/test split, resized, grey.
  {
    writeBytes(dir / "img" / "train" / "zebra" / "a.png", solidPng(8, 6, {10, 200, 30}));
    writeBytes(dir / "img" / "train" / "ant" / "b.png", solidPng(3, 3, {90}));
    writeBytes(dir / "img" / "train" / ".hidden" / "c.png", solidPng(3, 3, {90}));
    writeBytes(dir / "img" / "test" / "ant" / "d.png", solidPng(3, 3, {90}));
    DataConfig images = config("image-folder", (dir / "img").string());
    images.imageSize = {12, 7};
    images.channels = 1;
    DatasetInfo info = peekDataset(images);
    ASSERT_TRUE(info.ok) << info.error;
    EXPECT_EQ(info.sampleShape, (std::vector<int64_t>{1, 12, 7}));
    EXPECT_EQ(info.classNames, (std::vector<std::string>{"ant", "zebra"}));
    DatasetLoad load = loadDataset(images);
    ASSERT_TRUE(load.ok()) << load.error;
    EXPECT_EQ(info.sampleShape, load.dataset->sampleShape.dims);
    EXPECT_EQ(info.classNames, load.dataset->classNames);
    EXPECT_EQ(info.trainSamples, -1) << "image files are not counted by a peek";
  }
  // Text: tokens, vocabulary = distinct bytes (one non-ASCII).
  {
    writeText(dir / "t.txt", "hello world, hello caf\xE9!\n");
    DataConfig text = config("text", (dir / "t.txt").string());
    text.sequenceLength = 5;
    expectSameAsLoad(text, "text");
  }
}

TEST(DatasetInfo, ErrorsNameTheFileLikeTheReaders) {
  TempDir dir("peek-errors");
  struct Case {
    DataConfig config;
    std::string mention;
  };
  DataConfig shortText = config("text", (dir / "short.txt").string());
  writeText(dir / "short.txt", "abc");
  writeText(dir / "nolabel.csv", "x,y\n1,2\n");
  writeText(dir / "ragged.csv", "x,label\n1,a\n2\n");
  writeBytes(dir / "badmagic" / "train-images-idx3-ubyte", idxImages(2, 2, 2, 1234));
  writeBytes(dir / "badmagic" / "train-labels-idx1-ubyte", idxLabels({0, 1}));
  writeBytes(dir / "count" / "train-images-idx3-ubyte", idxImages(3, 2, 2));
  writeBytes(dir / "count" / "train-labels-idx1-ubyte", idxLabels({0, 1}));
  writeBytes(dir / "testlabel" / "train-images-idx3-ubyte", idxImages(2, 2, 2));
  writeBytes(dir / "testlabel" / "train-labels-idx1-ubyte", idxLabels({0, 1}));
  writeBytes(dir / "testlabel" / "t10k-images-idx3-ubyte", idxImages(1, 2, 2));
  writeBytes(dir / "testlabel" / "t10k-labels-idx1-ubyte", idxLabels({12}));
  writeBytes(dir / "testsize" / "train-images-idx3-ubyte", idxImages(2, 2, 2));
  writeBytes(dir / "testsize" / "train-labels-idx1-ubyte", idxLabels({0, 1}));
  writeBytes(dir / "testsize" / "t10k-images-idx3-ubyte", idxImages(1, 3, 2));
  writeBytes(dir / "testsize" / "t10k-labels-idx1-ubyte", idxLabels({1}));
  fs::create_directories(dir / "noclasses");
  for (const Case& c : std::vector<Case>{
           {config("idx", (dir / "missing").string()), "missing: folder not found"},
           {config("idx", dir.str()), "train-images-idx3-ubyte[.gz]: file not found"},
           {config("idx", (dir / "badmagic").string()), "badmagic/train-images-idx3-ubyte"},
           {config("idx", (dir / "count").string()), "has 2 labels but"},
           {config("idx", (dir / "testlabel").string()), "t10k-labels-idx1-ubyte: label 12 is out of range for 10 classes"},
           {config("idx", (dir / "testsize").string()), "test images are [1, 3, 2] but training images are [1, 2, 2]"},
           {config("cifar10", dir.str()), "data_batch_1.bin: file not found"},
           {config("csv", (dir / "nolabel.csv").string()), "no column named 'label'"},
           {config("csv", (dir / "ragged.csv").string()), "ragged.csv line 3: 1 columns, expected 2"},
           {config("image-folder", (dir / "noclasses").string()), "no class subfolders"},
           {shortText, "text too short"},
           {config("parquet", dir.str()), "unknown data kind 'parquet'"},
           {config("idx", "  "), "the data path is empty"}}) {
    DatasetInfo info = peekDataset(c.config);
    EXPECT_FALSE(info.ok) << c.mention;
    EXPECT_FALSE(loadDataset(c.config).ok()) << c.mention << ": training refuses it too";
    EXPECT_NE(info.error.find(c.mention), std::string::npos) << c.mention << " is not in: " << info.error;
    // checkAgainstDataset says nothing about data it could not read
    Project p = loadTemplate("cnn");
    EXPECT_TRUE(checkAgainstDataset(p.graph, analyze(p.graph), info).empty());
  }
}

TEST(DatasetInfo, CachedUntilAFileChangesAndRelativeToTheProject) {
  TempDir dir("peek-cache");
  writeText(dir / "d.csv", "x,label\n1,a\n2,b\n");
  const DataConfig relative = config("csv", "d.csv");
  const uint64_t before = peekDatasetReadCount();
  DatasetInfo first = peekDataset(relative, dir.str());
  ASSERT_TRUE(first.ok) << first.error;
  EXPECT_EQ(first.classes, 2);
  EXPECT_EQ(peekDatasetReadCount(), before + 1);
  for (int i = 0; i < 5; ++i) {
    DatasetInfo again = peekDataset(relative, dir.str());
    EXPECT_EQ(again.classNames, first.classNames);
    EXPECT_EQ(again.summary, first.summary);
  }
  EXPECT_EQ(peekDataset(config("csv", (dir / "d.csv").string())).classes, 2);  // the same file, absolute
  EXPECT_EQ(peekDatasetReadCount(), before + 1) << "answered from the cache without reading";
  // Settings that do not change the data's look (limit, seed) share the entry; the label column does not.
  DataConfig limited = relative;
  limited.limit = 1;
  limited.seed = 7;
  peekDataset(limited, dir.str());
  EXPECT_EQ(peekDatasetReadCount(), before + 1);
  DataConfig byIndex = relative;
  byIndex.labelColumn = "0";
  EXPECT_EQ(peekDataset(byIndex, dir.str()).classes, 2);  // x = 1, 2
  EXPECT_EQ(peekDatasetReadCount(), before + 2);

  // A changed file (new size) is read again.
  writeText(dir / "d.csv", "x,label\n1,a\n2,b\n3,c\n");
  EXPECT_EQ(peekDataset(relative, dir.str()).classes, 3);
  EXPECT_EQ(peekDatasetReadCount(), before + 3);
  // Same size, new modification time: read again too.
  writeText(dir / "d.csv", "x,label\n1,a\n2,b\n3,d\n");
  fs::last_write_time(dir / "d.csv", fs::last_write_time(dir / "d.csv") + std::chrono::seconds(5));
  EXPECT_EQ(peekDataset(relative, dir.str()).classNames, (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(peekDatasetReadCount(), before + 4);

  // A class folder added to an image folder, and a missing file that appears.
  writeBytes(dir / "img" / "a" / "1.png", solidPng(2, 2, {1}));
  DataConfig images = config("image-folder", (dir / "img").string());
  EXPECT_EQ(peekDataset(images).classes, 1);
  writeBytes(dir / "img" / "b" / "1.png", solidPng(2, 2, {1}));
  EXPECT_EQ(peekDataset(images).classes, 2);
  DataConfig idx = config("idx", (dir / "idx").string());
  EXPECT_FALSE(peekDataset(idx).ok);
  writeBytes(dir / "idx" / "train-images-idx3-ubyte", idxImages(2, 2, 2));
  writeBytes(dir / "idx" / "train-labels-idx1-ubyte", idxLabels({0, 1}));
  EXPECT_TRUE(peekDataset(idx).ok);

  // Many threads at once (the GUI peeks off its thread): all get the same answer.
  clearDatasetInfoCache();
  std::vector<std::thread> threads;
  std::vector<int64_t> classes(8, -1);
  for (size_t t = 0; t < classes.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) classes[t] = peekDataset(i % 2 ? images : relative, dir.str()).classes;
    });
  for (auto& th : threads) th.join();
  for (int64_t c : classes) EXPECT_EQ(c, 2);  // each thread's last peek (i = 19) is the image folder
}

TEST(DatasetCheck, WrongClassCountIsOnTheClassifierWithAOneClickFix) {
  Project p = loadTemplate("cnn");
  const NodeId classifier = nodeNamed(p.graph, "classifier");
  ASSERT_GE(classifier, 0);
  EXPECT_TRUE(checkAgainstDataset(p.graph, analyze(p.graph), fashionInfo()).empty()) << "a correct graph";

  ASSERT_TRUE(p.graph.setParam(classifier, "out_features", int64_t{5}));
  std::vector<DatasetIssue> issues = checkAgainstDataset(p.graph, analyze(p.graph), fashionInfo());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].node, classifier);
  EXPECT_EQ(issues[0].message, "outputs 5 classes but the data has 10");
  ASSERT_TRUE(issues[0].fix.has_value());
  EXPECT_EQ(issues[0].fix->first, "out_features");
  EXPECT_EQ(issues[0].fix->second, ParamValue(int64_t{10}));
  EXPECT_EQ(issues[0].fixText, "set classifier.out_features to 10");
  EXPECT_EQ(describeDatasetIssue(p.graph, issues[0]),
            "classifier: outputs 5 classes but the data has 10: set classifier.out_features to 10");
  // Applying the fix resolves it.
  ASSERT_TRUE(p.graph.setParam(classifier, issues[0].fix->first, issues[0].fix->second));
  EXPECT_TRUE(checkAgainstDataset(p.graph, analyze(p.graph), fashionInfo()).empty());

  // More classes than a Linear may have: the problem is reported, the fix is not offered.
  DatasetInfo huge = fashionInfo();
  huge.classes = int64_t(1) << 21;
  issues = checkAgainstDataset(p.graph, analyze(p.graph), huge);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_FALSE(issues[0].fix.has_value());
  EXPECT_NE(issues[0].fixText.find("outside what it accepts"), std::string::npos) << issues[0].fixText;
}

TEST(DatasetCheck, TheLinearIsFoundBehindShapeKeepingLayersAndTheInputShapeIsFixed) {
  // Input [4] -> Linear(3) -> Dropout -> Softmax -> Output, on 6-class data of [5] features.
  Graph g;
  NodeId in = *g.addNode("Input", 0, 0);
  ASSERT_TRUE(g.setParam(in, "shape", std::vector<int64_t>{4}));
  NodeId fc = *g.addNode("Linear", 0, 0);
  ASSERT_TRUE(g.setParam(fc, "out_features", int64_t{3}));
  NodeId drop = *g.addNode("Dropout", 0, 0);
  NodeId soft = *g.addNode("Softmax", 0, 0);
  NodeId out = *g.addNode("Output", 0, 0);
  ASSERT_TRUE(g.connect({in, 0}, {fc, 0}));
  ASSERT_TRUE(g.connect({fc, 0}, {drop, 0}));
  ASSERT_TRUE(g.connect({drop, 0}, {soft, 0}));
  ASSERT_TRUE(g.connect({soft, 0}, {out, 0}));
  DatasetInfo info;
  info.ok = true;
  info.sampleShape = {5};
  info.classes = 6;
  std::vector<DatasetIssue> issues = checkAgainstDataset(g, analyze(g), info);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].node, in);
  EXPECT_EQ(issues[0].message, "the data's samples are [5] but this Input declares [4]");
  EXPECT_EQ(issues[0].fix->first, "shape");
  EXPECT_EQ(issues[0].fix->second, ParamValue(std::vector<int64_t>{5}));
  EXPECT_EQ(issues[0].fixText, "set " + g.node(in)->name + ".shape to [5]");
  EXPECT_EQ(issues[1].node, fc);
  EXPECT_EQ(issues[1].fix->second, ParamValue(int64_t{6}));
  for (const DatasetIssue& issue : issues) {
    EXPECT_EQ(issue.message.find(g.node(issue.node)->name), std::string::npos) << "no doubled names: " << issue.message;
    ASSERT_TRUE(g.setParam(issue.node, issue.fix->first, issue.fix->second));
  }
  EXPECT_TRUE(checkAgainstDataset(g, analyze(g), info).empty());
}

TEST(DatasetCheck, TextDataChecksTokensVocabularyAndNextTokenOutputs) {
  Project p = loadTemplate("char_lstm");
  GraphAnalysis a = analyze(p.graph);
  ASSERT_TRUE(a.ok());
  const NodeId input = a.inputNode;
  const TensorShape in = *a.shapeOf(input);
  DatasetInfo text;
  text.ok = true;
  text.sampleShape = in.dims;
  text.dtype = DType::Int64;
  text.nextToken = true;
  text.vocab = text.classes = in.vocab;
  EXPECT_TRUE(checkAgainstDataset(p.graph, a, text).empty());
  text.vocab = text.classes = in.vocab - 10;  // fewer tokens than the model has room for: fine
  EXPECT_TRUE(checkAgainstDataset(p.graph, a, text).empty());
  text.vocab = text.classes = in.vocab + 1;
  std::vector<DatasetIssue> issues = checkAgainstDataset(p.graph, a, text);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].node, input);
  EXPECT_EQ(issues[0].fix->first, "vocab_size");
  EXPECT_NE(issues[1].message.find("values per token but the text has"), std::string::npos) << issues[1].message;
  EXPECT_EQ(issues[1].fix->first, "out_features");

  // Image data on a token model: the Input's dtype and shape are wrong.
  issues = checkAgainstDataset(p.graph, a, fashionInfo());
  ASSERT_GE(issues.size(), 2u);
  EXPECT_EQ(issues[0].fix->first, "dtype");
  EXPECT_EQ(issues[0].fix->second, ParamValue(std::string("float")));
  EXPECT_EQ(issues[1].fix->first, "shape");
  // The model outputs per position, not per sample: on the Output, without a fix.
  EXPECT_EQ(issues.back().node, a.outputNode);
  EXPECT_NE(issues.back().message.find("pool or flatten the sequence first"), std::string::npos);
  EXPECT_FALSE(issues.back().fix.has_value());
}

}  // namespace nc::test::readers::dataset_info_test

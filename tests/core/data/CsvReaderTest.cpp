#include <gtest/gtest.h>

#include "ReaderTestUtil.h"
#include "core/data/Dataset.h"

namespace nc::test::readers::csv_reader_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

std::vector<int64_t> targetsOf(const Dataset& d) {
  const int64_t* p = d.trainTargets.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + d.trainTargets.numel());
}

DatasetLoad readCsvText(const TempDir& dir, const std::string& text, const std::string& labelColumn = "label") {
  writeText(dir / "data.csv", text);
  return readCsv((dir / "data.csv").string(), labelColumn);
}

TEST(CsvReader, ReadsHeaderFeaturesAndStringLabels) {
  TempDir dir("csv");
  DatasetLoad load = readCsvText(dir, "width,label,height\n1.5,dog,2\n3,cat,-4e1\n5,dog,6\n");
  ASSERT_TRUE(load.ok()) << load.error;
  const Dataset& d = *load.dataset;
  EXPECT_EQ(d.trainInputs.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(d.trainInputs, torch::tensor({{1.5f, 2.f}, {3.f, -40.f}, {5.f, 6.f}})));
  EXPECT_EQ(d.classNames, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(targetsOf(d), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(d.sampleShape, (TensorShape{{2}, DType::Float32, 0}));
  EXPECT_FALSE(d.testInputs.defined());
  EXPECT_FALSE(d.testTargets.defined());
  EXPECT_FALSE(d.bytesToUnitRange());
  EXPECT_EQ(d.description, "data.csv (csv): 3 train, no test split, 2 classes");
}

TEST(CsvReader, SortsNumericLabelsNumerically) {
  TempDir dir("csv-numeric");
  DatasetLoad load = readCsvText(dir, "x,label\n0,10\n1,9\n2,2\n3,10.0\n");
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"2", "9", "10"}));
  EXPECT_EQ(targetsOf(*load.dataset), (std::vector<int64_t>{2, 1, 0, 2}));
}

TEST(CsvReader, TakesTheLabelColumnByIndexWithoutHeader) {
  TempDir dir("csv-index");
  DatasetLoad load = readCsvText(dir, "7,1,2\n8,3,4\n", "0");
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_TRUE(torch::equal(load.dataset->trainInputs, torch::tensor({{1.f, 2.f}, {3.f, 4.f}})));
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"7", "8"}));
}

TEST(CsvReader, TakesTheLabelColumnByIndexAndSkipsTheHeader) {
  TempDir dir("csv-index-header");
  DatasetLoad load = readCsvText(dir, "a,b,species\n1,2,setosa\n3,4,virginica\n", "2");
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.dataset->trainInputs.size(0), 2);
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"setosa", "virginica"}));
}

TEST(CsvReader, AcceptsSemicolonsQuotesAndWindowsLineEnds) {
  TempDir dir("csv-format");
  DatasetLoad load = readCsvText(dir, "\"f 1\";label\r\n\"0.5\";\"a;b\"\r\n\r\n2;c\r\n", "label");
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_TRUE(torch::equal(load.dataset->trainInputs, torch::tensor({{0.5f}, {2.f}})));
  EXPECT_EQ(load.dataset->classNames, (std::vector<std::string>{"a;b", "c"}));
}

TEST(CsvReader, RejectsNonNumericFeatureNamingLineAndColumn) {
  TempDir dir("csv-nan");
  std::string text = "a,b,c,label\n";
  for (int line = 2; line <= 6; ++line) text += "1,2,3,x\n";
  text += "1,2,abc,y\n";
  expectError(readCsvText(dir, text), {"data.csv line 7, column 3: 'abc' is not a number"});
}

TEST(CsvReader, RejectsNonFiniteFeature) {
  TempDir dir("csv-inf");
  expectError(readCsvText(dir, "a,label\n1,x\ninf,y\n"), {"data.csv line 3, column 1: 'inf' is not a finite number"});
}

TEST(CsvReader, RejectsRowWithADifferentNumberOfColumns) {
  TempDir dir("csv-columns");
  expectError(readCsvText(dir, "a,b,label\n1,2,x\n1,x\n"), {"data.csv line 3: 2 columns, expected 3"});
}

TEST(CsvReader, RejectsEmptyLabel) {
  TempDir dir("csv-emptylabel");
  expectError(readCsvText(dir, "a,label\n1,x\n2,\n"), {"data.csv line 3, column 2: empty label"});
}

TEST(CsvReader, RejectsUnknownLabelColumnListingTheColumns) {
  TempDir dir("csv-unknown");
  expectError(readCsvText(dir, "a,b,class\n1,2,x\n", "target"), {"data.csv", "no column named 'target'", "a, b, class"});
}

TEST(CsvReader, RejectsLabelNameWithoutHeader) {
  TempDir dir("csv-noheader");
  expectError(readCsvText(dir, "1,2,3\n4,5,6\n", "label"), {"data.csv", "no header row", "0-based column index"});
}

TEST(CsvReader, RejectsLabelIndexOutOfRange) {
  TempDir dir("csv-range");
  expectError(readCsvText(dir, "1,2,3\n4,5,6\n", "3"), {"data.csv", "label column 3 is out of range (3 columns"});
}

TEST(CsvReader, RejectsLabelOnlyFiles) {
  TempDir dir("csv-labelonly");
  expectError(readCsvText(dir, "label\nx\n"), {"data.csv", "at least one feature column"});
}

TEST(CsvReader, RejectsMissingEmptyAndHeaderOnlyFiles) {
  TempDir dir("csv-empty");
  expectError(readCsv((dir / "none.csv").string(), "label"), {"none.csv", "not found"});
  expectError(readCsvText(dir, "\n\n"), {"data.csv", "empty file"});
  expectError(readCsvText(dir, "a,label\n"), {"data.csv", "no data rows"});
}

}  // namespace
}  // namespace nc::test::readers::csv_reader_test

// Stop reaches a data load in progress: the readers ask cancellationRequested() between gzip
// chunks and between blocks of images, so closing the window never waits for a whole load.
#include <gtest/gtest.h>

#include "ReaderTestUtil.h"
#include "core/Cancellation.h"
#include "core/data/Dataset.h"

namespace nc::test::readers::cancel_load_test {  // a namespace of its own: unity builds (tests/CMakeLists.txt)
namespace {

using namespace nc::core;
using namespace nc::test::readers;

TEST(CancelLoad, GzipIdxLoadStopsWhenCancellationIsRequested) {
  TempDir dir("cancel-idx");
  writeGzip(dir / "train-images-idx3-ubyte.gz", idxImages(3, 2, 3));
  writeGzip(dir / "train-labels-idx1-ubyte.gz", idxLabels({0, 1, 2}));
  {
    CancellationScope scope([] { return true; });
    DatasetLoad load = readIdxFolder(dir.str());
    EXPECT_FALSE(load.ok());
    EXPECT_TRUE(contains(load.error, "stop")) << load.error;
  }
  DatasetLoad load = readIdxFolder(dir.str());  // without a scope the same files load
  EXPECT_TRUE(load.ok()) << load.error;
}

TEST(CancelLoad, ImageFolderLoadStopsWhenCancellationIsRequested) {
  TempDir dir("cancel-img");
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 3; ++i)
      writeBytes(dir / ("class" + std::to_string(c)) / ("img" + std::to_string(i) + ".png"),
                 solidPng(4, 4, {uint8_t(40 * c), 10, 200}));
  DataConfig config;
  config.kind = "image-folder";
  config.path = dir.str();
  {
    CancellationScope scope([] { return true; });
    DatasetLoad load = loadDataset(config);
    EXPECT_FALSE(load.ok());
    EXPECT_TRUE(contains(load.error, "stop")) << load.error;
  }
  DatasetLoad load = loadDataset(config);
  EXPECT_TRUE(load.ok()) << load.error;
}

}  // namespace
}  // namespace nc::test::readers::cancel_load_test

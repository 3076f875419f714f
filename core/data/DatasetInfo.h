#pragma once
// What a project's data looks like, read cheaply (headers, folder names, one pass over a label
// column) and cached, so the editor can check the graph against the data while it is edited:
// the Input's shape and the number of classes, with a one-click fix. No Qt, no torch.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/Graph.h"
#include "core/Params.h"
#include "core/ShapeInference.h"
#include "core/TensorShape.h"
#include "core/data/DataConfig.h"

namespace nc::core {

/// The facts about a dataset that the model's Input and Output must agree with; exactly what
/// loadDataset would give for the same DataConfig (sample shape after resizing, class count).
struct DatasetInfo {
  bool ok = false;
  std::string error;                 // when !ok: names the file or folder, like the readers do
  std::vector<int64_t> sampleShape;  // one sample without the batch dimension, as the Input declares it
  DType dtype = DType::Float32;      // Int64 for token ids (text)
  int64_t vocab = 0;                 // token data: distinct token ids (Input's vocab_size must cover it)
  bool nextToken = false;            // text: the model predicts the next token at every position
  /// Classes (or the vocabulary's size for text); 0 = not known cheaply (a very large CSV file),
  /// in which case nothing is checked against it.
  int64_t classes = 0;
  std::vector<std::string> classNames;  // empty when only the count is known
  int64_t trainSamples = -1;            // training samples in the files (before data.limit); -1 = not counted
  std::string summary;                  // one line for the GUI, e.g. "Fashion-MNIST: [1, 28, 28], 10 classes"
};

/// Reads only what is needed for DatasetInfo: IDX headers and the (small) labels file; CIFAR-10's
/// folder and class list; a CSV header and one pass over its label column (files up to
/// kPeekCsvBytes, larger ones give classes = 0); an image folder's class subfolders (the sample
/// shape is the configured size and channels); a text file's distinct bytes. A relative data.path
/// is taken relative to `projectDir` (as loadProject does). Never throws.
///
/// Results are cached process-wide, keyed by the kind, the resolved path and the settings that
/// matter, and checked against the size and modification time of every file and folder that was
/// read: a changed file is read again. Thread-safe (the GUI calls it off the GUI thread).
DatasetInfo peekDataset(const DataConfig& data, const std::string& projectDir = "");

/// CSV files larger than this are not scanned for their classes (classes = 0, unknown).
constexpr uint64_t kPeekCsvBytes = uint64_t(64) << 20;

/// Tests: how many times peekDataset has actually read data (cache misses), and emptying the cache.
uint64_t peekDatasetReadCount();
void clearDatasetInfoCache();

/// A disagreement between the graph and the data, on the node to change. `message` does not
/// start with the node's name (the GUI and CLI prefix it). `fix`, when present, is the parameter
/// value that resolves it; `fixText` says it in words ("set classifier.out_features to 10").
struct DatasetIssue {
  NodeId node = -1;
  std::string message;
  std::optional<std::pair<std::string, ParamValue>> fix;
  std::string fixText;
};

/// Checks the graph's Input (shape, dtype, vocabulary) and output (rank, number of classes)
/// against the data. Nothing is reported when the data could not be read (!info.ok) or the graph
/// has no Input / Output shape yet (the graph's own issues cover that). The training run makes
/// exactly these checks before it starts (Trainer), so the editor and Start say the same thing.
std::vector<DatasetIssue> checkAgainstDataset(const Graph& graph, const GraphAnalysis& analysis,
                                              const DatasetInfo& info);

/// "classifier: outputs 5 classes but the data has 10: set classifier.out_features to 10" — the
/// node's name, the message and the fix in one line (CLI, run failure messages).
std::string describeDatasetIssue(const Graph& graph, const DatasetIssue& issue);

}  // namespace nc::core

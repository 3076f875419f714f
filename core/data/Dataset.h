#pragma once
// In-memory datasets and the readers that fill them. LibTorch-facing: include from .cpp files only.
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "core/TensorShape.h"
#include "core/data/DataConfig.h"

namespace nc::core {

class Graph;             // core/Graph.h
struct GraphAnalysis;    // core/ShapeInference.h

enum class Task { Classification, NextToken };

/// A whole dataset in memory. Inputs are kept in their compact form (uint8 images are scaled to
/// [0, 1] only when a batch is made), so Fashion-MNIST costs 47 MB rather than 188 MB.
struct Dataset {
  /// Images: uint8 [N, C, H, W]; CSV features: float32 [N, F]; text: int64 [N, L].
  torch::Tensor trainInputs, trainTargets;  // targets: int64 [N] (class) or [N, L] (next token)
  torch::Tensor testInputs, testTargets;    // undefined when the data has no test split
  std::vector<std::string> classNames;      // classes, or the vocabulary's characters for text
  TensorShape sampleShape;                  // what the model's Input node must declare
  Task task = Task::Classification;
  std::string description;                  // e.g. "Fashion-MNIST (idx): 60000 train, 10000 test, 10 classes"

  bool bytesToUnitRange() const { return trainInputs.scalar_type() == torch::kUInt8; }
  int64_t numClasses() const { return int64_t(classNames.size()); }
};

struct DatasetLoad {
  std::optional<Dataset> dataset;
  std::string error;  // names the file and what is wrong with it
  bool ok() const { return dataset.has_value(); }
};

/// Reads the data a DataConfig describes (and applies its limit).
DatasetLoad loadDataset(const DataConfig& config);

// The readers. Each validates what it reads: missing file, wrong magic number, truncated file,
// label out of range, mismatched counts; errors name the file.
/// IDX images + labels (.gz or raw). Looks for train-images-idx3-ubyte[.gz] etc. in `folder`.
DatasetLoad readIdxFolder(const std::string& folder);
/// CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin, batches.meta.txt) in `folder`.
DatasetLoad readCifar10(const std::string& folder);
/// Numeric feature columns plus a label column (name if there is a header, else 0-based index).
DatasetLoad readCsv(const std::string& file, const std::string& labelColumn);
/// One subfolder per class with PNG/JPEG images, resized to size [h, w] with `channels` 1 or 3.
DatasetLoad readImageFolder(const std::string& folder, const std::vector<int64_t>& size, int64_t channels);
/// Character-level text: vocabulary from the text, windows of `length` with next-char targets.
DatasetLoad readTextFile(const std::string& file, int64_t length);

/// The name of byte `byte` in a text vocabulary: the byte itself when ASCII, else its Latin-1
/// character in UTF-8 (0xE9 -> "é", two bytes), so every name is valid UTF-8 (JSON can hold it)
/// and the 256 names are distinct.
std::string byteTokenName(uint8_t byte);
/// The byte a vocabulary name stands for: the inverse of byteTokenName (a raw single byte, as
/// older exports stored, is accepted too). False when the name is not one byte's.
bool byteOfTokenName(const std::string& name, uint8_t& byte);

/// Train/validation split of n samples: a seeded permutation, the last `fraction` for validation.
struct SplitIndices {
  torch::Tensor train, validation;  // int64 index tensors
};
SplitIndices splitTrainValidation(int64_t n, double fraction, int64_t seed);

/// The samples a final evaluation uses: the test split, or when the data has none the validation
/// part of the seeded train/validation split (as training held it out). split is "test" or
/// "validation".
struct EvaluationSplit {
  torch::Tensor inputs, targets, indices;
  std::string split;
};
EvaluationSplit evaluationSplit(const Dataset& dataset, double validationFraction, int64_t seed);

/// The loaded data against the graph's Input and Output: checkAgainstDataset's checks, in its
/// words (the editor, Start, the trainer, the finder and previews all say the same), joined by
/// "; ". Empty when the data fits.
std::string dataFitProblems(const Dataset& dataset, const Graph& graph, const GraphAnalysis& analysis);

/// Per-channel (images) or per-feature (CSV) mean and std over the given training samples, in the
/// model's input units (images in [0, 1]). Shapes broadcast against one sample: [C, 1, 1] or [F].
/// Undefined tensors for token data (no normalization).
struct Normalization {
  torch::Tensor mean, std;
};
Normalization computeNormalization(const Dataset& data, const torch::Tensor& trainIndices);

/// Turns stored inputs into what the model takes: uint8 -> float in [0, 1]; others unchanged.
torch::Tensor toModelInput(const torch::Tensor& storedInputs);

}  // namespace nc::core

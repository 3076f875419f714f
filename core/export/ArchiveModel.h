#pragma once
// An exported NeuralCanvas TorchScript archive loaded for use (predict, generate): the module and
// what its neuralcanvas/meta.json says about its input, output and vocabulary. Includes torch:
// include it only from .cpp files that run the model.
#include <torch/script.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nc::core {

struct ArchiveModel {
  torch::jit::Module module;
  std::vector<int64_t> inputShape;   // without the batch dimension
  std::vector<int64_t> outputShape;  // without the batch dimension (empty when not recorded)
  bool tokens = false;               // the input is int64 token ids
  std::vector<std::string> classes;  // class names (for text models: one per token id)
  /// For byte-level text models: the byte each token id stands for (from "vocabulary_bytes", else
  /// from the class names); -1 where unknown. Empty for other models.
  std::vector<int> vocabularyBytes;
  /// The token id of each byte value, -1 when the byte is not in the vocabulary.
  std::array<int64_t, 256> idOfByte{};
};

/// Verifies (checksums) and loads an archive for inference on the CPU. Returns an error naming the
/// archive, or empty. Selects the fast quantized engine first (int8 archives load with it).
std::string loadArchiveModel(const std::string& archive, ArchiveModel& out);

/// The text's bytes as token ids; throws std::runtime_error naming the first character outside the
/// model's vocabulary.
std::vector<int64_t> tokenIdsOfText(const ArchiveModel& model, const std::string& text);

}  // namespace nc::core

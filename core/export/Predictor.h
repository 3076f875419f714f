#pragma once
// Runs an exported TorchScript archive (torch::jit::load) on images or text, as a user of the
// exported model would. No torch in this header.
#include <string>
#include <utility>
#include <vector>

namespace nc::core {

struct Prediction {
  std::string input;                                 // file (and index within an IDX file) or text
  std::vector<std::pair<std::string, double>> top;   // class (or next character) and probability
};

struct PredictResult {
  std::vector<Prediction> predictions;
  std::string error;  // names the archive or input that failed
  bool ok() const { return error.empty(); }
};

/// Inputs: PNG/JPEG/BMP files (decoded, converted to the model's channels and resized to its
/// input size), IDX image files (.gz or raw; up to `limit` images each), or for text models a
/// text file or literal text (its last characters fill the model's window; the prediction is
/// the next character).
PredictResult predict(const std::string& archive, const std::vector<std::string>& inputs, int topK = 3,
                      int64_t limit = 10);

}  // namespace nc::core

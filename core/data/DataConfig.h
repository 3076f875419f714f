#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/Status.h"

namespace nc::core {

/// Where a project's data comes from and how it is split and augmented. Stored in the project
/// file under "data". Plain values, no torch.
struct DataConfig {
  /// "idx" (MNIST/Fashion-MNIST, .gz or raw), "cifar10" (binary batches), "csv",
  /// "image-folder" (one subfolder per class), "text" (character-level next-token data).
  std::string kind = "idx";
  /// Folder for idx/cifar10/image-folder, file for csv/text.
  std::string path = "/usr/share/datasets/fashion-mnist";
  double validationFraction = 0.1;  // of the training data, taken with `seed`
  int64_t seed = 42;
  int64_t limit = 0;                // use at most this many training samples (0 = all)
  int64_t cropPadding = 0;          // images: random crop after zero-padding by this much (0 = off)
  bool horizontalFlip = false;      // images: random horizontal flip
  std::string labelColumn = "label";  // csv: header name, or a 0-based column index
  std::vector<int64_t> imageSize = {32, 32};  // image-folder: resize to [height, width]
  int64_t channels = 3;             // image-folder: 1 (grey) or 3 (RGB)
  int64_t sequenceLength = 64;      // text: window length

  bool operator==(const DataConfig& o) const;
};

/// JSON text <-> DataConfig. Missing keys keep their defaults; wrong types or out-of-range
/// values are errors naming the JSON path under `pathPrefix` (e.g. "/data/validation_fraction").
Status dataConfigFromJson(const std::string& json, DataConfig& out, const std::string& pathPrefix = "/data");
std::string dataConfigToJson(const DataConfig& config);

}  // namespace nc::core

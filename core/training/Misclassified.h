#pragma once
// misclassified.json: every misclassified sample of a run's latest validation pass (issue 14),
// for the dashboard's "Misclassified" gallery. Plain C++: no torch, no Qt.
//
// File format (one JSON object, rewritten atomically after each validation pass):
//   "format": "neuralcanvas-misclassified", "version": 1,
//   "split": "validation", "epoch": the epoch whose validation pass this is (1-based),
//   "class_names": [names, UTF-8], "confusion": [[count]] ([true][predicted], the same pass),
//   "evaluated": samples in the pass, "misclassified": all misclassified samples of the pass
//   (the confusion matrix's off-diagonal sum), "cap": the most samples the file lists,
//   "capped": true when "samples" lists only the first "cap" of them,
//   "samples": [{
//     "index": position in the validation split (0-based, in the split's order),
//     "dataset_index": the sample's row in the training data the split is drawn from,
//     "true": class, "predicted": class, "confidence": probability of the predicted class,
//     "top": [[class, probability], ...]  the (up to) 3 most probable classes, most probable first,
//     for image data only: "shape": [C, H, W], "pixels": base64 (RFC 4648, with padding) of
//       C*H*W uint8 values (input * 255, rounded, clamped to 0..255), [C, H, W] row-major.
//   }, ...]
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nc::core {

struct MisclassifiedSample {
  int64_t index = 0, datasetIndex = 0;
  int64_t trueClass = 0, predicted = 0;
  double confidence = 0;
  std::vector<std::pair<int64_t, double>> top;  // (class, probability), most probable first
  std::vector<int64_t> shape;                   // [C, H, W]; empty for non-image data
  std::string pixels;                           // C*H*W bytes (decoded); empty for non-image data
};

struct MisclassifiedSet {
  std::string split = "validation";
  int64_t epoch = 0;
  std::vector<std::string> classNames;
  std::vector<std::vector<int64_t>> confusion;
  int64_t evaluated = 0;
  int64_t misclassified = 0;  // all of the pass, including those past the cap
  int64_t cap = 0;
  bool capped = false;
  std::vector<MisclassifiedSample> samples;
};

/// The most samples misclassified.json lists (about 20 MB for 28x28 grey images).
constexpr int64_t kMisclassifiedCap = 20000;

std::string base64Encode(const std::string& bytes);
/// false when `text` is not base64 (characters outside the alphabet, bad length or padding).
bool base64Decode(const std::string& text, std::string& bytes);

/// The file's text (see the format above); class names pass through toUtf8.
std::string misclassifiedJson(const MisclassifiedSet& set);

struct MisclassifiedLoad {
  bool ok = false;
  std::string error;  // names the file and what is wrong
  MisclassifiedSet set;
};
/// Reads misclassified.json; tolerant of unknown keys, strict on types (a sample with a wrong
/// type or out-of-range class is an error naming its position).
MisclassifiedLoad readMisclassified(const std::string& path);

}  // namespace nc::core

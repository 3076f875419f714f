#pragma once
// Per-class precision, recall, F1 and support from a confusion matrix, with their macro and
// weighted averages (issue 14). Plain C++: no torch, no Qt.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace nc::core {

/// One class's scores. Divisions by zero are defined as 0 and flagged:
/// - noPredictions: nothing was predicted as this class (precision 0);
/// - noSamples: no sample of this class was seen (recall 0; support 0).
/// F1 is 0 when precision + recall is 0.
struct ClassScore {
  std::string name;
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;      // samples whose true class is this one (the matrix row's sum)
  int64_t predicted = 0;    // samples predicted as this class (the column's sum)
  int64_t truePositives = 0;
  bool noPredictions = false, noSamples = false;
};

struct AverageScore {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;  // all samples
};

struct ClassMetrics {
  std::vector<ClassScore> classes;
  /// Unweighted mean over ALL classes (scikit-learn's "macro", zero_division=0: a class with no
  /// samples counts with 0 recall and F1).
  AverageScore macro;
  /// Mean weighted by support (classes without samples weigh nothing).
  AverageScore weighted;
  double accuracy = 0;  // diagonal / all (0 when the matrix is empty)
  int64_t samples = 0;
  int64_t misclassified = 0;  // off-diagonal sum
  bool empty() const { return classes.empty(); }
};

/// `confusion[true][predicted]` (square; a ragged or non-square matrix is read as the square of
/// its row count with missing cells as 0, negative counts as 0). `classNames` may be shorter:
/// missing names are the class index. Names are kept as given (pass through toUtf8 to write JSON).
ClassMetrics computeClassMetrics(const std::vector<std::vector<int64_t>>& confusion,
                                 const std::vector<std::string>& classNames = {});

/// {"per_class": [{"class", "precision", "recall", "f1", "support", "note"?}...],
///  "macro_avg": {"precision", "recall", "f1", "support"}, "weighted_avg": {...}, "accuracy"}.
/// Class names go through toUtf8; "note" says "no predictions" / "no samples" where it applies.
nlohmann::json classMetricsJson(const ClassMetrics& m);

/// A fixed-width text table: class, precision, recall, F1, support, then the averages.
/// Class names are shown as UTF-8 (toUtf8) and cut to 24 characters.
std::string classMetricsTable(const ClassMetrics& m);

}  // namespace nc::core

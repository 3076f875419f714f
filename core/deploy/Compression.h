#pragma once
// The compression report: FP32 vs int8 vs pruned (and pruned + int8) variants of a trained model,
// each exported as a TorchScript archive and measured as deployed (test accuracy of the archive,
// file size, parameters, FLOPs, latency at batch 1 and 32). No torch in this header.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/Project.h"
#include "core/Status.h"
#include "core/deploy/Quantize.h"

namespace nc::core {

struct CompressOptions {
  std::string checkpoint;            // the trained weights (a run's checkpoints/best.pt)
  double pruneFraction = 0;          // 0 = no structured pruning; else share of channels cut
  double sparsity = 0;               // 0 = no magnitude pruning; else the share of weights zeroed (0 < s < 1)
  int fineTuneEpochs = 0;            // after pruning (each pruned variant: structured and magnitude)
  QuantizeMode quantize = QuantizeMode::None;
  std::string outDir;                // new or empty folder
  double benchmarkSeconds = 1.0;     // per latency case (batch 1 and 32)
  int threads = 0;                   // 0 = current
  int64_t evalLimit = 0;             // 0 = whole test split
};

struct CompressVariant {
  std::string name;                  // "fp32", "int8", "pruned", "pruned-int8", "sparse", "sparse-int8"
  std::string archive;               // TorchScript file in outDir
  std::string project, checkpoint;   // for pruned variants: the rewritten project + its checkpoint (the editor opens it);
                                     // fp32/int8: no project, the source checkpoint
  double testAccuracy = 0;
  int64_t fileBytes = 0, parameters = 0, flops = 0;
  double latencyMsBatch1 = 0, latencyMsBatch32 = 0;   // p50
  int64_t compressedBytes = 0;       // the archive compressed with zlib (0 = not measured: an old report)
  double sparsity = 0;               // sparse variants: measured share of zero Conv/Linear/recurrent/attention
                                     // weights in the checkpoint the archive was exported from
  std::string note;                  // e.g. "conv1: 32 -> 16 channels; ..." or "fine-tuned 1 epoch"
};

struct CompressReport {
  Status status;
  std::vector<CompressVariant> variants;
  std::vector<std::string> notes;    // skipped nodes etc.
  std::string reportPath;            // outDir/report.json
  std::string evalSplit;             // "test" or "validation": where the accuracies were measured
  int64_t evalSamples = 0;           // samples each accuracy is over
};

/// progress(stage text, fraction 0..1) from the calling thread; cancelled polled between steps.
using CompressProgress = std::function<void(const std::string& stage, double fraction)>;

/// Writes outDir/fp32.pt, outDir/int8.pt (if quantize), outDir/pruned/{project.json, pruned.pt,
/// finetune/} + outDir/pruned.pt (if pruneFraction > 0), outDir/pruned-int8.pt (if both),
/// outDir/sparse/{sparse.pt, finetune/} + outDir/sparse.pt (+ sparse-int8.pt) if sparsity > 0, and
/// outDir/report.json (atomically; paths inside relative to outDir). Refuses a non-empty outDir.
/// The returned report's paths are outDir joined with the file (usable as they are). A pruning
/// that is refused (nothing prunable) leaves the other variants and says why in `notes`.
/// Blocking; never throws. Cancelled: status "cancelled", no report.json.
CompressReport compressModel(const Project& project, const CompressOptions& options,
                             const CompressProgress& progress = {},
                             const std::function<bool()>& cancelled = {});

/// report.json's text (pretty JSON). Paths inside the folder of report.reportPath are written
/// relative to it (so the folder can move); other paths absolute (without reportPath: as they are).
std::string compressReportJson(const CompressReport& report);
/// Reads compressReportJson's text back, paths as written (relative); status set on bad input
/// (naming the JSON path).
CompressReport parseCompressReport(const std::string& jsonText);
/// Reads a report.json file: parseCompressReport, then relative paths resolved against the file's
/// folder and reportPath set (what the GUI opens). Errors name the file.
CompressReport loadCompressReport(const std::string& reportPath);

/// The terminal comparison table (variant, accuracy and change vs fp32 in points, size and ratio,
/// zlib-compressed size, share of zero weights (sparse variants),
/// params, FLOPs and ratio, latency b1/b32 and ratios vs fp32).
std::string compressReportTable(const CompressReport& report);

}  // namespace nc::core

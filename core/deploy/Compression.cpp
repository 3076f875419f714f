#include "core/deploy/Compression.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <system_error>

#include <zlib.h>

#include "core/FileIO.h"
#include "core/GraphModule.h"
#include "core/JsonUtil.h"
#include "core/LayerAnalysis.h"
#include "core/ShapeInference.h"
#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"
#include "core/deploy/ArchiveEval.h"
#include "core/deploy/Benchmark.h"
#include "core/deploy/Pruning.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"

namespace nc::core {

namespace fs = std::filesystem;

namespace {

constexpr const char* kReportFormat = "neuralcanvas-compress-report";
constexpr int kReportVersion = 1;

/// Thrown inside compressModel when `cancelled` says so; caught at its boundary.
struct CancelledError {};

/// The share of the whole job each step takes, so the progress bar moves about evenly.
class ProgressPlan {
 public:
  ProgressPlan(const CompressProgress& progress, double totalWeight) : m_progress(progress), m_total(totalWeight) {}
  /// Reports `stage` at `partial` (0..1) of a step of `weight` that starts where the last one ended.
  void at(const std::string& stage, double weight, double partial) const {
    if (!m_progress) return;
    double f = m_total > 0 ? (m_done + weight * std::clamp(partial, 0.0, 1.0)) / m_total : 0;
    m_progress(stage, std::clamp(f, 0.0, 1.0));
  }
  void begin(const std::string& stage, double weight) const { at(stage, weight, 0); }
  void finish(double weight) { m_done += weight; }
  void end(const std::string& stage) const {
    if (m_progress) m_progress(stage, 1.0);
  }

 private:
  const CompressProgress& m_progress;
  double m_total, m_done = 0;
};

// Relative weights of the steps (a 1-second benchmark case and an evaluation of the whole test
// split cost about the same on the templates; an epoch of fine-tuning much more).
constexpr double kLoadWeight = 1, kExportWeight = 1, kPruneWeight = 1, kEpochWeight = 12, kEvalWeight = 2,
                 kBenchWeight = 3;

/// Fine-tuning progress and cancellation through the trainer's observer interface.
class FineTuneWatcher : public TrainingObserver {
 public:
  FineTuneWatcher(const ProgressPlan& plan, double weight, int epochs, const std::function<bool()>& cancelled,
                  TrainingControl& control, std::string what = "the pruned model")
      : m_plan(plan), m_weight(weight), m_epochs(std::max(1, epochs)), m_cancelled(cancelled), m_control(control),
        m_what(std::move(what)) {}
  void onStep(const StepMetrics& m) override {
    if (m_cancelled && m_cancelled()) m_control.requestStop();
    double perEpoch = double(std::max<int64_t>(1, m.batchesPerEpoch));
    double done = (double(m.epoch - 1) + double(m.batch) / perEpoch) / double(m_epochs);
    m_plan.at("fine-tuning " + m_what + ": epoch " + std::to_string(m.epoch) + "/" + std::to_string(m_epochs) +
                  ", batch " + std::to_string(m.batch) + "/" + std::to_string(m.batchesPerEpoch),
              m_weight, done);
  }
  void onPhase(const PhaseProgress&) override {
    if (m_cancelled && m_cancelled()) m_control.requestStop();
  }

 private:
  const ProgressPlan& m_plan;
  double m_weight;
  int m_epochs;
  const std::function<bool()>& m_cancelled;
  TrainingControl& m_control;
  std::string m_what;
};

/// Zero entries and all entries of the weights pruneMagnitude prunes (Conv/Linear/recurrent/
/// attention, dim >= 2) in `checkpoint`, read back from the file. Throws on a bad checkpoint.
std::pair<int64_t, int64_t> countZeroWeights(const Project& project, const std::string& checkpoint) {
  static const std::set<std::string> kTypes = {"Conv1d", "Conv2d", "Linear", "LSTM", "GRU", "RNN",
                                               "MultiheadAttention", "TransformerEncoderLayer"};
  torch::NoGradGuard guard;
  GraphModule model = compileGraph(project.graph);
  loadCheckpoint(checkpoint, model, nullptr, /*restoreRng=*/false);
  int64_t zeros = 0, total = 0;
  for (const auto& p : model->named_parameters()) {
    const std::string& key = p.key();
    const size_t dot = key.find('.');
    if (key.size() < 2 || key[0] != 'n' || dot == std::string::npos || dot < 2) continue;
    const Node* n = nullptr;
    try {
      n = project.graph.node(std::stoll(key.substr(1, dot - 1)));
    } catch (const std::exception&) {
      continue;
    }
    if (!n || !kTypes.count(n->type) || p.value().dim() < 2) continue;
    total += p.value().numel();
    zeros += (p.value() == 0).sum().item<int64_t>();
  }
  return {zeros, total};
}

/// Size of `path` compressed with zlib (default level), streamed; 0 when it cannot be read.
int64_t zlibCompressedSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  z_stream z{};
  if (deflateInit(&z, Z_DEFAULT_COMPRESSION) != Z_OK) return 0;
  std::vector<unsigned char> inBuf(1 << 16), outBuf(1 << 16);
  int64_t bytes = 0;
  int flush = Z_NO_FLUSH;
  do {
    in.read(reinterpret_cast<char*>(inBuf.data()), std::streamsize(inBuf.size()));
    z.next_in = inBuf.data();
    z.avail_in = uInt(in.gcount());
    flush = in.eof() ? Z_FINISH : Z_NO_FLUSH;
    if (!in && !in.eof()) {
      deflateEnd(&z);
      return 0;
    }
    do {
      z.next_out = outBuf.data();
      z.avail_out = uInt(outBuf.size());
      deflate(&z, flush);
      bytes += int64_t(outBuf.size() - z.avail_out);
    } while (z.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&z);
  return bytes;
}

LayerTotals graphTotals(const Project& project) {
  GraphAnalysis analysis = analyze(project.graph);
  return layerTotals(analyzeLayers(project.graph, analysis, project.training));
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

/// `path` relative to `base` when it lies inside it, else absolute (a path relative to the working
/// directory would be read against the report's folder).
std::string relativeInside(const std::string& path, const fs::path& base) {
  if (path.empty() || base.empty()) return path;
  std::error_code ec;
  fs::path abs = fs::absolute(fs::path(path), ec).lexically_normal();
  if (ec) return path;
  fs::path root = fs::absolute(base, ec).lexically_normal();
  if (ec) return abs.string();
  fs::path rel = abs.lexically_relative(root);
  if (rel.empty() || rel == "." || *rel.begin() == "..") return abs.string();
  return rel.generic_string();
}

std::string resolveAgainst(const std::string& path, const fs::path& base) {
  if (path.empty() || fs::path(path).is_absolute() || base.empty()) return path;
  return (base / path).lexically_normal().string();
}

}  // namespace

CompressReport compressModel(const Project& project, const CompressOptions& options, const CompressProgress& progress,
                             const std::function<bool()>& cancelled) {
  CompressReport report;
  auto fail = [&](const std::string& message) {
    report.status = Status::error(message);
    return report;
  };
  // Arguments first: nothing is written when one is wrong.
  if (options.checkpoint.empty()) return fail("compress: no checkpoint given (the trained weights, e.g. a run's checkpoints/best.pt)");
  if (options.outDir.empty()) return fail("compress: no output folder given");
  if (!(options.pruneFraction >= 0 && options.pruneFraction < 1))
    return fail("compress: the prune fraction must be at least 0 and below 1 (got " + fixed(options.pruneFraction, 3) + ")");
  if (options.fineTuneEpochs < 0) return fail("compress: fine-tuning epochs must not be negative");
  if (!(options.sparsity >= 0 && options.sparsity < 1))
    return fail("compress: the sparsity must be at least 0 and below 1 (got " + fixed(options.sparsity, 3) + ")");
  if (options.fineTuneEpochs > 0 && options.pruneFraction == 0 && options.sparsity == 0)
    return fail("compress: fine-tuning is done after pruning: give a prune fraction or a sparsity too");
  if (!(options.benchmarkSeconds > 0) || options.benchmarkSeconds > 3600)
    return fail("compress: benchmark seconds must be above 0 and at most 3600");
  if (options.threads < 0) return fail("compress: threads must not be negative");
  if (options.evalLimit < 0) return fail("compress: the evaluation limit must not be negative");
  GraphAnalysis analysis = analyze(project.graph);
  if (!analysis.ok()) return fail("compress: the model has errors; run validate for details");
  if (std::vector<GraphIssue> problems = checkExportable(project.graph); !problems.empty())
    return fail("compress: " + problems.front().message);

  {
    std::error_code ec;
    if (!fs::is_regular_file(options.checkpoint, ec))
      return fail(options.checkpoint + ": the checkpoint does not exist or is not a file");
  }
  const fs::path out(options.outDir);
  {
    std::error_code ec;
    if (fs::exists(out, ec)) {
      if (!fs::is_directory(out, ec)) return fail(options.outDir + ": exists and is not a folder");
      if (!fs::is_empty(out, ec) || ec)
        return fail(options.outDir + ": the folder is not empty (compress writes its variants into a new or empty folder)");
    }
    fs::create_directories(out, ec);
    if (ec) return fail(options.outDir + ": cannot create the folder: " + ec.message());
  }
  report.reportPath = (out / "report.json").string();

  const bool quantize = options.quantize != QuantizeMode::None;
  const bool prune = options.pruneFraction > 0;
  const double perVariant = kExportWeight + kEvalWeight + kBenchWeight;
  const int prunedVariants = prune ? (quantize ? 2 : 1) : 0;
  double total = kLoadWeight + perVariant * (1 + (quantize ? 1 : 0) + prunedVariants);
  if (prune) total += kPruneWeight + kEpochWeight * options.fineTuneEpochs;
  const bool sparse = options.sparsity > 0;
  const int sparseVariants = sparse ? (quantize ? 2 : 1) : 0;
  if (sparse) total += kPruneWeight + kEpochWeight * options.fineTuneEpochs + perVariant * sparseVariants;
  ProgressPlan plan(progress, total);
  auto checkCancel = [&] {
    if (cancelled && cancelled()) throw CancelledError{};
  };
  auto step = [&](const std::string& stage, double weight, const auto& work) {
    checkCancel();
    plan.begin(stage, weight);
    work();
    plan.finish(weight);
  };

  try {
    std::shared_ptr<const Dataset> dataset;
    step("loading the data", kLoadWeight, [&] {
      DatasetLoad load = loadDataset(project.data);
      if (!load.ok()) throw std::runtime_error(load.error);
      dataset = std::make_shared<Dataset>(std::move(*load.dataset));
    });

    struct Pending {
      CompressVariant variant;
      const Project* project;
    };
    std::vector<Pending> pending;
    auto exportVariant = [&](const std::string& name, const Project& source, const std::string& checkpoint,
                             QuantizeMode mode, const std::string& note) {
      step("exporting " + name, kExportWeight, [&] {
        CompressVariant v;
        v.name = name;
        v.archive = (out / (name + ".pt")).string();
        v.note = note;
        ExportOptions eo;
        eo.checkpoint = checkpoint;
        eo.quantize = mode;
        if (Status s = exportTorchScript(source, v.archive, eo); !s) throw std::runtime_error(name + ": " + s.message());
        pending.push_back({v, &source});
      });
    };

    exportVariant("fp32", project, options.checkpoint, QuantizeMode::None, "float32 weights (the trained model)");
    if (quantize)
      exportVariant("int8", project, options.checkpoint, options.quantize,
                    "int8 weights (" + quantizeModeName(options.quantize) + ": Linear, LSTM, GRU, Transformer feed-forward)");
    for (auto& p : pending) p.variant.checkpoint = options.checkpoint;  // the trained weights they come from

    std::optional<Project> pruned;
    std::string prunedCheckpoint, prunedNote;
    if (prune) {
      const fs::path folder = out / "pruned";
      step("pruning " + fixed(options.pruneFraction * 100, 0) + "% of the channels", kPruneWeight, [&] {
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec) throw std::runtime_error(folder.string() + ": cannot create the folder: " + ec.message());
        ChannelPruneOptions po;
        po.fraction = options.pruneFraction;
        ChannelPruneResult r = pruneChannels(project, options.checkpoint, po, (folder / "project.json").string(),
                                             (folder / "pruned.pt").string());
        for (const auto& s : r.report.skipped) report.notes.push_back("pruning: " + s);
        if (!r.status || !r.project || r.report.pruned.empty()) {
          report.notes.push_back("no pruned variant: " +
                                 (r.status ? std::string("no node could be pruned") : r.status.message()));
          fs::remove_all(folder, ec);  // an unchanged copy would only mislead
          return;
        }
        pruned = std::move(r.project);
        prunedCheckpoint = (folder / "pruned.pt").string();
        for (const auto& line : r.report.pruned) prunedNote += (prunedNote.empty() ? "" : "; ") + line;
      });
      if (pruned && options.fineTuneEpochs > 0) {
        const double weight = kEpochWeight * options.fineTuneEpochs;
        step("fine-tuning the pruned model", weight, [&] {
          TrainingControl control;
          FineTuneWatcher watcher(plan, weight, options.fineTuneEpochs, cancelled, control);
          FineTuneResult r = fineTune(*pruned, prunedCheckpoint, options.fineTuneEpochs, false,
                                      (folder / "finetune").string(), &watcher, &control, dataset);
          checkCancel();
          if (!r.status) throw std::runtime_error("fine-tuning the pruned model: " + r.status.message());
          prunedCheckpoint = r.checkpoint;
          prunedNote += std::string(prunedNote.empty() ? "" : "; ") + "fine-tuned " +
                        std::to_string(options.fineTuneEpochs) + (options.fineTuneEpochs == 1 ? " epoch" : " epochs") +
                        " (validation accuracy " + fixed(r.validationAccuracy, 4) + ")";
        });
      } else if (!pruned && options.fineTuneEpochs > 0) {
        plan.finish(kEpochWeight * options.fineTuneEpochs);
      }
      if (pruned) {
        exportVariant("pruned", *pruned, prunedCheckpoint, QuantizeMode::None, prunedNote);
        if (quantize)
          exportVariant("pruned-int8", *pruned, prunedCheckpoint, options.quantize,
                        "the pruned model with int8 weights (" + quantizeModeName(options.quantize) + ")");
        for (auto& p : pending) {
          if (p.variant.name.rfind("pruned", 0) != 0) continue;
          p.variant.project = (folder / "project.json").string();
          p.variant.checkpoint = prunedCheckpoint;
        }
      } else {
        plan.finish(perVariant * prunedVariants);  // the variants that will not be made
      }
    }

    if (sparse) {
      const fs::path folder = out / "sparse";
      const std::string percent = fixed(options.sparsity * 100, 1) + "%";
      std::string sparseCheckpoint = (folder / "sparse.pt").string(), sparseNote;
      bool made = false;
      step("zeroing the smallest " + percent + " of the weights", kPruneWeight, [&] {
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec) throw std::runtime_error(folder.string() + ": cannot create the folder: " + ec.message());
        MagnitudePruneResult r = pruneMagnitude(project, options.checkpoint, options.sparsity, sparseCheckpoint);
        if (!r.status) {
          report.notes.push_back("no sparse variant: " + r.status.message());
          fs::remove_all(folder, ec);
          return;
        }
        made = true;
      });
      if (made && options.fineTuneEpochs > 0) {
        const double weight = kEpochWeight * options.fineTuneEpochs;
        step("fine-tuning the sparse model", weight, [&] {
          TrainingControl control;
          FineTuneWatcher watcher(plan, weight, options.fineTuneEpochs, cancelled, control, "the sparse model");
          FineTuneResult r = fineTune(project, sparseCheckpoint, options.fineTuneEpochs, /*keepZeros=*/true,
                                      (folder / "finetune").string(), &watcher, &control, dataset);
          checkCancel();
          if (!r.status) throw std::runtime_error("fine-tuning the sparse model: " + r.status.message());
          sparseCheckpoint = r.checkpoint;
          sparseNote = "fine-tuned " + std::to_string(options.fineTuneEpochs) +
                       (options.fineTuneEpochs == 1 ? " epoch" : " epochs") + " with the zeros held at zero (validation accuracy " +
                       fixed(r.validationAccuracy, 4) + "); ";
        });
      } else if (!made && options.fineTuneEpochs > 0) {
        plan.finish(kEpochWeight * options.fineTuneEpochs);
      }
      if (made) {
        // Measured, not assumed: the zeros counted in the weights the archive is exported from.
        auto [zeros, count] = countZeroWeights(project, sparseCheckpoint);
        const double measured = count > 0 ? double(zeros) / double(count) : 0;
        sparseNote = "magnitude pruning: " + fixed(measured * 100, 2) + "% of the " + std::to_string(count) +
                     " Conv/Linear/recurrent/attention weights are zero in the exported weights (asked " + percent +
                     "); " + sparseNote +
                     "stored dense and run with dense kernels, the zeros make the file neither smaller nor faster "
                     "(compressed with zlib it is smaller: the gzip column)";
        const size_t first = pending.size();
        exportVariant("sparse", project, sparseCheckpoint, QuantizeMode::None, sparseNote);
        if (quantize)
          exportVariant("sparse-int8", project, sparseCheckpoint, options.quantize,
                        "the sparse model with int8 weights (" + quantizeModeName(options.quantize) + "); " +
                            fixed(measured * 100, 2) + "% zeros before quantization");
        for (size_t i = first; i < pending.size(); ++i) {
          pending[i].variant.checkpoint = sparseCheckpoint;
          pending[i].variant.sparsity = measured;
        }
      } else {
        plan.finish(perVariant * sparseVariants);
      }
    }

    // Every archive measured as deployed: its own accuracy, file size, counts and latency.
    for (auto& p : pending) {
      CompressVariant& v = p.variant;
      step("evaluating " + v.name, kEvalWeight, [&] {
        ArchiveEval e = evaluateArchive(v.archive, *p.project, dataset, options.evalLimit, cancelled);
        checkCancel();
        if (!e.status) throw std::runtime_error(v.name + ": " + e.status.message());
        v.testAccuracy = e.accuracy;
        report.evalSplit = e.split;
        report.evalSamples = e.samples;
      });
      std::error_code ec;
      auto size = fs::file_size(v.archive, ec);
      v.fileBytes = ec ? 0 : int64_t(size);
      v.compressedBytes = zlibCompressedSize(v.archive);
      LayerTotals totals = graphTotals(*p.project);
      v.parameters = totals.params;
      v.flops = totals.flops;
      step("measuring the latency of " + v.name, kBenchWeight, [&] {
        BenchmarkOptions bo;
        bo.batchSizes = {1, 32};
        if (options.threads > 0) bo.threads = {options.threads};
        bo.secondsPerCase = options.benchmarkSeconds;
        BenchmarkReport b = benchmarkArchive(
            v.archive, bo,
            [&](int done, int count, const BenchmarkCase&) {
              plan.at("measuring the latency of " + v.name, kBenchWeight, count > 0 ? double(done) / count : 0);
            },
            cancelled);
        checkCancel();
        if (!b.ok()) throw std::runtime_error(v.name + ": " + b.error);
        for (const BenchmarkCase& c : b.cases) {
          if (c.batchSize == 1) v.latencyMsBatch1 = c.p50Ms;
          if (c.batchSize == 32) v.latencyMsBatch32 = c.p50Ms;
        }
      });
      report.variants.push_back(v);
    }
    if (report.evalSplit == "validation")
      report.notes.push_back("the data has no test split: accuracies are on the validation split");

    checkCancel();
    if (Status s = writeFileAtomic(report.reportPath, compressReportJson(report)); !s)
      throw std::runtime_error(s.message());
    plan.end("done");
  } catch (const CancelledError&) {
    report.variants.clear();
    report.status = Status::error("cancelled");
  } catch (const c10::Error& e) {
    report.variants.clear();
    report.status = Status::error("compress: " + std::string(e.what_without_backtrace()).substr(0, 500));
  } catch (const std::exception& e) {
    report.variants.clear();
    report.status = Status::error(e.what());
  }
  return report;
}

std::string compressReportJson(const CompressReport& report) {
  const fs::path base = report.reportPath.empty() ? fs::path() : fs::path(report.reportPath).parent_path();
  nlohmann::json j;
  j["format"] = kReportFormat;
  j["version"] = kReportVersion;
  j["eval_split"] = report.evalSplit;
  j["eval_samples"] = report.evalSamples;
  j["variants"] = nlohmann::json::array();
  for (const CompressVariant& v : report.variants) {
    j["variants"].push_back({{"name", v.name},
                             {"archive", relativeInside(v.archive, base)},
                             {"project", relativeInside(v.project, base)},
                             {"checkpoint", relativeInside(v.checkpoint, base)},
                             {"test_accuracy", v.testAccuracy},
                             {"file_bytes", v.fileBytes},
                             {"parameters", v.parameters},
                             {"flops", v.flops},
                             {"latency_ms_batch1", v.latencyMsBatch1},
                             {"latency_ms_batch32", v.latencyMsBatch32},
                             {"compressed_bytes", v.compressedBytes},
                             {"sparsity", v.sparsity},
                             {"note", v.note}});
  }
  j["notes"] = report.notes;
  return dumpJson(j, 2) + "\n";
}

CompressReport parseCompressReport(const std::string& jsonText) {
  CompressReport r;
  JsonParse parsed = parseJson(jsonText);
  if (!parsed.ok()) {
    r.status = Status::error("not a compression report: " + parsed.error);
    return r;
  }
  const nlohmann::json& j = parsed.value;
  auto bad = [&](const std::string& path, const std::string& what) {
    r = CompressReport{};
    r.status = Status::error(path + ": " + what);
    return r;
  };
  if (!j.is_object()) return bad("/", "expected an object, got " + describeJson(j));
  if (!j.contains("format") || j["format"] != kReportFormat)
    return bad("/format", std::string("expected \"") + kReportFormat + "\"");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int64_t>() != kReportVersion)
    return bad("/version", "expected " + std::to_string(kReportVersion) +
                               (j.contains("version") ? ", got " + describeJson(j["version"]) : ""));
  // Optional members keep their defaults; present ones must have the right type.
  auto text = [&](const nlohmann::json& o, const char* key, std::string& outValue) {
    if (!o.contains(key)) return true;
    if (!o[key].is_string()) return false;
    outValue = toUtf8(o[key].get<std::string>());
    return true;
  };
  auto integer = [&](const nlohmann::json& o, const char* key, int64_t& outValue) {
    if (!o.contains(key)) return true;
    if (!o[key].is_number_integer() || o[key].get<int64_t>() < 0) return false;
    outValue = o[key].get<int64_t>();
    return true;
  };
  auto real = [&](const nlohmann::json& o, const char* key, double& outValue) {
    if (!o.contains(key)) return true;
    if (!o[key].is_number() || !std::isfinite(o[key].get<double>()) || o[key].get<double>() < 0) return false;
    outValue = o[key].get<double>();
    return true;
  };
  std::string split;
  if (!text(j, "eval_split", split)) return bad("/eval_split", "expected a string");
  r.evalSplit = split;
  if (!integer(j, "eval_samples", r.evalSamples)) return bad("/eval_samples", "expected a non-negative integer");
  if (!j.contains("variants") || !j["variants"].is_array()) return bad("/variants", "expected an array");
  const auto& variants = j["variants"];
  for (size_t i = 0; i < variants.size(); ++i) {
    const std::string at = "/variants/" + std::to_string(i);
    const nlohmann::json& o = variants[i];
    if (!o.is_object()) return bad(at, "expected an object, got " + describeJson(o));
    CompressVariant v;
    const std::initializer_list<std::pair<const char*, std::string*>> texts = {
        {"name", &v.name}, {"archive", &v.archive}, {"project", &v.project}, {"checkpoint", &v.checkpoint}, {"note", &v.note}};
    for (auto [key, field] : texts)
      if (!text(o, key, *field)) return bad(at + "/" + key, "expected a string, got " + describeJson(o[key]));
    if (v.name.empty()) return bad(at + "/name", "missing or empty");
    if (v.archive.empty()) return bad(at + "/archive", "missing or empty");
    const std::initializer_list<std::pair<const char*, int64_t*>> integers = {
        {"file_bytes", &v.fileBytes}, {"parameters", &v.parameters}, {"flops", &v.flops},
        {"compressed_bytes", &v.compressedBytes}};
    for (auto [key, field] : integers)
      if (!integer(o, key, *field))
        return bad(at + "/" + key, "expected a non-negative integer, got " + describeJson(o[key]));
    const std::initializer_list<std::pair<const char*, double*>> reals = {
        {"test_accuracy", &v.testAccuracy}, {"latency_ms_batch1", &v.latencyMsBatch1},
        {"latency_ms_batch32", &v.latencyMsBatch32}, {"sparsity", &v.sparsity}};
    for (auto [key, field] : reals)
      if (!real(o, key, *field)) return bad(at + "/" + key, "expected a non-negative number, got " + describeJson(o[key]));
    if (v.testAccuracy > 1) return bad(at + "/test_accuracy", "expected a value in [0, 1]");
    if (v.sparsity > 1) return bad(at + "/sparsity", "expected a value in [0, 1]");
    r.variants.push_back(std::move(v));
  }
  if (j.contains("notes")) {
    if (!j["notes"].is_array()) return bad("/notes", "expected an array of strings");
    for (size_t i = 0; i < j["notes"].size(); ++i) {
      if (!j["notes"][i].is_string()) return bad("/notes/" + std::to_string(i), "expected a string");
      r.notes.push_back(toUtf8(j["notes"][i].get<std::string>()));
    }
  }
  return r;
}

CompressReport loadCompressReport(const std::string& reportPath) {
  CompressReport r;
  readutil::Bytes bytes = readutil::readWholeFile(reportPath, 16 * readutil::kMiB);
  if (!bytes.ok()) {
    r.status = Status::error(bytes.error);
    return r;
  }
  r = parseCompressReport(std::string(bytes.data.begin(), bytes.data.end()));
  if (!r.status) {
    r.status = Status::error(reportPath + ": " + r.status.message());
    return r;
  }
  const fs::path base = fs::path(reportPath).parent_path();
  for (CompressVariant& v : r.variants) {
    v.archive = resolveAgainst(v.archive, base);
    v.project = resolveAgainst(v.project, base);
    v.checkpoint = resolveAgainst(v.checkpoint, base);
  }
  r.reportPath = reportPath;
  return r;
}

namespace {

std::string sizeText(int64_t bytes) {
  if (bytes >= 1000 * 1000) return fixed(double(bytes) / 1e6, 2) + " MB";
  if (bytes >= 1000) return fixed(double(bytes) / 1e3, 1) + " kB";
  return std::to_string(bytes) + " B";
}

std::string countText(int64_t n) {
  if (n >= 1000000000) return fixed(double(n) / 1e9, 2) + "G";
  if (n >= 1000000) return fixed(double(n) / 1e6, 2) + "M";
  if (n >= 10000) return fixed(double(n) / 1e3, 1) + "k";
  return std::to_string(n);
}

std::string ratioText(double value, double reference) {
  if (!(reference > 0) || !std::isfinite(value)) return "-";
  return fixed(value / reference, 2) + "x";
}

std::string pad(const std::string& s, size_t width, bool right) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

std::string compressReportTable(const CompressReport& report) {
  const CompressVariant* ref = nullptr;
  for (const auto& v : report.variants)
    if (v.name == "fp32") ref = &v;
  if (!ref && !report.variants.empty()) ref = &report.variants.front();
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"variant", "accuracy", "change", "size", "ratio", "gzip", "zeros", "params", "FLOPs", "ratio", "b1 ms",
                  "ratio", "b32 ms", "ratio"});
  for (const auto& v : report.variants) {
    double points = (v.testAccuracy - ref->testAccuracy) * 100;
    std::string change = &v == ref ? "-" : (points >= 0 ? "+" : "") + fixed(points, 2) + " pt";
    rows.push_back({v.name, fixed(v.testAccuracy * 100, 2) + "%", change, sizeText(v.fileBytes),
                    ratioText(double(v.fileBytes), double(ref->fileBytes)),
                    v.compressedBytes > 0 ? sizeText(v.compressedBytes) : "-",
                    v.sparsity > 0 ? fixed(v.sparsity * 100, 1) + "%" : "-", countText(v.parameters),
                    countText(v.flops), ratioText(double(v.flops), double(ref->flops)), fixed(v.latencyMsBatch1, 3),
                    ratioText(v.latencyMsBatch1, ref->latencyMsBatch1), fixed(v.latencyMsBatch32, 2),
                    ratioText(v.latencyMsBatch32, ref->latencyMsBatch32)});
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) line += (c ? "  " : "") + pad(row[c], widths[c], c > 0);
    out += line + "\n";
  }
  return out;
}

}  // namespace nc::core

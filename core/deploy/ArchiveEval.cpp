#include "core/deploy/ArchiveEval.h"

#include <torch/script.h>

#include <stdexcept>

#include "core/JsonUtil.h"
#include "core/data/BatchLoader.h"
#include "core/data/Dataset.h"
#include "core/deploy/Quantize.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Optimization.h"

namespace nc::core {

namespace {

std::string dimsText(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

/// What the archive's meta.json says it takes; empty shape when the archive did not record it.
struct ArchiveInput {
  std::vector<int64_t> shape;
  std::string dtype;
};

ArchiveInput readArchiveInput(const std::string& metaText) {
  ArchiveInput in;
  JsonParse parsed = parseJson(metaText);
  if (!parsed.ok() || !parsed.value.is_object()) return in;
  auto input = parsed.value.find("input");
  if (input == parsed.value.end() || !input->is_object()) return in;
  auto shape = input->find("shape");
  if (shape != input->end() && shape->is_array()) {
    for (const auto& d : *shape) {
      if (!d.is_number_integer()) return {};
      in.shape.push_back(d.get<int64_t>());
    }
  }
  auto dtype = input->find("dtype");
  if (dtype != input->end() && dtype->is_string()) in.dtype = dtype->get<std::string>();
  return in;
}

}  // namespace

ArchiveEval evaluateArchive(const std::string& archive, const Project& project, std::shared_ptr<const Dataset> dataset,
                            int64_t limit, const std::function<bool()>& cancelled) {
  ArchiveEval r;
  useFastQuantizedEngine();  // packed int8 weights are repacked at load time for the current engine
  if (Status v = verifyArchive(archive); !v) {
    r.status = v;
    return r;
  }
  try {
    torch::jit::ExtraFilesMap extra{{"neuralcanvas/meta.json", ""}};
    torch::jit::Module model;
    try {
      model = torch::jit::load(archive, torch::kCPU, extra);
    } catch (const c10::Error& e) {
      r.status = Status::error(archive + ": cannot load the TorchScript archive: " +
                               std::string(e.what_without_backtrace()).substr(0, 300));
      return r;
    }
    model.eval();
    if (!dataset) {
      DatasetLoad load = loadDataset(project.data);
      if (!load.ok()) throw std::runtime_error(load.error);
      dataset = std::make_shared<Dataset>(std::move(*load.dataset));
    }
    // The archive must take what the data yields (the same check the trainer makes on a graph):
    // a clear message instead of a shape error from inside the model.
    ArchiveInput input = readArchiveInput(extra["neuralcanvas/meta.json"]);
    if (!input.shape.empty() && input.shape != dataset->sampleShape.dims)
      throw std::runtime_error(archive + ": the model takes samples of shape " + dimsText(input.shape) +
                               " but the data's samples are " + dimsText(dataset->sampleShape.dims));
    const bool tokens = dataset->sampleShape.dtype == DType::Int64;
    if (!input.dtype.empty() && (input.dtype == "int64") != tokens)
      throw std::runtime_error(archive + ": the model takes " + input.dtype + " input but the data yields " +
                               (tokens ? "token ids (int64)" : "float32 values"));

    // The same split and batching as evaluateCheckpoint (core/training/Trainer.cpp).
    EvaluationSplit eval = evaluationSplit(*dataset, project.data.validationFraction, project.data.seed);
    torch::Tensor inputs = eval.inputs, targets = eval.targets, indices = eval.indices;
    r.split = eval.split;
    if (limit > 0 && indices.numel() > limit) indices = indices.slice(0, 0, limit);
    torch::NoGradGuard guard;
    BatchLoader loader(inputs, targets, indices, project.training.evalBatchSize, false, 0);
    int64_t correct = 0, predictions = 0;
    while (auto batch = loader.next()) {
      if (cancelled && cancelled()) {
        r.status = Status::error("cancelled");
        return r;
      }
      torch::Tensor logits = model.forward({batch->inputs}).toTensor();
      correct += countCorrect(logits, batch->targets);
      predictions += batch->targets.numel();
    }
    if (predictions == 0) throw std::runtime_error(archive + ": no samples to evaluate in the " + r.split + " split");
    r.samples = indices.numel();
    r.accuracy = double(correct) / double(predictions);
  } catch (const c10::Error& e) {
    r.status = Status::error(archive + ": evaluation failed: " + std::string(e.what_without_backtrace()).substr(0, 500));
  } catch (const std::exception& e) {
    r.status = Status::error(e.what());
  }
  return r;
}

}  // namespace nc::core

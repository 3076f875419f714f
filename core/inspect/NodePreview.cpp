#include "core/inspect/NodePreview.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "core/GraphModule.h"
#include "core/LayerType.h"
#include "core/NodeModule.h"
#include "core/ShapeInference.h"
#include "core/data/Dataset.h"
#include "core/data/DatasetInfo.h"
#include "core/layers/AttentionUtil.h"
#include "core/training/Checkpoint.h"

namespace nc::core {

namespace {

/// Pictures wider or taller than this are averaged down to it.
constexpr int64_t kMaxPictureSide = 256;
/// A "vector" picture holds at most this many columns.
constexpr int64_t kMaxVectorColumns = 1024;

std::string shapeText(int64_t rows, int64_t cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

/// Restores the global CPU generator's state when it goes out of scope: building a model draws
/// its initial weights from the global generator, which a training run on another thread also uses.
class GeneratorStateGuard {
 public:
  GeneratorStateGuard() {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    m_state = gen.get_state();
  }
  ~GeneratorStateGuard() {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(m_state);
  }
  GeneratorStateGuard(const GeneratorStateGuard&) = delete;
  GeneratorStateGuard& operator=(const GeneratorStateGuard&) = delete;

 private:
  at::Tensor m_state;
};

/// A key that changes whenever anything that shapes the compiled model changes: node types,
/// parameters, names and the edges (positions are left out, moving a node keeps the model).
std::string graphKey(const Graph& graph) {
  Graph copy = graph;
  for (const auto& [id, node] : graph.nodes()) copy.move(id, 0, 0);
  Project p;
  p.graph = std::move(copy);
  return serializeProject(p);
}

/// Finite values of a float tensor (as double, flattened).
struct FiniteValues {
  torch::Tensor all;     // every value, double, flattened
  torch::Tensor finite;  // the finite ones
  int64_t nonFinite = 0;
};

FiniteValues finiteValues(const torch::Tensor& t) {
  FiniteValues v;
  v.all = t.detach().to(torch::kDouble).reshape({-1});
  torch::Tensor mask = torch::isfinite(v.all);
  v.finite = v.all.masked_select(mask);
  v.nonFinite = v.all.numel() - v.finite.numel();
  return v;
}

void fillStats(const FiniteValues& v, PreviewStats& s, HistogramData& h) {
  s.count = v.all.numel();
  s.nonFinite = v.nonFinite;
  s.zeroFraction = s.count > 0 ? double(v.all.eq(0).sum().item<int64_t>()) / double(s.count) : 0.0;
  h.counts.assign(size_t(kHistogramBins), 0);
  const int64_t n = v.finite.numel();
  if (n == 0) return;
  s.mean = v.finite.mean().item<double>();
  s.std = n > 1 ? v.finite.std(/*unbiased=*/false).item<double>() : 0.0;
  s.min = v.finite.min().item<double>();
  s.max = v.finite.max().item<double>();
  h.min = s.min;
  h.max = s.max;
  torch::Tensor bins;
  if (s.max > s.min) {
    bins = ((v.finite - s.min) * (double(kHistogramBins) / (s.max - s.min))).floor().clamp(0, kHistogramBins - 1);
  } else {
    bins = torch::zeros({n}, torch::kDouble);  // one value: everything in the first bin
  }
  torch::Tensor counts = torch::bincount(bins.to(torch::kLong), {}, kHistogramBins);
  auto acc = counts.accessor<int64_t, 1>();
  for (int64_t i = 0; i < kHistogramBins; ++i) h.counts[size_t(i)] = acc[i];
}

/// `t` mapped from [low, high] to [0, 1] (float); non-finite values go to 0 (NaN, -inf) or 1 (+inf).
torch::Tensor unitRange(const torch::Tensor& t, double low, double high) {
  torch::Tensor f = t.detach().to(torch::kFloat);
  const double range = high - low;
  f = range > 0 ? (f - low) / range : torch::zeros_like(f);
  return torch::nan_to_num(f, 0.0, 1.0, 0.0).clamp(0.0, 1.0).contiguous();
}

/// The picture of `unit` (2-D, values already in [0, 1]), downsampled (area average) when a side
/// exceeds `maxRows`/`maxCols`; the label says so.
PreviewImage pictureOf(const torch::Tensor& unit, double low, double high, std::string label,
                       int64_t maxRows = kMaxPictureSide, int64_t maxCols = kMaxPictureSide) {
  PreviewImage img;
  img.low = low;
  img.high = high;
  torch::Tensor t = unit;
  const int64_t rows = t.size(0), cols = t.size(1);
  if (rows > maxRows || cols > maxCols) {
    const int64_t r = std::min(rows, maxRows), c = std::min(cols, maxCols);
    t = torch::adaptive_avg_pool2d(t.reshape({1, 1, rows, cols}), {r, c}).view({r, c});
    label += " (downsampled from " + shapeText(rows, cols) + ")";
  }
  t = t.contiguous();
  img.rows = t.size(0);
  img.cols = t.size(1);
  img.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  img.label = std::move(label);
  return img;
}

/// rows x cols picture of `t2d` mapped from [low, high] to [0, 1] (see unitRange and pictureOf).
PreviewImage makeImage(const torch::Tensor& t2d, double low, double high, std::string label,
                       int64_t maxRows = kMaxPictureSide, int64_t maxCols = kMaxPictureSide) {
  return pictureOf(unitRange(t2d, low, high), low, high, std::move(label), maxRows, maxCols);
}

std::vector<double> toDoubles(const torch::Tensor& t) {
  torch::Tensor d = t.detach().to(torch::kDouble).contiguous().reshape({-1});
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

/// The sample as the user sees it: the picture (channel average and each channel), or its text.
void describeSample(const Dataset& data, const torch::Tensor& stored, PreviewSample& s) {
  if (stored.scalar_type() == torch::kLong) {
    auto flat = stored.reshape({-1}).contiguous();
    auto acc = flat.accessor<int64_t, 1>();
    for (int64_t i = 0; i < flat.numel(); ++i) {
      int64_t tok = acc[i];
      s.text += tok >= 0 && tok < data.numClasses() ? data.classNames[size_t(tok)] : std::string("?");
    }
    return;
  }
  if (stored.dim() != 3) return;  // features: no picture
  torch::Tensor img = toModelInput(stored).to(torch::kFloat);
  double low = 0, high = 1;
  if (!data.bytesToUnitRange()) {  // float images of unknown range: their own min..max
    FiniteValues v = finiteValues(img);
    if (v.finite.numel() > 0) {
      low = v.finite.min().item<double>();
      high = v.finite.max().item<double>();
    }
  }
  s.image = makeImage(img.mean(0), low, high, "sample");
  const int64_t channels = img.size(0);
  static const char* const kRgb[] = {"R", "G", "B"};
  for (int64_t c = 0; c < channels; ++c)
    s.channels.push_back(
        makeImage(img[c], low, high, channels == 3 ? std::string(kRgb[c]) : "channel " + std::to_string(c)));
}

/// Softmax probabilities of logits `t` (last dimension), as bars labelled with the class names.
void outputBars(const torch::Tensor& logits, bool alreadyProbabilities, const std::vector<std::string>& classNames,
                NodePreview& p) {
  torch::Tensor probs = alreadyProbabilities ? logits.to(torch::kDouble) : torch::softmax(logits.to(torch::kDouble), -1);
  if (probs.dim() == 2) {  // next-token outputs [length, vocabulary]: the last position's bars, every position's map
    p.images.push_back(makeImage(probs, 0.0, 1.0, "probabilities (positions x tokens); the bars show the last position"));
    probs = probs[probs.size(0) - 1];
  }
  p.bars = toDoubles(probs);
  for (size_t i = 0; i < p.bars.size(); ++i)
    p.barLabels.push_back(i < classNames.size() ? classNames[i] : std::to_string(i));
  p.kind = "bars";
}

/// The attention weights [heads, query, key] of a self-attention module for the batch-first input x.
torch::Tensor attentionWeights(torch::nn::MultiheadAttentionImpl& m, const torch::Tensor& x, bool causal) {
  torch::Tensor seq = x.transpose(0, 1);  // [length, batch, embed]
  torch::Tensor mask = causal ? layers::causalMask(seq.size(0), seq.options()) : torch::Tensor();
  torch::Tensor w = std::get<1>(m.forward(seq, seq, seq, /*key_padding_mask=*/{}, /*need_weights=*/true, mask,
                                          /*average_attn_weights=*/false));
  return w[0];  // [heads, L, L]
}

template <class Impl>
Impl* childModule(const torch::nn::Module& parent, const std::string& name) {
  for (const auto& item : parent.named_children())
    if (item.key() == name) return dynamic_cast<Impl*>(item.value().get());
  return nullptr;
}

/// One map per head for MultiheadAttention and TransformerEncoderLayer nodes; empty for others.
std::vector<PreviewImage> attentionPreview(const Node& node, NodeModule* module, const torch::Tensor& input) {
  std::vector<PreviewImage> maps;
  if (!module || !input.defined() || input.dim() != 3) return maps;
  const Params params(node.params);
  torch::Tensor w;
  if (node.type == "MultiheadAttention") {
    auto* m = childModule<torch::nn::MultiheadAttentionImpl>(*module, "m");
    if (!m) return maps;
    w = attentionWeights(*m, input, params.b("causal"));
  } else if (node.type == "TransformerEncoderLayer") {
    auto* m = childModule<torch::nn::MultiheadAttentionImpl>(*module, "self_attn");
    if (!m) return maps;
    torch::Tensor x = input;
    if (params.b("norm_first")) {
      auto* norm = childModule<torch::nn::LayerNormImpl>(*module, "norm1");
      if (!norm) return maps;
      x = norm->forward(x);
    }
    w = attentionWeights(*m, x, params.b("causal"));
  } else {
    return maps;
  }
  torch::Tensor unit = unitRange(w, 0.0, 1.0);
  for (int64_t h = 0; h < w.size(0); ++h) maps.push_back(pictureOf(unit[h], 0.0, 1.0, "head " + std::to_string(h)));
  return maps;
}

/// kind, pictures and bars for one node's output `t` (one sample, no batch dimension).
void drawOutput(const torch::Tensor& t, const FiniteValues& v, NodePreview& p) {
  if (!t.is_floating_point()) return;  // token ids: statistics only
  const double low = v.finite.numel() ? v.finite.min().item<double>() : 0.0;
  const double high = v.finite.numel() ? v.finite.max().item<double>() : 0.0;
  if (t.dim() == 3) {
    p.kind = "feature_maps";
    const int64_t maps = std::min<int64_t>(t.size(0), kMaxFeatureMaps);
    torch::Tensor unit = unitRange(t.narrow(0, 0, maps), low, high);  // one pass for all maps
    for (int64_t c = 0; c < maps; ++c) p.images.push_back(pictureOf(unit[c], low, high, "channel " + std::to_string(c)));
  } else if (t.dim() == 2) {
    p.kind = "heatmap";
    p.images.push_back(makeImage(t, low, high, shapeText(t.size(0), t.size(1)) + " (rows x columns)"));
  } else if (t.dim() == 1 && t.numel() <= kMaxBars) {
    p.kind = "bars";
    p.bars = toDoubles(t);
    for (int64_t i = 0; i < t.numel(); ++i) p.barLabels.push_back(std::to_string(i));
  } else if (t.dim() == 1) {
    p.kind = "vector";
    p.images.push_back(makeImage(t.view({1, -1}), low, high, std::to_string(t.numel()) + " values", 1, kMaxVectorColumns));
  }
}

std::string graphErrors(const GraphAnalysis& a) {
  std::string msg = "the model has errors:";
  for (const auto& i : a.issues)
    if (i.severity == Severity::Error) msg += " " + i.message + ";";
  return msg;
}

}  // namespace

struct PreviewEngine::Cache {
  // The data set, loaded for `dataConfig`, with the split and normalization a run computes.
  std::optional<DataConfig> dataConfig;
  std::shared_ptr<Dataset> data;
  std::string dataError;
  Normalization normalization;
  EvaluationSplit evaluation;
  // The last compiled model: key = graph key + how its weights were set.
  std::string modelKey;
  std::optional<GraphModule> model;
  std::string loadedState;  // the snapshot bytes last read into `model` (the same snapshot is read once)

  /// Loads (or reuses) the data; returns an error message or "".
  std::string ensureData(const DataConfig& config) {
    if (dataConfig && *dataConfig == config) return dataError;
    dataConfig = config;
    data.reset();
    normalization = {};
    evaluation = {};
    dataError.clear();
    DatasetLoad load = loadDataset(config);
    if (!load.ok()) return dataError = load.error;
    data = std::make_shared<Dataset>(std::move(*load.dataset));
    SplitIndices split = splitTrainValidation(data->trainInputs.size(0), config.validationFraction, config.seed);
    normalization = computeNormalization(*data, split.train);
    evaluation = evaluationSplit(*data, config.validationFraction, config.seed);
    return {};
  }
};

PreviewEngine::PreviewEngine() : m_cache(std::make_unique<Cache>()) {}
PreviewEngine::~PreviewEngine() = default;

PreviewResult PreviewEngine::compute(const Project& project, int64_t sampleIndex, const WeightsSnapshot* weights) {
  const auto started = std::chrono::steady_clock::now();
  PreviewResult r;
  auto finish = [&](std::string error) {
    r.error = std::move(error);
    r.ok = r.error.empty();
    if (!r.ok) r.nodes.clear();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
  };
  try {
    torch::NoGradGuard noGrad;
    Cache& c = *m_cache;
    const Graph& graph = project.graph;
    GraphAnalysis analysis = analyze(graph);
    if (!analysis.ok()) return finish(graphErrors(analysis));

    if (std::string e = c.ensureData(project.data); !e.empty()) return finish(e);
    const Dataset& data = *c.data;
    if (std::string e = dataFitProblems(data, graph, analysis); !e.empty()) return finish(e);

    // The sample.
    const EvaluationSplit& eval = c.evaluation;
    PreviewSample& s = r.sample;
    s.split = eval.split;
    s.count = eval.indices.defined() ? eval.indices.numel() : 0;
    s.index = sampleIndex;
    if (sampleIndex < 0 || sampleIndex >= s.count)
      return finish("sample " + std::to_string(sampleIndex) + " is out of range: the " + eval.split + " split has " +
                    std::to_string(s.count) + " samples" +
                    (s.count > 0 ? " (0 to " + std::to_string(s.count - 1) + ")" : ""));
    const int64_t row = eval.indices[sampleIndex].item<int64_t>();
    torch::Tensor stored = eval.inputs[row];
    if (data.task == Task::Classification && eval.targets.defined() && eval.targets.dim() == 1) {
      s.label = eval.targets[row].item<int64_t>();
      if (s.label >= 0 && s.label < data.numClasses()) s.labelName = data.classNames[size_t(s.label)];
    }
    describeSample(data, stored, s);

    // The model: the run's initial weights, or the snapshot's.
    const std::string key = graphKey(graph) + (weights ? "|snapshot" : "|seed " + std::to_string(project.training.seed) +
                                                                       "|" + dataConfigToJson(project.data));
    if (c.modelKey != key || !c.model) {
      c.model.reset();
      c.modelKey.clear();
      c.loadedState.clear();
      GeneratorStateGuard restoreGenerator;
      if (!weights) torch::manual_seed(uint64_t(project.training.seed));
      GraphModule model(graph, analysis);
      if (!weights && c.normalization.mean.defined())
        model->setInputNormalization(c.normalization.mean, c.normalization.std);
      model->eval();
      c.model = model;
      c.modelKey = key;
    }
    GraphModule& model = *c.model;
    if (weights) {
      try {
        if (c.loadedState != weights->state) {
          c.loadedState.clear();
          loadModelState(weights->state, model);
          c.loadedState = weights->state;
        }
      } catch (const std::exception& e) {
        c.model.reset();  // partly loaded
        c.modelKey.clear();
        c.loadedState.clear();
        return finish("the weights snapshot does not fit this graph (weights of another graph?): " +
                      std::string(e.what()));
      }
      r.trainedWeights = true;
      r.weightsStep = weights->step;
    }

    std::map<NodeId, torch::Tensor> outputs = model->forwardAll(toModelInput(stored.unsqueeze(0)));
    const NodeId outputSource =
        analysis.outputNode >= 0 ? graph.edgeInto(PortRef{analysis.outputNode, 0})->from.node : -1;
    for (NodeId id : analysis.live) {
      const Node& node = *graph.node(id);
      NodePreview p;
      p.nodeId = id;
      p.nodeName = node.name;
      p.type = node.type;
      const bool isOutput = id == analysis.outputNode;
      auto it = outputs.find(isOutput ? outputSource : id);
      if (it == outputs.end()) continue;
      torch::Tensor t = it->second[0];
      p.shape = t.sizes().vec();
      FiniteValues v = finiteValues(t);
      fillStats(v, p.stats, p.histogram);
      if (isOutput && t.is_floating_point() && (t.dim() == 1 || t.dim() == 2)) {
        const Node* source = graph.node(outputSource);
        outputBars(t, source && source->type == "Softmax", data.classNames, p);
      } else {
        drawOutput(t, v, p);
      }
      if (node.type == "MultiheadAttention" || node.type == "TransformerEncoderLayer") {
        auto src = outputs.find(graph.edgeInto(PortRef{id, 0})->from.node);
        if (src != outputs.end())
          p.attention = attentionPreview(node, model->nodeModule(id).get(), src->second);
      }
      r.nodes.push_back(std::move(p));
    }
    return finish("");
  } catch (const c10::Error& e) {
    return finish("LibTorch error: " + std::string(e.what_without_backtrace()).substr(0, 500));
  } catch (const std::exception& e) {
    return finish(e.what());
  }
}

}  // namespace nc::core

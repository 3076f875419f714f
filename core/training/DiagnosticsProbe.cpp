#include "core/training/DiagnosticsProbe.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <cstdio>
#include <map>

#include "core/LayerType.h"
#include "core/ShapeInference.h"

namespace nc::core {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Reads one double per tensor (scalars) with a single copy.
std::vector<double> readScalars(const std::vector<torch::Tensor>& scalars) {
  if (scalars.empty()) return {};
  torch::Tensor all = torch::stack(scalars).to(torch::kCPU, torch::kDouble).contiguous();
  const double* p = all.data_ptr<double>();
  return std::vector<double>(p, p + all.numel());
}

torch::Tensor sumOfSquares(const std::vector<torch::Tensor>& tensors, bool grads) {
  torch::Tensor total;
  for (const auto& p : tensors) {
    torch::Tensor t = grads ? p.grad() : p;
    if (!t.defined()) continue;
    torch::Tensor s = t.detach().to(torch::kFloat).pow(2).sum();
    total = total.defined() ? total + s : s;
  }
  return total.defined() ? total : torch::zeros({}, torch::kFloat);
}

/// The graph's live nodes in topological order.
std::vector<NodeId> topologicalOrder(const Graph& graph) { return analyze(graph).live; }

/// Forward pass of every node without gradients, in eval mode or the current mode.
std::map<NodeId, torch::Tensor> allOutputs(GraphModule& model, const torch::Tensor& batch, bool eval) {
  torch::NoGradGuard guard;
  bool wasTraining = model->is_training();
  if (eval) model->eval();
  std::map<NodeId, torch::Tensor> all;
  try {
    all = model->forwardAll(batch);
  } catch (...) {
    if (eval && wasTraining) model->train();
    throw;
  }
  if (eval && wasTraining) model->train();
  return all;
}

}  // namespace

// ---- per-node maths ----

NodeParameterGroups::NodeParameterGroups(const Graph& graph, GraphModule& model) {
  std::map<NodeId, std::vector<torch::Tensor>> byNode;
  for (const auto& item : model->named_parameters()) {
    const std::string& key = item.key();
    if (key.size() < 2 || key[0] != 'n') continue;
    size_t dot = key.find('.');
    try {
      NodeId id = std::stoll(key.substr(1, dot == std::string::npos ? std::string::npos : dot - 1));
      byNode[id].push_back(item.value());
    } catch (const std::exception&) {
    }
  }
  for (NodeId id : topologicalOrder(graph)) {
    auto it = byNode.find(id);
    const Node* node = graph.node(id);
    if (it == byNode.end() || !node) continue;
    m_groups.push_back(Group{id, node->name, node->type, it->second});
  }
}

std::vector<double> NodeParameterGroups::gradNorms() const {
  torch::NoGradGuard guard;
  std::vector<torch::Tensor> s;
  for (const auto& g : m_groups) s.push_back(sumOfSquares(g.params, true));
  std::vector<double> v = readScalars(s);
  for (double& x : v) x = std::sqrt(x);
  return v;
}

std::vector<double> NodeParameterGroups::weightNorms() const {
  torch::NoGradGuard guard;
  std::vector<torch::Tensor> s;
  for (const auto& g : m_groups) s.push_back(sumOfSquares(g.params, false));
  std::vector<double> v = readScalars(s);
  for (double& x : v) x = std::sqrt(x);
  return v;
}

std::vector<std::vector<torch::Tensor>> NodeParameterGroups::copyWeights() const {
  torch::NoGradGuard guard;
  std::vector<std::vector<torch::Tensor>> copy;
  for (const auto& g : m_groups) {
    copy.emplace_back();
    for (const auto& p : g.params) copy.back().push_back(p.detach().clone());
  }
  return copy;
}

std::vector<double> NodeParameterGroups::distances(const std::vector<std::vector<torch::Tensor>>& before) const {
  torch::NoGradGuard guard;
  std::vector<torch::Tensor> s;
  for (size_t i = 0; i < m_groups.size(); ++i) {
    torch::Tensor total = torch::zeros({}, torch::kFloat);
    for (size_t k = 0; k < m_groups[i].params.size() && i < before.size() && k < before[i].size(); ++k)
      total = total + (m_groups[i].params[k].detach() - before[i][k]).to(torch::kFloat).pow(2).sum();
    s.push_back(total);
  }
  std::vector<double> v = readScalars(s);
  for (double& x : v) x = std::sqrt(x);
  return v;
}

HistogramData histogramOf(const torch::Tensor& t, int bins) {
  HistogramData h;
  h.counts.assign(size_t(std::max(bins, 1)), 0);
  if (!t.defined() || t.numel() == 0) return h;
  torch::Tensor flat = t.detach().to(torch::kCPU, torch::kFloat).reshape({-1});
  flat = flat.masked_select(torch::isfinite(flat));
  if (flat.numel() == 0) return h;
  h.min = flat.min().item<double>();
  h.max = flat.max().item<double>();
  if (h.max <= h.min) {  // one value: all in the middle bin
    h.counts[h.counts.size() / 2] = flat.numel();
    return h;
  }
  // Bin i holds [min + i w, min + (i+1) w); the maximum goes into the last bin.
  torch::Tensor index = ((flat.to(torch::kDouble) - h.min) / (h.max - h.min) * double(bins)).floor().to(torch::kLong);
  index = index.clamp(0, bins - 1);
  torch::Tensor counts = torch::bincount(index, {}, bins);
  auto acc = counts.accessor<int64_t, 1>();
  for (int i = 0; i < bins; ++i) h.counts[size_t(i)] = acc[i];
  return h;
}

EpochHistograms NodeParameterGroups::histograms(int64_t epoch, int bins) const {
  torch::NoGradGuard guard;
  EpochHistograms out;
  out.epoch = epoch;
  for (const auto& g : m_groups) {
    std::vector<torch::Tensor> w, grads;
    for (const auto& p : g.params) {
      w.push_back(p.detach().reshape({-1}).to(torch::kCPU, torch::kFloat));
      if (p.grad().defined()) grads.push_back(p.grad().detach().reshape({-1}).to(torch::kCPU, torch::kFloat));
    }
    NodeHistograms h;
    h.nodeId = g.nodeId;
    h.nodeName = g.nodeName;
    h.weights = histogramOf(w.empty() ? torch::Tensor() : torch::cat(w), bins);
    h.gradients = histogramOf(grads.empty() ? torch::Tensor() : torch::cat(grads), bins);
    out.nodes.push_back(std::move(h));
  }
  return out;
}

std::vector<ReluActivity> reluActivity(const Graph& graph, GraphModule& model, const torch::Tensor& batch) {
  std::vector<ReluActivity> out;
  if (!batch.defined() || batch.numel() == 0) return out;
  std::map<NodeId, torch::Tensor> all = allOutputs(model, batch, /*eval=*/true);
  for (NodeId id : topologicalOrder(graph)) {
    const Node* node = graph.node(id);
    auto it = all.find(id);
    if (!node || node->type != "ReLU" || it == all.end() || !it->second.defined() || it->second.numel() == 0)
      continue;
    double zeros = it->second.eq(0).sum().item<double>();
    out.push_back(ReluActivity{id, node->name, zeros / double(it->second.numel())});
  }
  return out;
}

NodeId firstNonFiniteNode(const Graph& graph, GraphModule& model, const torch::Tensor& batch) {
  std::map<NodeId, torch::Tensor> all = allOutputs(model, batch, /*eval=*/false);
  for (NodeId id : topologicalOrder(graph)) {
    auto it = all.find(id);
    if (it == all.end() || !it->second.defined() || !it->second.is_floating_point()) continue;
    if (!torch::isfinite(it->second).all().item<bool>()) return id;
  }
  return -1;
}

// ---- the run's diagnostics ----

TrainingDiagnostics::TrainingDiagnostics(const Graph& graph, GraphModule& model, TrainingObserver& observer, Log log,
                                         int64_t every)
    : m_graph(graph),
      m_model(model),
      m_obs(observer),
      m_log(std::move(log)),
      m_every(every > 0 ? every : kDiagnosticsEvery),
      m_groups(graph, model) {}

Status TrainingDiagnostics::open(const std::string& runDirectory, int64_t resumeAfterStep) {
  std::vector<TrainingAlarm> kept;
  Status s = m_files.open(runDirectory, resumeAfterStep, &kept);
  for (const auto& a : kept) m_alarms.restore(a);
  return s;
}

void TrainingDiagnostics::emit(const TrainingAlarm& a) {
  m_files.alarm(a);
  if (m_log) m_log("alarm: " + a.message);
  m_obs.onAlarm(a);
}

void TrainingDiagnostics::beforeUpdate() {
  auto t0 = std::chrono::steady_clock::now();
  m_gradNorms = m_groups.gradNorms();
  m_before = m_groups.copyWeights();
  m_beforeNorms = m_groups.weightNorms();
  m_sampleSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void TrainingDiagnostics::afterUpdate(int64_t epoch, int64_t step) {
  if (m_before.empty() && !m_groups.groups().empty()) return;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<double> after = m_groups.weightNorms(), moved = m_groups.distances(m_before);
  m_before.clear();
  DiagnosticsSample s;
  s.epoch = epoch;
  s.step = step;
  const auto& groups = m_groups.groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    NodeDiagnostics n;
    n.nodeId = groups[i].nodeId;
    n.nodeName = groups[i].nodeName;
    n.weightNorm = after[i];
    n.gradNorm = m_gradNorms[i];
    n.updateRatio = m_beforeNorms[i] > 0 ? moved[i] / m_beforeNorms[i] : kNaN;
    s.nodes.push_back(std::move(n));
  }
  m_sampleSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++m_samplesThisEpoch;
  m_files.sample(s);
  m_obs.onDiagnostics(s);
  for (const auto& a : m_alarms.onSample(s)) emit(a);
}

void TrainingDiagnostics::endEpoch(int64_t epoch, int64_t step, const torch::Tensor& validationBatch) {
  auto t0 = std::chrono::steady_clock::now();
  EpochHistograms h = m_groups.histograms(epoch);
  m_files.histograms(h, step);
  m_obs.onHistograms(h);
  double histogramSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<ReluActivity> relus = reluActivity(m_graph, m_model, validationBatch);
  double endSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The cost, in the run's log.txt: the norms' time per sample, and the epoch end's checks.
  if (m_log && m_samplesThisEpoch > 0) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "diagnostics: %lld samples in epoch %lld, %.2f ms each; histograms %.1f ms, ReLU check %.1f ms",
                  (long long)m_samplesThisEpoch, (long long)epoch, 1000 * m_sampleSeconds / double(m_samplesThisEpoch),
                  1000 * histogramSeconds, 1000 * (endSeconds - histogramSeconds));
    m_log(line);
  }
  m_sampleSeconds = 0;
  m_samplesThisEpoch = 0;
  for (const auto& a : m_alarms.onReluActivity(epoch, step, relus)) emit(a);
}

std::string TrainingDiagnostics::nonFiniteOrigin(int64_t epoch, int64_t step, const torch::Tensor& batch) {
  NodeId id = -1;
  try {
    id = firstNonFiniteNode(m_graph, m_model, batch);
  } catch (const std::exception&) {
    return {};  // the check must never hide the run's own failure
  }
  const Node* node = m_graph.node(id);
  if (!node) return {};
  std::string type = node->layer ? node->layer->name() : node->type;
  TrainingAlarm a;
  a.kind = "non_finite";
  a.nodeId = id;
  a.nodeName = node->name;
  a.epoch = epoch;
  a.step = step;
  a.message = alarmMessage("non_finite", node->name,
                           "the loss became non-finite at step " + std::to_string(step) + " and this " + type +
                               " node is the first whose output holds NaN or inf");
  emit(a);
  return "first produced by node '" + node->name + "' (" + type + ")";
}

}  // namespace nc::core

// Pruning: structured channel pruning (a graph rewrite with sliced weights), global magnitude
// pruning, and fine-tuning from given weights.
//
// Channel pruning follows each candidate's output channels through the graph along one "channel
// axis" of the sample shape (0 for Conv outputs [C, ...], the last for Linear outputs [..., F]):
// through elementwise layers and per-channel layers (activations, Dropout, pools over other
// dimensions, BatchNorm, Softmax over another dimension), through Flatten (the channel becomes a
// set of feature blocks) and Concat along the channel axis (the channels move by an offset), up to
// the consumers whose input shrinks (Conv with groups = 1, Linear on the channel axis). Anything
// else stops the candidate with a reason naming the node: the model output, Add/Multiply (tied
// counts), Concat along another dimension (tied), LayerNorm (its statistics span the channels),
// recurrent and attention layers, Reshape/Permute, grouped convolutions.
#include "core/deploy/Pruning.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "core/GraphModule.h"
#include "core/LayerAnalysis.h"
#include "core/data/Dataset.h"
#include "core/training/Checkpoint.h"
#include "core/training/Trainer.h"

namespace nc::core {
namespace {

bool isConv(const std::string& t) { return t == "Conv2d" || t == "Conv1d"; }
bool isPrunableType(const std::string& t) { return isConv(t) || t == "Linear"; }
bool isElementwise(const std::string& t) {
  static const std::set<std::string> k = {"ReLU", "LeakyReLU", "GELU", "SiLU", "Sigmoid", "Tanh", "Dropout"};
  return k.count(t) > 0;
}
const char* countParam(const std::string& t) { return isConv(t) ? "out_channels" : "out_features"; }

const TensorShape* inputShape(const GraphAnalysis& a, NodeId id, size_t port = 0) {
  auto it = a.inputShapes.find(id);
  if (it == a.inputShapes.end() || it->second.size() <= port) return nullptr;
  return &it->second[port];
}

/// Sample-dimension index (no batch) of a torch dim parameter counted with the batch as 0.
int64_t sampleAxis(int64_t dim, size_t sampleRank) {
  int64_t rank = int64_t(sampleRank) + 1;
  if (dim < 0) dim += rank;
  return dim - 1;
}

/// The channel axis of a candidate's output.
int64_t outputAxis(const Node& n, const GraphAnalysis& a) {
  if (isConv(n.type)) return 0;
  const TensorShape* s = a.shapeOf(n.id);
  return s ? int64_t(s->dims.size()) - 1 : 0;
}

/// Where the channel axis lands after a Flatten of a sample of `rank` dims; inRange tells
/// whether the axis is one of the merged dimensions.
struct FlattenAxis {
  int64_t axis = 0;
  bool merged = false;
  int64_t first = 0, last = 0;  // merged sample dims
};
FlattenAxis flattenAxis(const Node& n, int64_t axis, size_t rank) {
  Params p(n.params);
  int64_t first = p.i("start_dim") - 1;
  int64_t end = p.i("end_dim");
  if (end < 0) end += int64_t(rank) + 1;
  int64_t last = end - 1;
  FlattenAxis f{axis, false, first, last};
  if (axis < first) return f;
  if (axis > last) {
    f.axis = axis - (last - first);
    return f;
  }
  f.axis = first;
  f.merged = true;
  return f;
}

/// Follows the channels of `producer` through the graph. Empty = safe to cut; otherwise the
/// reason it cannot be cut (naming the node that stops it); *tied tells a tied count apart.
/// Merges in `through` (a tied group's Add/Multiply nodes) pass the channels on; *tiedAt gets the
/// Add/Multiply that stopped it when the channels reach it directly (not through a Concat).
std::string followChannels(const Graph& g, const GraphAnalysis& a, NodeId producer, bool* tied,
                           const std::set<NodeId>* through = nullptr, NodeId* tiedAt = nullptr) {
  *tied = false;
  if (tiedAt) *tiedAt = -1;
  const Node& p = *g.node(producer);
  std::vector<std::pair<NodeId, int64_t>> work{{producer, outputAxis(p, a)}};
  std::set<std::pair<NodeId, int64_t>> seen;
  std::string viaConcat;  // the last Concat the channels went through (for messages)
  while (!work.empty()) {
    auto [id, axis] = work.back();
    work.pop_back();
    if (!seen.insert({id, axis}).second) continue;
    for (const Edge& e : g.edgesFrom(id)) {
      const Node* c = g.node(e.to.node);
      if (!c) continue;
      const std::string& t = c->type;
      const TensorShape* in = inputShape(a, c->id, size_t(e.to.port));
      size_t rank = in ? in->dims.size() : 0;
      auto stop = [&](const std::string& why) { return p.name + ": " + why; };
      if (!in && t != "Output") return stop("the shape reaching " + c->name + " is unknown");
      if (t == "Output") {
        if (id == producer)
          return stop("its " + std::string(countParam(p.type)) +
                      " are the model's outputs (logits) and are never cut");
        return stop("its channels reach the model's output through " + g.node(id)->name + " and are never cut");
      }
      if (isElementwise(t)) {
        work.push_back({c->id, axis});
      } else if (t == "Softmax") {
        if (sampleAxis(Params(c->params).i("dim"), rank) == axis)
          return stop(c->name + " (Softmax) normalises over its channels, so cutting them changes its output");
        work.push_back({c->id, axis});
      } else if (t == "MaxPool2d" || t == "AvgPool2d" || t == "AdaptiveAvgPool2d" || t == "MaxPool1d") {
        size_t spatial = t == "MaxPool1d" ? 1 : 2;
        if (rank < spatial + 1 || axis >= int64_t(rank - spatial))
          return stop(c->name + " (" + t + ") pools over its channel dimension");
        work.push_back({c->id, axis});
      } else if (t == "BatchNorm2d" || t == "BatchNorm1d") {
        if (axis != 0) return stop(c->name + " (" + t + ") normalises another dimension than its channels");
        work.push_back({c->id, axis});
      } else if (t == "Flatten") {
        work.push_back({c->id, flattenAxis(*c, axis, rank).axis});
      } else if (t == "Concat") {
        if (sampleAxis(Params(c->params).i("dim"), rank) != axis) {
          *tied = true;
          return stop("its channel count is tied across " + c->name +
                      " (Concat along another dimension needs equal channel counts)");
        }
        viaConcat = c->name;
        work.push_back({c->id, axis});
      } else if ((t == "Add" || t == "Multiply") && through && through->count(c->id)) {
        work.push_back({c->id, axis});
      } else if (t == "Add" || t == "Multiply") {
        *tied = true;
        if (tiedAt && viaConcat.empty()) *tiedAt = c->id;
        return stop("its channel count is tied across " + c->name + " (" + t + " needs equal shapes" +
                    (viaConcat.empty() ? std::string() : ", reached through " + viaConcat) +
                    "); cut the nodes feeding it together or not at all");
      } else if (isConv(t)) {
        if (Params(c->params).i("groups") != 1)
          return stop(c->name + " is a grouped convolution (groups " + std::to_string(Params(c->params).i("groups")) +
                      "), whose input channels cannot shrink freely");
        if (axis != 0) return stop(c->name + " (" + t + ") receives the channels on another dimension");
      } else if (t == "Linear") {
        if (axis != int64_t(rank) - 1)
          return stop(c->name + " (Linear) receives the channels on another dimension than its features");
      } else {
        return stop("cannot follow its channels through " + c->name + " (" + t + ")");
      }
    }
  }
  return "";
}

bool passesChannels(const std::string& t) {
  return isElementwise(t) || t == "Softmax" || t == "MaxPool2d" || t == "AvgPool2d" || t == "AdaptiveAvgPool2d" ||
         t == "MaxPool1d" || t == "BatchNorm2d" || t == "BatchNorm1d";
}

/// Prunable nodes whose channel counts are tied through Add/Multiply nodes: they are cut together,
/// with one channel selection.
struct TiedGroup {
  std::vector<NodeId> members;  // Conv/Linear, in topological order
  std::set<NodeId> merges;      // the Add/Multiply nodes joining them
  std::string error;            // why the group cannot be cut (empty = it can)
};

/// The group tied at `merge`: walks up every input of each merge through per-channel layers to the
/// Conv/Linear producing it (or another merge of the group).
TiedGroup collectGroup(const Graph& g, const GraphAnalysis& a, NodeId merge, const std::set<NodeId>& live) {
  TiedGroup group;
  std::vector<NodeId> queue{merge};
  std::set<NodeId> members;
  while (!queue.empty()) {
    NodeId m = queue.back();
    queue.pop_back();
    if (!group.merges.insert(m).second) continue;
    const Node& mn = *g.node(m);
    int ports = int(Params(mn.params).i("num_inputs"));
    for (int port = 0; port < ports; ++port) {
      auto e = g.edgeInto({m, port});
      if (!e) {
        group.error = mn.name + " has an unconnected input";
        return group;
      }
      const Node* src = g.node(e->from.node);
      while (src && passesChannels(src->type)) {
        auto up = g.edgeInto({src->id, 0});
        src = up ? g.node(up->from.node) : nullptr;
      }
      if (!src) {
        group.error = mn.name + " has an input without a source";
        return group;
      }
      if (src->type == "Add" || src->type == "Multiply") {
        queue.push_back(src->id);
      } else if (isPrunableType(src->type) && live.count(src->id) &&
                 !(isConv(src->type) && Params(src->params).i("groups") != 1)) {
        members.insert(src->id);
      } else {
        group.error = mn.name + " also adds " + src->name + " (" + src->type + "), whose channels cannot be cut with it";
        return group;
      }
    }
  }
  for (NodeId id : a.order)
    if (members.count(id)) group.members.push_back(id);
  return group;
}

struct Plan {
  Status status;
  ChannelPruneReport report;
  std::optional<Project> project;
  std::map<NodeId, int64_t> kept;  // pruned node -> new count
  std::vector<std::vector<NodeId>> groups;  // tied groups cut together (one shared selection each)
};

Plan makePlan(const Project& project, const ChannelPruneOptions& options) {
  Plan plan;
  if (!(options.fraction > 0 && options.fraction < 1)) {
    plan.status = Status::error("pruning fraction must be between 0 and 1 (exclusive), not " +
                                std::to_string(options.fraction));
    return plan;
  }
  const Graph& g = project.graph;
  GraphAnalysis a = analyze(g);
  if (!a.ok()) {
    std::string msg = "the model has errors:";
    for (const auto& i : a.issues)
      if (i.severity == Severity::Error) msg += " " + i.message + ";";
    plan.status = Status::error(msg);
    return plan;
  }
  std::set<NodeId> live(a.live.begin(), a.live.end());
  std::vector<NodeId> candidates;
  bool explicitNames = !options.nodes.empty();
  if (explicitNames) {
    for (const std::string& name : options.nodes) {
      const Node* found = nullptr;
      for (const auto& [id, n] : g.nodes())
        if (n.name == name) found = &n;
      if (!found) {
        plan.status = Status::error("cannot prune " + name + ": no node has that name");
        return plan;
      }
      if (!isPrunableType(found->type)) {
        plan.status = Status::error("cannot prune " + name + ": only Conv2d, Conv1d and Linear nodes can be pruned, it is " +
                                    found->type);
        return plan;
      }
      if (std::find(candidates.begin(), candidates.end(), found->id) == candidates.end())
        candidates.push_back(found->id);
    }
  } else {
    for (NodeId id : a.order)
      if (isPrunableType(g.node(id)->type)) candidates.push_back(id);
  }

  Project out = project;
  // Sets the node's new count in the rewritten graph and reports it ("conv1: 32 -> 16 channels").
  auto cut = [&](NodeId id, int64_t count, int64_t kept, const std::string& detail) -> Status {
    const Node& node = *g.node(id);
    if (Status s = out.graph.setParam(id, countParam(node.type), ParamValue{kept}); !s)
      return Status::error("cannot prune " + node.name + ": " + s.message());
    plan.kept[id] = kept;
    plan.report.pruned.push_back(node.name + ": " + std::to_string(count) + " -> " + std::to_string(kept) + " " +
                                 (isConv(node.type) ? "channels" : "features") + detail);
    return Status();
  };
  std::set<NodeId> handled;  // members of tied groups already decided
  for (NodeId id : candidates) {
    if (handled.count(id)) continue;
    const Node& n = *g.node(id);
    std::string reason;
    bool tied = false;
    NodeId tiedAt = -1;
    int64_t count = Params(n.params).i(countParam(n.type));
    int64_t kept = keptChannelCount(count, options.fraction);
    if (!live.count(id)) reason = n.name + ": not on the path from the input to the output";
    else if (isConv(n.type) && Params(n.params).i("groups") != 1)
      reason = n.name + ": grouped convolution (groups " + std::to_string(Params(n.params).i("groups")) + ")";
    else reason = followChannels(g, a, id, &tied, nullptr, &tiedAt);
    if (!explicitNames && tied && tiedAt >= 0) {
      // Every prunable node: cut the group tied at this Add/Multiply together, or skip all of it.
      TiedGroup group = collectGroup(g, a, tiedAt, live);
      std::string names;
      for (NodeId m : group.members) names += (names.empty() ? "" : ", ") + g.node(m)->name;
      std::string why = group.error;
      for (NodeId m : group.members) {
        if (!why.empty()) break;
        bool t2 = false;
        const Node& mn = *g.node(m);
        why = followChannels(g, a, m, &t2, &group.merges);
        if (why.empty() && (Params(mn.params).i(countParam(mn.type)) != count || outputAxis(mn, a) != outputAxis(n, a)))
          why = mn.name + ": its channels do not line up with " + n.name + "'s";
      }
      if (why.empty() && kept >= count)
        why = std::to_string(count) + " channels leave nothing to cut at fraction " + std::to_string(options.fraction);
      std::vector<NodeId> members = group.members;
      if (std::find(members.begin(), members.end(), id) == members.end()) {
        members.insert(members.begin(), id);
        names = n.name + (names.empty() ? "" : ", " + names);
      }
      for (NodeId m : members) {
        handled.insert(m);
        const Node& mn = *g.node(m);
        if (!why.empty()) {
          plan.report.skipped.push_back(mn.name + ": its channel count is tied across " + g.node(tiedAt)->name +
                                        " and the tied group (" + names + ") cannot be cut together: " + why);
          continue;
        }
        if (Status s = cut(m, count, kept, " (tied across " + g.node(tiedAt)->name + ": cut together with " + names + ")");
            !s) {
          plan.status = s;
          return plan;
        }
      }
      if (why.empty()) plan.groups.push_back(group.members);
      continue;
    }
    if (reason.empty() && kept >= count)
      reason = n.name + ": " + std::to_string(count) + " " + (isConv(n.type) ? "channel" : "feature") +
               (count == 1 ? "" : "s") + " leave nothing to cut at fraction " + std::to_string(options.fraction);
    if (!reason.empty()) {
      if (explicitNames) {
        plan.status = Status::error("cannot prune " + reason);
        return plan;
      }
      plan.report.skipped.push_back(reason);
      continue;
    }
    if (Status s = cut(id, count, kept, ""); !s) {
      plan.status = s;
      return plan;
    }
  }
  GraphAnalysis after = analyze(out.graph);
  if (!after.ok()) {
    std::string msg = "the pruned model does not validate (a bug in the pruning):";
    for (const auto& i : after.issues)
      if (i.severity == Severity::Error) msg += " " + i.message + ";";
    plan.status = Status::error(msg);
    return plan;
  }
  LayerTotals before = layerTotals(analyzeLayers(g, a, project.training));
  LayerTotals afterTotals = layerTotals(analyzeLayers(out.graph, after, project.training));
  plan.report.paramsBefore = before.params;
  plan.report.flopsBefore = before.flops;
  plan.report.paramsAfter = afterTotals.params;
  plan.report.flopsAfter = afterTotals.flops;
  plan.project = std::move(out);
  return plan;
}

/// The kept indices along the channel axis of one node's output (absent = unchanged).
struct Flow {
  int64_t axis = 0;
  std::vector<int64_t> keep;
};

torch::Tensor indexTensor(const std::vector<int64_t>& v) {
  return torch::tensor(v, torch::kLong);
}

/// Channels of a pruned node to keep: the `count` with the largest L1 norm of their weights
/// (ties: the lower index), in ascending order.
std::vector<int64_t> selectChannels(const torch::Tensor& weight, int64_t count) {
  torch::Tensor norms = weight.detach().abs().reshape({weight.size(0), -1}).sum(1).to(torch::kDouble);
  auto acc = norms.accessor<double, 1>();
  std::vector<int64_t> order(size_t(weight.size(0)));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return acc[x] > acc[y]; });
  order.resize(size_t(count));
  std::sort(order.begin(), order.end());
  return order;
}

std::map<std::string, torch::Tensor> namedTensors(GraphModule& m) {
  std::map<std::string, torch::Tensor> t;
  for (const auto& p : m->named_parameters()) t[p.key()] = p.value();
  for (const auto& b : m->named_buffers())
    if (b.key() != "input_mean" && b.key() != "input_std") t[b.key()] = b.value();
  return t;
}

}  // namespace

int64_t keptChannelCount(int64_t count, double fraction) {
  if (count <= 1) return count;
  if (!(fraction > 0)) return count;
  if (fraction > 1) fraction = 1;
  int64_t removed = int64_t(std::llround(double(count) * fraction));
  return std::max<int64_t>(1, count - removed);
}

ChannelPruneResult planChannelPruning(const Project& project, const ChannelPruneOptions& options) {
  Plan plan = makePlan(project, options);
  return ChannelPruneResult{plan.status, plan.report, plan.status ? plan.project : std::nullopt};
}

ChannelPruneResult pruneChannels(const Project& project, const std::string& checkpoint,
                                 const ChannelPruneOptions& options, const std::string& outProject,
                                 const std::string& outCheckpoint) {
  Plan plan = makePlan(project, options);
  ChannelPruneResult result{plan.status, plan.report, std::nullopt};
  if (!plan.status) return result;
  try {
    const Graph& g = project.graph;
    GraphAnalysis a = analyze(g);
    torch::NoGradGuard guard;
    GraphModule oldModel = compileGraph(g);
    CheckpointState state = loadCheckpoint(checkpoint, oldModel, nullptr, /*restoreRng=*/false);
    std::map<std::string, torch::Tensor> oldTensors = namedTensors(oldModel);

    // Propagate the kept channel indices in topological order; choose each pruned node's channels.
    std::map<NodeId, Flow> flows;
    std::map<NodeId, std::vector<int64_t>> outKeep;  // pruned node -> its kept output channels
    std::map<NodeId, const Flow*> inFlow;             // node -> the flow on its input port 0
    auto sourceFlow = [&](NodeId id, int port) -> const Flow* {
      auto e = g.edgeInto({id, port});
      if (!e) return nullptr;
      auto it = flows.find(e->from.node);
      return it == flows.end() ? nullptr : &it->second;
    };
    auto weightOf = [&](NodeId id) {
      std::string key = "n" + std::to_string(id) + ".m.weight";
      auto w = oldTensors.find(key);
      if (w == oldTensors.end()) throw std::runtime_error(g.node(id)->name + ": no weight '" + key + "' in the model");
      return w->second;
    };
    // A tied group shares one selection: the channels with the largest summed L1 norm over the
    // members' whole weights (a member's input may itself be the group's channels).
    for (const auto& members : plan.groups) {
      torch::Tensor total;
      for (NodeId m : members) {
        torch::Tensor w = weightOf(m);
        torch::Tensor norms = w.detach().abs().reshape({w.size(0), -1}).sum(1).to(torch::kDouble);
        total = total.defined() ? total + norms : norms;
      }
      std::vector<int64_t> keep = selectChannels(total.unsqueeze(1), plan.kept.at(members.front()));
      for (NodeId m : members) outKeep[m] = keep;
    }
    for (NodeId id : a.order) {
      const Node& n = *g.node(id);
      const std::string& t = n.type;
      const Flow* in = sourceFlow(id, 0);
      if (in) inFlow[id] = in;
      if (isPrunableType(t)) {
        auto k = plan.kept.find(id);
        if (k == plan.kept.end()) continue;
        if (!outKeep.count(id)) {
          torch::Tensor weight = weightOf(id);
          if (in) weight = weight.index_select(1, indexTensor(in->keep));
          outKeep[id] = selectChannels(weight, k->second);
        }
        flows[id] = Flow{outputAxis(n, a), outKeep[id]};
      } else if (t == "Concat") {
        bool any = false;
        int ports = int(Params(n.params).i("num_inputs"));
        for (int pi = 0; pi < ports; ++pi) any = any || sourceFlow(id, pi);
        if (!any) continue;
        const TensorShape* first = inputShape(a, id, 0);
        int64_t axis = sampleAxis(Params(n.params).i("dim"), first->dims.size());
        Flow f{axis, {}};
        int64_t offset = 0;
        for (int pi = 0; pi < ports; ++pi) {
          int64_t size = inputShape(a, id, size_t(pi))->dims[size_t(axis)];
          if (const Flow* src = sourceFlow(id, pi)) {
            for (int64_t c : src->keep) f.keep.push_back(offset + c);
          } else {
            for (int64_t c = 0; c < size; ++c) f.keep.push_back(offset + c);
          }
          offset += size;
        }
        flows[id] = std::move(f);
      } else if (!in) {
        continue;
      } else if (t == "Flatten") {
        const TensorShape* shape = inputShape(a, id, 0);
        const auto& dims = shape->dims;
        FlattenAxis fa = flattenAxis(n, in->axis, dims.size());
        Flow f{fa.axis, {}};
        if (!fa.merged) {
          f.keep = in->keep;
        } else {
          int64_t outer = 1, inner = 1, channels = dims[size_t(in->axis)];
          for (int64_t d = fa.first; d < in->axis; ++d) outer *= dims[size_t(d)];
          for (int64_t d = in->axis + 1; d <= fa.last; ++d) inner *= dims[size_t(d)];
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t c : in->keep)
              for (int64_t j = 0; j < inner; ++j) f.keep.push_back((o * channels + c) * inner + j);
        }
        flows[id] = std::move(f);
      } else if (passesChannels(t) || t == "Add" || t == "Multiply") {
        // A tied group's merge: every input carries the same kept channels.
        flows[id] = *in;
      } else if (t != "Output") {
        throw std::runtime_error(n.name + " (" + t + ") receives pruned channels it cannot follow");
      }
    }

    // The new model: every tensor is the old one, sliced where the node's channels changed.
    GraphModule newModel = compileGraph(plan.project->graph);
    newModel->setInputNormalization(oldModel->inputMean(), oldModel->inputStd());
    for (auto& [key, target] : namedTensors(newModel)) {
      auto old = oldTensors.find(key);
      if (old == oldTensors.end()) throw std::runtime_error("the pruned model has a tensor '" + key + "' the original lacks");
      torch::Tensor value = old->second;
      NodeId id = -1;
      size_t dot = key.find('.');
      if (key.size() > 1 && key[0] == 'n' && dot != std::string::npos) id = std::stoll(key.substr(1, dot - 1));
      const Node* n = g.node(id);
      std::string leaf = key.substr(key.rfind('.') + 1);
      if (n && isPrunableType(n->type)) {
        auto k = outKeep.find(id);
        if (k != outKeep.end() && (leaf == "weight" || leaf == "bias")) value = value.index_select(0, indexTensor(k->second));
        auto in = inFlow.find(id);
        if (in != inFlow.end() && leaf == "weight") value = value.index_select(1, indexTensor(in->second->keep));
      } else if (n && (n->type == "BatchNorm2d" || n->type == "BatchNorm1d") && value.dim() == 1) {
        auto in = inFlow.find(id);
        if (in != inFlow.end()) value = value.index_select(0, indexTensor(in->second->keep));
      }
      if (value.sizes() != target.sizes())
        throw std::runtime_error("tensor '" + key + "' of " + (n ? n->name : std::string("the model")) +
                                 " does not fit after slicing (a bug in the pruning)");
      target.copy_(value);
    }

    CheckpointState outState;
    outState.configJson = state.configJson;
    outState.projectJson = serializeProject(*plan.project);
    std::error_code ec;
    auto parent = std::filesystem::path(outCheckpoint).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    saveCheckpoint(outCheckpoint, newModel, nullptr, outState);
    if (!outProject.empty()) {
      auto pp = std::filesystem::path(outProject).parent_path();
      if (!pp.empty()) std::filesystem::create_directories(pp, ec);
      if (Status s = saveProject(*plan.project, outProject); !s) {
        result.status = s;
        return result;
      }
    }
    result.project = plan.project;
  } catch (const c10::Error& e) {
    result.status = Status::error("channel pruning failed: " + std::string(e.what_without_backtrace()).substr(0, 500));
  } catch (const std::exception& e) {
    result.status = Status::error(std::string("channel pruning failed: ") + e.what());
  }
  return result;
}

MagnitudePruneResult pruneMagnitude(const Project& project, const std::string& checkpoint, double sparsity,
                                    const std::string& outCheckpoint) {
  MagnitudePruneResult r;
  if (!(sparsity >= 0 && sparsity < 1)) {
    r.status = Status::error("sparsity must be at least 0 and below 1, not " + std::to_string(sparsity));
    return r;
  }
  static const std::set<std::string> kTypes = {"Conv1d", "Conv2d", "Linear", "LSTM", "GRU", "RNN",
                                               "MultiheadAttention", "TransformerEncoderLayer"};
  try {
    torch::NoGradGuard guard;
    GraphModule model = compileGraph(project.graph);
    CheckpointState state = loadCheckpoint(checkpoint, model, nullptr, /*restoreRng=*/false);
    std::vector<torch::Tensor> weights;
    for (const auto& p : model->named_parameters()) {
      const std::string& key = p.key();
      size_t dot = key.find('.');
      if (key.empty() || key[0] != 'n' || dot == std::string::npos) continue;
      const Node* n = project.graph.node(std::stoll(key.substr(1, dot - 1)));
      if (n && kTypes.count(n->type) && p.value().dim() >= 2) weights.push_back(p.value());
    }
    for (const auto& w : weights) r.total += w.numel();
    if (r.total == 0) {
      r.status = Status::error("the model has no Conv, Linear, recurrent or attention weights to prune");
      return r;
    }
    int64_t k = int64_t(std::llround(sparsity * double(r.total)));
    if (k > 0) {
      std::vector<torch::Tensor> flat;
      for (const auto& w : weights) flat.push_back(w.detach().abs().reshape({-1}).to(torch::kFloat));
      torch::Tensor all = torch::cat(flat);
      // Exactly k entries: the k smallest magnitudes (a stable sort breaks ties by position).
      torch::Tensor order = std::get<1>(all.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
      torch::Tensor mask = torch::ones_like(all);
      mask.index_fill_(0, order.slice(0, 0, k), 0);
      int64_t offset = 0;
      for (auto& w : weights) {
        torch::Tensor m = mask.slice(0, offset, offset + w.numel()).reshape(w.sizes()).to(w.dtype());
        w.mul_(m);
        offset += w.numel();
      }
    }
    for (const auto& w : weights) r.zeroed += (w == 0).sum().item<int64_t>();
    r.sparsity = double(r.zeroed) / double(r.total);
    CheckpointState outState;
    outState.configJson = state.configJson;
    outState.projectJson = serializeProject(project);
    std::error_code ec;
    auto parent = std::filesystem::path(outCheckpoint).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    saveCheckpoint(outCheckpoint, model, nullptr, outState);
  } catch (const c10::Error& e) {
    r.status = Status::error("magnitude pruning failed: " + std::string(e.what_without_backtrace()).substr(0, 500));
  } catch (const std::exception& e) {
    r.status = Status::error(std::string("magnitude pruning failed: ") + e.what());
  }
  return r;
}

FineTuneResult fineTune(const Project& project, const std::string& weights, int epochs, bool keepZeros,
                        const std::string& runDirectory, TrainingObserver* observer, TrainingControl* control,
                        std::shared_ptr<const Dataset> dataset) {
  FineTuneResult r;
  if (epochs < 1) {
    r.status = Status::error("fine-tuning needs at least 1 epoch, not " + std::to_string(epochs));
    return r;
  }
  TrainJob job;
  job.project = project;
  job.project.training.epochs = epochs;
  job.runDirectory = runDirectory;
  job.initialWeights = weights;
  job.keepZeroWeights = keepZeros;
  job.dataset = std::move(dataset);
  TrainingObserver quiet;
  TrainingControl ownControl;
  RunResult run = runTraining(job, observer ? *observer : quiet, control ? *control : ownControl);
  r.validationAccuracy = run.bestValidationAccuracy;
  if (!runDirectory.empty()) {
    std::error_code ec;
    for (const char* name : {"best", "last"}) {
      auto path = std::filesystem::path(runDirectory) / "checkpoints" / (std::string(name) + ".pt");
      if (std::filesystem::is_regular_file(path, ec)) {
        r.checkpoint = path.string();
        break;
      }
    }
  }
  if (run.status == RunStatus::Failed) r.status = Status::error("fine-tuning failed: " + run.message);
  else if (run.status == RunStatus::Stopped) r.status = Status::error("fine-tuning stopped: " + run.message);
  else if (r.checkpoint.empty() && !runDirectory.empty())
    r.status = Status::error(runDirectory + ": fine-tuning wrote no checkpoint");
  return r;
}

}  // namespace nc::core

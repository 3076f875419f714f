#include "core/MemoryEstimate.h"

#include <algorithm>
#include <map>
#include <vector>

#include "core/CheckedMath.h"
#include "core/LayerType.h"
#include "core/Params.h"

namespace nc::core {

namespace {
/// Tensors of optimizer state per weight tensor.
int64_t stateCopies(const TrainConfig& t) {
  if (t.optimizer == "adam" || t.optimizer == "adamw") return 2;
  if (t.optimizer == "rmsprop") return t.momentum > 0 ? 2 : 1;
  if (t.optimizer == "sgd") return t.momentum > 0 ? 1 : 0;
  return 2;
}

/// What one node's forward pass leaves for backward, and its largest transient (bytes, whole batch).
struct NodeCost {
  bool keepsInputs = false;   // autograd saves the tensors arriving on the node's inputs
  bool keepsOutput = false;   // ... or the node's own output (ReLU, Sigmoid, Tanh, Softmax)
  bool view = false;          // the output shares the input's memory (Flatten, Reshape, Permute, p=0 dropout)
  int64_t extra = 0;          // tensors of its own it saves (masks, indices, gates, attention probabilities)
  int64_t transient = 0;      // freed before the pass ends (input projections, column buffers)
  int64_t evalTransient = 0;  // the same without autograd (evaluation)
};

double real(const Params& p, const char* name, double otherwise) {
  return p.map().count(name) ? p.f(name) : otherwise;
}
int64_t integer(const Params& p, const char* name, int64_t otherwise) {
  return p.map().count(name) ? p.i(name) : otherwise;
}

/// Autograd in LibTorch 1.13 (CPU), per layer type, as the layers' modules compute them.
NodeCost nodeCost(const Node& node, const std::vector<TensorShape>& inputs, const TensorShape* output, int64_t batch) {
  NodeCost c;
  const std::string& t = node.type;
  const Params p(node.params);
  const int64_t out = output ? activationBytes(*output, batch) : 0;
  const int64_t f32 = 4;
  if (t == "Conv2d" || t == "Conv1d" || t == "Linear" || t == "BatchNorm1d" || t == "BatchNorm2d" ||
      t == "LayerNorm" || t == "GELU" || t == "SiLU" || t == "LeakyReLU" || t == "AvgPool2d" ||
      t == "AdaptiveAvgPool2d" || t == "Embedding" || t == "Multiply") {
    c.keepsInputs = true;
  } else if (t == "ReLU" || t == "Sigmoid" || t == "Tanh" || t == "Softmax") {
    c.keepsOutput = true;
  } else if (t == "MaxPool2d" || t == "MaxPool1d") {
    c.keepsInputs = true;
    if (output) c.extra = satMul(output->numel(), 8, batch);  // int64 indices
  } else if (t == "Flatten" || t == "Reshape" || t == "Permute") {
    c.view = true;
  } else if (t == "Dropout") {
    if (real(p, "p", 0) > 0) c.extra = out;  // the scaled float mask the output is multiplied by
    else c.view = true;
  } else if (t == "PositionalEncoding") {
    if (real(p, "dropout", 0) > 0) c.extra = satMul(out, 2);  // the sum (dropout's input) freed; mask + result
  } else if (t == "SequencePool") {
    const std::string mode = p.map().count("mode") ? p.s("mode") : "mean";
    if (mode == "max" && output) c.extra = satMul(output->numel(), 8, batch);
  } else if ((t == "LSTM" || t == "GRU" || t == "RNN") && !inputs.empty() && inputs[0].dims.size() == 2) {
    // at::lstm on the CPU with autograd: per layer and direction the inputs' projections for all
    // steps at once ([T, B, gates*H], transient), then per step the gate activations (kept in
    // place in the step's gates buffer), the cell state and its tanh, and the hidden state.
    const int64_t steps = inputs[0].dims[0], features = inputs[0].dims[1];
    const int64_t hidden = integer(p, "hidden_size", 1), layers = integer(p, "num_layers", 1);
    const int64_t dirs = p.map().count("bidirectional") && p.b("bidirectional") ? 2 : 1;
    const int64_t gates = t == "LSTM" ? 4 : t == "GRU" ? 3 : 1;
    const int64_t keptPerStep = t == "LSTM" ? 7 : t == "GRU" ? 8 : 2;  // in units of [B, H]
    const int64_t hiddenBytes = satMul(batch, hidden, f32);
    int64_t perLayer = satMul(keptPerStep, steps, dirs, hiddenBytes);
    // The batch-first input is transposed to [T, B, F]: the projection saves a contiguous copy;
    // every layer after the first reads the previous one's stacked [T, B, dirs*H] output.
    c.extra = satAdd(satMul(layers, perLayer), satMul(steps, batch, features, f32),
                     satMul(layers - 1, steps, dirs, hiddenBytes));
    c.transient = satMul(gates, steps, dirs, hiddenBytes);
    c.evalTransient = satMul(gates + 2, steps, dirs, hiddenBytes);
  } else if ((t == "TransformerEncoderLayer" || t == "MultiheadAttention") && !inputs.empty() &&
             inputs[0].dims.size() == 2) {
    // torch::nn::functional::multi_head_attention_forward: a copy of the input for the packed
    // projection, q (scaled), k, v (contiguous copies), the attention output's copy for out_proj,
    // the softmax probabilities [B*heads, T, T] (+ dropout mask and dropped copy), and the
    // averaged weights it returns (transient).
    const int64_t steps = inputs[0].dims[0], embed = inputs[0].dims[1];
    const int64_t heads = integer(p, "num_heads", 1);
    const double dropout = real(p, "dropout", 0);
    const int64_t bte = satMul(batch, steps, embed, f32);
    const int64_t probs = satMul(batch, heads, steps, steps, f32);
    c.extra = satAdd(satMul(5, bte), satMul(dropout > 0 ? 3 : 1, probs));
    c.transient = satAdd(satMul(3, bte), satMul(batch, steps, steps, f32), probs);
    c.evalTransient = satAdd(satMul(6, bte), satMul(2, probs));
    if (t == "TransformerEncoderLayer") {
      c.keepsInputs = true;  // the first LayerNorm (pre-norm) or the projection's copy (post-norm)
      const int64_t ff = integer(p, "dim_feedforward", 1);
      const int64_t btf = satMul(batch, steps, ff, f32);
      const bool gelu = p.map().count("activation") && p.s("activation") == "gelu";
      // The residual sum and its LayerNorm (2 [B,T,E]), linear1's output and the activation
      // (relu keeps one [B,T,F], gelu two), with dropout: mask + dropped copies.
      int64_t feedForward = satAdd(satMul(2, bte), satMul(gelu ? 2 : 1, btf));
      if (dropout > 0) feedForward = satAdd(feedForward, satMul(2, btf), satMul(2, bte));
      c.extra = satAdd(c.extra, feedForward);
      c.transient = std::max(c.transient, satMul(2, btf));
      c.evalTransient = std::max(c.evalTransient, satAdd(satMul(2, btf), satMul(2, bte)));
    }
  }
  return c;
}
}  // namespace

int64_t activationBytes(const TensorShape& output, int64_t batchSize) {
  return satMul(output.numel(), output.dtype == DType::Int64 ? 8 : 4, batchSize);
}

MemoryEstimate estimateTrainingMemory(const Graph& graph, const GraphAnalysis& analysis, const TrainConfig& training) {
  MemoryEstimate m;
  GraphSummary summary = summarize(graph, analysis);
  const int64_t batch = training.batchSize, evalBatch = std::max<int64_t>(training.evalBatchSize, 1);
  // Saturating arithmetic: a graph with absurd sizes (reported by analyze()) must not wrap here.
  m.weights = satMul(summary.params, 4);
  m.gradients = m.weights;
  m.optimizerState = satMul(stateCopies(training), m.weights);

  // Which node's memory each node's output lives in (views share their input's), and whose
  // outputs autograd keeps. One pass over the edges and one over the live nodes: cheap enough
  // for the editor, which calls this on every edit.
  std::map<NodeId, std::vector<NodeId>> producers;
  for (const Edge& e : graph.edges()) producers[e.to.node].push_back(e.from.node);
  std::map<NodeId, NodeId> storage;
  std::map<NodeId, int64_t> kept;  // storage owner -> its bytes, once however many keep it
  int64_t extra = 0, transient = 0, widest = 0, evalWidest = 0;
  static const std::vector<TensorShape> kNoInputs;
  const TensorShape* logits = nullptr;
  for (NodeId id : analysis.live) {
    const Node* node = graph.node(id);
    if (!node) continue;
    const TensorShape* shape = analysis.shapeOf(id);
    if (shape) m.activations = satAdd(m.activations, activationBytes(*shape, batch));
    auto ins = analysis.inputShapes.find(id);
    const std::vector<TensorShape>& inputs = ins == analysis.inputShapes.end() ? kNoInputs : ins->second;
    const std::vector<NodeId>& from = producers[id];
    if (node->layer && node->layer->isOutput()) {
      if (!inputs.empty()) logits = &inputs[0];
      continue;
    }
    NodeCost c = nodeCost(*node, inputs, shape, batch);
    storage[id] = (c.view && !from.empty()) ? storage[from[0]] : id;
    auto keep = [&](NodeId producer) {
      const TensorShape* s = analysis.shapeOf(producer);
      auto owner = storage.find(producer);
      if (s && owner != storage.end()) kept[owner->second] = activationBytes(*s, batch);
    };
    if (c.keepsInputs)
      for (NodeId producer : from) keep(producer);
    if (c.keepsOutput) keep(id);
    extra = satAdd(extra, c.extra);
    transient = std::max(transient, c.transient);
    const int64_t out = shape && !c.view ? activationBytes(*shape, batch) : 0;
    const int64_t in = inputs.empty() ? 0 : activationBytes(inputs[0], batch);
    widest = std::max(widest, satAdd(in, out));
    // Without autograd a layer's input and output (and its own temporaries) are what is alive.
    evalWidest = std::max(evalWidest, satAdd(satMul(satAdd(in, out), evalBatch) / std::max<int64_t>(batch, 1),
                                             satMul(c.evalTransient, evalBatch) / std::max<int64_t>(batch, 1)));
  }
  // glibc serves blocks of 32 MiB and more (its largest mmap threshold) straight from the kernel
  // and returns them on free: only smaller ones stay in its heap (the allocator share below).
  constexpr int64_t kHeapBlockLimit = int64_t(32) << 20;
  int64_t bigKept = 0;  // saved outputs of at least kHeapBlockLimit each
  for (const auto& [owner, bytes] : kept) {
    m.saved = satAdd(m.saved, bytes);
    if (bytes >= kHeapBlockLimit) bigKept = satAdd(bigKept, bytes);
  }
  m.saved = satAdd(m.saved, extra);
  // The input node's output: the loader's batch (inputs) normalised into a new tensor; targets.
  int64_t inputBytes = 0, targetBytes = 0;
  if (const TensorShape* in = analysis.shapeOf(analysis.inputNode)) inputBytes = activationBytes(*in, batch);
  if (logits) {
    // Targets: one int64 class id per prediction (a sequence model predicts one per position).
    int64_t predictions = logits->dims.size() >= 2 ? satMul(logits->numel() / std::max<int64_t>(logits->dims.back(), 1), 1)
                                                   : 1;
    targetBytes = satMul(predictions, 8, batch);
    // The loss keeps the log-probabilities (the logits' size); the logits stay alive for accuracy.
    const int64_t logitBytes = activationBytes(*logits, batch);
    m.saved = satAdd(m.saved, satMul(2, logitBytes));
  }
  m.batch = satAdd(inputBytes, targetBytes);
  // Backward: a gradient for the widest layer's output and input at once, plus the optimizer
  // step's temporaries (about one weight tensor). Evaluation: no autograd, at evalBatchSize.
  const int64_t trainTransient = std::max(widest, transient);
  const int64_t evalPeak = satAdd(evalWidest, satMul(satAdd(inputBytes, targetBytes), evalBatch) / std::max<int64_t>(batch, 1));
  const int64_t trainPeak = satAdd(m.saved, m.batch, trainTransient);
  m.workspace = evalPeak > trainPeak ? satAdd(trainTransient, evalPeak - trainPeak) : trainTransient;
  if (training.precision == "bfloat16" || training.precision == "float16") {
    m.saved = m.saved / 4 * 3;
    m.workspace = satAdd(m.workspace, m.weights / 2);  // autocast's half-size weight copies
    m.note = "with " + training.precision +
             " autocast only matmul and convolution outputs are half-size: the activations are a rough 3/4";
  }
  const int64_t heapSaved = m.saved - std::min(m.saved, bigKept);
  const int64_t heapWorkspace = m.workspace < kHeapBlockLimit ? m.workspace : 0;
  m.allocator = int64_t(double(satAdd(heapSaved, m.batch, heapWorkspace)) * MemoryEstimate::kAllocatorShare);
  m.runtime = MemoryEstimate::kRuntimeBytes;
  if (satAdd(m.saved, m.batch, m.workspace) < m.runtime)
    m.note += std::string(m.note.empty() ? "" : "; ") +
              "a small model: one-time library buffers and the allocator are most of the figure, which is rough";
  return m;
}

}  // namespace nc::core

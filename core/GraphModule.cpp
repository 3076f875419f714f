#include "core/GraphModule.h"

#include <stdexcept>

#include "core/LayerType.h"
#include "core/NodeModule.h"

namespace nc::core {

GraphModuleImpl::GraphModuleImpl(const Graph& graph, const GraphAnalysis& analysis)
    : m_inputNode(analysis.inputNode), m_outputNode(analysis.outputNode) {
  if (!analysis.ok()) throw std::invalid_argument("cannot compile a graph with errors");
  const TensorShape* inShape = analysis.shapeOf(m_inputNode);
  m_floatInput = inShape && inShape->dtype == DType::Float32;
  m_mean = register_buffer("input_mean", torch::zeros({1}));
  m_std = register_buffer("input_std", torch::ones({1}));
  std::map<NodeId, size_t> lastUse;
  for (size_t i = 0; i < analysis.live.size(); ++i) {
    NodeId id = analysis.live[i];
    const Node& n = *graph.node(id);
    Step step;
    step.id = id;
    int ports = graph.inputCount(id);
    for (int p = 0; p < ports; ++p) {
      NodeId src = graph.edgeInto(PortRef{id, p})->from.node;
      step.sources.push_back(src);
      lastUse[src] = i;
    }
    if (!n.layer->isInput() && !n.layer->isOutput()) {
      Params params(n.params);
      step.module = n.layer->build(LayerContext{params, analysis.inputShapes.at(id)});
      register_module("n" + std::to_string(id), step.module);
    }
    m_slot[id] = i;
    m_steps.push_back(std::move(step));
  }
  for (const auto& [src, step] : lastUse) m_steps[step].freeAfter.push_back(m_slot[src]);
}

torch::Tensor GraphModuleImpl::run(torch::Tensor input, std::map<NodeId, torch::Tensor>* all) {
  std::vector<torch::Tensor> values(m_steps.size());
  torch::Tensor result;
  std::vector<torch::Tensor> args;
  for (size_t i = 0; i < m_steps.size(); ++i) {
    const Step& s = m_steps[i];
    args.clear();
    for (NodeId src : s.sources) args.push_back(values[m_slot[src]]);
    if (s.id == m_inputNode) values[i] = m_floatInput ? (input - m_mean) / m_std : input;
    else if (s.id == m_outputNode) result = args.at(0);
    else values[i] = s.module->forward(args);
    if (all && values[i].defined()) (*all)[s.id] = values[i];
    if (!all)
      for (size_t slot : s.freeAfter) values[slot] = torch::Tensor();
  }
  return result;
}

void GraphModuleImpl::setInputNormalization(const torch::Tensor& mean, const torch::Tensor& std) {
  torch::NoGradGuard guard;
  m_mean.set_data(mean.detach().to(m_mean.device(), torch::kFloat).clone());
  m_std.set_data(std.detach().to(m_std.device(), torch::kFloat).clone());
}

torch::Tensor GraphModuleImpl::forward(torch::Tensor input) { return run(std::move(input), nullptr); }

std::map<NodeId, torch::Tensor> GraphModuleImpl::forwardAll(torch::Tensor input) {
  std::map<NodeId, torch::Tensor> all;
  run(std::move(input), &all);
  return all;
}

std::shared_ptr<NodeModule> GraphModuleImpl::nodeModule(NodeId id) const {
  auto it = m_slot.find(id);
  return it == m_slot.end() ? nullptr : m_steps[it->second].module;
}

GraphModule compileGraph(const Graph& graph) {
  GraphAnalysis analysis = analyze(graph);
  if (!analysis.ok()) {
    std::string msg = "the graph has errors:";
    for (const auto& i : analysis.issues)
      if (i.severity == Severity::Error) msg += "\n  " + i.message;
    throw std::invalid_argument(msg);
  }
  return GraphModule(graph, analysis);
}

}  // namespace nc::core

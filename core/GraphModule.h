#pragma once
// LibTorch module running a validated graph. Include only from .cpp files (pulls in torch).
#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/Graph.h"
#include "core/ShapeInference.h"

namespace nc::core {

class NodeModule;

/// One torch::nn::Module for the whole graph. Each node's module is registered as
/// "n<id>", so checkpoint keys stay stable when other nodes change. forward() runs the
/// live nodes in topological order; a node's output is freed after its last consumer.
class GraphModuleImpl : public torch::nn::Module {
 public:
  GraphModuleImpl(const Graph& graph, const GraphAnalysis& analysis);

  torch::Tensor forward(torch::Tensor input);
  /// Every live node's output, by node id (for tests and inspection).
  std::map<NodeId, torch::Tensor> forwardAll(torch::Tensor input);

  /// Normalization applied to float inputs before the first layer: (x - mean) / std, with
  /// tensors that broadcast against one sample (e.g. [C, 1, 1]). Stored as the buffers
  /// "input_mean" and "input_std", so it travels with checkpoints and exports. Identity by default.
  void setInputNormalization(const torch::Tensor& mean, const torch::Tensor& std);
  const torch::Tensor& inputMean() const { return m_mean; }
  const torch::Tensor& inputStd() const { return m_std; }

  /// Module of one node, or nullptr for Input/Output and dead nodes.
  std::shared_ptr<NodeModule> nodeModule(NodeId id) const;

 private:
  struct Step {
    NodeId id;
    std::shared_ptr<NodeModule> module;  // null for Input and Output
    std::vector<NodeId> sources;         // node feeding each input port
    std::vector<size_t> freeAfter;       // slots whose last consumer is this step
  };
  torch::Tensor run(torch::Tensor input, std::map<NodeId, torch::Tensor>* all);

  std::vector<Step> m_steps;
  std::map<NodeId, size_t> m_slot;
  NodeId m_inputNode = -1, m_outputNode = -1;
  bool m_floatInput = true;
  torch::Tensor m_mean, m_std;
};
TORCH_MODULE(GraphModule);

/// Compiles a graph. Throws std::invalid_argument listing the issues if it is not valid.
GraphModule compileGraph(const Graph& graph);

}  // namespace nc::core

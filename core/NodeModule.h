#pragma once
// LibTorch side of a layer: the module computing one node. Include only from .cpp files.
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <vector>

namespace nc::core {

/// The module of one graph node: takes the tensors on its input ports, returns its output.
class NodeModule : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& inputs) = 0;
};

/// A node that wraps one LibTorch module holder (registered as "m", so checkpoint keys read
/// "n<id>.m.weight") and applies it to its single input.
template <class Holder>
class WrappedNode : public NodeModule {
 public:
  explicit WrappedNode(Holder m) : m_module(register_module("m", std::move(m))) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override { return m_module->forward(in.at(0)); }
  Holder& module() { return m_module; }

 private:
  Holder m_module;
};

template <class Holder>
std::shared_ptr<NodeModule> wrapModule(Holder m) {
  return std::make_shared<WrappedNode<Holder>>(std::move(m));
}

/// A parameter-free node computed by a function of its inputs.
class FunctionNode : public NodeModule {
 public:
  using Fn = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;
  explicit FunctionNode(Fn fn) : m_fn(std::move(fn)) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override { return m_fn(in); }

 private:
  Fn m_fn;
};

inline std::shared_ptr<NodeModule> functionNode(FunctionNode::Fn fn) {
  return std::make_shared<FunctionNode>(std::move(fn));
}

/// The same for single-input functions.
inline std::shared_ptr<NodeModule> unaryNode(std::function<torch::Tensor(const torch::Tensor&)> fn) {
  return functionNode([fn = std::move(fn)](const std::vector<torch::Tensor>& in) { return fn(in.at(0)); });
}

}  // namespace nc::core

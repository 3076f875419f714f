#include "core/training/Checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace nc::core {

namespace {

void writeString(torch::serialize::OutputArchive& a, const std::string& key, const std::string& value) {
  a.write(key, c10::IValue(value));
}

std::string readString(torch::serialize::InputArchive& a, const std::string& key) {
  c10::IValue v;
  a.read(key, v);
  return v.toStringRef();
}

int64_t readInt(torch::serialize::InputArchive& a, const std::string& key) {
  c10::IValue v;
  a.read(key, v);
  return v.toInt();
}

/// Sizes of every parameter and buffer except the input normalization (whose shape follows the data).
std::map<std::string, std::vector<int64_t>> tensorSizes(GraphModule& model) {
  std::map<std::string, std::vector<int64_t>> sizes;
  for (const auto& p : model->named_parameters()) sizes[p.key()] = p.value().sizes().vec();
  for (const auto& b : model->named_buffers())
    if (b.key() != "input_mean" && b.key() != "input_std") sizes[b.key()] = b.value().sizes().vec();
  return sizes;
}

std::string dimsText(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

}  // namespace

void saveCheckpoint(const std::string& path, GraphModule& model, torch::optim::Optimizer* optimizer,
                    const CheckpointState& state) {
  torch::serialize::OutputArchive root;
  torch::serialize::OutputArchive modelArchive;
  model->save(modelArchive);
  root.write("model", modelArchive);
  if (optimizer) {
    torch::serialize::OutputArchive optArchive;
    optimizer->save(optArchive);
    root.write("optimizer", optArchive);
  }
  root.write("epoch", c10::IValue(state.epoch));
  root.write("step", c10::IValue(state.step));
  root.write("best_metric", c10::IValue(state.bestMetric));
  root.write("epochs_since_best", c10::IValue(state.epochsSinceBest));
  writeString(root, "history", state.historyJson);
  writeString(root, "config", state.configJson);
  root.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  try {
    root.save_to(tmp);
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot write checkpoint (" + std::string(e.what()).substr(0, 200) + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot replace checkpoint");
  }
}

CheckpointState loadCheckpoint(const std::string& path, GraphModule& model, torch::optim::Optimizer* optimizer,
                               bool restoreRng) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(path + ": checkpoint not found");
  CheckpointState s;
  try {
    torch::serialize::InputArchive root;
    root.load_from(path);
    torch::serialize::InputArchive modelArchive;
    root.read("model", modelArchive);
    // Loading replaces tensors wholesale, shapes included: compare shapes so that a checkpoint of a
    // different model is refused instead of silently taking over this one.
    auto before = tensorSizes(model);
    model->load(modelArchive);
    auto after = tensorSizes(model);
    for (const auto& [key, dims] : before)
      if (after[key] != dims)
        throw std::runtime_error(path + ": cannot load checkpoint: it belongs to a different model (" + key + " is " +
                                 dimsText(after[key]) + " in the checkpoint but " + dimsText(dims) +
                                 " in this model)");
    if (optimizer) {
      torch::serialize::InputArchive optArchive;
      if (root.try_read("optimizer", optArchive)) optimizer->load(optArchive);
    }
    s.epoch = readInt(root, "epoch");
    s.step = readInt(root, "step");
    c10::IValue best;
    root.read("best_metric", best);
    s.bestMetric = best.toDouble();
    s.epochsSinceBest = readInt(root, "epochs_since_best");
    s.historyJson = readString(root, "history");
    s.configJson = readString(root, "config");
    if (restoreRng) {
      torch::Tensor rng;
      root.read("rng", rng);
      at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the global one
      generator.set_state(rng);
    }
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    throw std::runtime_error(path + ": cannot load checkpoint (it is corrupt or belongs to a different model): " +
                             what.substr(0, 300));
  }
  return s;
}

}  // namespace nc::core

#include "core/training/Checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "core/FileIO.h"
#include "core/Sha256.h"

namespace nc::core {

namespace fs = std::filesystem;

namespace {

/// A problem already described in words (naming the file): passed through unchanged.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void writeString(torch::serialize::OutputArchive& a, const std::string& key, const std::string& value) {
  a.write(key, c10::IValue(value));
}

std::string readString(torch::serialize::InputArchive& a, const std::string& key) {
  c10::IValue v;
  a.read(key, v);
  if (!v.isString()) throw CheckpointError("entry '" + key + "' is not text");
  return v.toStringRef();
}

int64_t readInt(torch::serialize::InputArchive& a, const std::string& key) {
  c10::IValue v;
  a.read(key, v);
  if (!v.isInt()) throw CheckpointError("entry '" + key + "' is not an integer");
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

bool isHexDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

/// The digests a sidecar accepts (one normally, two while a save is between its steps).
/// nullopt-like: `readable` false when the sidecar is missing or unreadable.
struct Recorded {
  bool readable = false;
  std::vector<std::string> digests;
};

Recorded readChecksums(const std::string& sidecar) {
  Recorded r;
  std::ifstream in(sidecar, std::ios::binary);
  if (!in) return r;
  r.readable = true;
  std::string line;
  int lines = 0;
  while (std::getline(in, line) && ++lines <= 4) {
    std::string digest = line.substr(0, line.find(' '));
    for (char& c : digest) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (isHexDigest(digest)) r.digests.push_back(digest);
  }
  return r;
}

std::string checksumLine(const std::string& digest, const std::string& path) {
  return digest + "  " + fs::path(path).filename().string() + "\n";
}

}  // namespace

std::string checksumPathFor(const std::string& checkpoint) { return checkpoint + ".sha256"; }

Status verifyCheckpoint(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Status::error(path + ": checkpoint not found");
  const std::string sidecar = checksumPathFor(path);
  Recorded recorded = readChecksums(sidecar);
  if (!recorded.readable)
    return Status::error(path + ": cannot verify the checkpoint: its checksum file " +
                         fs::path(sidecar).filename().string() +
                         " is missing (checkpoints are only loaded when their SHA-256 matches the one recorded "
                         "when they were written; for a checkpoint you trust from an earlier NeuralCanvas, record it with "
                         "`sha256sum " + fs::path(path).filename().string() + " > " + fs::path(sidecar).filename().string() +
                         "` in its folder)");
  if (recorded.digests.empty())
    return Status::error(path + ": cannot verify the checkpoint: its checksum file " + sidecar +
                         " holds no SHA-256 digest (it is damaged)");
  std::string actual = sha256File(path);
  if (actual.empty()) return Status::error(path + ": cannot read the checkpoint");
  for (const auto& d : recorded.digests)
    if (d == actual) return {};
  return Status::error(path + ": the checkpoint is damaged: its SHA-256 is " + actual.substr(0, 16) +
                       "..., not the " + recorded.digests.back().substr(0, 16) +
                       "... recorded when it was written (the file was changed or corrupted on disk); "
                       "use another checkpoint (best.pt or last.pt) or train again");
}

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
  if (!state.projectJson.empty()) writeString(root, "project", state.projectJson);
  root.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  const std::string tmp = tempPathFor(path);
  try {
    root.save_to(tmp);
  } catch (const c10::Error& e) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot write checkpoint (" +
                             std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot write checkpoint (" + std::string(e.what()).substr(0, 200) + ")");
  }
  const std::string digest = sha256File(tmp);
  if (digest.empty()) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot read back the checkpoint just written");
  }
  // Step 1: the sidecar accepts the old digest (still on disk) and the new one.
  const std::string sidecar = checksumPathFor(path);
  std::string both;
  std::error_code ec;
  if (fs::exists(path, ec))
    for (const auto& old : readChecksums(sidecar).digests)
      if (old != digest) both += checksumLine(old, path);
  both += checksumLine(digest, path);
  if (Status s = writeFileAtomic(sidecar, both); !s) {
    std::remove(tmp.c_str());
    throw std::runtime_error(s.message());
  }
  // Step 2: the new file replaces the old one (fsync file, rename, fsync folder).
  if (Status s = commitTempFile(tmp, path); !s) throw std::runtime_error(s.message());
  // Step 3: only the new digest.
  if (Status s = writeFileAtomic(sidecar, checksumLine(digest, path)); !s) throw std::runtime_error(s.message());
}

CheckpointState loadCheckpoint(const std::string& path, GraphModule& model, torch::optim::Optimizer* optimizer,
                               bool restoreRng, const std::function<void(const CheckpointState&)>& beforeLoading) {
  if (Status s = verifyCheckpoint(path); !s) throw std::runtime_error(s.message());
  // Both phases turn LibTorch's errors (and any other exception, such as the std::out_of_range
  // "Argument passed to at() was not in the map.") into a message naming the file.
  auto guarded = [&](auto&& body) {
    try {
      body();
    } catch (const CheckpointError& e) {
      std::string what = e.what();
      if (what.rfind(path, 0) == 0) throw;
      throw std::runtime_error(path + ": cannot load checkpoint: " + what);
    } catch (const c10::Error& e) {
      std::string what = e.what_without_backtrace();
      throw std::runtime_error(path + ": cannot load checkpoint (it is damaged or belongs to a different model): " +
                               what.substr(0, 300));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": cannot load checkpoint (it is damaged or not a NeuralCanvas checkpoint): " +
                               std::string(e.what()).substr(0, 300));
    }
  };
  CheckpointState s;
  torch::serialize::InputArchive root;
  guarded([&] {
    root.load_from(path, torch::Device(torch::kCPU));  // wherever it was saved from
    s.epoch = readInt(root, "epoch");
    s.step = readInt(root, "step");
    c10::IValue best;
    root.read("best_metric", best);
    if (!best.isDouble()) throw CheckpointError("entry 'best_metric' is not a number");
    s.bestMetric = best.toDouble();
    s.epochsSinceBest = readInt(root, "epochs_since_best");
    s.historyJson = readString(root, "history");
    s.configJson = readString(root, "config");
    c10::IValue project;
    if (root.try_read("project", project) && project.isString()) s.projectJson = project.toStringRef();
  });
  if (beforeLoading) beforeLoading(s);
  guarded([&] {
    torch::serialize::InputArchive modelArchive;
    root.read("model", modelArchive);
    // Loading replaces tensors wholesale, shapes included: compare shapes so that a checkpoint of a
    // different model is refused instead of silently taking over this one.
    auto before = tensorSizes(model);
    model->load(modelArchive);
    auto after = tensorSizes(model);
    for (const auto& [key, dims] : before)
      if (after[key] != dims)
        throw CheckpointError(path + ": cannot load checkpoint: it belongs to a different model (" + key + " is " +
                              dimsText(after[key]) + " in the checkpoint but " + dimsText(dims) + " in this model)");
    if (optimizer) {
      torch::serialize::InputArchive optArchive;
      if (root.try_read("optimizer", optArchive)) optimizer->load(optArchive);
    }
    if (restoreRng) {
      torch::Tensor rng;
      root.read("rng", rng);
      at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the global one
      generator.set_state(rng);
    }
  });
  return s;
}

std::string saveModelState(GraphModule& model) {
  torch::serialize::OutputArchive archive;
  model->save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void loadModelState(const std::string& state, GraphModule& model) {
  auto before = tensorSizes(model);
  try {
    std::istringstream in(state);
    torch::serialize::InputArchive archive;
    archive.load_from(in, torch::Device(torch::kCPU));
    model->load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot read the model's weights: " +
                             std::string(e.what_without_backtrace()).substr(0, 300));
  }
  auto after = tensorSizes(model);
  for (const auto& [key, dims] : before)
    if (after[key] != dims)
      throw std::runtime_error("the weights belong to a different model (" + key + " is " + dimsText(after[key]) +
                               " in them but " + dimsText(dims) + " in this model)");
}

}  // namespace nc::core

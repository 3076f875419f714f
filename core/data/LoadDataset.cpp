// loadDataset: picks the reader for a DataConfig and applies its limit; toModelInput.
#include <functional>
#include <map>

#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::core {
namespace {

using namespace readutil;
using Reader = std::function<DatasetLoad(const DataConfig&)>;

const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> table = {
      {"idx", [](const DataConfig& c) { return readIdxFolder(c.path); }},
      {"cifar10", [](const DataConfig& c) { return readCifar10(c.path); }},
      {"csv", [](const DataConfig& c) { return readCsv(c.path, c.labelColumn); }},
      {"image-folder", [](const DataConfig& c) { return readImageFolder(c.path, c.imageSize, c.channels); }},
      {"text", [](const DataConfig& c) { return readTextFile(c.path, c.sequenceLength); }},
  };
  return table;
}

std::string knownKinds() {
  std::string list;
  for (const auto& [kind, reader] : readers()) list += (list.empty() ? "" : ", ") + kind;
  return list;
}

/// Keeps the first `limit` training samples (copied, so the rest is freed).
void applyLimit(Dataset& d, int64_t limit) {
  if (limit <= 0 || limit >= d.trainInputs.size(0)) return;
  d.trainInputs = d.trainInputs.narrow(0, 0, limit).clone();
  d.trainTargets = d.trainTargets.narrow(0, 0, limit).clone();
}

DatasetLoad load(const DataConfig& config) {
  auto reader = readers().find(config.kind);
  if (reader == readers().end())
    return failure("unknown data kind '" + config.kind + "' (known kinds: " + knownKinds() + ")");
  DatasetLoad result = reader->second(config);
  if (!result.ok()) return result;
  Dataset& d = *result.dataset;
  int64_t fullCount = d.trainInputs.size(0);
  applyLimit(d, config.limit);
  d.description = describe(d, displayName(config.kind, config.path), config.kind, fullCount);
  return result;
}

}  // namespace

DatasetLoad loadDataset(const DataConfig& config) {
  return guarded(config.path, [&] { return load(config); });
}

torch::Tensor toModelInput(const torch::Tensor& storedInputs) {
  if (storedInputs.scalar_type() != torch::kUInt8) return storedInputs;
  return storedInputs.to(torch::kFloat32).div_(255.0);
}

}  // namespace nc::core

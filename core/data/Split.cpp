// Train/validation split and input normalization statistics.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/data/Dataset.h"

namespace nc::core {
namespace {

/// A uniform integer in [0, bound) from rng, computed the same way by every standard library
/// (unlike std::uniform_int_distribution). The bias, bound / 2^64, is negligible.
uint64_t below(std::mt19937_64& rng, uint64_t bound) {
  return uint64_t((static_cast<unsigned __int128>(rng()) * bound) >> 64);
}

/// 0..n-1 in an order fixed by seed (Fisher-Yates), independent of the global torch generator.
std::vector<int64_t> seededPermutation(int64_t n, int64_t seed) {
  std::vector<int64_t> order(size_t(std::max<int64_t>(n, 0)));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 rng{uint64_t(seed)};
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[size_t(below(rng, i))]);
  return order;
}

/// The given range of indices, sorted, as an int64 tensor.
torch::Tensor sortedIndexTensor(std::vector<int64_t>::iterator begin, std::vector<int64_t>::iterator end) {
  std::sort(begin, end);
  auto t = torch::empty({int64_t(end - begin)}, torch::kLong);
  std::copy(begin, end, t.data_ptr<int64_t>());
  return t;
}

/// Samples per chunk: at most 4096 and about 4M values (32 MB as double), so that statistics
/// never materialise the whole data set in a wider type.
int64_t chunkSamples(const torch::Tensor& inputs) {
  int64_t perSample = inputs.size(0) > 0 ? inputs.numel() / inputs.size(0) : 1;
  return std::clamp<int64_t>((int64_t(1) << 22) / std::max<int64_t>(perSample, 1), 1, 4096);
}

/// Per channel/feature sums of a [n, C, S] double tensor (S: the spatial values per channel; 1 for
/// features). The innermost reduction is contiguous, which keeps it fast.
torch::Tensor channelSums(const torch::Tensor& v) { return v.sum(2).sum(0); }

/// Accumulates perChunk(chunk) over the selected samples, each chunk given to perChunk as a
/// double tensor [n, C, S].
template <class F>
torch::Tensor sumOverSamples(const torch::Tensor& inputs, const torch::Tensor& indices, F perChunk) {
  const int64_t n = indices.numel(), step = chunkSamples(inputs), C = inputs.size(1);
  torch::Tensor total;
  for (int64_t start = 0; start < n; start += step) {
    torch::Tensor chunk = inputs.index_select(0, indices.slice(0, start, std::min(n, start + step)));
    torch::Tensor part = perChunk(chunk.to(torch::kDouble).reshape({chunk.size(0), C, -1}));
    total = total.defined() ? total + part : part;
  }
  return total;
}

/// Bytes: one pass of sums of x and x^2 (whole numbers below 2^53, so exact in double), then mean
/// and std in [0, 1] units, shape [C].
Normalization byteStatistics(const torch::Tensor& inputs, const torch::Tensor& indices, double count) {
  torch::Tensor sums = sumOverSamples(inputs, indices, [](const torch::Tensor& v) {
    return torch::stack({channelSums(v), channelSums(v.square())});  // [2, C]
  });
  torch::Tensor mean = sums[0] / count;
  torch::Tensor var = (sums[1] / count - mean.square()).clamp_min(0.0);
  return {mean / 255.0, var.sqrt() / 255.0};
}

/// Floating point: two passes (mean, then squared deviations) so that large offsets keep their
/// precision; sums in double; shape [C].
Normalization floatStatistics(const torch::Tensor& inputs, const torch::Tensor& indices, double count) {
  torch::Tensor mean = sumOverSamples(inputs, indices, channelSums) / count;
  torch::Tensor centre = mean.view({1, -1, 1});
  torch::Tensor var =
      sumOverSamples(inputs, indices, [&](const torch::Tensor& v) { return channelSums((v - centre).square()); }) /
      count;
  return {mean, var.sqrt()};
}

/// [C] for features [N, F]; [C, 1, 1] for images [N, C, H, W]: broadcasts against one sample.
std::vector<int64_t> statisticsShape(const torch::Tensor& inputs) {
  std::vector<int64_t> shape(size_t(inputs.dim() - 1), 1);
  shape[0] = inputs.size(1);
  return shape;
}

}  // namespace

SplitIndices splitTrainValidation(int64_t n, double fraction, int64_t seed) {
  std::vector<int64_t> order = seededPermutation(n, seed);
  const int64_t total = int64_t(order.size());
  const int64_t validation = std::clamp<int64_t>(std::llround(double(total) * fraction), 0, total);
  const auto cut = order.begin() + (total - validation);
  SplitIndices split;
  split.train = sortedIndexTensor(order.begin(), cut);
  split.validation = sortedIndexTensor(cut, order.end());
  return split;
}

Normalization computeNormalization(const Dataset& data, const torch::Tensor& trainIndices) {
  torch::NoGradGuard noGrad;
  const torch::Tensor& inputs = data.trainInputs;
  if (!inputs.defined() || inputs.dim() < 2 || !trainIndices.defined() || trainIndices.numel() == 0) return {};
  const bool bytes = inputs.scalar_type() == torch::kUInt8;
  if (!bytes && !inputs.is_floating_point()) return {};  // tokens: no normalization
  torch::Tensor indices = trainIndices.to(torch::kLong).reshape({-1}).contiguous();
  // Values per channel/feature: samples times the reduced (spatial) sizes.
  const double count = double(indices.numel()) * double(inputs[0].numel() / inputs.size(1));
  Normalization n = bytes ? byteStatistics(inputs, indices, count) : floatStatistics(inputs, indices, count);
  n.mean = n.mean.view(statisticsShape(inputs)).to(torch::kFloat);
  n.std = n.std.clamp_min(1e-6).view(statisticsShape(inputs)).to(torch::kFloat);
  return n;
}

EvaluationSplit evaluationSplit(const Dataset& dataset, double validationFraction, int64_t seed) {
  EvaluationSplit e;
  if (dataset.testInputs.defined() && dataset.testInputs.size(0) > 0) {
    e.inputs = dataset.testInputs;
    e.targets = dataset.testTargets;
    e.indices = torch::arange(e.inputs.size(0), torch::kLong);
    e.split = "test";
    return e;
  }
  e.inputs = dataset.trainInputs;
  e.targets = dataset.trainTargets;
  e.indices = splitTrainValidation(dataset.trainInputs.size(0), validationFraction, seed).validation;
  e.split = "validation";
  return e;
}

}  // namespace nc::core

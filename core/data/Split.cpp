// Train/validation split and input normalization statistics.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/data/Dataset.h"

namespace nc::core {
namespace {

/// A uniform integer in [0, bound) from rng, computed the same way by every standard library
/// (unlike std::uniform_int_distribution). The bias is below 2^-40 for any bound used here.
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

/// Per-sample element budget for one chunk: at most 4096 samples and about 4M values (32 MB as
/// double), so that statistics never materialise the whole data set as floating point.
int64_t chunkSamples(const torch::Tensor& inputs) {
  int64_t perSample = inputs.size(0) > 0 ? inputs.numel() / inputs.size(0) : 1;
  return std::clamp<int64_t>((int64_t(1) << 22) / std::max<int64_t>(perSample, 1), 1, 4096);
}

/// Every dimension but the channel/feature one (dim 1).
std::vector<int64_t> reducedDims(const torch::Tensor& inputs) {
  std::vector<int64_t> dims = {0};
  for (int64_t d = 2; d < inputs.dim(); ++d) dims.push_back(d);
  return dims;
}

/// Sum over the selected samples of perChunk(chunk as double), reduced to shape [1, C, 1, ...].
template <class F>
torch::Tensor sumOverSamples(const torch::Tensor& inputs, const torch::Tensor& indices, F perChunk) {
  const int64_t n = indices.numel(), step = chunkSamples(inputs);
  const std::vector<int64_t> dims = reducedDims(inputs);
  torch::Tensor total;
  for (int64_t start = 0; start < n; start += step) {
    torch::Tensor chunk = inputs.index_select(0, indices.slice(0, start, std::min(n, start + step)));
    torch::Tensor part = perChunk(chunk.to(torch::kDouble)).sum(dims, /*keepdim=*/true);
    total = total.defined() ? total + part : part;
  }
  return total;
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
  const bool bytes = inputs.scalar_type() == torch::kUInt8;
  if (!inputs.defined() || inputs.dim() < 2 || !(bytes || inputs.is_floating_point()) || trainIndices.numel() == 0)
    return {};
  torch::Tensor indices = trainIndices.to(torch::kLong).contiguous();
  // Values per channel/feature: samples times the reduced (spatial) sizes.
  const double count = double(indices.numel()) * double(inputs[0].numel() / inputs.size(1));
  // Two passes (mean, then squared deviations) so that large offsets keep their precision.
  torch::Tensor mean = sumOverSamples(inputs, indices, [](const torch::Tensor& x) { return x; }) / count;
  torch::Tensor var =
      sumOverSamples(inputs, indices, [&](const torch::Tensor& x) { return (x - mean).square(); }) / count;
  const double scale = bytes ? 1.0 / 255.0 : 1.0;
  Normalization norm;
  norm.mean = (mean * scale).squeeze(0).to(torch::kFloat);
  norm.std = (var.sqrt() * scale).clamp_min(1e-6).squeeze(0).to(torch::kFloat);
  return norm;
}

}  // namespace nc::core

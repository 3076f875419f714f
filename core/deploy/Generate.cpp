#include "core/deploy/Generate.h"

#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/data/ReadUtil.h"
#include "core/export/ArchiveModel.h"

namespace nc::core {

namespace {

std::string shapeText(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

/// Empty when the archive is a byte-level language model (token ids [L] in, logits [L, V] out).
std::string languageModelProblem(const std::string& archive, const ArchiveModel& m) {
  const std::string what = archive + " is not a character-level language model: ";
  if (!m.tokens)
    return what + "it takes " + shapeText(m.inputShape) + " floats (e.g. images), not token ids";
  if (m.inputShape.size() != 1 || m.inputShape[0] < 1)
    return what + "its input is " + shapeText(m.inputShape) + ", not one sequence of token ids";
  if (m.outputShape.size() != 2 || m.outputShape[0] != m.inputShape[0])
    return what + "its output " + shapeText(m.outputShape) + " is not one prediction per input position [" +
           std::to_string(m.inputShape[0]) + ", vocabulary] (a sequence classifier?)";
  if (m.vocabularyBytes.empty())
    return what + "it records no character vocabulary (export it from a run trained on text data)";
  if (int64_t(m.vocabularyBytes.size()) > m.outputShape[1])
    return what + "its vocabulary has " + std::to_string(m.vocabularyBytes.size()) + " characters but it predicts " +
           std::to_string(m.outputShape[1]) + " tokens";
  return {};
}

}  // namespace

std::string checkGenerateOptions(const GenerateOptions& o) {
  if (o.length < 1 || o.length > 1000000)
    return "length must be from 1 to 1000000 characters, got " + std::to_string(o.length);
  if (!std::isfinite(o.temperature) || o.temperature < 0 || o.temperature > 100)
    return "temperature must be from 0 (greedy) to 100, got " + std::to_string(o.temperature);
  if (o.topK < 0) return "top-k must be 0 (all characters) or more, got " + std::to_string(o.topK);
  return {};
}

std::vector<double> samplingDistribution(const std::vector<float>& logits, double temperature, int topK,
                                         const std::vector<bool>& allowed) {
  const size_t n = logits.size();
  std::vector<double> p(n, 0.0);
  std::vector<size_t> candidates;
  for (size_t i = 0; i < n; ++i)
    if ((allowed.empty() || (i < allowed.size() && allowed[i])) && std::isfinite(logits[i])) candidates.push_back(i);
  if (candidates.empty()) return p;
  if (temperature <= 0) {  // greedy: the first largest logit
    size_t best = candidates.front();
    for (size_t i : candidates)
      if (logits[i] > logits[best]) best = i;
    p[best] = 1.0;
    return p;
  }
  if (topK > 0 && size_t(topK) < candidates.size()) {
    std::vector<float> values;
    for (size_t i : candidates) values.push_back(logits[i]);
    std::nth_element(values.begin(), values.begin() + (topK - 1), values.end(), std::greater<float>());
    const float kth = values[size_t(topK - 1)];
    candidates.erase(std::remove_if(candidates.begin(), candidates.end(), [&](size_t i) { return logits[i] < kth; }),
                     candidates.end());
  }
  double top = -std::numeric_limits<double>::infinity();
  for (size_t i : candidates) top = std::max(top, double(logits[i]) / temperature);
  double sum = 0;
  for (size_t i : candidates) sum += (p[i] = std::exp(double(logits[i]) / temperature - top));
  for (size_t i : candidates) p[i] /= sum;
  return p;
}

int64_t drawToken(const std::vector<double>& probabilities, std::mt19937_64& rng) {
  // 53 random bits -> [0, 1): the same on every standard library (uniform_real_distribution is not).
  const double u = double(rng() >> 11) * (1.0 / 9007199254740992.0);
  double cumulative = 0;
  int64_t last = -1;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    if (probabilities[i] <= 0) continue;
    last = int64_t(i);
    cumulative += probabilities[i];
    if (u < cumulative) return int64_t(i);
  }
  return last;  // rounding left u above the total: the last possible token
}

GenerateResult generateText(const std::string& archive, const GenerateOptions& options,
                            const std::function<bool(const std::string&)>& onText) {
  GenerateResult r;
  if (std::string bad = checkGenerateOptions(options); !bad.empty()) {
    r.error = bad;
    return r;
  }
  ArchiveModel model;
  if (std::string error = loadArchiveModel(archive, model); !error.empty()) {
    r.error = error;
    return r;
  }
  if (std::string problem = languageModelProblem(archive, model); !problem.empty()) {
    r.error = problem;
    return r;
  }
  const int64_t window = model.inputShape[0];
  r.window = window;
  std::vector<int64_t> context;
  try {
    context = tokenIdsOfText(model, options.prompt);
  } catch (const std::exception& e) {
    r.error = std::string("the prompt cannot be read by this model: ") + e.what();
    return r;
  }
  if (context.empty()) {
    const int64_t newline = model.idOfByte['\n'];
    context.push_back(newline >= 0 ? newline : 0);
  }
  // Token ids that stand for a byte; the others (output slots beyond the vocabulary) are never drawn.
  std::vector<bool> allowed(size_t(model.outputShape[1]), false);
  for (size_t id = 0; id < model.vocabularyBytes.size(); ++id) allowed[id] = model.vocabularyBytes[id] >= 0;

  r.seed = options.seed ? *options.seed : std::random_device{}() * 0x9E3779B97F4A7C15ull + std::random_device{}();
  std::mt19937_64 rng(r.seed);
  torch::NoGradGuard guard;
  torch::Tensor input = torch::empty({1, window}, torch::kLong);
  int64_t* ids = input.data_ptr<int64_t>();
  try {
    for (int64_t step = 0; step < options.length; ++step) {
      const int64_t used = std::min<int64_t>(window, int64_t(context.size()));
      const int64_t* from = context.data() + (int64_t(context.size()) - used);
      std::copy(from, from + used, ids);
      std::fill(ids + used, ids + window, from[used - 1]);  // after the last position: never read
      torch::Tensor logits = model.module.forward({input}).toTensor();
      if (logits.dim() != 3 || logits.size(1) != window || logits.size(2) != int64_t(allowed.size()))
        throw std::runtime_error("the model gave logits " + shapeText(logits.sizes().vec()) + ", expected [1, " +
                                 std::to_string(window) + ", " + std::to_string(allowed.size()) + "]");
      torch::Tensor row = logits[0][used - 1].to(torch::kFloat).contiguous();
      std::vector<float> values(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
      const int64_t token = drawToken(samplingDistribution(values, options.temperature, options.topK, allowed), rng);
      if (token < 0) throw std::runtime_error("the model's logits are not finite (NaN or infinite)");
      context.push_back(token);
      if (int64_t(context.size()) > 4 * window) context.erase(context.begin(), context.end() - window);
      const std::string piece(1, char(uint8_t(model.vocabularyBytes[size_t(token)])));
      r.text += piece;
      if (onText && !onText(piece)) {
        r.cancelled = true;
        break;
      }
    }
  } catch (const c10::Error& e) {  // never e.what(): it carries a C++ stack trace
    r.error = archive + ": generation failed: " + readutil::printable(e.what_without_backtrace(), 300);
  } catch (const std::exception& e) {
    r.error = archive + ": generation failed: " + readutil::printable(e.what(), 300);
  }
  return r;
}

}  // namespace nc::core

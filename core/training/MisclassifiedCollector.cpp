#include "core/training/MisclassifiedCollector.h"

#include <algorithm>

namespace nc::core {

MisclassifiedCollector::MisclassifiedCollector(torch::Tensor splitIndices, int64_t cap)
    : m_indices(splitIndices.to(torch::kCPU).to(torch::kLong).contiguous()) {
  m_set.cap = cap;
}

void MisclassifiedCollector::add(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& logits) {
  const int64_t n = y.size(0);
  const int64_t offset = m_seen;
  m_seen += n;
  m_set.evaluated = m_seen;
  if (logits.dim() != 2 || logits.size(0) != n) return;
  torch::Tensor probs = torch::softmax(logits.detach().to(torch::kFloat), 1).to(torch::kCPU);
  torch::Tensor labels = y.reshape({-1}).to(torch::kCPU).to(torch::kLong);
  // The same argmax as the confusion matrix (of the logits), so that the two always agree.
  torch::Tensor predicted = logits.detach().argmax(1).to(torch::kCPU).to(torch::kLong);
  torch::Tensor wrong = predicted.ne(labels).nonzero().reshape({-1});
  const int64_t count = wrong.numel();
  if (count == 0) return;
  m_set.misclassified += count;
  const int64_t room = std::max<int64_t>(0, m_set.cap - int64_t(m_set.samples.size()));
  if (count > room) m_set.capped = true;
  const int64_t take = std::min(count, room);
  if (take == 0) return;
  wrong = wrong.slice(0, 0, take);
  const int64_t k = std::min<int64_t>(3, probs.size(1));
  auto [topValues, topClasses] = probs.index_select(0, wrong).topk(k, 1);
  topValues = topValues.contiguous();
  topClasses = topClasses.contiguous();
  torch::Tensor inputs = x.detach().to(torch::kCPU);
  const bool image = inputs.dim() == 4 && (inputs.size(1) == 1 || inputs.size(1) == 3);
  torch::Tensor pixels;
  if (image)
    pixels = (inputs.index_select(0, wrong).to(torch::kFloat) * 255).round().clamp(0, 255).to(torch::kUInt8).contiguous();
  auto rows = wrong.accessor<int64_t, 1>();
  auto labelAt = labels.accessor<int64_t, 1>();
  auto predAt = predicted.accessor<int64_t, 1>();
  probs = probs.contiguous();
  auto probAt = probs.accessor<float, 2>();
  auto values = topValues.accessor<float, 2>();
  auto classes = topClasses.accessor<int64_t, 2>();
  const int64_t total = m_indices.numel();
  const int64_t* splitRows = m_indices.data_ptr<int64_t>();
  const int64_t perImage = image ? pixels[0].numel() : 0;
  for (int64_t i = 0; i < take; ++i) {
    MisclassifiedSample s;
    int64_t row = rows[i];
    s.index = offset + row;
    s.datasetIndex = s.index < total ? splitRows[s.index] : s.index;
    s.trueClass = labelAt[row];
    s.predicted = predAt[row];
    s.confidence = probAt[row][s.predicted];
    for (int64_t c = 0; c < k; ++c) s.top.emplace_back(classes[i][c], double(values[i][c]));
    if (image) {
      s.shape = {inputs.size(1), inputs.size(2), inputs.size(3)};
      const char* data = reinterpret_cast<const char*>(pixels.data_ptr<uint8_t>()) + i * perImage;
      s.pixels.assign(data, data + perImage);
    }
    m_set.samples.push_back(std::move(s));
  }
}

}  // namespace nc::core

#include "core/export/Predictor.h"

#include "core/deploy/Quantize.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <torch/script.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/JsonUtil.h"
#include "core/data/ReadUtil.h"
#include "core/export/ArchiveModel.h"
#include "core/export/TorchScriptExporter.h"

namespace nc::core {

namespace {

using ModelInfo = ArchiveModel;

std::string label(const ModelInfo& info, int64_t index) {
  return index < int64_t(info.classes.size()) ? info.classes[size_t(index)] : "class " + std::to_string(index);
}

std::vector<std::pair<std::string, double>> topK(const ModelInfo& info, const torch::Tensor& logits, int k) {
  torch::Tensor p = torch::softmax(logits.to(torch::kDouble), -1);
  auto best = p.topk(std::min<int64_t>(k, p.size(0)));
  std::vector<std::pair<std::string, double>> out;
  for (int64_t i = 0; i < std::get<1>(best).size(0); ++i)
    out.emplace_back(label(info, std::get<1>(best)[i].item<int64_t>()), std::get<0>(best)[i].item<double>());
  return out;
}

/// One image file as float [1, C, H, W] in [0, 1] at the model's size.
torch::Tensor imageInput(const std::string& path, const ModelInfo& info) {
  if (info.inputShape.size() != 3) throw std::runtime_error("the model does not take images (input " + std::to_string(info.inputShape.size()) + "-D)");
  int c = int(info.inputShape[0]), h = int(info.inputShape[1]), w = int(info.inputShape[2]);
  if (c != 1 && c != 3) throw std::runtime_error("the model takes " + std::to_string(c) + " channels; images have 1 or 3");
  readutil::Image image = readutil::decodeImage(path, c);  // refuses huge images before decoding
  if (!image.error.empty()) throw std::runtime_error(image.error);
  const uint8_t* pixels = image.pixels.data();
  int iw = image.width, ih = image.height;
  torch::Tensor hwc = torch::empty({h, w, c}, torch::kUInt8);
  bool ok = true;
  if (iw == w && ih == h) std::memcpy(hwc.data_ptr<uint8_t>(), pixels, size_t(h) * size_t(w) * size_t(c));
  else ok = stbir_resize_uint8(pixels, iw, ih, 0, hwc.data_ptr<uint8_t>(), w, h, 0, c) == 1;
  if (!ok) throw std::runtime_error(path + ": cannot resize image");
  return hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat).div_(255.0);
}

bool isIdx(const readutil::Bytes& b) { return b.data.size() >= 16 && readutil::bigEndian32(b.data.data()) == 2051; }

/// Images of an IDX file as float [N, 1, R, C] in [0, 1].
/// The header is read first: the file is read (and decompressed) only as far as it declares.
torch::Tensor idxInput(const readutil::Bytes& head, const std::string& path, int64_t limit) {
  readutil::IdxHeader header =
      readutil::parseIdxHeader(head.data.data(), head.data.size(), path, 2051, 3, "IDX images");
  if (!header.error.empty()) throw std::runtime_error(header.error);  // checked arithmetic, bounded
  readutil::Bytes b = readutil::readWholeFile(path, header.totalBytes + readutil::kMiB);
  if (b.overLimit)
    throw std::runtime_error(path + ": more data than its header declares (" + std::to_string(header.totalBytes) +
                             " bytes)");
  if (!b.ok()) throw std::runtime_error(b.error);
  int64_t n = header.dims[0], r = header.dims[1], c = header.dims[2];
  if (b.data.size() < header.totalBytes)
    throw std::runtime_error(path + ": truncated IDX file: expected " + std::to_string(header.totalBytes) +
                             " bytes, got " + std::to_string(b.data.size()));
  n = std::max<int64_t>(0, std::min(n, limit));
  torch::Tensor t = torch::from_blob(const_cast<uint8_t*>(b.data.data()) + 16, {n, 1, r, c}, torch::kUInt8);
  return t.to(torch::kFloat).div_(255.0);
}

/// The last `length` characters of text (a file's contents or the text itself) as token ids.
torch::Tensor textInput(const std::string& arg, const ModelInfo& info) {
  std::string text = arg;
  if (std::filesystem::is_regular_file(arg)) {
    readutil::Bytes b = readutil::readWholeFile(arg, readutil::kMaxTextBytes);
    if (!b.ok()) throw std::runtime_error(b.error);
    text.assign(b.data.begin(), b.data.end());
  }
  int64_t length = info.inputShape.at(0);
  if (int64_t(text.size()) < length)
    throw std::runtime_error("the model reads " + std::to_string(length) + " characters; the input has " +
                             std::to_string(text.size()));
  text = text.substr(text.size() - size_t(length));
  std::vector<int64_t> ids = tokenIdsOfText(info, text);
  return torch::tensor(ids, torch::kLong).view({1, length});
}

}  // namespace

PredictResult predict(const std::string& archive, const std::vector<std::string>& inputs, int k, int64_t limit) {
  PredictResult r;
  ModelInfo info;
  if (std::string error = loadArchiveModel(archive, info); !error.empty()) {
    r.error = error;
    return r;
  }
  torch::jit::Module& model = info.module;
  torch::NoGradGuard guard;
  for (const auto& input : inputs) {
    try {
      if (info.tokens) {
        torch::Tensor logits = model.forward({textInput(input, info)}).toTensor();
        r.predictions.push_back({input.size() > 40 ? input.substr(0, 40) + "..." : input, topK(info, logits[0][-1], k)});
        continue;
      }
      readutil::Bytes head = readutil::readFileHead(input, 16);
      if (!head.ok()) throw std::runtime_error(head.error);
      if (isIdx(head)) {
        torch::Tensor x = idxInput(head, input, limit);
        torch::Tensor logits = model.forward({x}).toTensor();
        for (int64_t i = 0; i < x.size(0); ++i)
          r.predictions.push_back({input + "[" + std::to_string(i) + "]", topK(info, logits[i], k)});
        continue;
      }
      torch::Tensor logits = model.forward({imageInput(input, info)}).toTensor();
      r.predictions.push_back({input, topK(info, logits[0], k)});
    } catch (const c10::Error& e) {
      r.error = input + ": " + std::string(e.what_without_backtrace()).substr(0, 300);
      return r;
    } catch (const std::exception& e) {
      r.error = e.what();
      return r;
    }
  }
  return r;
}

}  // namespace nc::core

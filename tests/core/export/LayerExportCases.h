#pragma once
// The per-layer export fixtures shared by the exporters' tests (TorchScript and PyTorch source in
// ExportLayersTest.cpp, ONNX in OnnxExportTest.cpp): at least one case for every registered layer
// type (ExportLayerCoverage checks it), each as a small project Input -> layer -> Flatten -> Output.
#include <torch/torch.h>

#include <ostream>
#include <string>
#include <vector>

#include "../GraphTestUtil.h"
#include "core/Project.h"

namespace nc::test {

struct ExportCase {
  std::string label;            // unique, used in file names
  std::string type;
  core::ParamMap params;
  std::vector<int64_t> input;   // Input shape without batch
  bool tokens = false;          // Input of token ids (vocab 50)
};

inline std::ostream& operator<<(std::ostream& os, const ExportCase& c) { return os << c.label; }

using L = std::vector<int64_t>;
inline const std::vector<ExportCase>& cases() {
  static const std::vector<ExportCase> kCases = {
      {"conv1d", "Conv1d", {{"out_channels", int64_t{5}}, {"kernel_size", int64_t{3}}, {"stride", int64_t{2}}}, {3, 11}},
      {"conv1d_nobias_groups", "Conv1d", {{"out_channels", int64_t{4}}, {"groups", int64_t{2}}, {"bias", false}, {"dilation", int64_t{2}}}, {2, 12}},
      {"conv2d", "Conv2d", {{"out_channels", int64_t{4}}, {"kernel_size", int64_t{3}}, {"padding", int64_t{1}}}, {2, 8, 8}},
      {"conv2d_stride_nobias", "Conv2d", {{"out_channels", int64_t{6}}, {"kernel_size", int64_t{4}}, {"stride", int64_t{4}}, {"padding", int64_t{0}}, {"bias", false}}, {1, 8, 8}},
      {"maxpool1d", "MaxPool1d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{2}}, {"padding", int64_t{1}}}, {3, 10}},
      {"maxpool2d", "MaxPool2d", {{"kernel_size", int64_t{2}}}, {3, 8, 8}},
      {"maxpool2d_pad", "MaxPool2d", {{"kernel_size", int64_t{3}}, {"stride", int64_t{1}}, {"padding", int64_t{1}}}, {2, 5, 5}},
      {"avgpool2d", "AvgPool2d", {{"kernel_size", int64_t{3}}, {"padding", int64_t{1}}}, {2, 7, 7}},
      {"adaptiveavgpool2d", "AdaptiveAvgPool2d", {{"output_size", L{2, 3}}}, {2, 7, 9}},
      {"batchnorm1d_2d", "BatchNorm1d", {}, {6}},
      {"batchnorm1d_3d", "BatchNorm1d", {{"affine", false}}, {4, 5}},
      {"batchnorm2d", "BatchNorm2d", {{"eps", 1e-3}}, {3, 4, 4}},
      {"layernorm", "LayerNorm", {}, {5, 8}},
      {"layernorm_noaffine", "LayerNorm", {{"elementwise_affine", false}}, {7}},
      {"dropout", "Dropout", {{"p", 0.5}}, {10}},
      {"flatten", "Flatten", {{"start_dim", int64_t{2}}}, {3, 4, 5}},
      {"reshape", "Reshape", {{"shape", L{4, -1}}}, {2, 3, 4}},
      {"permute", "Permute", {{"dims", L{0, 2, 1}}}, {3, 5}},
      {"linear", "Linear", {{"out_features", int64_t{7}}}, {12}},
      {"linear_seq_nobias", "Linear", {{"out_features", int64_t{3}}, {"bias", false}}, {4, 6}},
      {"relu", "ReLU", {}, {9}},
      {"leakyrelu", "LeakyReLU", {{"negative_slope", 0.2}}, {9}},
      {"gelu", "GELU", {}, {9}},
      {"gelu_tanh", "GELU", {{"approximate", std::string("tanh")}}, {9}},
      {"silu", "SiLU", {}, {9}},
      {"tanh", "Tanh", {}, {9}},
      {"sigmoid", "Sigmoid", {}, {9}},
      {"softmax", "Softmax", {{"dim", int64_t{-1}}}, {3, 4}},
      {"softmax_dim1", "Softmax", {{"dim", int64_t{1}}}, {3, 4}},
      {"embedding", "Embedding", {{"embedding_dim", int64_t{6}}}, {7}, true},
      {"embedding_padding", "Embedding", {{"embedding_dim", int64_t{4}}, {"padding_idx", int64_t{0}}}, {5}, true},
      {"rnn_tanh_seq", "RNN", {{"hidden_size", int64_t{6}}, {"output", std::string("sequence")}}, {5, 4}},
      {"rnn_relu_last_bi", "RNN", {{"hidden_size", int64_t{5}}, {"nonlinearity", std::string("relu")}, {"bidirectional", true}, {"num_layers", int64_t{2}}}, {4, 3}},
      {"lstm_last", "LSTM", {{"hidden_size", int64_t{8}}}, {6, 4}},
      {"lstm_bi_2layer_seq", "LSTM", {{"hidden_size", int64_t{5}}, {"num_layers", int64_t{2}}, {"bidirectional", true}, {"output", std::string("sequence")}, {"dropout", 0.3}}, {6, 4}},
      {"lstm_bi_last_nobias", "LSTM", {{"hidden_size", int64_t{4}}, {"bidirectional", true}, {"bias", false}}, {5, 3}},
      {"gru_seq", "GRU", {{"hidden_size", int64_t{7}}, {"output", std::string("sequence")}}, {5, 4}},
      {"gru_bi_last", "GRU", {{"hidden_size", int64_t{6}}, {"bidirectional", true}, {"num_layers", int64_t{2}}}, {5, 4}},
      {"mha", "MultiheadAttention", {{"num_heads", int64_t{2}}}, {5, 8}},
      {"mha_causal_nobias", "MultiheadAttention", {{"num_heads", int64_t{4}}, {"causal", true}, {"bias", false}}, {6, 8}},
      {"encoder_post_relu", "TransformerEncoderLayer", {{"num_heads", int64_t{2}}, {"dim_feedforward", int64_t{16}}}, {5, 8}},
      {"encoder_pre_gelu_causal", "TransformerEncoderLayer", {{"num_heads", int64_t{2}}, {"dim_feedforward", int64_t{12}}, {"activation", std::string("gelu")}, {"norm_first", true}, {"causal", true}}, {6, 8}},
      {"posenc_sin", "PositionalEncoding", {}, {7, 6}},
      {"posenc_sin_odd", "PositionalEncoding", {}, {4, 5}},
      {"posenc_learned", "PositionalEncoding", {{"kind", std::string("learned")}}, {7, 6}},
      {"seqpool_mean", "SequencePool", {{"mode", std::string("mean")}}, {5, 6}},
      {"seqpool_max", "SequencePool", {{"mode", std::string("max")}}, {5, 6}},
      {"seqpool_first", "SequencePool", {{"mode", std::string("first")}}, {5, 6}},
      {"seqpool_last", "SequencePool", {{"mode", std::string("last")}}, {5, 6}},
      {"add", "Add", {}, {3, 4}},
      {"add3", "Add", {{"num_inputs", int64_t{3}}}, {5}},
      {"multiply", "Multiply", {}, {3, 4}},
      {"concat", "Concat", {}, {3, 4}},
      {"concat_last3", "Concat", {{"num_inputs", int64_t{3}}, {"dim", int64_t{-1}}}, {2, 3}},
  };
  return kCases;
}

/// Input -> layer (every input port fed by the Input, with a Tanh in between for the second and
/// later ports so that they differ) -> Flatten -> Output.
inline core::Project caseProject(const ExportCase& c) {
  GraphBuilder b;
  core::ParamMap inputParams{{"shape", c.input}};
  if (c.tokens) {
    inputParams["dtype"] = std::string("tokens");
    inputParams["vocab_size"] = int64_t{50};
  }
  core::NodeId in = b.add("Input", inputParams);
  core::NodeId layer = b.add(c.type, c.params);
  int ports = b.graph.inputCount(layer);
  for (int p = 0; p < ports; ++p) {
    if (p == 0) {
      b.link(in, layer, 0);
      continue;
    }
    core::NodeId t = b.add("Tanh");
    b.link(in, t);
    b.link(t, layer, p);
  }
  core::NodeId flat = b.add("Flatten");
  core::NodeId out = b.add("Output");
  b.link(layer, flat);
  b.link(flat, out);
  core::Project project;
  project.name = c.label;
  project.graph = b.graph;
  return project;
}

inline torch::Tensor sampleBatch(const ExportCase& c, int64_t batch) {
  std::vector<int64_t> sizes{batch};
  sizes.insert(sizes.end(), c.input.begin(), c.input.end());
  if (c.tokens) return torch::randint(0, 50, sizes, torch::kLong);
  return torch::randn(sizes);
}

}  // namespace nc::test

#pragma once
// The small classification data set the training tests share: Gaussian blobs around random
// centres, fully determined by the seed (the same seed gives the same tensors in every test).
#include <torch/torch.h>

#include <memory>
#include <string>

#include "../GraphTestUtil.h"
#include "core/Project.h"
#include "core/data/Dataset.h"

namespace nc::test {

struct BlobSpec {
  uint64_t seed = 7;
  int64_t train = 512;
  int64_t test = 0;      // 0: no test split
  int64_t classes = 4;
  int64_t features = 8;
  double spread = 3;     // distance scale of the centres (the noise has std 1)
};

/// Seeds torch's generator with spec.seed, draws the centres, then the training samples, then
/// the test samples; class names "a", "b", ...
inline std::shared_ptr<core::Dataset> blobDataset(const BlobSpec& spec) {
  torch::manual_seed(spec.seed);
  auto d = std::make_shared<core::Dataset>();
  const torch::Tensor centers = torch::randn({spec.classes, spec.features}) * spec.spread;
  auto make = [&](int64_t count, torch::Tensor& x, torch::Tensor& y) {
    y = torch::randint(0, spec.classes, {count}, torch::kLong);
    x = centers.index_select(0, y) + torch::randn({count, spec.features});
  };
  make(spec.train, d->trainInputs, d->trainTargets);
  if (spec.test > 0) make(spec.test, d->testInputs, d->testTargets);
  for (int64_t c = 0; c < spec.classes; ++c) d->classNames.push_back(std::string(1, char('a' + c % 26)));
  d->sampleShape = core::TensorShape{{spec.features}, core::DType::Float32, 0};
  d->description = "blobs";
  return d;
}

/// The model the training tests share for blob data: Input[8] -> Linear(16) -> ReLU -> Linear(4)
/// -> Output, optionally with BatchNorm1d between the first Linear and the ReLU or Dropout(p)
/// after the ReLU (added last, so the other nodes keep their ids). The project trains on one
/// thread, batches of 32, a quarter of the data for validation; each test sets the rest.
enum class MlpExtra { None, BatchNorm, Dropout };
inline core::Project blobMlp(MlpExtra extra = MlpExtra::None, double dropout = 0.2) {
  GraphBuilder b;
  const core::NodeId in = b.input({8});
  const core::NodeId fc1 = b.add("Linear", {{"out_features", int64_t{16}}});
  const core::NodeId act = b.add("ReLU");
  const core::NodeId fc2 = b.add("Linear", {{"out_features", int64_t{4}}});
  const core::NodeId out = b.add("Output");
  b.link(in, fc1);
  if (extra == MlpExtra::BatchNorm) {
    const core::NodeId bn = b.add("BatchNorm1d");
    b.link(fc1, bn);
    b.link(bn, act);
  } else {
    b.link(fc1, act);
  }
  if (extra == MlpExtra::Dropout) {
    const core::NodeId drop = b.add("Dropout", {{"p", dropout}});
    b.link(act, drop);
    b.link(drop, fc2);
  } else {
    b.link(act, fc2);
  }
  b.link(fc2, out);
  core::Project p;
  p.name = "mlp";
  p.graph = b.graph;
  p.data.validationFraction = 0.25;
  p.training.batchSize = 32;
  p.training.threads = 1;
  return p;
}

}  // namespace nc::test

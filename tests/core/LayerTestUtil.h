#pragma once
// Helpers for the per-layer tests in tests/core/layers/.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "core/LayerRegistry.h"
#include "core/NodeModule.h"
#include "core/Params.h"
#include "core/TensorShape.h"

namespace nc::test {

/// Seeds LibTorch so that every test sees the same random numbers.
class SeededTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(1234); }
};

core::TensorShape shape(std::vector<int64_t> dims, core::DType dtype = core::DType::Float32);
/// Token ids [B, length] with `vocab` distinct values.
core::TensorShape tokens(int64_t length, int64_t vocab);

/// The layer's defaults with `overrides` applied (asserts the type exists).
core::ParamMap layerParams(const std::string& type, const core::ParamMap& overrides = {});

/// Shape inference of one layer.
core::ShapeResult inferLayer(const std::string& type, const core::ParamMap& overrides,
                             const std::vector<core::TensorShape>& inputs);

/// Builds the layer's module (after checking that inference succeeds).
std::shared_ptr<core::NodeModule> buildLayer(const std::string& type, const core::ParamMap& overrides,
                                             const std::vector<core::TensorShape>& inputs);

/// A random batch for a shape: normal floats, or token ids in [0, s.vocab).
torch::Tensor randomBatch(const core::TensorShape& s, int64_t batch);

/// Builds the layer, runs it on random batches of size 1 and 3 and checks that the output's
/// size equals the inferred shape and that paramCount() equals the module's parameter count.
/// Returns the built module for value checks.
std::shared_ptr<core::NodeModule> expectBuildMatchesInference(const std::string& type, const core::ParamMap& overrides,
                                                              const std::vector<core::TensorShape>& inputs);

/// Asserts that inference fails with a message containing `fragment`.
void expectInferError(const std::string& type, const core::ParamMap& overrides,
                      const std::vector<core::TensorShape>& inputs, const std::string& fragment);

/// Named parameter tensor of a module (e.g. "m.weight").
torch::Tensor param(const std::shared_ptr<core::NodeModule>& m, const std::string& name);

}  // namespace nc::test

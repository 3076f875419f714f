#pragma once
// Shared by the training GUI tests: a slice of the real Fashion-MNIST data (loaded once), a tiny
// CNN for it, and waiting on the Qt event loop. No torch in this header.
#include <QString>
#include <functional>
#include <memory>

#include "core/Project.h"

namespace nc::core {
struct Dataset;
}

namespace nc::test {

constexpr const char* kFashionMnist = "/usr/share/datasets/fashion-mnist";

/// The first `train` training and `test` test samples of Fashion-MNIST (read once per process).
std::shared_ptr<const core::Dataset> fashionSlice(int64_t train, int64_t test);

/// Input [1, 28, 28] -> Conv2d(4, 3x3) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(10) -> Output,
/// with settings for short runs (batch 32, one thread, validation 25 %).
core::Project tinyCnnProject(int64_t epochs);

/// Runs the event loop until `done()` is true or `timeoutMs` passed; returns done().
bool waitUntil(const std::function<bool()>& done, int timeoutMs = 60000);

/// Runs the event loop for `ms` milliseconds.
void processEventsFor(int ms);

}  // namespace nc::test

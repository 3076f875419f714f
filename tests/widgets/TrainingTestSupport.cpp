#include "TrainingTestSupport.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QThread>
#include <QTimer>
#include <mutex>

#include "core/data/Dataset.h"

namespace nc::test {

std::shared_ptr<const core::Dataset> fashionSlice(int64_t train, int64_t test) {
  static std::once_flag once;
  static std::shared_ptr<core::Dataset> full;
  std::call_once(once, [] {
    core::DatasetLoad load = core::readIdxFolder(kFashionMnist);
    if (load.ok()) full = std::make_shared<core::Dataset>(std::move(*load.dataset));
    else ADD_FAILURE() << load.error;
  });
  if (!full) return nullptr;
  auto d = std::make_shared<core::Dataset>(*full);
  d->trainInputs = full->trainInputs.narrow(0, 0, train);
  d->trainTargets = full->trainTargets.narrow(0, 0, train);
  d->testInputs = full->testInputs.narrow(0, 0, test);
  d->testTargets = full->testTargets.narrow(0, 0, test);
  d->description = "Fashion-MNIST slice: " + std::to_string(train) + " train, " + std::to_string(test) + " test";
  return d;
}

core::Project tinyCnnProject(int64_t epochs) {
  core::Project p;
  p.name = "tiny-cnn";
  core::Graph& g = p.graph;
  auto add = [&](const std::string& type, const core::ParamMap& params = {}) {
    std::string error;
    auto id = g.addNode(type, 0, 0, &error);
    EXPECT_TRUE(id.has_value()) << error;
    for (const auto& [k, v] : params) EXPECT_TRUE(g.setParam(*id, k, v).ok()) << k;
    return *id;
  };
  std::vector<core::NodeId> chain = {
      add("Input", {{"shape", std::vector<int64_t>{1, 28, 28}}}),
      add("Conv2d", {{"out_channels", int64_t{4}}, {"kernel_size", int64_t{3}}}),
      add("ReLU"),
      add("MaxPool2d", {{"kernel_size", int64_t{2}}}),
      add("Flatten"),
      add("Linear", {{"out_features", int64_t{10}}}),
      add("Output")};
  for (size_t i = 0; i + 1 < chain.size(); ++i) EXPECT_TRUE(g.connect({chain[i], 0}, {chain[i + 1], 0}).ok());
  p.data.kind = "idx";
  p.data.path = kFashionMnist;
  p.data.validationFraction = 0.25;
  p.training.epochs = epochs;
  p.training.batchSize = 32;
  p.training.learningRate = 0.003;
  p.training.threads = 1;
  return p;
}

bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < timeoutMs) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(2);
  }
  return done();
}

void processEventsFor(int ms) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}

}  // namespace nc::test

// Issue 15 item 3: PyTorch 1.13's exact gelu_backward is wrong when the gradient arriving at it is
// not contiguous, which is what a Permute after GELU produces: two identical backward passes gave
// gradients differing by up to 1e31 and seeded runs diverged. The compiled GELU hands it a
// contiguous gradient; the exports (TorchScript, PyTorch source) still compute what the app does,
// and the PyTorch source carries the same guard for training in plain PyTorch.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "../GraphTestUtil.h"
#include "core/GraphModule.h"
#include "core/Project.h"
#include "core/export/PythonExporter.h"
#include "core/export/TorchScriptExporter.h"
#include "core/training/Checkpoint.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

/// Input [6, 12] -> Linear "first" (24) -> GELU (exact) -> Permute [0, 2, 1] -> Linear (5) -> Flatten -> Output.
Project geluPermuteProject() {
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{6, 12}}});
  NodeId first = b.add("Linear", {{"out_features", int64_t{24}}});
  EXPECT_TRUE(b.graph.rename(first, "first").ok());
  NodeId gelu = b.add("GELU");
  NodeId perm = b.add("Permute", {{"dims", std::vector<int64_t>{0, 2, 1}}});
  NodeId second = b.add("Linear", {{"out_features", int64_t{5}}});
  NodeId flat = b.add("Flatten");
  NodeId out = b.add("Output");
  b.link(in, first);
  b.link(first, gelu);
  b.link(gelu, perm);
  b.link(perm, second);
  b.link(second, flat);
  b.link(flat, out);
  Project p;
  p.name = "gelu permute";
  p.graph = b.graph;
  return p;
}

std::vector<torch::Tensor> gradients(GraphModule& model, const torch::Tensor& x) {
  model->zero_grad();
  model->forward(x).square().mean().backward();
  std::vector<torch::Tensor> grads;
  for (auto& p : model->parameters()) grads.push_back(p.grad().clone());
  return grads;
}

TEST(GeluPermute, IdenticalBackwardPassesGiveIdenticalCorrectGradients) {
  Project p = geluPermuteProject();
  torch::manual_seed(0);
  GraphModule model = compileGraph(p.graph);
  torch::Tensor x = torch::randn({8, 6, 12});
  std::vector<torch::Tensor> a = gradients(model, x), b = gradients(model, x);
  // The reference: the same model in double precision (a different kernel path).
  GraphModule twin = compileGraph(p.graph);
  {
    torch::NoGradGuard guard;
    auto src = model->parameters(), dst = twin->parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  }
  twin->to(torch::kDouble);
  std::vector<torch::Tensor> ref = gradients(twin, x.to(torch::kDouble));
  ASSERT_EQ(a.size(), ref.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i << ": max diff " << (a[i] - b[i]).abs().max().item<double>();
    EXPECT_TRUE(torch::allclose(a[i].to(torch::kDouble), ref[i], 1e-4, 1e-5))
        << "parameter " << i << ": max diff " << (a[i].to(torch::kDouble) - ref[i]).abs().max().item<double>();
  }
}

TEST(GeluPermute, TwoSeededRunsTrainIdentically) {
  Project p = geluPermuteProject();
  auto run = [&]() {
    torch::manual_seed(3);
    GraphModule model = compileGraph(p.graph);
    torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    torch::Tensor x = torch::randn({16, 6, 12});
    torch::Tensor y = torch::randint(0, 5, {16});
    std::vector<double> losses;
    for (int step = 0; step < 8; ++step) {
      opt.zero_grad();
      torch::Tensor logits = model->forward(x).reshape({16, 24, 5}).mean(1);
      torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      loss.backward();
      opt.step();
      losses.push_back(loss.item<double>());
    }
    return std::make_pair(losses, model->parameters());
  };
  auto [lossesA, paramsA] = run();
  auto [lossesB, paramsB] = run();
  EXPECT_EQ(lossesA, lossesB);
  for (double l : lossesA) EXPECT_TRUE(std::isfinite(l));
  EXPECT_LT(lossesA.back(), lossesA.front()) << "training on this graph learns";
  for (size_t i = 0; i < paramsA.size(); ++i) EXPECT_TRUE(torch::equal(paramsA[i], paramsB[i])) << i;
}

TEST(GeluPermute, ExportsMatchTheAppAndThePythonSourceTrainsWithTheSameGradients) {
  Project p = geluPermuteProject();
  fs::path dir = fs::temp_directory_path() / ("nc_gelu_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  torch::manual_seed(5);
  GraphModule model = compileGraph(p.graph);
  fs::path ckpt = dir / "ckpt.pt";
  saveCheckpoint(ckpt.string(), model, nullptr, CheckpointState{});
  ExportOptions options;
  options.checkpoint = ckpt.string();
  options.classNames = {"a"};
  fs::path archive = dir / "model.pt", source = dir / "model.py";
  ASSERT_TRUE(exportTorchScript(p, archive.string(), options).ok());
  ASSERT_TRUE(exportPython(p, source.string(), options).ok());

  torch::Tensor x = torch::randn({4, 6, 12});
  // App: eval output, and the train-mode gradient of the first Linear's weight.
  model->eval();
  torch::Tensor expected;
  {
    torch::NoGradGuard guard;
    expected = model->forward(x);
  }
  model->train();
  torch::Tensor grad = gradients(model, x).front();  // "first"'s weight: the first parameter
  ASSERT_EQ(grad.sizes(), (std::vector<int64_t>{24, 12}));

  torch::jit::Module loaded = torch::jit::load(archive.string());
  loaded.eval();
  {
    torch::NoGradGuard guard;
    EXPECT_TRUE(torch::allclose(loaded.forward({x}).toTensor(), expected, 1e-5, 1e-5));
  }

  std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create({x, expected, grad}));
  fs::path io = dir / "io.pt";
  std::ofstream(io, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  fs::path check = dir / "check.py";
  std::ofstream(check) << "import importlib.util, sys, torch\n"
                          "spec = importlib.util.spec_from_file_location('m', sys.argv[1])\n"
                          "m = importlib.util.module_from_spec(spec)\n"
                          "spec.loader.exec_module(m)\n"
                          "model = m.load()\n"
                          "x, expected, grad = torch.load(sys.argv[2])\n"
                          "with torch.no_grad():\n"
                          "    same = torch.allclose(model(x), expected, atol=1e-5, rtol=1e-5)\n"
                          "model.train()\n"
                          "grads = []\n"
                          "for _ in range(2):\n"
                          "    model.zero_grad()\n"
                          "    model(x).square().mean().backward()\n"
                          "    grads.append(model.first.weight.grad.clone())\n"
                          "print('outputs', 'match' if same else 'differ')\n"
                          "print('repeat', 'equal' if torch.equal(grads[0], grads[1]) else 'differs')\n"
                          "print('grad', 'match' if torch.allclose(grads[0], grad, atol=1e-5, rtol=1e-4) else "
                          "'differs %g' % (grads[0] - grad).abs().max())\n";
  int status = 0;
  std::string out = runCommand("/usr/bin/python3 " + check.string() + " " + source.string() + " " + io.string(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("outputs match"), std::string::npos) << out;
  EXPECT_NE(out.find("repeat equal"), std::string::npos) << out;
  EXPECT_NE(out.find("grad match"), std::string::npos) << out;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace nc::test

// Text generation from exported language models (issue 13): the sampling step's maths, greedy and
// seeded sampling repeat, top-k 1 is greedy, int8 archives work, stopping, short and long
// prompts, and archives or prompts that cannot be used are refused with clear messages.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

#include "../GraphTestUtil.h"
#include "core/Project.h"
#include "core/deploy/Generate.h"
#include "core/export/TorchScriptExporter.h"

namespace nc::test {
namespace {

using namespace nc::core;
namespace fs = std::filesystem;

fs::path tempDir() {
  fs::path d = fs::temp_directory_path() / ("nc_generate_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

/// Tokens [8] (vocabulary of 6 characters, 8 output slots) -> Embedding -> learned positions ->
/// causal pre-norm block -> LayerNorm -> Linear -> logits [8, 8]; or, with `classifier`, pooled to
/// 3 classes.
Project tinyModel(bool classifier) {
  GraphBuilder b;
  NodeId in = b.add("Input", {{"shape", std::vector<int64_t>{8}}, {"dtype", std::string("tokens")}, {"vocab_size", int64_t(8)}});
  NodeId embed = b.add("Embedding", {{"embedding_dim", int64_t(16)}});
  NodeId pos = b.add("PositionalEncoding", {{"kind", std::string("learned")}});
  NodeId block = b.add("TransformerEncoderLayer", {{"num_heads", int64_t(2)}, {"dim_feedforward", int64_t(32)},
                                                   {"norm_first", true}, {"causal", true}, {"dropout", 0.0}});
  NodeId norm = b.add("LayerNorm");
  b.link(in, embed);
  b.link(embed, pos);
  b.link(pos, block);
  b.link(block, norm);
  NodeId last = norm;
  if (classifier) {
    NodeId pool = b.add("SequencePool");
    b.link(norm, pool);
    last = pool;
  }
  NodeId head = b.add("Linear", {{"out_features", int64_t(classifier ? 3 : 8)}});
  NodeId out = b.add("Output");
  b.link(last, head);
  b.link(head, out);
  Project p;
  p.name = classifier ? "tiny classifier" : "tiny lm";
  p.graph = b.graph;
  p.data.kind = "text";
  return p;
}

std::string exportTiny(const std::string& name, bool classifier, QuantizeMode quantize = QuantizeMode::None) {
  const std::string path = (tempDir() / (name + ".pt")).string();
  ExportOptions options;
  options.classNames = classifier ? std::vector<std::string>{"x", "y", "z"}
                                  : std::vector<std::string>{"\n", " ", "a", "b", "c", "\xC3\xA9"};  // 0xE9 (Latin-1)
  options.quantize = quantize;
  Status s = exportTorchScript(tinyModel(classifier), path, options);
  EXPECT_TRUE(s.ok()) << s.message();
  return path;
}

TEST(GenerateSampling, TemperatureTopKAndMaskOnCraftedLogits) {
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f, 0.0f};
  // T = 1: the softmax.
  std::vector<double> p = samplingDistribution(logits, 1.0, 0);
  double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0) + std::exp(0.0);
  for (size_t i = 0; i < logits.size(); ++i) EXPECT_NEAR(p[i], std::exp(double(logits[i])) / z, 1e-12) << i;
  // T = 2: softmax(logits / 2); T = 0.5: sharper.
  for (double t : {2.0, 0.5, 0.1}) {
    p = samplingDistribution(logits, t, 0);
    z = 0;
    for (float l : logits) z += std::exp(double(l) / t);
    for (size_t i = 0; i < logits.size(); ++i) EXPECT_NEAR(p[i], std::exp(double(logits[i]) / t) / z, 1e-12) << t;
  }
  // T = 0: one-hot on the largest (the first on ties).
  EXPECT_EQ(samplingDistribution(logits, 0.0, 0), (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(samplingDistribution({5.0f, 5.0f, 1.0f}, 0.0, 0), (std::vector<double>{1, 0, 0}));
  // Top-k 2: only the two largest, renormalised.
  p = samplingDistribution(logits, 1.0, 2);
  EXPECT_EQ(p[0], 0.0);
  EXPECT_EQ(p[3], 0.0);
  EXPECT_NEAR(p[2], std::exp(3.0) / (std::exp(3.0) + std::exp(2.0)), 1e-12);
  EXPECT_NEAR(p[1] + p[2], 1.0, 1e-12);
  // Top-k 1 at any temperature = greedy; top-k larger than the vocabulary = all.
  EXPECT_EQ(samplingDistribution(logits, 1.7, 1), samplingDistribution(logits, 0.0, 0));
  EXPECT_EQ(samplingDistribution(logits, 1.0, 100), samplingDistribution(logits, 1.0, 0));
  // Masked tokens are never chosen, even when largest.
  p = samplingDistribution(logits, 0.0, 0, {true, true, false, true});
  EXPECT_EQ(p, (std::vector<double>{0, 1, 0, 0}));
  p = samplingDistribution(logits, 1.0, 0, {true, true, false, true});
  EXPECT_EQ(p[2], 0.0);
  // NaN logits are skipped; all masked: all zero (drawToken then gives -1).
  p = samplingDistribution({std::nanf(""), 1.0f}, 1.0, 0);
  EXPECT_EQ(p, (std::vector<double>{0, 1}));
  std::mt19937_64 rng(1);
  EXPECT_EQ(drawToken(samplingDistribution(logits, 1.0, 0, {false, false, false, false}), rng), -1);
  // Draws follow the distribution (and repeat with the seed).
  std::vector<int> counts(4, 0);
  const std::vector<double> q = {0.1, 0.2, 0.7, 0.0};
  for (int i = 0; i < 20000; ++i) ++counts[size_t(drawToken(q, rng))];
  EXPECT_EQ(counts[3], 0);
  EXPECT_NEAR(counts[2] / 20000.0, 0.7, 0.02);
  EXPECT_NEAR(counts[0] / 20000.0, 0.1, 0.02);
  std::mt19937_64 a(7), b(7);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(drawToken(q, a), drawToken(q, b));
}

TEST(GenerateText, GreedyAndSeededSamplingRepeatAndTopK1IsGreedy) {
  const std::string archive = exportTiny("lm", false);
  GenerateOptions options;
  options.prompt = "ab";
  options.length = 40;
  options.temperature = 0;
  GenerateResult greedy = generateText(archive, options);
  ASSERT_TRUE(greedy.ok()) << greedy.error;
  EXPECT_EQ(greedy.window, 8);
  EXPECT_EQ(greedy.text.size(), 40u);
  EXPECT_EQ(generateText(archive, options).text, greedy.text);
  for (char c : greedy.text) EXPECT_NE(std::string("\n abc\xE9").find(c), std::string::npos) << int(uint8_t(c));

  options.temperature = 1.5;
  options.topK = 1;
  options.seed = 3;
  EXPECT_EQ(generateText(archive, options).text, greedy.text);

  options.topK = 0;
  std::string streamed;
  GenerateResult seeded = generateText(archive, options, [&](const std::string& piece) {
    streamed += piece;
    return true;
  });
  ASSERT_TRUE(seeded.ok()) << seeded.error;
  EXPECT_EQ(seeded.seed, 3u);
  EXPECT_EQ(streamed, seeded.text);
  EXPECT_EQ(generateText(archive, options).text, seeded.text);
  options.seed = 4;
  EXPECT_NE(generateText(archive, options).text, seeded.text);  // 40 draws at T 1.5 from 6 characters

  // Short (empty, 1 character) and long prompts (beyond the window of 8) work.
  for (const std::string& prompt : {std::string(), std::string("c"), std::string("abc abc abc abc\nab")}) {
    options.prompt = prompt;
    GenerateResult r = generateText(archive, options);
    EXPECT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.text.size(), 40u);
  }

  // Stopping: the callback returning false ends it at once.
  int calls = 0;
  GenerateResult stopped = generateText(archive, options, [&](const std::string&) { return ++calls < 5; });
  EXPECT_TRUE(stopped.ok());
  EXPECT_TRUE(stopped.cancelled);
  EXPECT_EQ(stopped.text.size(), 5u);

  // The int8 archive generates too (greedy is close to float's; only the text's alphabet is checked).
  const std::string int8 = exportTiny("lm-int8", false, QuantizeMode::DynamicInt8);
  options.prompt = "ab";
  GenerateResult quantized = generateText(int8, options);
  ASSERT_TRUE(quantized.ok()) << quantized.error;
  EXPECT_EQ(quantized.text.size(), 40u);
  EXPECT_EQ(generateText(int8, options).text, quantized.text);
}

TEST(GenerateText, RefusesClassifiersForeignCharactersAndBadOptions) {
  const std::string classifier = exportTiny("classifier", true);
  GenerateOptions options;
  options.prompt = "x";
  GenerateResult r = generateText(classifier, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("is not a character-level language model"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("not one prediction per input position"), std::string::npos) << r.error;

  const std::string lm = exportTiny("lm2", false);
  options.prompt = "abQ";
  r = generateText(lm, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.find("character 'Q' (at byte 2) is not in the model's vocabulary"), std::string::npos) << r.error;

  options.prompt = "a\xCE\xA9";  // Omega: named as the character, not its first byte
  r = generateText(lm, options);
  EXPECT_NE(r.error.find("character '\xCE\xA9' (at byte 1)"), std::string::npos) << r.error;
  options.prompt = "a\xFF";
  r = generateText(lm, options);
  EXPECT_NE(r.error.find("character byte 0xFF (at byte 1)"), std::string::npos) << r.error;

  for (auto [length, temperature, topK] : {std::tuple<int64_t, double, int>{0, 1.0, 0}, {10, -0.5, 0},
                                           {10, std::nan(""), 0}, {10, 1.0, -2}, {2000000, 1.0, 0}}) {
    options.prompt = "ab";
    options.length = length;
    options.temperature = temperature;
    options.topK = topK;
    r = generateText(lm, options);
    EXPECT_FALSE(r.ok()) << length << " " << temperature << " " << topK;
  }
  r = generateText((tempDir() / "missing.pt").string(), GenerateOptions{});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("missing.pt"), std::string::npos) << r.error;
}

TEST(GenerateCli, WritesTheTextAndRefusesWithMessages) {
  // Few runs of the CLI (each loads LibTorch); the rest is covered in-process above.
  const std::string lm = exportTiny("cli-lm", false);
  int status = 0;
  const std::string cli = NC_CLI_PATH;
  std::string out = runCommand(cli + " generate " + lm + " --prompt ab --length 12 --temperature 0", &status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_EQ(out.size(), 2u + 12u + 1u) << out;  // prompt, text, newline (greedy: no seed line)
  EXPECT_EQ(out.substr(0, 2), "ab");
  std::string seeded = runCommand(cli + " generate " + lm + " --prompt ab --length 30 --seed 9", &status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << seeded;
  EXPECT_EQ(runCommand(cli + " generate " + lm + " --prompt ab --length 30 --seed 9", &status), seeded);
  out = runCommand(cli + " generate " + exportTiny("cli-classifier", true) + " --prompt x", &status);
  EXPECT_EQ(WEXITSTATUS(status), 1) << out;
  EXPECT_NE(out.find("is not a character-level language model"), std::string::npos) << out;
  out = runCommand(cli + " generate " + lm + " --top-k x", &status);
  EXPECT_EQ(WEXITSTATUS(status), 64) << out;
  EXPECT_NE(out.find("--top-k"), std::string::npos) << out;
}

}  // namespace
}  // namespace nc::test

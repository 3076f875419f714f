// neuralcanvas-cli generate MODEL.pt --prompt TEXT: samples text from an exported character-level
// language model (token ids [1, L] in, logits [1, L, V] out), printing it as it streams.
#include <cstdint>
#include <cstdio>
#include <iostream>

#include "app/cli/Commands.h"
#include "app/cli/Options.h"
#include "core/deploy/Generate.h"

namespace nc::app {

int runGenerate(const std::vector<std::string>& args) {
  Options opts(args, {"--prompt", "--length", "--temperature", "--top-k", "--seed"});
  const char* usage =
      "usage: neuralcanvas-cli generate MODEL.pt [--prompt TEXT] [--length N] [--temperature T]\n"
      "                                 [--top-k K] [--seed S]\n\n"
      "Writes text with an exported character-level language model (a TorchScript archive from\n"
      "`export` of a run trained on text, e.g. the char_transformer or char_lstm template; int8\n"
      "archives work too). The prompt is printed, then N new characters as they are sampled.\n"
      "  --prompt TEXT      the start of the text (default: empty, the model starts after a newline);\n"
      "                     every character must be in the model's vocabulary (the error names the\n"
      "                     first one that is not). The model sees the last L characters (its input\n"
      "                     length); a shorter context is read from the start of its window.\n"
      "  --length N         characters to generate (default 300, at most 1000000)\n"
      "  --temperature T    0 = greedy (always the most likely character); below 1 more\n"
      "                     conservative, above 1 more random (default 0.8)\n"
      "  --top-k K          sample among the K most likely characters only (default 0 = all)\n"
      "  --seed S           random seed: the same seed gives the same text (default: random, shown\n"
      "                     on stderr when sampling)\n"
      "Characters are written as the model's bytes (bytes that are not UTF-8 are written as they are).\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1)) return *exit;
  core::GenerateOptions options;
  options.temperature = 0.8;
  try {
    if (opts.has("--prompt")) options.prompt = opts.get("--prompt");
    if (opts.has("--length")) options.length = opts.integer("--length", 1, 1000000);
    if (opts.has("--temperature")) options.temperature = opts.real("--temperature", 0, 100);
    if (opts.has("--top-k")) options.topK = int(opts.integer("--top-k", 0, 1 << 20));
    if (opts.has("--seed")) options.seed = uint64_t(opts.integer("--seed", 0, INT64_MAX));
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  bool promptPrinted = false;
  auto onText = [&](const std::string& piece) {
    if (!promptPrinted) {
      std::fwrite(options.prompt.data(), 1, options.prompt.size(), stdout);
      promptPrinted = true;
    }
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
  };
  core::GenerateResult r = core::generateText(opts.positional()[0], options, onText);
  if (promptPrinted) std::fputc('\n', stdout);
  std::fflush(stdout);
  if (!r.ok()) {
    std::cerr << "error: " << r.error << "\n";
    return kExitInvalid;
  }
  if (!options.seed && options.temperature > 0) std::cerr << "(seed " << r.seed << ")\n";
  return kExitOk;
}

}  // namespace nc::app

#include "core/LayerSearch.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <utility>

#include "core/LayerRegistry.h"

namespace nc::core {

namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Lower case letters and digits only: "Batch-Norm 2d" -> "batchnorm2d".
std::string compact(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) out += char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      w += char(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      out.push_back(w);
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

/// Whether `word` (lower case) starts a word of `text` (lower case): "dense" is not in "condensed".
bool startsAWord(const std::string& text, const std::string& word) {
  for (size_t pos = text.find(word); pos != std::string::npos; pos = text.find(word, pos + 1))
    if (pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]))) return true;
  return false;
}

/// What people call a layer in other tools and papers -> our type names, most likely first.
/// Keys are compact (see compact()). Names that no longer exist are skipped at search time.
const std::vector<std::pair<std::string, std::vector<std::string>>>& synonyms() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kTable = {
      {"dense", {"Linear"}},
      {"fc", {"Linear"}},
      {"fullyconnected", {"Linear"}},
      {"innerproduct", {"Linear"}},
      {"affine", {"Linear"}},
      {"mlp", {"Linear"}},
      {"perceptron", {"Linear"}},
      {"classifier", {"Linear", "Output"}},
      {"attention", {"TransformerEncoderLayer", "MultiheadAttention"}},
      {"selfattention", {"MultiheadAttention", "TransformerEncoderLayer"}},
      {"mha", {"MultiheadAttention"}},
      {"transformer", {"TransformerEncoderLayer", "MultiheadAttention", "PositionalEncoding"}},
      {"encoder", {"TransformerEncoderLayer"}},
      {"conv", {"Conv2d", "Conv1d"}},
      {"convolution", {"Conv2d", "Conv1d"}},
      {"cnn", {"Conv2d", "Conv1d"}},
      {"filter", {"Conv2d", "Conv1d"}},
      {"rnn", {"LSTM", "GRU", "RNN"}},
      {"recurrent", {"LSTM", "GRU", "RNN"}},
      {"lstm", {"LSTM"}},
      {"gru", {"GRU"}},
      {"norm", {"BatchNorm2d", "BatchNorm1d", "LayerNorm"}},
      {"normalization", {"BatchNorm2d", "BatchNorm1d", "LayerNorm"}},
      {"bn", {"BatchNorm2d", "BatchNorm1d"}},
      {"ln", {"LayerNorm"}},
      {"pool", {"MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "MaxPool1d", "SequencePool"}},
      {"pooling", {"MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "MaxPool1d", "SequencePool"}},
      {"downsample", {"MaxPool2d", "AvgPool2d", "MaxPool1d"}},
      {"gap", {"AdaptiveAvgPool2d", "SequencePool"}},
      {"globalpool", {"AdaptiveAvgPool2d", "SequencePool"}},
      {"globalaveragepooling", {"AdaptiveAvgPool2d", "SequencePool"}},
      {"embedding", {"Embedding", "PositionalEncoding"}},
      {"embed", {"Embedding", "PositionalEncoding"}},
      {"token", {"Embedding"}},
      {"word", {"Embedding"}},
      {"vocabulary", {"Embedding"}},
      {"lookup", {"Embedding"}},
      {"position", {"PositionalEncoding"}},
      {"positional", {"PositionalEncoding"}},
      {"swish", {"SiLU"}},
      {"logistic", {"Sigmoid"}},
      {"probabilities", {"Softmax"}},
      {"nonlinearity", {"ReLU", "GELU", "SiLU", "Tanh", "Sigmoid", "LeakyReLU"}},
      {"activation", {"ReLU", "GELU", "SiLU", "Tanh", "Sigmoid", "LeakyReLU", "Softmax"}},
      {"residual", {"Add"}},
      {"skip", {"Add", "Concat"}},
      {"sum", {"Add"}},
      {"plus", {"Add"}},
      {"multiply", {"Multiply"}},
      {"product", {"Multiply"}},
      {"gate", {"Multiply"}},
      {"concatenate", {"Concat"}},
      {"cat", {"Concat"}},
      {"stack", {"Concat"}},
      {"join", {"Concat"}},
      {"merge", {"Add", "Concat", "Multiply"}},
      {"view", {"Reshape"}},
      {"transpose", {"Permute"}},
      {"regularization", {"Dropout"}},
      {"data", {"Input"}},
      {"logits", {"Output"}},
      {"loss", {"Output"}},
  };
  return kTable;
}

struct Candidate {
  const LayerType* type;
  std::string name, nameCompact, category, doc;  // lower case
};

/// Score of one query term (compact and its words) against a type; 0 = no match.
int scoreTerm(const Candidate& c, const std::string& term) {
  if (term.empty()) return 0;
  int best = 0;
  if (c.nameCompact == term) best = std::max(best, 1000);
  if (startsWith(c.nameCompact, term)) best = std::max(best, 900 - int(c.nameCompact.size() - term.size()));
  for (const auto& [key, types] : synonyms()) {
    bool exact = key == term;
    bool prefix = !exact && term.size() >= 3 && startsWith(key, term);
    if (!exact && !prefix) continue;
    for (size_t i = 0; i < types.size(); ++i)
      if (types[i] == c.type->name()) best = std::max(best, (exact ? 800 : 650) - int(i) * 5);
  }
  if (term.size() >= 2 && c.nameCompact.find(term) != std::string::npos) best = std::max(best, 600);
  if (term.size() >= 3) {
    std::string cat = compact(c.category);
    if (startsWith(cat, term) || startsAWord(c.category, term)) best = std::max(best, 400);
    if (startsAWord(c.doc, term)) best = std::max(best, 200);
  }
  return best;
}

}  // namespace

std::vector<std::string> searchLayerTypes(const std::string& query) {
  std::vector<const LayerType*> all = LayerRegistry::instance().all();  // palette order
  std::vector<std::string> result;
  const std::string whole = compact(query);
  const std::vector<std::string> terms = words(query);
  if (whole.empty()) {
    for (const LayerType* t : all) result.push_back(t->name());
    return result;
  }
  std::vector<std::pair<int, size_t>> scored;  // (score, palette index)
  for (size_t i = 0; i < all.size(); ++i) {
    Candidate c{all[i], lower(all[i]->name()), compact(all[i]->name()), lower(all[i]->category()),
                lower(all[i]->doc())};
    int score = scoreTerm(c, whole);  // the query as one term: "fully connected", "batch norm"
    if (terms.size() > 1) {
      int sum = 0;
      bool every = true;
      for (const std::string& w : terms) {
        int s = scoreTerm(c, w);
        if (s == 0) {
          every = false;
          break;
        }
        sum += s;
      }
      if (every) score = std::max(score, sum / int(terms.size()) - 50);
    }
    if (score > 0) scored.emplace_back(score, i);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [score, index] : scored) result.push_back(all[index]->name());
  return result;
}

}  // namespace nc::core

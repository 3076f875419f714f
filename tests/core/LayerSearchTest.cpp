// Finding a layer type by name, category, documentation and common synonyms (quick-add, palette).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/LayerRegistry.h"
#include "core/LayerSearch.h"

using nc::core::searchLayerTypes;

namespace {
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
size_t indexOf(const std::vector<std::string>& v, const std::string& s) {
  return size_t(std::find(v.begin(), v.end(), s) - v.begin());
}
}  // namespace

TEST(LayerSearch, EmptyQueryListsEveryTypeInPaletteOrder) {
  auto all = nc::core::LayerRegistry::instance().all();
  for (const char* q : {"", "   ", " - "}) {
    auto found = searchLayerTypes(q);
    ASSERT_EQ(found.size(), all.size()) << "query '" << q << "'";
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(found[i], all[i]->name());
  }
}

TEST(LayerSearch, SynonymsFindTheLayerFirst) {
  struct Case {
    const char* query;
    const char* first;
  };
  const Case cases[] = {
      {"dense", "Linear"},          {"Dense", "Linear"},       {"fc", "Linear"},
      {"fully connected", "Linear"}, {"FULLY-CONNECTED", "Linear"}, {"attention", "TransformerEncoderLayer"},
      {"transformer", "TransformerEncoderLayer"}, {"conv", "Conv1d"}, {"rnn", "RNN"},  // the exact name wins
      {"recurrent", "LSTM"},        {"token", "Embedding"},    {"swish", "SiLU"},
      {"batch norm", "BatchNorm1d"}, {"lin", "Linear"},        {"multihead", "MultiheadAttention"},
      {"residual", "Add"},
  };
  for (const Case& c : cases) {
    auto found = searchLayerTypes(c.query);
    ASSERT_FALSE(found.empty()) << c.query;
    // "conv" and "batch norm" match several names equally well: accept either member of the family.
    std::string first = found.front();
    if (std::string(c.first) == "Conv1d")
      EXPECT_TRUE(first == "Conv1d" || first == "Conv2d") << c.query << " -> " << first;
    else if (std::string(c.first) == "BatchNorm1d")
      EXPECT_TRUE(first == "BatchNorm1d" || first == "BatchNorm2d") << c.query << " -> " << first;
    else
      EXPECT_EQ(first, c.first) << c.query;
  }
}

TEST(LayerSearch, FamiliesAreFound) {
  struct Case {
    const char* query;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"attention", {"TransformerEncoderLayer", "MultiheadAttention"}},
      {"conv", {"Conv1d", "Conv2d"}},
      {"rnn", {"LSTM", "GRU", "RNN"}},
      {"norm", {"BatchNorm1d", "BatchNorm2d", "LayerNorm"}},
      {"pool", {"MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "MaxPool1d"}},
      {"embedding", {"Embedding", "PositionalEncoding"}},
      {"activation", {"ReLU", "GELU", "Sigmoid", "Tanh"}},
  };
  for (const Case& c : cases) {
    auto found = searchLayerTypes(c.query);
    for (const auto& e : c.expected) EXPECT_TRUE(contains(found, e)) << c.query << " misses " << e;
  }
}

TEST(LayerSearch, NamePrefixRanksBeforeDocumentationMatches) {
  // "Re" prefixes ReLU and Reshape; both must come before anything matched only elsewhere.
  auto found = searchLayerTypes("re");
  ASSERT_GE(found.size(), 2u);
  EXPECT_TRUE((found[0] == "ReLU" && found[1] == "Reshape") || (found[0] == "Reshape" && found[1] == "ReLU"));
  auto lstm = searchLayerTypes("LSTM");
  ASSERT_FALSE(lstm.empty());
  EXPECT_EQ(lstm.front(), "LSTM");
  // Dense's Linear before a layer whose doc merely mentions a linear map.
  auto linear = searchLayerTypes("linear");
  ASSERT_FALSE(linear.empty());
  EXPECT_EQ(linear.front(), "Linear");
  EXPECT_LT(indexOf(searchLayerTypes("pool"), "MaxPool2d"), indexOf(searchLayerTypes("pool"), "Linear"));
}

TEST(LayerSearch, NonsenseFindsNothing) {
  for (const char* q : {"zzz", "qqqqq", "conv zzz", "!!x!!"}) EXPECT_TRUE(searchLayerTypes(q).empty()) << q;
}

TEST(LayerSearch, EveryTypeFindsItselfFirstByName) {
  for (const auto* t : nc::core::LayerRegistry::instance().all()) {
    auto found = searchLayerTypes(t->name());
    ASSERT_FALSE(found.empty()) << t->name();
    EXPECT_EQ(found.front(), t->name());
  }
}

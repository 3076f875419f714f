// Seeded, deterministic mutation fuzzing of project files, in process (issue 10, "Make it hard to
// bring back"). Every template project is mutated thousands of ways (truncation, byte flips,
// wrong types, extreme numbers in every parameter, missing fields, duplicate ids, dangling
// edges, cycles, deep nesting, long and non-ASCII / invalid UTF-8 strings, huge ports, node id
// INT64_MAX) and run through parse -> analyze -> counts -> memory estimate -> layout, and small
// valid graphs through compile + forward. Each case must end in a clear error or a valid result:
// no crash, no exception escaping. Valid results must save -> load -> save byte-identically.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/GraphEdit.h"
#include "core/GraphModule.h"
#include "core/LayerRegistry.h"
#include "core/LayerType.h"
#include "core/MemoryEstimate.h"
#include "core/Project.h"

namespace nc::test {
namespace {

using namespace nc::core;
using nlohmann::json;
namespace fs = std::filesystem;

/// splitmix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : m_state(seed) {}
  uint64_t next() {
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n == 0 ? 0 : size_t(next() % n); }
  bool chance(int percent) { return below(100) < size_t(percent); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

 private:
  uint64_t m_state;
};

/// Literals written into the JSON text as they are (placeholders are replaced after dumping).
const std::vector<std::string>& extremeLiterals() {
  static const std::vector<std::string> k = {
      "18446744073709551615", "18446744073709551616", "9223372036854775808", "9223372036854775807",
      "-9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999", "4294967296",
      "4294967295", "2147483648", "2147483647", "-2147483649", "1048576", "16777217", "1099511627777",
      "1e400", "-1e400", "1e308", "-1e308", "1e-400", "4.9e-324", "-0", "-0.0", "0", "-1", "1", "2", "1.5",
      "0.5", "1e2", "1E+2", "null", "true", "false", "\"\"", "\"x\"", "\"1\"", "[]", "{}", "[1048576, 1048576, 1048576]",
      "[1048576, 1048576, 1048576, 1048576]", "[18446744073709551615]", "[-1, -1]", "[0]", "[[[[1]]]]", "{\"a\": 1}",
      "\"caf\xC3\xA9 \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC\"", "\"caf\xE9\"", "\"\xFF\xFE\"", "\"\\u0000\"",
      "\"\\ud800\"", "\"a\\nb\\\"c\\\\\"", "NaN", "Infinity", "0x10", "01", "+1", ".5", "1.", "-",
  };
  return k;
}

std::string nested(size_t levels, char open, char close) {
  std::string s(levels, open);
  s += "1";
  s.append(levels, close);
  return s;
}

/// A JSON document being mutated, with raw literals substituted at the end.
struct Draft {
  json value;
  std::vector<std::string> raw;  // placeholder k -> literal

  json placeholder(std::string literal) {
    raw.push_back(std::move(literal));
    return json("@@RAW" + std::to_string(raw.size() - 1) + "@@");
  }
  std::string text() const {
    std::string t = value.dump(2, ' ', false, json::error_handler_t::replace);
    for (size_t k = raw.size(); k-- > 0;) {
      const std::string token = "\"@@RAW" + std::to_string(k) + "@@\"";
      for (size_t pos = t.find(token); pos != std::string::npos; pos = t.find(token, pos + raw[k].size()))
        t.replace(pos, token.size(), raw[k]);
    }
    return t;
  }
};

/// Every value in the tree (pointers stay valid until the tree changes).
std::vector<json*> allValues(json& root) {
  std::vector<json*> out, stack{&root};
  while (!stack.empty()) {
    json* v = stack.back();
    stack.pop_back();
    out.push_back(v);
    if (v->is_object())
      for (auto& [k, child] : v->items()) stack.push_back(&child);
    else if (v->is_array())
      for (auto& child : *v) stack.push_back(&child);
  }
  return out;
}

json* randomNode(Draft& d, Rng& rng) {
  json* nodes = d.value.contains("graph") && d.value["graph"].is_object() && d.value["graph"].contains("nodes")
                    ? &d.value["graph"]["nodes"]
                    : nullptr;
  if (!nodes || !nodes->is_array() || nodes->empty()) return nullptr;
  return &(*nodes)[rng.below(nodes->size())];
}

json* edgesOf(Draft& d) {
  if (!d.value.contains("graph") || !d.value["graph"].is_object() || !d.value["graph"].contains("edges")) return nullptr;
  json* e = &d.value["graph"]["edges"];
  return e->is_array() && !e->empty() ? e : nullptr;
}

/// A value of a random kind, sometimes hostile.
json randomValue(Draft& d, Rng& rng) {
  switch (rng.below(8)) {
    case 0: return d.placeholder(rng.pick(extremeLiterals()));
    case 1: return json(std::string(rng.chance(10) ? 100000 : 1 + rng.below(300), char('a' + rng.below(26))));
    case 2: return json::array({int64_t(rng.below(100)), int64_t(rng.below(100))});
    case 3: return json::object({{"k", rng.below(10)}});
    case 4: return json(nullptr);
    case 5: return json(rng.chance(50));
    case 6: return json(int64_t(rng.next() >> rng.below(64)) * (rng.chance(30) ? -1 : 1));
    default: return json(double(rng.below(2000)) / 7.0 - 100.0);
  }
}

/// An in-range value for a parameter (so that many mutants stay valid and reach compile).
json plausibleParam(const ParamSpec& spec, Rng& rng) {
  auto intIn = [&](double lo, double hi) {
    int64_t a = std::isfinite(lo) ? int64_t(lo) : -8, b = std::isfinite(hi) ? int64_t(hi) : 64;
    b = std::min(b, a + 64);  // small values keep the model small
    if (rng.chance(10)) return std::isfinite(hi) ? int64_t(hi) : b;
    return a + int64_t(rng.below(size_t(b - a + 1)));
  };
  switch (spec.kind) {
    case ParamKind::Int: return json(intIn(spec.minValue, spec.maxValue));
    case ParamKind::Float: return json(spec.minValue + (std::min(spec.maxValue, spec.minValue + 1.0) - spec.minValue) *
                                                           double(rng.below(1000)) / 1000.0);
    case ParamKind::Bool: return json(rng.chance(50));
    case ParamKind::Choice: return json(rng.pick(spec.choices));
    case ParamKind::IntList: {
      json l = json::array();
      size_t n = spec.minLength + rng.below(std::min<size_t>(spec.maxLength, spec.minLength + 3) - spec.minLength + 1);
      for (size_t i = 0; i < n; ++i) l.push_back(intIn(spec.minValue, std::min(spec.maxValue, 40.0)));
      return l;
    }
  }
  return json();
}

/// One mutation of the draft; returns its description.
std::string mutateTree(Draft& d, Rng& rng, size_t kind) {
  switch (kind) {
    case 0: {  // an extreme literal in a random parameter of a random node
      json* n = randomNode(d, rng);
      if (!n || !n->is_object() || !n->contains("params") || !(*n)["params"].is_object() || (*n)["params"].empty())
        return "no params";
      json& params = (*n)["params"];
      auto it = params.begin();
      std::advance(it, rng.below(params.size()));
      const std::string lit = rng.pick(extremeLiterals());
      *it = rng.chance(20) && it->is_array() && !it->empty() ? json::array({d.placeholder(lit), 1}) : d.placeholder(lit);
      return "param " + it.key() + " = " + lit;
    }
    case 1: {  // an extreme literal anywhere
      auto values = allValues(d.value);
      json* v = values[rng.below(values.size())];
      const std::string lit = rng.pick(extremeLiterals());
      *v = d.placeholder(lit);
      return "value = " + lit;
    }
    case 2: {  // structural numbers: id, position, ports, edge nodes, version
      const std::string lit = rng.pick(extremeLiterals());
      json* n = randomNode(d, rng);
      json* edges = edgesOf(d);
      switch (rng.below(5)) {
        case 0:
          if (n && n->is_object()) (*n)["id"] = d.placeholder(lit);
          return "node id = " + lit;
        case 1:
          if (n && n->is_object()) (*n)["position"] = json::array({d.placeholder(lit), 0});
          return "position = " + lit;
        case 2:
          if (edges) (*edges)[rng.below(edges->size())][rng.chance(50) ? "from" : "to"]["port"] = d.placeholder(lit);
          return "port = " + lit;
        case 3:
          if (edges) (*edges)[rng.below(edges->size())][rng.chance(50) ? "from" : "to"]["node"] = d.placeholder(lit);
          return "edge node = " + lit;
        default: d.value["version"] = d.placeholder(lit); return "version = " + lit;
      }
    }
    case 3: {  // a training or data setting
      const char* section = rng.chance(50) ? "training" : "data";
      if (!d.value.contains(section) || !d.value[section].is_object() || d.value[section].empty()) return "no settings";
      json& s = d.value[section];
      auto it = s.begin();
      std::advance(it, rng.below(s.size()));
      const std::string lit = rng.pick(extremeLiterals());
      *it = rng.chance(80) ? d.placeholder(lit) : randomValue(d, rng);
      return std::string(section) + "/" + it.key() + " = " + lit;
    }
    case 4: {  // a member removed
      auto values = allValues(d.value);
      std::vector<json*> objects;
      for (json* v : values)
        if (v->is_object() && !v->empty()) objects.push_back(v);
      if (objects.empty()) return "no objects";
      json* o = objects[rng.below(objects.size())];
      auto it = o->begin();
      std::advance(it, rng.below(o->size()));
      std::string key = it.key();
      o->erase(it);
      return "removed " + key;
    }
    case 5: {  // a value of the wrong type
      auto values = allValues(d.value);
      json* v = values[rng.below(values.size())];
      *v = randomValue(d, rng);
      return "wrong type";
    }
    case 6: {  // duplicate node (same id, or same name)
      json* n = randomNode(d, rng);
      if (!n) return "no nodes";
      json copy = *n;
      if (rng.chance(50) && copy.is_object()) copy["id"] = 1000 + rng.below(10);
      d.value["graph"]["nodes"].push_back(copy);
      return "duplicate node";
    }
    case 7: {  // dangling or re-pointed edge
      json* edges = edgesOf(d);
      if (!edges) return "no edges";
      json& e = (*edges)[rng.below(edges->size())];
      e[rng.chance(50) ? "from" : "to"]["node"] = rng.chance(50) ? int64_t(rng.below(12)) : int64_t(777);
      return "dangling edge";
    }
    case 8: {  // a cycle: an edge from downstream back up
      json* edges = edgesOf(d);
      if (!edges || edges->size() < 2) return "no edges";
      size_t i = rng.below(edges->size()), j = i + rng.below(edges->size() - i);
      (*edges)[i]["from"] = (*edges)[j]["to"];
      (*edges)[i]["from"]["port"] = 0;
      return "cycle";
    }
    case 9: {  // deep nesting in a parameter, a name, the data path, an unknown training key
      static const size_t depths[] = {63, 64, 65, 200, 5000, 100000};
      const size_t depth = depths[rng.below(rng.chance(5) ? 6 : 5)];
      std::string lit;
      if (rng.chance(50)) {
        lit = nested(depth, '[', ']');
      } else {
        for (size_t k = 0; k < depth; ++k) lit += "{\"a\": ";
        lit += "1";
        lit.append(depth, '}');
      }
      json* n = randomNode(d, rng);
      switch (rng.below(4)) {
        case 0:
          if (n && n->is_object() && (*n)["params"].is_object() && !(*n)["params"].empty())
            (*n)["params"].begin().value() = d.placeholder(lit);
          break;
        case 1:
          if (n && n->is_object()) (*n)["name"] = d.placeholder(lit);
          break;
        case 2: d.value["data"]["path"] = d.placeholder(lit); break;
        default: d.value["training"]["no_such_key"] = d.placeholder(lit); break;
      }
      return "nested " + std::to_string(depth);
    }
    case 10: {  // long, non-ASCII or control-character strings
      static const std::vector<std::string> strings = {
          std::string(100000, 'n'), "caf\xC3\xA9 \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC", "tab\there", "line\nbreak",
          "quote\"s", "back\\slash", "\xF0\x9F\x98\x80", "", " ", "con1", "a/b~c"};
      const std::string s = rng.pick(strings);
      json* n = randomNode(d, rng);
      switch (rng.below(5)) {
        case 0:
          if (n && n->is_object()) (*n)["name"] = s;
          break;
        case 1: d.value["name"] = s; break;
        case 2: d.value["data"]["path"] = s; break;
        case 3:
          if (n && n->is_object()) (*n)["type"] = s;
          break;
        default:
          if (n && n->is_object() && (*n)["params"].is_object()) (*n)["params"][s] = 1;
      }
      return "string";
    }
    case 11: {  // a node retyped, with that type's defaults (often valid, sometimes not)
      json* n = randomNode(d, rng);
      if (!n || !n->is_object()) return "no nodes";
      auto all = LayerRegistry::instance().all();
      const LayerType* t = all[rng.below(all.size())];
      (*n)["type"] = t->name();
      json params = json::object();
      for (const auto& spec : t->params())
        params[spec.name] = std::visit([](const auto& v) { return json(v); }, spec.defaultValue);
      (*n)["params"] = params;
      return "retyped " + t->name();
    }
    case 12: {  // a random in-range parameter value (keeps many mutants valid)
      json* n = randomNode(d, rng);
      if (!n || !n->is_object() || !(*n)["type"].is_string()) return "no nodes";
      const LayerType* t = LayerRegistry::instance().find((*n)["type"].get<std::string>());
      if (!t || t->params().empty()) return "no params";
      const ParamSpec& spec = t->params()[rng.below(t->params().size())];
      (*n)["params"][spec.name] = plausibleParam(spec, rng);
      return "param " + spec.name + " plausible";
    }
    case 13: {  // a node id set to INT64_MAX, edges following it (valid)
      json* n = randomNode(d, rng);
      if (!n || !n->is_object() || !(*n)["id"].is_number_integer()) return "no nodes";
      const int64_t old = (*n)["id"].get<int64_t>();
      const int64_t now = rng.chance(50) ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::max() - 1;
      (*n)["id"] = now;
      if (json* edges = edgesOf(d))
        for (auto& e : *edges)
          for (const char* end : {"from", "to"})
            if (e.is_object() && e[end].is_object() && e[end]["node"] == old) e[end]["node"] = now;
      return "id max";
    }
    default: {  // huge ports
      json* edges = edgesOf(d);
      if (!edges) return "no edges";
      static const std::vector<std::string> ports = {"4294967296", "4294967297", "-1", "2147483648", "1", "7",
                                                     "18446744073709551616", "1e400", "0.0"};
      const std::string p = rng.pick(ports);
      (*edges)[rng.below(edges->size())][rng.chance(50) ? "from" : "to"]["port"] = d.placeholder(p);
      return "port " + p;
    }
  }
}

constexpr size_t kTreeMutations = 15;

/// Byte-level mutations of the text.
std::string mutateText(std::string t, Rng& rng, std::string& what) {
  switch (rng.below(5)) {
    case 0:
      t.resize(rng.below(t.size()));
      what = "truncated";
      break;
    case 1: {
      size_t flips = 1 + rng.below(8);
      for (size_t i = 0; i < flips && !t.empty(); ++i) t[rng.below(t.size())] ^= char(1 + rng.below(255));
      what = "byte flips";
      break;
    }
    case 2: {
      static const std::string junk[] = {"\xFF", "\xC3", "\"", "{", "]", ",", "\\", std::string(1, '\0'), "\xE2\x82", "1e400", "-"};
      t.insert(rng.below(t.size() + 1), junk[rng.below(sizeof junk / sizeof junk[0])]);
      what = "inserted junk";
      break;
    }
    case 3: {
      size_t a = rng.below(t.size()), n = rng.below(200);
      t.erase(a, n);
      what = "deleted range";
      break;
    }
    default: {
      size_t a = rng.below(t.size()), n = rng.below(400);
      t.insert(rng.below(t.size()), t.substr(a, n));
      what = "duplicated range";
    }
  }
  return t;
}

struct Stats {
  size_t cases = 0, rejected = 0, valid = 0, invalidGraphs = 0, compiled = 0;
  std::vector<std::string> failures;
  void fail(const std::string& label, const std::string& what) {
    if (failures.size() < 25) failures.push_back(label + ": " + what);
  }
};

std::string shortText(const std::string& s) { return s.size() > 300 ? s.substr(0, 300) + "..." : s; }

/// Runs one mutated file through everything a user's file goes through.
void runCase(const std::string& text, const std::string& label, Stats& st) {
  ++st.cases;
  static const bool verbose = std::getenv("NC_FUZZ_VERBOSE") != nullptr;  // prints every case's outcome
  try {
    ProjectLoad r = parseProject(text);
    if (verbose) std::cout << label << " -> " << (r.ok() ? "loaded" : shortText(r.error)) << "\n";
    if (!r.ok()) {
      ++st.rejected;
      // A clear error: names a JSON path or a line/column of the file.
      if (r.error.empty() || !(r.error[0] == '/' || r.error.rfind("malformed JSON: ", 0) == 0))
        st.fail(label, "error names nothing: " + shortText(r.error));
      if (r.error.size() > 2000) st.fail(label, "error message of " + std::to_string(r.error.size()) + " bytes");
      return;
    }
    ++st.valid;
    Project& p = *r.project;
    GraphAnalysis a = analyze(p.graph);
    for (const auto& issue : a.issues) {
      if (issue.message.empty()) st.fail(label, "empty issue");
      if (issue.node >= 0 && !p.graph.node(issue.node)) st.fail(label, "issue on a missing node");
    }
    for (NodeId id : a.order) {
      const Node& n = *p.graph.node(id);
      if (nodeParamCount(n, a) < 0 || nodeFlops(n, a) < 0) st.fail(label, "negative count on " + n.name);
      if (const TensorShape* s = a.shapeOf(id))
        for (int64_t dim : s->dims)
          if (dim < 1) st.fail(label, "shape " + s->str() + " on " + n.name);
    }
    GraphSummary sum = summarize(p.graph, a);
    MemoryEstimate m = estimateTrainingMemory(p.graph, a, p.training);
    if (sum.params < 0 || sum.flops < 0 || m.total() < 0) st.fail(label, "negative totals");
    if (a.ok() && sum.params > kMaxParameters) st.fail(label, "valid graph beyond the parameter limit");
    if (p.graph.nodes().size() < 200) (void)layeredLayout(p.graph);

    // Property: save -> load -> save is byte-identical.
    const std::string saved = serializeProject(p);
    ProjectLoad back = parseProject(saved);
    if (!back.ok()) {
      st.fail(label, "saved file does not load: " + back.error);
      return;
    }
    if (serializeProject(*back.project) != saved) st.fail(label, "save -> load -> save differs");

    if (!a.ok()) {
      ++st.invalidGraphs;
      return;
    }
    // Compile and run small valid graphs (shape inference must match what LibTorch computes).
    const TensorShape* in = a.shapeOf(a.inputNode);
    if (!in || sum.params > 2'000'000 || sum.flops > 50'000'000 || in->numel() > 20'000 || st.compiled >= 400) return;
    GraphModule model(p.graph, a);
    model->eval();
    std::vector<int64_t> sizes{2};
    sizes.insert(sizes.end(), in->dims.begin(), in->dims.end());
    torch::Tensor x = in->dtype == DType::Int64 ? torch::randint(0, in->vocab, sizes, torch::kLong) : torch::rand(sizes);
    torch::NoGradGuard noGrad;
    torch::Tensor y = model->forward(x);
    std::vector<int64_t> expected{2};
    if (const TensorShape* out = a.modelOutput()) expected.insert(expected.end(), out->dims.begin(), out->dims.end());
    if (y.sizes().vec() != expected) st.fail(label, "forward shape differs from inference");
    ++st.compiled;
  } catch (const std::exception& e) {
    st.fail(label, std::string("exception escaped: ") + shortText(e.what()));
  } catch (...) {
    st.fail(label, "unknown exception escaped");
  }
}

std::vector<std::pair<std::string, std::string>> templates() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : fs::directory_iterator(fs::path(NC_SOURCE_DIR) / "resources" / "templates")) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    out.emplace_back(e.path().filename().string(), s.str());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void report(const Stats& st, double seconds, const char* what) {
  std::cout << "[ fuzz ] " << what << ": " << st.cases << " cases in " << seconds << " s: " << st.rejected
            << " rejected with an error, " << st.valid << " loaded (" << st.invalidGraphs << " with graph issues, "
            << st.compiled << " compiled and run)\n";
  for (const auto& f : st.failures) ADD_FAILURE() << f;
}

TEST(ProjectFuzz, TreeMutationsOfEveryTemplateEndInAClearErrorOrAValidModel) {
  torch::manual_seed(0);
  const auto files = templates();
  ASSERT_GE(files.size(), 4u);
  Stats st;
  const auto start = std::chrono::steady_clock::now();
  Rng rng(20261129);
  const size_t perTemplate = 1500;
  for (const auto& [name, text] : files) {
    const json base = json::parse(text);
    for (size_t i = 0; i < perTemplate; ++i) {
      Draft d{base, {}};
      std::string what;
      const size_t count = i % 3 == 0 ? 1 + rng.below(4) : 1;  // sometimes several at once
      for (size_t k = 0; k < count; ++k) {
        try {  // a mutation may meet a value an earlier one turned into another type
          what += (k ? " + " : "") + mutateTree(d, rng, (i + k * 7) % kTreeMutations);
        } catch (const json::exception&) {
          what += " (skipped)";
        }
      }
      runCase(d.text(), name + " #" + std::to_string(i) + " (" + what + ")", st);
    }
  }
  report(st, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), "tree mutations");
  EXPECT_GE(st.cases, 6000u);
  EXPECT_GT(st.rejected, st.cases / 4) << "the mutations hardly ever break anything";
  EXPECT_GT(st.compiled, 50u) << "too few valid mutants reached compile";
}

TEST(ProjectFuzz, ByteMutationsOfEveryTemplateEndInAClearErrorOrAValidModel) {
  torch::manual_seed(0);
  const auto files = templates();
  Stats st;
  const auto start = std::chrono::steady_clock::now();
  Rng rng(777);
  for (const auto& [name, text] : files) {
    for (size_t i = 0; i < 500; ++i) {
      std::string what;
      std::string t = mutateText(text, rng, what);
      if (i % 4 == 0) {
        std::string more;
        t = mutateText(t, rng, more);
        what += " + " + more;
      }
      runCase(t, name + " bytes #" + std::to_string(i) + " (" + what + ")", st);
    }
  }
  report(st, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), "byte mutations");
  EXPECT_GE(st.cases, 2000u);
}

}  // namespace
}  // namespace nc::test

// The sweep's spec side: parsing "TARGET=SPEC", applying values to a project, generating the
// trials' values, median stopping, and reading/writing sweep.json and sweep.csv. No torch here:
// running the trials is in SweepRunner.cpp.
#include "core/sweep/Sweep.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/JsonDocument.h"
#include "core/JsonUtil.h"
#include "core/LayerType.h"
#include "core/ShapeInference.h"

namespace nc::core {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSweepFormat = "neuralcanvas-sweep";
constexpr int kSweepVersion = 1;

// ---------------------------------------------------------------------------------------------
// Targets

/// Where a target points: a key of the training or data settings, or a node's parameter.
struct Target {
  enum Kind { Training, Data, NodeParam } kind = Training;
  std::string key;                  // training/data key, or the parameter's name
  NodeId node = -1;
  const ParamSpec* spec = nullptr;  // NodeParam
  json current;                     // the current value as JSON
};

json settingsJson(const Project& p, Target::Kind kind) {
  return parseJson(kind == Target::Training ? trainConfigToJson(p.training) : dataConfigToJson(p.data)).value;
}

std::string keyList(const json& obj) {
  std::string all;
  for (auto it = obj.begin(); it != obj.end(); ++it) all += (all.empty() ? "" : ", ") + it.key();
  return all;
}

const Node* nodeNamed(const Graph& g, const std::string& name) {
  for (const auto& [id, n] : g.nodes())
    if (n.name == name) return &n;
  return nullptr;
}

json paramJson(const ParamValue& v) {
  return std::visit([](const auto& x) { return json(x); }, v);
}

/// Resolves `target` in the project. training.KEY / data.KEY name a settings key; when the key
/// does not exist there but a node called "training" / "data" has that parameter, the node wins.
Status resolveTarget(const Project& project, const std::string& target, Target& out) {
  size_t dot = target.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == target.size())
    return Status::error("the target must be training.KEY, data.KEY or NODE.PARAM, got '" +
                         printableExcerpt(target) + "'");
  const std::string head = target.substr(0, dot), key = target.substr(dot + 1);
  const Node* node = nodeNamed(project.graph, head);
  if (head == "training" || head == "data") {
    Target::Kind kind = head == "training" ? Target::Training : Target::Data;
    json settings = settingsJson(project, kind);
    if (settings.contains(key) || !(node && node->layer && node->layer->paramSpec(key))) {
      if (!settings.contains(key))
        return Status::error("the " + head + " settings have no key '" + printableExcerpt(key) +
                             "' (keys: " + keyList(settings) + ")");
      if (kind == Target::Training && key == "epochs")
        return Status::error("training.epochs cannot be swept: every trial trains for the sweep's --epochs");
      out.kind = kind;
      out.key = key;
      out.current = settings[key];
      return {};
    }
  }
  if (!node) return Status::error("no node named '" + printableExcerpt(head) + "'");
  const ParamSpec* spec = node->layer ? node->layer->paramSpec(key) : nullptr;
  if (!spec) {
    std::string all;
    for (const auto& [name, v] : node->params) all += (all.empty() ? "" : ", ") + name;
    return Status::error(printableExcerpt(head) + " (" + node->type + ") has no parameter '" +
                         printableExcerpt(key) + "' (parameters: " + (all.empty() ? "none" : all) + ")");
  }
  out.kind = Target::NodeParam;
  out.key = key;
  out.node = node->id;
  out.spec = spec;
  out.current = paramJson(node->params.at(key));
  return {};
}

/// Sets one resolved target to a JSON value, with the checks of the project file (ranges,
/// choices, types). Messages do not repeat the target (the caller adds it).
Status applyTarget(Project& project, const Target& t, const json& value) {
  if (t.kind == Target::NodeParam) {
    ParamValue v;
    switch (t.spec->kind) {
      case ParamKind::Int:
        if (!value.is_number_integer()) return Status::error("expected a whole number, got " + describeJson(value));
        v = value.get<int64_t>();
        break;
      case ParamKind::Float:
        if (!value.is_number()) return Status::error("expected a number, got " + describeJson(value));
        v = value.get<double>();
        break;
      case ParamKind::Bool:
        if (!value.is_boolean()) return Status::error("expected true or false, got " + describeJson(value));
        v = value.get<bool>();
        break;
      case ParamKind::Choice:
        if (!value.is_string()) return Status::error("expected a word, got " + describeJson(value));
        v = value.get<std::string>();
        break;
      case ParamKind::IntList: return Status::error("list parameters cannot be swept");
    }
    return project.graph.setParam(t.node, t.key, v);
  }
  json settings = settingsJson(project, t.kind);
  settings[t.key] = value;
  const std::string text = dumpJson(settings);
  if (t.kind == Target::Training) {
    TrainConfig c = project.training;
    if (Status s = trainConfigFromJson(text, c, "/training"); !s) return s;
    project.training = c;
  } else {
    DataConfig c = project.data;
    if (Status s = dataConfigFromJson(text, c, "/data"); !s) return s;
    project.data = c;
  }
  return {};
}

enum class ValueKind { Integer, Real, Boolean, Word, Unsupported };

ValueKind kindOf(const Target& t) {
  if (t.kind == Target::NodeParam) {
    switch (t.spec->kind) {
      case ParamKind::Int: return ValueKind::Integer;
      case ParamKind::Float: return ValueKind::Real;
      case ParamKind::Bool: return ValueKind::Boolean;
      case ParamKind::Choice: return ValueKind::Word;
      case ParamKind::IntList: return ValueKind::Unsupported;
    }
  }
  if (t.current.is_number_integer()) return ValueKind::Integer;
  if (t.current.is_number()) return ValueKind::Real;
  if (t.current.is_boolean()) return ValueKind::Boolean;
  if (t.current.is_string()) return ValueKind::Word;
  return ValueKind::Unsupported;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// A finite number using all of `s`.
bool parseNumber(const std::string& s, double& out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool isWhole(double v) { return std::floor(v) == v && std::fabs(v) < 9.007199254740992e15; }

/// A real value rounded to 4 significant digits, kept within [low, high].
double roundReal(double v, double low, double high) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  double r = std::strtod(buf, nullptr);
  return std::min(high, std::max(low, r));
}

std::string realJson(double v) { return dumpJson(json(v)); }
std::string intJson(int64_t v) { return std::to_string(v); }

// ---------------------------------------------------------------------------------------------
// Random numbers that depend only on (seed, trial, param): splitmix64 over a mixed key.

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Uniform in [0, 1).
double unitDraw(int64_t seed, int64_t trial, size_t param) {
  uint64_t h = splitmix(uint64_t(seed));
  h = splitmix(h ^ uint64_t(trial) * 0x632BE59BD9B4E019ull);
  h = splitmix(h ^ (uint64_t(param) + 1) * 0x85157AF5ull);
  return double(h >> 11) * (1.0 / 9007199254740992.0);
}

SweepValue randomValue(const SweepParam& p, double u) {
  SweepValue v{p.target, ""};
  if (!p.range) {
    size_t i = std::min(p.choices.size() - 1, size_t(u * double(p.choices.size())));
    v.json = p.choices[i];
    return v;
  }
  if (p.integer) {
    double x = p.log ? std::exp(std::log(p.low) + u * (std::log(p.high + 1) - std::log(p.low)))
                     : p.low + u * (p.high - p.low + 1);
    v.json = intJson(int64_t(std::min(p.high, std::max(p.low, std::floor(x)))));
  } else {
    double x = p.log ? std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)))
                     : p.low + u * (p.high - p.low);
    v.json = realJson(roundReal(x, p.low, p.high));
  }
  return v;
}

/// A range cut into `k` levels (see sweepTrialValues).
std::vector<std::string> rangeLevels(const SweepParam& p, int64_t k) {
  std::vector<std::string> out;
  auto at = [&](double t) {
    return p.log ? std::exp(std::log(p.low) + t * (std::log(p.high) - std::log(p.low))) : p.low + t * (p.high - p.low);
  };
  for (int64_t j = 0; j < k; ++j) {
    double x = k == 1 ? at(0.5) : at(double(j) / double(k - 1));
    std::string text = p.integer ? intJson(int64_t(std::min(p.high, std::max(p.low, std::round(x)))))
                                 : realJson(k == 1 ? roundReal(x, p.low, p.high) : (j == 0 ? p.low : j == k - 1 ? p.high : roundReal(x, p.low, p.high)));
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// sweep.json reading

struct PathError {
  std::string path, message;
};
[[noreturn]] void fail(const std::string& path, const std::string& message) { throw PathError{path, message}; }

const json& member(const json& obj, const std::string& key, const std::string& path) {
  if (!obj.is_object()) fail(path.empty() ? "/" : path, "expected an object, got " + describeJson(obj));
  auto it = obj.find(key);
  if (it == obj.end()) fail(path + "/" + key, "is missing");
  return *it;
}
int64_t asInt(const json& v, const std::string& path) {
  if (!v.is_number_integer()) fail(path, "expected an integer, got " + describeJson(v));
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    fail(path, "does not fit in a 64-bit integer");
  return v.get<int64_t>();
}
std::string asString(const json& v, const std::string& path) {
  if (!v.is_string()) fail(path, "expected a string, got " + describeJson(v));
  return v.get<std::string>();
}
/// A number or null (NaN).
double asMetric(const json& obj, const std::string& key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return NAN;
  if (!it->is_number()) fail(path + "/" + key, "expected a number or null, got " + describeJson(*it));
  return it->get<double>();
}
json metric(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

const std::vector<std::string>& statuses() {
  static const std::vector<std::string> k = {"pending", "running", "completed", "stopped_early", "stopped", "failed"};
  return k;
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}
std::string csvNumber(double v) { return std::isfinite(v) ? dumpJson(json(v)) : std::string(); }

}  // namespace

// -----------------------------------------------------------------------------------------------

Status parseSweepParam(const std::string& text, const Project& project, SweepParam& out) {
  auto err = [&](const std::string& m) { return Status::error(printableExcerpt(text, 120) + ": " + m); };
  size_t eq = text.rfind('=');
  if (eq == std::string::npos)
    return err("expected TARGET=SPEC, e.g. training.learning_rate=1e-4:1e-2:log or conv1.out_channels=16,32");
  SweepParam p;
  p.text = text;
  p.target = trim(text.substr(0, eq));
  const std::string spec = trim(text.substr(eq + 1));
  Target t;
  if (Status s = resolveTarget(project, p.target, t); !s) return err(s.message());
  if (spec.empty()) return err("nothing after '='");
  const ValueKind kind = kindOf(t);
  if (kind == ValueKind::Unsupported) return err(printableExcerpt(p.target) + " is a list and cannot be swept");
  const std::string shown = printableExcerpt(p.target);

  // Every value the sweep may set must be accepted by the project's own checks.
  auto check = [&](const json& value, const std::string& written) -> Status {
    Project copy = project;
    if (Status s = applyTarget(copy, t, value); !s) return err("'" + printableExcerpt(written) + "': " + s.message());
    return {};
  };

  if (spec.find(':') != std::string::npos) {
    std::vector<std::string> parts;
    std::stringstream ss(spec);
    for (std::string part; std::getline(ss, part, ':');) parts.push_back(trim(part));
    if (spec.back() == ':') parts.push_back("");
    if (parts.size() < 2 || parts.size() > 3 || (parts.size() == 3 && parts[2] != "log"))
      return err("expected LOW:HIGH or LOW:HIGH:log");
    if (kind != ValueKind::Integer && kind != ValueKind::Real)
      return err("a range needs a numeric target, and " + shown + " is " +
                 (kind == ValueKind::Boolean ? "true or false" : "a word") + "; list the choices instead (A,B,C)");
    p.range = true;
    p.log = parts.size() == 3;
    p.integer = kind == ValueKind::Integer;
    for (int i = 0; i < 2; ++i) {
      double v = 0;
      if (!parseNumber(parts[size_t(i)], v)) return err("'" + printableExcerpt(parts[size_t(i)]) + "' is not a number");
      if (p.integer && !isWhole(v)) return err(shown + " takes whole numbers, got '" + parts[size_t(i)] + "'");
      (i == 0 ? p.low : p.high) = v;
    }
    if (!(p.low < p.high)) return err("the range's low end must be below its high end");
    if (p.log && p.low <= 0) return err("a log range needs a positive low end");
    for (int i = 0; i < 2; ++i) {
      double v = i == 0 ? p.low : p.high;
      if (Status s = check(p.integer ? json(int64_t(v)) : json(v), parts[size_t(i)]); !s) return s;
    }
  } else {
    std::stringstream ss(spec);
    std::vector<std::string> items;
    for (std::string item; std::getline(ss, item, ',');) items.push_back(trim(item));
    if (spec.back() == ',') items.push_back("");
    for (const std::string& item : items) {
      if (item.empty()) return err("an empty choice");
      json value;
      double v = 0;
      switch (kind) {
        case ValueKind::Integer:
          if (!parseNumber(item, v) || !isWhole(v)) return err(shown + " takes whole numbers, got '" + printableExcerpt(item) + "'");
          value = int64_t(v);
          break;
        case ValueKind::Real:
          if (!parseNumber(item, v)) return err("'" + printableExcerpt(item) + "' is not a number");
          value = v;
          break;
        case ValueKind::Boolean:
          if (item != "true" && item != "false") return err(shown + " takes true or false, got '" + printableExcerpt(item) + "'");
          value = item == "true";
          break;
        default: value = item; break;
      }
      if (Status s = check(value, item); !s) return s;
      std::string j = dumpJson(value);
      if (std::find(p.choices.begin(), p.choices.end(), j) == p.choices.end()) p.choices.push_back(j);
    }
  }
  out = std::move(p);
  return {};
}

Status applySweepValues(Project& project, const std::vector<SweepValue>& values) {
  for (const SweepValue& v : values) {
    const std::string name = printableExcerpt(v.target);
    JsonParse parsed = parseJson(v.json);
    if (!parsed.ok()) return Status::error(name + ": the value is not JSON: " + parsed.error);
    Target t;
    if (Status s = resolveTarget(project, v.target, t); !s) return Status::error(name + ": " + s.message());
    if (Status s = applyTarget(project, t, parsed.value); !s)
      return Status::error(name + " = " + describeJson(parsed.value) + ": " + s.message());
  }
  GraphAnalysis a = analyze(project.graph);
  if (!a.ok()) {
    std::string msg = "the model has errors with these values:";
    for (const auto& i : a.issues) {
      if (i.severity != Severity::Error) continue;
      const Node* n = project.graph.node(i.node);
      msg += " " + (n ? printableExcerpt(n->name) + ": " : std::string()) + i.message + ";";
    }
    msg.pop_back();
    return Status::error(msg);
  }
  return {};
}

Status checkSweepSpec(const SweepSpec& spec) {
  if (spec.params.empty()) return Status::error("a sweep needs at least one --param");
  std::set<std::string> seen;
  for (const auto& p : spec.params)
    if (!seen.insert(p.target).second) return Status::error(printableExcerpt(p.target) + " is swept twice");
  if (spec.trials < 1) return Status::error("trials must be at least 1");
  if (spec.strategy != "random" && spec.strategy != "grid")
    return Status::error("strategy must be random or grid, got '" + printableExcerpt(spec.strategy) + "'");
  if (spec.epochs < 1) return Status::error("epochs must be at least 1");
  if (spec.limit < 0) return Status::error("limit must not be negative");
  for (const auto& p : spec.params) {
    if (!p.range && p.choices.empty()) return Status::error(printableExcerpt(p.text) + ": no choices");
    if (p.range && (!(p.low < p.high) || (p.log && p.low <= 0)))
      return Status::error(printableExcerpt(p.text) + ": an invalid range");
  }
  return {};
}

std::vector<std::vector<SweepValue>> sweepTrialValues(const SweepSpec& spec) {
  std::vector<std::vector<SweepValue>> out;
  if (checkSweepSpec(spec).ok() == false) return out;
  if (spec.strategy == "random") {
    for (int64_t i = 1; i <= spec.trials; ++i) {
      std::vector<SweepValue> values;
      for (size_t k = 0; k < spec.params.size(); ++k)
        values.push_back(randomValue(spec.params[k], unitDraw(spec.seed, i, k)));
      out.push_back(std::move(values));
    }
    return out;
  }
  double choiceProduct = 1;
  int ranges = 0;
  for (const auto& p : spec.params) {
    if (p.range) ++ranges;
    else choiceProduct *= double(p.choices.size());
  }
  int64_t k = 1;
  if (ranges > 0 && double(spec.trials) > choiceProduct)
    k = std::max<int64_t>(1, int64_t(std::floor(std::pow(double(spec.trials) / choiceProduct, 1.0 / ranges) + 1e-9)));
  std::vector<std::vector<std::string>> levels;
  for (const auto& p : spec.params) levels.push_back(p.range ? rangeLevels(p, k) : p.choices);
  std::vector<size_t> at(levels.size(), 0);
  while (int64_t(out.size()) < spec.trials) {
    std::vector<SweepValue> values;
    for (size_t q = 0; q < levels.size(); ++q) values.push_back({spec.params[q].target, levels[q][at[q]]});
    out.push_back(std::move(values));
    size_t q = levels.size();  // odometer: the last parameter turns fastest
    while (q > 0) {
      --q;
      if (++at[q] < levels[q].size()) break;
      at[q] = 0;
      if (q == 0) return out;
    }
  }
  return out;
}

std::string medianStopReason(const std::vector<SweepTrial>& trials, int64_t trialIndex, int64_t epoch,
                             double valAccuracy) {
  if (!std::isfinite(valAccuracy)) return "";
  std::vector<double> earlier;
  for (const auto& t : trials) {
    if (t.index >= trialIndex || t.status == "pending" || t.status == "running") continue;
    for (const auto& e : t.epochs)
      if (e.epoch == epoch && std::isfinite(e.valAccuracy)) {
        earlier.push_back(e.valAccuracy);
        break;
      }
  }
  if (earlier.size() < 2) return "";
  std::sort(earlier.begin(), earlier.end());
  size_t n = earlier.size();
  double median = n % 2 ? earlier[n / 2] : (earlier[n / 2 - 1] + earlier[n / 2]) / 2;
  if (!(valAccuracy < median)) return "";
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "median stopping: validation accuracy %.4f after epoch %lld is below the median %.4f of %zu earlier "
                "trials at that epoch",
                valAccuracy, static_cast<long long>(epoch), median, n);
  return buf;
}

std::string sweepValueText(const SweepValue& value) {
  JsonParse p = parseJson(value.json);
  if (!p.ok()) return value.json;
  if (p.value.is_string()) return p.value.get<std::string>();
  return value.json;
}

std::string sweepToJson(const SweepState& state) {
  json params = json::array();
  for (const auto& p : state.spec.params) params.push_back(toUtf8(p.text));
  JsonParse project = parseJson(state.projectJson);
  json trials = json::array();
  for (const auto& t : state.trials) {
    json values = json::object();
    for (const auto& v : t.values) {
      JsonParse pv = parseJson(v.json);
      values[toUtf8(v.target)] = pv.ok() ? pv.value : json(toUtf8(v.json));
    }
    json epochs = json::array();
    for (const auto& e : t.epochs)
      epochs.push_back({{"epoch", e.epoch},
                        {"val_accuracy", metric(e.valAccuracy)},
                        {"val_loss", metric(e.valLoss)},
                        {"train_loss", metric(e.trainLoss)}});
    trials.push_back({{"index", t.index},
                      {"run", toUtf8(t.run)},
                      {"status", t.status},
                      {"values", values},
                      {"epochs", epochs},
                      {"best_val_accuracy", metric(t.bestValAccuracy)},
                      {"final_val_accuracy", metric(t.finalValAccuracy)},
                      {"test_accuracy", metric(t.testAccuracy)},
                      {"params", t.params},
                      {"flops", t.flops},
                      {"seconds", metric(t.seconds)},
                      {"message", toUtf8(t.message)}});
  }
  json root = {{"format", kSweepFormat},
               {"version", kSweepVersion},
               {"spec",
                {{"params", params},
                 {"trials", state.spec.trials},
                 {"strategy", state.spec.strategy},
                 {"epochs", state.spec.epochs},
                 {"early_stop", state.spec.medianStop ? "median" : "none"},
                 {"seed", state.spec.seed},
                 {"limit", state.spec.limit}}},
               {"project", project.ok() ? project.value : json::object()},
               {"trials", trials}};
  return dumpJson(root, 2) + "\n";
}

std::string sweepToCsv(const SweepState& state) {
  std::ostringstream os;
  os << "trial,status";
  for (const auto& p : state.spec.params) os << "," << csvField(toUtf8(p.target));
  os << ",best_val_accuracy,final_val_accuracy,test_accuracy,epochs,params,flops,seconds\n";
  for (const auto& t : state.trials) {
    os << t.index << "," << t.status;
    for (const auto& p : state.spec.params) {
      std::string cell;
      for (const auto& v : t.values)
        if (v.target == p.target) cell = toUtf8(sweepValueText(v));
      os << "," << csvField(cell);
    }
    os << "," << csvNumber(t.bestValAccuracy) << "," << csvNumber(t.finalValAccuracy) << ","
       << csvNumber(t.testAccuracy) << "," << t.epochs.size() << "," << t.params << "," << t.flops << ","
       << csvNumber(t.seconds) << "\n";
  }
  return os.str();
}

Status saveSweep(const std::string& sweepDir, const SweepState& state) {
  if (Status s = writeFileAtomic((fs::path(sweepDir) / "sweep.json").string(), sweepToJson(state)); !s) return s;
  return writeFileAtomic((fs::path(sweepDir) / "sweep.csv").string(), sweepToCsv(state));
}

Status loadSweep(const std::string& sweepDir, SweepState& out) {
  const std::string file = (fs::path(sweepDir) / "sweep.json").string();
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::error(file + ": cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::error(file + ": read error");
  JsonParse doc = parseJson(buf.str());
  if (!doc.ok()) return Status::error(file + ": malformed JSON: " + doc.error);
  try {
    const json& root = doc.value;
    if (!root.is_object()) fail("/", "expected an object, got " + describeJson(root));
    if (asString(member(root, "format", ""), "/format") != kSweepFormat)
      fail("/format", std::string("expected \"") + kSweepFormat + "\"");
    int64_t version = asInt(member(root, "version", ""), "/version");
    if (version < 1 || version > kSweepVersion)
      fail("/version", "version " + std::to_string(version) + " is not supported (this NeuralCanvas reads up to " +
                           std::to_string(kSweepVersion) + ")");
    SweepState st;
    const json& project = member(root, "project", "");
    st.projectJson = dumpJson(project, 2);
    ProjectLoad pl = parseProject(st.projectJson);
    if (!pl.ok()) fail("/project", pl.error);
    const json& spec = member(root, "spec", "");
    const json& params = member(spec, "params", "/spec");
    if (!params.is_array()) fail("/spec/params", "expected a list, got " + describeJson(params));
    for (size_t i = 0; i < params.size(); ++i) {
      const std::string path = "/spec/params/" + std::to_string(i);
      SweepParam p;
      if (Status s = parseSweepParam(asString(params[i], path), *pl.project, p); !s) fail(path, s.message());
      st.spec.params.push_back(std::move(p));
    }
    st.spec.trials = asInt(member(spec, "trials", "/spec"), "/spec/trials");
    st.spec.strategy = asString(member(spec, "strategy", "/spec"), "/spec/strategy");
    st.spec.epochs = asInt(member(spec, "epochs", "/spec"), "/spec/epochs");
    std::string early = asString(member(spec, "early_stop", "/spec"), "/spec/early_stop");
    if (early != "median" && early != "none") fail("/spec/early_stop", "expected \"median\" or \"none\"");
    st.spec.medianStop = early == "median";
    st.spec.seed = asInt(member(spec, "seed", "/spec"), "/spec/seed");
    st.spec.limit = asInt(member(spec, "limit", "/spec"), "/spec/limit");
    if (Status s = checkSweepSpec(st.spec); !s) fail("/spec", s.message());

    const json& trials = member(root, "trials", "");
    if (!trials.is_array()) fail("/trials", "expected a list, got " + describeJson(trials));
    for (size_t i = 0; i < trials.size(); ++i) {
      const std::string path = "/trials/" + std::to_string(i);
      const json& tj = trials[i];
      SweepTrial t;
      t.index = asInt(member(tj, "index", path), path + "/index");
      if (t.index != int64_t(i) + 1) fail(path + "/index", "expected " + std::to_string(i + 1));
      t.run = asString(member(tj, "run", path), path + "/run");
      if (t.run.empty() || t.run.find('/') != std::string::npos || t.run.find('\\') != std::string::npos ||
          t.run == "." || t.run == "..")
        fail(path + "/run", "must be a folder name inside the sweep folder");
      t.status = asString(member(tj, "status", path), path + "/status");
      if (std::find(statuses().begin(), statuses().end(), t.status) == statuses().end())
        fail(path + "/status", "unknown status '" + printableExcerpt(t.status) + "'");
      const json& values = member(tj, "values", path);
      if (!values.is_object()) fail(path + "/values", "expected an object, got " + describeJson(values));
      for (const auto& p : st.spec.params) {
        auto it = values.find(toUtf8(p.target));
        if (it == values.end()) fail(path + "/values", "has no value for " + printableExcerpt(p.target));
        t.values.push_back({p.target, dumpJson(*it)});
      }
      const json& epochs = member(tj, "epochs", path);
      if (!epochs.is_array()) fail(path + "/epochs", "expected a list, got " + describeJson(epochs));
      for (size_t k = 0; k < epochs.size(); ++k) {
        const std::string ep = path + "/epochs/" + std::to_string(k);
        SweepEpoch e;
        e.epoch = asInt(member(epochs[k], "epoch", ep), ep + "/epoch");
        e.valAccuracy = asMetric(epochs[k], "val_accuracy", ep);
        e.valLoss = asMetric(epochs[k], "val_loss", ep);
        e.trainLoss = asMetric(epochs[k], "train_loss", ep);
        t.epochs.push_back(e);
      }
      t.bestValAccuracy = asMetric(tj, "best_val_accuracy", path);
      t.finalValAccuracy = asMetric(tj, "final_val_accuracy", path);
      t.testAccuracy = asMetric(tj, "test_accuracy", path);
      if (auto it = tj.find("params"); it != tj.end() && !it->is_null()) t.params = asInt(*it, path + "/params");
      if (auto it = tj.find("flops"); it != tj.end() && !it->is_null()) t.flops = asInt(*it, path + "/flops");
      t.seconds = asMetric(tj, "seconds", path);
      if (auto it = tj.find("message"); it != tj.end()) t.message = asString(*it, path + "/message");
      st.trials.push_back(std::move(t));
    }
    out = std::move(st);
  } catch (const PathError& e) {
    return Status::error(file + ": " + e.path + ": " + e.message);
  }
  return {};
}

}  // namespace nc::core

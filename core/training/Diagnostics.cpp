#include "core/training/Diagnostics.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/FileIO.h"
#include "core/JsonUtil.h"

namespace nc::core {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string shortNumber(double v) {
  std::ostringstream os;
  os.precision(3);
  os << v;
  return os.str();
}

double median(std::deque<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double numberAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : std::numeric_limits<double>::quiet_NaN();
}
int64_t integerAt(const json& j, const char* key, int64_t fallback = -1) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}
std::string stringAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json histogramJson(const HistogramData& h) {
  return {{"min", number(h.min)}, {"max", number(h.max)}, {"counts", h.counts}};
}
HistogramData histogramFrom(const json& j) {
  HistogramData h;
  if (!j.is_object()) return h;
  h.min = numberAt(j, "min");
  h.max = numberAt(j, "max");
  auto c = j.find("counts");
  if (c != j.end() && c->is_array())
    for (const auto& v : *c) h.counts.push_back(v.is_number_integer() ? v.get<int64_t>() : 0);
  return h;
}

std::string readAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// Calls `each` with every object line of `file` until a line that does not parse (cut short).
template <class Each>
void forEachLine(const fs::path& file, Each each) {
  std::istringstream in(readAll(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    JsonParse p = parseJson(line);
    if (!p.ok() || !p.value.is_object()) break;
    each(p.value, line);
  }
}

}  // namespace

// ---- alarms ----

std::string alarmMessage(const std::string& kind, const std::string& nodeName, const std::string& detail) {
  const std::string node = "node '" + nodeName + "'";
  if (kind == "exploding_gradients")
    return "Exploding gradients in " + node + ": " + detail +
           ". Lower the learning rate, enable gradient clipping, or add normalization before this node.";
  if (kind == "vanishing_gradients")
    return "Vanishing gradients in " + node + ": " + detail +
           ". Its weights barely change; check for dead or saturated activations before it, add normalization, "
           "or use a residual connection.";
  if (kind == "dead_relu")
    return "Dead ReLU " + node + ": " + detail +
           ". The layers before it receive almost no gradient; lower the learning rate, add BatchNorm before it, "
           "or use LeakyReLU/GELU.";
  if (kind == "non_finite")
    return "NaN/inf first produced by " + node + ": " + detail +
           ". Lower the learning rate or enable gradient clipping.";
  return kind + " in " + node + ": " + detail;
}

bool AlarmTracker::raise(const std::string& kind, int64_t nodeId) { return m_active.insert({kind, nodeId}).second; }

void AlarmTracker::restore(const TrainingAlarm& a) { m_active.insert({a.kind, a.nodeId}); }

std::vector<TrainingAlarm> AlarmTracker::onSample(const DiagnosticsSample& s) {
  std::vector<TrainingAlarm> out;
  auto make = [&](const std::string& kind, const NodeDiagnostics& n, const std::string& detail) {
    TrainingAlarm a;
    a.kind = kind;
    a.nodeId = n.nodeId;
    a.nodeName = n.nodeName;
    a.epoch = s.epoch;
    a.step = s.step;
    a.message = alarmMessage(kind, n.nodeName, detail + " at step " + std::to_string(s.step));
    out.push_back(std::move(a));
  };
  for (const NodeDiagnostics& n : s.nodes) {
    NodeState& st = m_nodes[n.nodeId];
    // Exploding: absolute bound, non-finite, or far above the node's own recent level.
    std::string why;
    if (!std::isfinite(n.gradNorm)) {
      why = "the gradient norm is not finite";
    } else if (n.gradNorm > AlarmRules::kExplodingAbsolute) {
      why = "gradient norm " + shortNumber(n.gradNorm) + " (above " + shortNumber(AlarmRules::kExplodingAbsolute) + ")";
    } else if (int(st.recent.size()) >= AlarmRules::kExplodingHistory) {
      double level = median(st.recent);
      if (level > 0 && n.gradNorm > AlarmRules::kExplodingFactor * level)
        why = "gradient norm " + shortNumber(n.gradNorm) + ", " + shortNumber(n.gradNorm / level) +
              " times its recent median " + shortNumber(level);
    }
    if (!why.empty()) {
      st.calm = 0;
      if (raise("exploding_gradients", n.nodeId)) make("exploding_gradients", n, why);
    } else if (++st.calm >= AlarmRules::kClearSamples) {
      m_active.erase({"exploding_gradients", n.nodeId});
    }
    if (std::isfinite(n.gradNorm)) {
      st.recent.push_back(n.gradNorm);
      while (int(st.recent.size()) > AlarmRules::kExplodingHistory * 2) st.recent.pop_front();
    }
    // Vanishing: tiny against the weights for several samples in a row.
    if (n.weightNorm > 0 && std::isfinite(n.gradNorm)) {
      double ratio = n.gradNorm / n.weightNorm;
      if (ratio < AlarmRules::kVanishingRatio) {
        if (++st.tiny >= AlarmRules::kVanishingSamples && raise("vanishing_gradients", n.nodeId))
          make("vanishing_gradients", n,
               "gradient norm " + shortNumber(n.gradNorm) + " against weight norm " + shortNumber(n.weightNorm) +
                   " for " + std::to_string(st.tiny) + " samples in a row");
      } else {
        st.tiny = 0;
        if (ratio > 10 * AlarmRules::kVanishingRatio) m_active.erase({"vanishing_gradients", n.nodeId});
      }
    }
  }
  return out;
}

std::vector<TrainingAlarm> AlarmTracker::onReluActivity(int64_t epoch, int64_t step,
                                                        const std::vector<ReluActivity>& relus) {
  std::vector<TrainingAlarm> out;
  for (const ReluActivity& r : relus) {
    if (r.zeroFraction > AlarmRules::kDeadReluFraction) {
      if (!raise("dead_relu", r.nodeId)) continue;
      TrainingAlarm a;
      a.kind = "dead_relu";
      a.nodeId = r.nodeId;
      a.nodeName = r.nodeName;
      a.epoch = epoch;
      a.step = step;
      a.message = alarmMessage("dead_relu", r.nodeName,
                               shortNumber(r.zeroFraction * 100) + " % of its outputs are zero on a validation batch "
                               "at the end of epoch " + std::to_string(epoch));
      out.push_back(std::move(a));
    } else {
      m_active.erase({"dead_relu", r.nodeId});
    }
  }
  return out;
}

// ---- JSON lines ----

std::string diagnosticsLine(const DiagnosticsSample& s) {
  json nodes = json::array();
  for (const auto& n : s.nodes)
    nodes.push_back({{"node_id", n.nodeId},
                     {"node", toUtf8(n.nodeName)},
                     {"weight_norm", number(n.weightNorm)},
                     {"grad_norm", number(n.gradNorm)},
                     {"update_ratio", number(n.updateRatio)}});
  return dumpJson(json{{"epoch", s.epoch}, {"step", s.step}, {"nodes", nodes}});
}

std::string histogramsLine(const EpochHistograms& h, int64_t step) {
  json nodes = json::array();
  for (const auto& n : h.nodes)
    nodes.push_back({{"node_id", n.nodeId},
                     {"node", toUtf8(n.nodeName)},
                     {"weights", histogramJson(n.weights)},
                     {"gradients", histogramJson(n.gradients)}});
  return dumpJson(json{{"epoch", h.epoch}, {"step", step}, {"nodes", nodes}});
}

std::string alarmLine(const TrainingAlarm& a) {
  return dumpJson(json{{"kind", a.kind},
                       {"node_id", a.nodeId},
                       {"node", toUtf8(a.nodeName)},
                       {"epoch", a.epoch},
                       {"step", a.step},
                       {"message", toUtf8(a.message)}});
}

namespace {

DiagnosticsSample sampleFrom(const json& j) {
  DiagnosticsSample s;
  s.epoch = integerAt(j, "epoch", 0);
  s.step = integerAt(j, "step", 0);
  auto nodes = j.find("nodes");
  if (nodes != j.end() && nodes->is_array())
    for (const auto& n : *nodes) {
      if (!n.is_object()) continue;
      NodeDiagnostics d;
      d.nodeId = integerAt(n, "node_id");
      d.nodeName = stringAt(n, "node");
      d.weightNorm = numberAt(n, "weight_norm");
      d.gradNorm = numberAt(n, "grad_norm");
      d.updateRatio = numberAt(n, "update_ratio");
      s.nodes.push_back(std::move(d));
    }
  return s;
}

EpochHistograms histogramsFrom(const json& j) {
  EpochHistograms h;
  h.epoch = integerAt(j, "epoch", 0);
  auto nodes = j.find("nodes");
  if (nodes != j.end() && nodes->is_array())
    for (const auto& n : *nodes) {
      if (!n.is_object()) continue;
      NodeHistograms d;
      d.nodeId = integerAt(n, "node_id");
      d.nodeName = stringAt(n, "node");
      if (auto w = n.find("weights"); w != n.end()) d.weights = histogramFrom(*w);
      if (auto g = n.find("gradients"); g != n.end()) d.gradients = histogramFrom(*g);
      h.nodes.push_back(std::move(d));
    }
  return h;
}

TrainingAlarm alarmFrom(const json& j) {
  TrainingAlarm a;
  a.kind = stringAt(j, "kind");
  a.nodeId = integerAt(j, "node_id");
  a.nodeName = stringAt(j, "node");
  a.epoch = integerAt(j, "epoch", 0);
  a.step = integerAt(j, "step", 0);
  a.message = stringAt(j, "message");
  return a;
}

const char* kSamplesFile = "diagnostics.jsonl";
const char* kHistogramsFile = "histograms.jsonl";
const char* kAlarmsFile = "alarms.jsonl";

}  // namespace

RunDiagnostics readRunDiagnostics(const std::string& runDirectory) {
  RunDiagnostics r;
  fs::path dir(runDirectory);
  forEachLine(dir / kSamplesFile, [&](const json& j, const std::string&) { r.samples.push_back(sampleFrom(j)); });
  forEachLine(dir / kHistogramsFile,
              [&](const json& j, const std::string&) { r.histograms.push_back(histogramsFrom(j)); });
  forEachLine(dir / kAlarmsFile, [&](const json& j, const std::string&) { r.alarms.push_back(alarmFrom(j)); });
  return r;
}

// ---- files ----

Status DiagnosticsFiles::open(const std::string& runDirectory, int64_t resumeAfterStep,
                              std::vector<TrainingAlarm>* keptAlarms) {
  m_enabled = false;
  if (runDirectory.empty()) return {};
  fs::path dir(runDirectory);
  for (const char* name : {kSamplesFile, kHistogramsFile, kAlarmsFile}) {
    fs::path file = dir / name;
    std::string kept;
    if (resumeAfterStep >= 0 && fs::exists(file))
      forEachLine(file, [&](const json& j, const std::string& line) {
        if (integerAt(j, "step", -1) > resumeAfterStep) return;
        kept += line + "\n";
        if (keptAlarms && std::string(name) == kAlarmsFile) keptAlarms->push_back(alarmFrom(j));
      });
    if (Status s = writeFileAtomic(file.string(), kept); !s) return s;
  }
  m_samples.open(dir / kSamplesFile, std::ios::app);
  m_histograms.open(dir / kHistogramsFile, std::ios::app);
  m_alarms.open(dir / kAlarmsFile, std::ios::app);
  if (!m_samples || !m_histograms || !m_alarms)
    return Status::error(runDirectory + ": cannot write the diagnostics files (diagnostics.jsonl, histograms.jsonl, "
                                        "alarms.jsonl)");
  m_enabled = true;
  return {};
}

void DiagnosticsFiles::sample(const DiagnosticsSample& s) {
  if (m_enabled) m_samples << diagnosticsLine(s) << "\n" << std::flush;
}

void DiagnosticsFiles::histograms(const EpochHistograms& h, int64_t step) {
  if (m_enabled) m_histograms << histogramsLine(h, step) << "\n" << std::flush;
}

void DiagnosticsFiles::alarm(const TrainingAlarm& a) {
  if (m_enabled) m_alarms << alarmLine(a) << "\n" << std::flush;
}

}  // namespace nc::core

#include "core/training/ResumeRules.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/JsonUtil.h"

namespace nc::core {

using nlohmann::json;

namespace {

json sectionJson(const std::string& text) {
  JsonParse p = parseJson(text);
  return p.ok() && p.value.is_object() ? p.value : json::object();
}

std::string valueText(const json& v) { return v.is_null() ? std::string("(unset)") : describeJson(v); }

void compareSection(const std::string& section, const json& run, const json& now,
                    const std::vector<std::string>& allowed, std::vector<std::string>& out) {
  std::map<std::string, std::pair<json, json>> keys;
  for (auto it = run.begin(); it != run.end(); ++it) keys[it.key()].first = *it;
  for (auto it = now.begin(); it != now.end(); ++it) keys[it.key()].second = *it;
  for (const auto& [key, values] : keys) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    if (values.first == values.second) continue;
    out.push_back(section + "." + key + " is " + valueText(values.first) + " in the run but " +
                  valueText(values.second) + " now");
  }
}

std::string nodeLabel(const Node& n) { return "node '" + toUtf8(n.name) + "' (id " + std::to_string(n.id) + ")"; }

void compareGraphs(const Graph& run, const Graph& now, std::vector<std::string>& out) {
  for (const auto& [id, n] : run.nodes()) {
    const Node* m = now.node(id);
    if (!m) {
      out.push_back("the graph: " + nodeLabel(n) + " was removed");
      continue;
    }
    if (m->type != n.type) {
      out.push_back("the graph: " + nodeLabel(n) + " is a " + n.type + " in the run but a " + m->type + " now");
      continue;
    }
    if (m->name != n.name) out.push_back("the graph: " + nodeLabel(n) + " is named '" + toUtf8(m->name) + "' now");
    for (const auto& [key, value] : n.params) {
      auto other = m->params.find(key);
      if (other == m->params.end() || !(other->second == value))
        out.push_back("the graph: " + nodeLabel(n) + " parameter " + key + " is " + formatParamValue(value) +
                      " in the run but " + (other == m->params.end() ? "unset" : formatParamValue(other->second)) +
                      " now");
    }
  }
  for (const auto& [id, m] : now.nodes())
    if (!run.node(id)) out.push_back("the graph: " + nodeLabel(m) + " was added");
  auto edgeKeys = [](const Graph& g) {
    std::vector<std::string> keys;
    for (const auto& e : g.edges())
      keys.push_back(std::to_string(e.from.node) + ":" + std::to_string(e.from.port) + ">" + std::to_string(e.to.node) +
                     ":" + std::to_string(e.to.port));
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  if (edgeKeys(run) != edgeKeys(now)) out.push_back("the graph: its connections differ");
}

}  // namespace

const std::vector<std::string>& resumableTrainingKeys() {
  // precision: the weights, the optimizer state and the checkpoints are float32 whatever the
  // forward pass computes in, so a run may continue in another precision (a float16 run started
  // on a GPU continues on a CPU in bfloat16 or float32; the float16 loss scale starts afresh).
  // accumulate_steps is not here: it changes what a step is (steps per epoch, the schedule).
  static const std::vector<std::string> keys = {"epochs", "patience", "threads", "device", "eval_batch_size",
                                                "precision"};
  return keys;
}

std::vector<std::string> resumeConflicts(const Project& run, const Project& now) {
  std::vector<std::string> out;
  compareGraphs(run.graph, now.graph, out);
  compareSection("data", sectionJson(dataConfigToJson(run.data)), sectionJson(dataConfigToJson(now.data)), {}, out);
  compareSection("training", sectionJson(trainConfigToJson(run.training)), sectionJson(trainConfigToJson(now.training)),
                 resumableTrainingKeys(), out);
  return out;
}

}  // namespace nc::core

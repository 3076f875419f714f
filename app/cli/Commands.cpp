#include "app/cli/Commands.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <iostream>
#include <sstream>

#include "app/cli/Options.h"
#include "core/GraphEdit.h"
#include "core/JsonDocument.h"
#include "core/JsonUtil.h"
#include "core/LayerAnalysis.h"
#include "core/LayerRegistry.h"
#include "core/MemoryEstimate.h"
#include "core/Project.h"
#include "core/ShapeInference.h"
#include "core/data/DataPath.h"
#include "core/data/DatasetInfo.h"

namespace nc::app {

using namespace nc::core;

namespace {

bool wantsHelp(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

/// 1234567 -> "1,234,567"
std::string grouped(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
  return n < 0 ? "-" + s : s;
}

/// 1.2e9 -> "1.20 G"
std::string humanCount(int64_t n) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(2);
  if (n >= 1'000'000'000) os << double(n) / 1e9 << " G";
  else if (n >= 1'000'000) os << double(n) / 1e6 << " M";
  else if (n >= 1'000) os << double(n) / 1e3 << " K";
  else os << n;
  return os.str();
}

std::string nodeLabel(const Graph& g, NodeId id) {
  const Node* n = g.node(id);
  return n ? printableExcerpt(n->name, 80) + " (#" + std::to_string(id) + ")" : "#" + std::to_string(id);
}

/// validate's data check: the project's data read cheaply (headers, labels) and compared with the
/// graph's Input and Output, exactly as the editor and the trainer do. Data that cannot be read is
/// reported but is not an error of the project (the data may live on another machine).
struct DataCheck {
  bool checked = false;
  DatasetInfo info;
  std::vector<DatasetIssue> issues;
};

DataCheck checkData(const Project& p, const GraphAnalysis& a, const std::string& projectFile, bool enabled) {
  DataCheck c;
  if (!enabled) return c;
  c.checked = true;
  c.info = peekDataset(p.data, projectFolder(projectFile));
  if (c.info.ok) c.issues = checkAgainstDataset(p.graph, a, c.info);
  return c;
}

/// One entry of validate --json's "issues": severity, message and, when it has one, the node.
nlohmann::json issueJson(const Graph& g, const char* severity, const std::string& message, NodeId node) {
  nlohmann::json j = {{"severity", severity}, {"message", toUtf8(message)}};
  if (node >= 0) {
    j["node"] = node;
    if (const Node* n = g.node(node)) j["node_name"] = toUtf8(n->name);
  }
  return j;
}

/// validate --json: the whole report as one JSON object; exit codes as in the text form.
int printValidateJson(const Project& p, const GraphAnalysis& a, const DataCheck& data) {
  const Graph& g = p.graph;
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerRow& r : analyzeLayers(g, a, p.training)) {
    nlohmann::json row = {{"id", r.node},
                          {"name", toUtf8(r.name)},
                          {"type", toUtf8(r.type)},
                          {"output", nullptr},
                          {"params", r.params},
                          {"flops", r.flops},
                          {"activation_bytes", r.activationBytes},
                          {"param_share", r.paramShare},
                          {"flop_share", r.flopShare},
                          {"memory_share", r.memoryShare},
                          {"live", r.live}};
    if (r.output) {
      row["output"] = r.output->str();
      row["output_dims"] = r.output->dims;
      row["dtype"] = dtypeName(r.output->dtype);
    }
    layers.push_back(std::move(row));
  }
  nlohmann::json issues = nlohmann::json::array();
  int errors = 0;
  for (const auto& issue : a.issues) {
    const bool err = issue.severity == Severity::Error;
    errors += err;
    issues.push_back(issueJson(g, err ? "error" : "warning", issue.message, issue.node));
  }
  for (const DatasetIssue& issue : data.issues) {
    ++errors;
    nlohmann::json j = issueJson(g, "error", issue.message, issue.node);
    j["source"] = "data";
    if (!issue.fixText.empty()) j["fix"] = toUtf8(issue.fixText);
    issues.push_back(std::move(j));
  }
  nlohmann::json dataJson = {{"checked", data.checked}};
  if (data.checked) {
    dataJson["readable"] = data.info.ok;
    if (data.info.ok) dataJson["summary"] = toUtf8(data.info.summary);
    else dataJson["error"] = toUtf8(data.info.error);
  }
  const GraphSummary sum = summarize(g, a);
  const MemoryEstimate mem = estimateTrainingMemory(g, a, p.training);
  nlohmann::json out = {{"valid", errors == 0},
                        {"errors", errors},
                        {"nodes", g.nodes().size()},
                        {"edges", g.edges().size()},
                        {"batch_size", p.training.batchSize},
                        {"totals",
                         {{"params", sum.params},
                          {"flops", sum.flops},
                          {"activation_bytes", mem.activations},
                          {"training_memory_bytes", mem.total()}}},
                        {"data", std::move(dataJson)},
                        {"issues", std::move(issues)},
                        {"layers", std::move(layers)}};
  std::cout << dumpJson(out, 2) << "\n";
  return errors ? kExitInvalid : kExitOk;
}

}  // namespace

int runValidate(const std::vector<std::string>& argsIn) {
  if (wantsHelp(argsIn)) {
    std::cout << "usage: neuralcanvas-cli validate FILE [--json] [--no-data]\n\n"
                 "Checks a project file: prints each node's type, output shape and parameter count,\n"
                 "then the totals, then checks the graph's Input and Output against the project's data\n"
                 "(its headers and labels only; --no-data skips this). Exit 0 when the model is valid\n"
                 "and fits the data, 1 listing every issue when it does not, 2 when the file cannot be\n"
                 "read or parsed. Data that cannot be read is reported without failing.\n"
                 "--json: prints one JSON object instead (same exit codes): valid, totals, the data check,\n"
                 "issues (data issues with \"source\": \"data\" and a \"fix\") and\n"
                 "\"layers\", one row per node with output shape, parameters, FLOPs per sample,\n"
                 "activation bytes for a batch of the project's batch size, and each one's share.\n";
    return kExitOk;
  }
  std::vector<std::string> args;
  bool json = false, withData = true;
  for (const auto& a : argsIn) {
    if (a == "--json") json = true;
    else if (a == "--no-data") withData = false;
    else args.push_back(a);
  }
  if (args.size() != 1) {
    std::cerr << "usage: neuralcanvas-cli validate FILE [--json] [--no-data]\n";
    return kExitUsage;
  }
  ProjectLoad load = loadProject(args[0]);
  if (!load.ok()) {
    std::cerr << "error: " << printableExcerpt(load.error, 4000) << "\n";  // never raw bytes to a terminal
    return kExitUnreadable;
  }
  const Graph& g = load.project->graph;
  GraphAnalysis a = analyze(g);
  const DataCheck data = checkData(*load.project, a, args[0], withData);
  if (json) return printValidateJson(*load.project, a, data);

  std::cout << std::left << std::setw(6) << "id" << std::setw(22) << "name" << std::setw(26) << "type"
            << std::setw(24) << "output shape" << std::right << std::setw(14) << "params" << "\n";
  std::cout << std::string(92, '-') << "\n";
  for (NodeId id : a.order) {
    const Node& n = *g.node(id);
    const TensorShape* s = a.shapeOf(id);
    std::string shape = s ? s->str() : (n.layer->isOutput() && a.modelOutput() ? "-> " + a.modelOutput()->str() : "?");
    std::cout << std::left << std::setw(6) << id << std::setw(22) << printableExcerpt(n.name, 80) << std::setw(26) << n.type << std::setw(24)
              << shape << std::right << std::setw(14) << grouped(nodeParamCount(n, a)) << "\n";
  }
  GraphSummary sum = summarize(g, a);
  std::cout << std::string(92, '-') << "\n";
  std::cout << "nodes: " << g.nodes().size() << "   edges: " << g.edges().size() << "\n";
  std::cout << "total parameters: " << grouped(sum.params) << "\n";
  std::cout << "FLOPs per sample (forward): " << humanCount(sum.flops) << "\n";

  int errors = 0;
  for (const auto& issue : a.issues) {
    bool err = issue.severity == Severity::Error;
    errors += err;
    std::cout << (err ? "error" : "warning");
    if (issue.node >= 0) std::cout << " [node " << nodeLabel(g, issue.node) << "]";
    std::cout << ": " << printableExcerpt(issue.message, 4000) << "\n";
  }
  if (data.checked && !data.info.ok) {
    std::cout << "warning: the data could not be read, so the model was not checked against it: "
              << printableExcerpt(data.info.error, 4000) << "\n";
  } else if (data.checked) {
    std::cout << "data: " << printableExcerpt(data.info.summary, 400) << "\n";
    for (const DatasetIssue& issue : data.issues) {
      ++errors;
      std::cout << "error";
      if (issue.node >= 0) std::cout << " [node " << nodeLabel(g, issue.node) << "]";
      std::cout << ": does not fit the data: " << printableExcerpt(issue.message, 4000)
                << (issue.fixText.empty() ? "" : ": " + printableExcerpt(issue.fixText, 400)) << "\n";
    }
  }
  if (errors) {
    std::cout << "INVALID: " << errors << (errors == 1 ? " error" : " errors") << "\n";
    return kExitInvalid;
  }
  std::cout << (data.checked && data.info.ok ? "OK: the model is valid and fits the data\n" : "OK: the model is valid\n");
  return kExitOk;
}

namespace {

nlohmann::json schemaJson() {
  nlohmann::json out = nlohmann::json::array();
  for (const LayerType* t : LayerRegistry::instance().all()) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : t->params()) {
      nlohmann::json j = {{"name", p.name}, {"kind", paramKindName(p.kind)}, {"doc", p.doc}};
      j["default"] = std::visit([](const auto& v) { return nlohmann::json(v); }, p.defaultValue);
      if (p.kind == ParamKind::Choice) j["choices"] = p.choices;
      if (p.kind == ParamKind::Int || p.kind == ParamKind::Float || p.kind == ParamKind::IntList) {
        j["min"] = p.minValue;
        j["max"] = p.maxValue;
      }
      params.push_back(j);
    }
    out.push_back({{"name", t->name()}, {"category", t->category()}, {"doc", t->doc()}, {"params", params}});
  }
  return out;
}

}  // namespace

int runLayers(const std::vector<std::string>& args) {
  if (wantsHelp(args)) {
    std::cout << "usage: neuralcanvas-cli layers [--json]\n\n"
                 "Lists every layer type by category with its parameters (--json: as JSON).\n";
    return kExitOk;
  }
  if (!args.empty() && args[0] == "--json") {
    std::cout << schemaJson().dump(2) << "\n";
    return kExitOk;
  }
  std::string category;
  for (const LayerType* t : LayerRegistry::instance().all()) {
    if (t->category() != category) {
      category = t->category();
      std::cout << "\n== " << category << " ==\n";
    }
    std::cout << t->name() << ": " << t->doc() << "\n";
    for (const auto& p : t->params())
      std::cout << "    " << p.name << " (" << paramKindName(p.kind) << ", default " << formatParamValue(p.defaultValue)
                << "): " << p.doc << "\n";
  }
  return kExitOk;
}

int runLayout(const std::vector<std::string>& args) {
  Options opts(args, {"--out", "--direction"});
  const std::string usage =
      "usage: neuralcanvas-cli layout PROJECT [--direction top-down|left-right] [--out FILE]\n\n"
      "Arranges the nodes as the editor's Auto-layout does: in layers by depth, never wrapped,\n"
      "with few crossings. --direction sets the flow (rows going down, or columns going right) and\n"
      "is saved in the project; without it the project's own flow is kept.\n"
      "Writes PROJECT in place (atomically), or FILE with --out.\n";
  if (auto exit = opts.helpOrUsageError(usage, opts.positional().size() == 1)) return *exit;
  try {
    std::optional<LayoutDirection> direction;
    if (opts.has("--direction")) {
      direction = parseLayoutDirection(opts.get("--direction"));
      if (!direction)
        throw std::invalid_argument("--direction must be top-down or left-right, got '" +
                                    printableExcerpt(opts.get("--direction"), 80) + "'");
    }
    const std::string path = opts.positional()[0];
    ProjectLoad load = loadProject(path);
    if (!load.ok()) {
      std::cerr << "error: " << printableExcerpt(load.error, 4000) << "\n";
      return kExitUnreadable;
    }
    if (direction) load.project->flow = *direction;
    for (const auto& [id, xy] : layeredLayout(load.project->graph, LayoutSpacing::forDirection(load.project->flow)))
      load.project->graph.move(id, xy.first, xy.second);
    const std::string out = opts.has("--out") ? opts.get("--out") : path;
    if (Status s = saveProject(*load.project, out); !s) {
      std::cerr << "error: " << s.message() << "\n";
      return kExitUnreadable;
    }
    std::cout << "laid out " << load.project->graph.nodes().size() << " nodes " << layoutDirectionName(load.project->flow)
              << " -> " << out << "\n";
    return kExitOk;
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace nc::app

#include "core/Project.h"

#include <climits>
#include <cmath>
#include <cstdio>
#include <limits>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/JsonDocument.h"
#include "core/LayerRegistry.h"
#include "core/SettingsJson.h"
#include "core/data/DataPath.h"

namespace nc::core {

using nlohmann::json;

namespace {

/// Thrown inside the parser with the JSON path of the problem; caught in parseProject.
struct PathError {
  std::string path, message;
};

[[noreturn]] void fail(const std::string& path, const std::string& message) { throw PathError{path, message}; }

/// Largest |x| or |y| of a node position: far beyond any canvas, small enough for any renderer.
constexpr double kMaxCoordinate = kMaxNodeCoordinate;

json paramToJson(const ParamValue& v) {
  return std::visit([](const auto& x) { return json(x); }, v);
}

/// Reads the parsed document; knows the integers too large for 64 bits, to quote them as written.
class Reader {
 public:
  explicit Reader(const BigNumbers& numbers) : m_numbers(numbers) {}

  const json& member(const json& obj, const std::string& key, const std::string& path) const {
    if (!obj.is_object()) fail(path.empty() ? "/" : path, "expected an object, got " + describeJson(obj));
    auto it = obj.find(key);
    if (it == obj.end()) fail(path + "/" + key, "is missing");
    return *it;
  }

  /// The value as written, for messages.
  std::string text(const json& v, const std::string& path) const { return describeValue(v, path, &m_numbers); }

  /// An integer that fits int64; anything else (a fraction, a string, 2^63 or more) is an error.
  int64_t asInt(const json& v, const std::string& path) const {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
      fail(path, text(v, path) + " does not fit in a 64-bit integer");
    if (v.is_number_float() && bigNumberAt(&m_numbers, path))
      fail(path, text(v, path) + " does not fit in a 64-bit integer");
    if (!v.is_number_integer()) fail(path, "expected an integer, got " + text(v, path));
    return v.get<int64_t>();
  }

  std::string asString(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "expected a string, got " + text(v, path));
    return v.get<std::string>();
  }

  double asNumber(const json& v, const std::string& path) const {
    if (!v.is_number()) fail(path, "expected a number, got " + text(v, path));
    double d = v.get<double>();
    if (!std::isfinite(d)) fail(path, "expected a finite number, got " + text(v, path));
    return d;
  }

  /// An integer parameter: one that does not fit int64 is reported like any out-of-range value.
  int64_t paramInt(const ParamSpec& spec, const json& v, const std::string& path) const {
    const bool tooBig = (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())) ||
                        (v.is_number_float() && bigNumberAt(&m_numbers, path));
    if (tooBig)
      fail(path, "parameter '" + spec.name + "' = " + text(v, path) + " is outside " + intRangeText(spec) +
                     " (it does not even fit in a 64-bit integer)");
    if (!v.is_number_integer()) fail(path, "expected an integer, got " + text(v, path));
    return v.get<int64_t>();
  }

  ParamValue param(const ParamSpec& spec, const json& v, const std::string& path) const {
    switch (spec.kind) {
      case ParamKind::Int: return paramInt(spec, v, path);
      case ParamKind::Float: return asNumber(v, path);
      case ParamKind::Bool:
        if (!v.is_boolean()) fail(path, "expected true or false, got " + text(v, path));
        return v.get<bool>();
      case ParamKind::Choice: return asString(v, path);
      case ParamKind::IntList: {
        if (!v.is_array()) fail(path, "expected a list of integers, got " + text(v, path));
        if (v.size() < spec.minLength || v.size() > spec.maxLength)
          fail(path, "parameter '" + spec.name + "' must have between " + std::to_string(spec.minLength) + " and " +
                         std::to_string(spec.maxLength) + " entries, has " + std::to_string(v.size()));
        std::vector<int64_t> out;
        for (size_t i = 0; i < v.size(); ++i) out.push_back(paramInt(spec, v[i], path + "/" + std::to_string(i)));
        return out;
      }
    }
    fail(path, "unsupported parameter kind");
  }

  Node node(const json& j, const std::string& path) const {
    if (!j.is_object()) fail(path, "expected an object, got " + text(j, path));
    Node n;
    n.id = asInt(member(j, "id", path), path + "/id");
    if (n.id <= 0) fail(path + "/id", "must be a positive integer, got " + std::to_string(n.id));
    n.type = asString(member(j, "type", path), path + "/type");
    const LayerType* layer = LayerRegistry::instance().find(n.type);
    if (!layer) fail(path + "/type", "unknown layer type '" + printableExcerpt(n.type) + "'");
    n.name = asString(member(j, "name", path), path + "/name");
    if (n.name.empty()) fail(path + "/name", "must not be empty");
    const json& pos = member(j, "position", path);
    if (!pos.is_array() || pos.size() != 2) fail(path + "/position", "expected [x, y], got " + text(pos, path + "/position"));
    for (size_t k = 0; k < 2; ++k) {
      const std::string p = path + "/position/" + std::to_string(k);
      double c = asNumber(pos[k], p);
      if (std::fabs(c) > kMaxCoordinate) fail(p, "must be within +-1e9, got " + text(pos[k], p));
      (k == 0 ? n.x : n.y) = c;
    }
    const json& params = member(j, "params", path);
    const std::string ppath = path + "/params";
    if (!params.is_object()) fail(ppath, "expected an object, got " + text(params, ppath));
    for (auto it = params.begin(); it != params.end(); ++it)
      if (!layer->paramSpec(it.key())) fail(ppath + "/" + it.key(), n.type + " has no such parameter");
    for (const auto& spec : layer->params()) {
      const std::string p = ppath + "/" + spec.name;
      ParamValue v = param(spec, member(params, spec.name, ppath), p);
      if (Status s = spec.validate(v); !s) fail(p, s.message());
      n.params[spec.name] = std::move(v);
    }
    return n;
  }

  /// One end of an edge: a node of the graph and one of its ports (checked by Graph::connect).
  PortRef end(const Graph& g, const json& j, const std::string& path, bool output) const {
    PortRef r;
    r.node = asInt(member(j, "node", path), path + "/node");
    const Node* n = g.node(r.node);
    if (!n) fail(path + "/node", "no node with id " + std::to_string(r.node));
    const std::string portPath = path + "/port";
    const json& port = member(j, "port", path);
    const bool integral = port.is_number_integer() && !(port.is_number_unsigned() && port.get<uint64_t>() > uint64_t(INT_MAX));
    if (!integral || port.get<int64_t>() < 0 || port.get<int64_t>() > INT_MAX) {
      if (!port.is_number()) fail(portPath, "expected a port number, got " + text(port, portPath));
      fail(portPath, n->name + " has no " + (output ? "output" : "input") + " port " + text(port, portPath));
    }
    r.port = int(port.get<int64_t>());
    return r;
  }

  Project project(const json& root) const {
    if (!root.is_object()) fail("/", "a project file must hold a JSON object, got " + describeJson(root));
    std::string format = asString(member(root, "format", ""), "/format");
    if (format != kProjectFormat)
      fail("/format", "expected \"" + std::string(kProjectFormat) + "\", got " + describeJson(json(format)));
    int64_t version = asInt(member(root, "version", ""), "/version");
    if (version < 1 || version > kProjectVersion)
      fail("/version", "version " + std::to_string(version) + " is not supported (this NeuralCanvas reads up to " +
                           std::to_string(kProjectVersion) + ")");
    Project p;
    if (auto it = root.find("name"); it != root.end()) p.name = asString(*it, "/name");
    const json& graph = member(root, "graph", "");
    const json& nodes = member(graph, "nodes", "/graph");
    if (!nodes.is_array()) fail("/graph/nodes", "expected a list, got " + text(nodes, "/graph/nodes"));
    for (size_t i = 0; i < nodes.size(); ++i) {
      const std::string path = "/graph/nodes/" + std::to_string(i);
      Node n = node(nodes[i], path);
      if (Status s = p.graph.insertNode(std::move(n)); !s) fail(path, s.message());
    }
    const json& edges = member(graph, "edges", "/graph");
    if (!edges.is_array()) fail("/graph/edges", "expected a list, got " + text(edges, "/graph/edges"));
    for (size_t i = 0; i < edges.size(); ++i) {
      const std::string path = "/graph/edges/" + std::to_string(i);
      PortRef from = end(p.graph, member(edges[i], "from", path), path + "/from", true);
      PortRef to = end(p.graph, member(edges[i], "to", path), path + "/to", false);
      if (Status s = p.graph.connect(from, to); !s) fail(path, s.message());
    }
    if (auto it = root.find("data"); it != root.end())
      if (Status s = dataConfigFromJsonValue(*it, p.data, "/data", &m_numbers); !s) fail("", s.message());
    if (auto it = root.find("training"); it != root.end())
      if (Status s = trainConfigFromJsonValue(*it, p.training, "/training", &m_numbers); !s) fail("", s.message());
    p.flow = LayoutDirection::LeftRight;  // files from before the field were laid out left to right
    if (auto it = root.find("editor"); it != root.end()) {
      if (!it->is_object()) fail("/editor", "expected an object, got " + text(*it, "/editor"));
      if (auto f = it->find("flow"); f != it->end()) {
        std::optional<LayoutDirection> flow = parseLayoutDirection(asString(*f, "/editor/flow"));
        if (!flow)
          fail("/editor/flow", "expected \"top-down\" or \"left-right\", got " + text(*f, "/editor/flow"));
        p.flow = *flow;
      }
    }
    return p;
  }

 private:
  static std::string intRangeText(const ParamSpec& spec) {
    auto bound = [](double b) {
      if (std::isinf(b)) return std::string(b < 0 ? "-inf" : "inf");
      return std::to_string(int64_t(b));
    };
    return "[" + bound(spec.minValue) + ", " + bound(spec.maxValue) + "]";
  }

  const BigNumbers& m_numbers;
};

}  // namespace

ProjectLoad parseProject(const std::string& text) {
  ProjectLoad r;
  JsonDocument doc = parseJsonDocument(text);
  if (!doc.ok()) {
    r.error = "malformed JSON: " + doc.error;
    return r;
  }
  try {
    r.project = Reader(doc.bigNumbers).project(doc.value);
  } catch (const PathError& e) {
    // Paths hold keys from the file, which may be long or hold control characters.
    r.error = e.path.empty() ? e.message : printableExcerpt(e.path, 160) + ": " + e.message;
  }
  return r;
}

ProjectLoad loadProject(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {std::nullopt, path + ": cannot open file"};
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return {std::nullopt, path + ": read error"};
  ProjectLoad r = parseProject(buf.str());
  if (!r.ok()) r.error = path + ": " + r.error;
  else r.project->data.path = resolveDataPath(r.project->data.path, projectFolder(path));  // relative to the file
  return r;
}

std::string serializeProject(const Project& p) {
  json nodes = json::array();
  for (const auto& [id, n] : p.graph.nodes()) {
    json params = json::object();
    for (const auto& [k, v] : n.params) params[k] = paramToJson(v);
    nodes.push_back({{"id", n.id}, {"type", n.type}, {"name", n.name}, {"position", {n.x, n.y}}, {"params", params}});
  }
  json edges = json::array();
  for (const auto& e : p.graph.edges())
    edges.push_back({{"from", {{"node", e.from.node}, {"port", e.from.port}}},
                     {"to", {{"node", e.to.node}, {"port", e.to.port}}}});
  json root = {{"format", kProjectFormat},
               {"version", kProjectVersion},
               {"name", p.name},
               {"graph", {{"nodes", nodes}, {"edges", edges}}},
               {"data", json::parse(dataConfigToJson(p.data))},
               {"training", json::parse(trainConfigToJson(p.training))},
               {"editor", {{"flow", layoutDirectionName(p.flow)}}}};
  return dumpJson(root, 2) + "\n";
}

Status saveProject(const Project& project, const std::string& path) {
  std::string dataPath = relativeDataPath(project.data.path, projectFolder(path));
  if (dataPath == project.data.path) return writeFileAtomic(path, serializeProject(project));
  Project copy = project;  // data inside the project's folder is stored relative to it
  copy.data.path = dataPath;
  return writeFileAtomic(path, serializeProject(copy));
}

}  // namespace nc::core

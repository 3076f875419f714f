#include "core/Project.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/LayerRegistry.h"
#include "core/data/DataPath.h"

namespace nc::core {

using nlohmann::json;

namespace {

/// Thrown inside the parser with the JSON path of the problem; caught in parseProject.
struct PathError {
  std::string path, message;
};

[[noreturn]] void fail(const std::string& path, const std::string& message) { throw PathError{path, message}; }

const json& member(const json& obj, const std::string& key, const std::string& path) {
  if (!obj.is_object()) fail(path, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) fail(path + "/" + key, "is missing");
  return *it;
}

int64_t asInt(const json& v, const std::string& path) {
  if (!v.is_number_integer()) fail(path, "expected an integer, got " + v.dump());
  return v.get<int64_t>();
}

std::string asString(const json& v, const std::string& path) {
  if (!v.is_string()) fail(path, "expected a string, got " + v.dump());
  return v.get<std::string>();
}

double asNumber(const json& v, const std::string& path) {
  if (!v.is_number()) fail(path, "expected a number, got " + v.dump());
  return v.get<double>();
}

ParamValue paramFromJson(const ParamSpec& spec, const json& v, const std::string& path) {
  switch (spec.kind) {
    case ParamKind::Int: return asInt(v, path);
    case ParamKind::Float: return asNumber(v, path);
    case ParamKind::Bool:
      if (!v.is_boolean()) fail(path, "expected true or false, got " + v.dump());
      return v.get<bool>();
    case ParamKind::Choice: return asString(v, path);
    case ParamKind::IntList: {
      if (!v.is_array()) fail(path, "expected a list of integers, got " + v.dump());
      std::vector<int64_t> out;
      for (size_t i = 0; i < v.size(); ++i) out.push_back(asInt(v[i], path + "/" + std::to_string(i)));
      return out;
    }
  }
  fail(path, "unsupported parameter kind");
}

json paramToJson(const ParamValue& v) {
  return std::visit([](const auto& x) { return json(x); }, v);
}

Node nodeFromJson(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  Node n;
  n.id = asInt(member(j, "id", path), path + "/id");
  if (n.id <= 0) fail(path + "/id", "must be a positive integer");
  n.type = asString(member(j, "type", path), path + "/type");
  const LayerType* layer = LayerRegistry::instance().find(n.type);
  if (!layer) fail(path + "/type", "unknown layer type '" + n.type + "'");
  n.name = asString(member(j, "name", path), path + "/name");
  if (n.name.empty()) fail(path + "/name", "must not be empty");
  const json& pos = member(j, "position", path);
  if (!pos.is_array() || pos.size() != 2) fail(path + "/position", "expected [x, y]");
  n.x = asNumber(pos[0], path + "/position/0");
  n.y = asNumber(pos[1], path + "/position/1");
  const json& params = member(j, "params", path);
  const std::string ppath = path + "/params";
  if (!params.is_object()) fail(ppath, "expected an object");
  for (auto it = params.begin(); it != params.end(); ++it)
    if (!layer->paramSpec(it.key())) fail(ppath + "/" + it.key(), n.type + " has no such parameter");
  for (const auto& spec : layer->params()) {
    const std::string p = ppath + "/" + spec.name;
    ParamValue v = paramFromJson(spec, member(params, spec.name, ppath), p);
    if (Status s = spec.validate(v); !s) fail(p, s.message());
    n.params[spec.name] = std::move(v);
  }
  return n;
}

PortRef portFromJson(const json& j, const std::string& path) {
  PortRef r;
  r.node = asInt(member(j, "node", path), path + "/node");
  r.port = int(asInt(member(j, "port", path), path + "/port"));
  return r;
}

Project projectFromJson(const json& root) {
  if (!root.is_object()) fail("/", "a project file must hold a JSON object");
  std::string format = asString(member(root, "format", ""), "/format");
  if (format != kProjectFormat) fail("/format", "expected \"" + std::string(kProjectFormat) + "\", got \"" + format + "\"");
  int64_t version = asInt(member(root, "version", ""), "/version");
  if (version < 1 || version > kProjectVersion)
    fail("/version", "version " + std::to_string(version) + " is not supported (this NeuralCanvas reads up to " +
                         std::to_string(kProjectVersion) + ")");
  Project p;
  if (root.contains("name")) p.name = asString(root["name"], "/name");
  const json& graph = member(root, "graph", "");
  const json& nodes = member(graph, "nodes", "/graph");
  if (!nodes.is_array()) fail("/graph/nodes", "expected a list");
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string path = "/graph/nodes/" + std::to_string(i);
    Node n = nodeFromJson(nodes[i], path);
    if (Status s = p.graph.insertNode(std::move(n)); !s) fail(path, s.message());
  }
  const json& edges = member(graph, "edges", "/graph");
  if (!edges.is_array()) fail("/graph/edges", "expected a list");
  for (size_t i = 0; i < edges.size(); ++i) {
    const std::string path = "/graph/edges/" + std::to_string(i);
    PortRef from = portFromJson(member(edges[i], "from", path), path + "/from");
    PortRef to = portFromJson(member(edges[i], "to", path), path + "/to");
    if (!p.graph.node(from.node)) fail(path + "/from/node", "no node with id " + std::to_string(from.node));
    if (!p.graph.node(to.node)) fail(path + "/to/node", "no node with id " + std::to_string(to.node));
    if (Status s = p.graph.connect(from, to); !s) fail(path, s.message());
  }
  if (root.contains("data"))
    if (Status s = dataConfigFromJson(root["data"].dump(), p.data, "/data"); !s) throw PathError{"", s.message()};
  if (root.contains("training"))
    if (Status s = trainConfigFromJson(root["training"].dump(), p.training, "/training"); !s)
      throw PathError{"", s.message()};
  return p;
}

}  // namespace

ProjectLoad parseProject(const std::string& text) {
  ProjectLoad r;
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    std::string what = e.what();
    auto pos = what.find("] ");
    r.error = "malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2));
    return r;
  }
  try {
    r.project = projectFromJson(root);
  } catch (const PathError& e) {
    r.error = e.path.empty() ? e.message : e.path + ": " + e.message;
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
               {"training", json::parse(trainConfigToJson(p.training))}};
  return root.dump(2) + "\n";
}

Status saveProject(const Project& project, const std::string& path) {
  std::string dataPath = relativeDataPath(project.data.path, projectFolder(path));
  if (dataPath == project.data.path) return writeFileAtomic(path, serializeProject(project));
  Project copy = project;  // data inside the project's folder is stored relative to it
  copy.data.path = dataPath;
  return writeFileAtomic(path, serializeProject(copy));
}

}  // namespace nc::core

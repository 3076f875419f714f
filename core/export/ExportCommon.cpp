#include "core/export/ExportCommon.h"

#include <cctype>
#include <set>

namespace nc::core {

namespace {

const std::set<std::string>& reservedNames() {
  static const std::set<std::string> kReserved = {
      // Python keywords and constants
      "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
      "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
      "raise", "return", "try", "while", "with", "yield", "None", "True", "False",
      // names the generated code itself uses
      "self", "super", "torch", "nn", "F", "x", "Tensor", "Path", "load", "model", "float", "int", "bool", "str",
      "list", "tuple", "math", "print", "range", "len", "annotate"};
  return kReserved;
}

}  // namespace

std::string exportIdentifier(const std::string& name) {
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "v_" + id;
  if (reservedNames().count(id)) id += "_";
  return id;
}

std::map<NodeId, std::string> nodeIdentifiers(const Graph& graph, const std::vector<NodeId>& nodes) {
  std::map<NodeId, std::string> names;
  std::set<std::string> used;
  for (NodeId id : nodes) {
    std::string v = exportIdentifier(graph.node(id)->name);
    while (used.count(v)) v += "_" + std::to_string(id);
    used.insert(v);
    names[id] = v;
  }
  return names;
}

std::vector<GraphIssue> analysisErrors(const GraphAnalysis& analysis) {
  std::vector<GraphIssue> errors;
  for (const auto& i : analysis.issues)
    if (i.severity == Severity::Error) errors.push_back(i);
  return errors;
}

}  // namespace nc::core

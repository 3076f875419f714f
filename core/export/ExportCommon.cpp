#include "core/export/ExportCommon.h"

#include <cstdio>

#include "core/JsonUtil.h"

namespace nc::core {

namespace {

/// Names no generated identifier may take, in either language.
const std::vector<std::string>& reservedNames() {
  static const std::vector<std::string> kReserved = {
      // Python keywords, soft keywords and constants (TorchScript's keywords are a subset)
      "and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def", "del", "elif", "else",
      "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "match", "nonlocal", "not",
      "or", "pass", "raise", "return", "try", "type", "while", "with", "yield", "None", "True", "False",
      "NotImplemented", "Ellipsis",
      // Python builtins (a local of that name would shadow one the generated code or a reader uses)
      "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes", "callable",
      "chr", "classmethod", "compile", "complex", "copyright", "credits", "delattr", "dict", "dir", "divmod",
      "enumerate", "eval", "exec", "exit", "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr",
      "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter", "len", "license", "list",
      "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open", "ord", "pow", "print", "property",
      "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum",
      "super", "tuple", "vars", "zip", "Exception", "BaseException",
      // TorchScript builtins and type names
      "Tensor", "List", "Tuple", "Dict", "Optional", "Union", "Any", "Future", "Final", "annotate", "math", "ops",
      "fork", "wait", "uninitialized", "unchecked_cast", "device", "dtype", "layout", "torch", "inf", "nan",
      // members of nn.Module and of torch.jit.ScriptModule (attributes are set on both)
      "T_destination", "add_module", "apply", "bfloat16", "buffers", "children", "cpu", "cuda", "double",
      "dump_patches", "extra_repr", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule",
      "half", "ipu", "load_state_dict", "modules", "named_buffers", "named_children", "named_modules",
      "named_parameters", "parameters", "register_backward_hook", "register_buffer", "register_forward_hook",
      "register_forward_pre_hook", "register_full_backward_hook", "register_load_state_dict_post_hook",
      "register_module", "register_parameter", "requires_grad_", "set_extra_state", "share_memory", "state_dict", "to",
      "to_empty", "train", "training", "xpu", "zero_grad", "code", "code_with_constants", "define",
      "forward_magic_method", "get_debug_state", "graph", "graph_for", "inlined_graph", "original_name", "save",
      "save_to_buffer",
      // names the generated code itself uses (module level, forward, load())
      "self", "x", "nn", "F", "Path", "STATE_FILE", "load", "model", "state", "path", "map_location",
      "input_mean", "input_std", "NeuralCanvasModel"};
  return kReserved;
}

bool isAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// The code points of valid UTF-8 text.
std::vector<uint32_t> codePoints(const std::string& utf8) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    uint32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1Fu) : extra == 2 ? (c & 0x0Fu) : (c & 0x07u);
    for (int k = 1; k <= extra && i + size_t(k) < utf8.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + size_t(k)]) & 0x3Fu);
    out.push_back(cp);
    i += size_t(extra) + 1;
  }
  return out;
}

std::string formatted(const char* format, unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

/// Escapes shared by both languages; false when `c` needs a language-specific escape.
bool appendCommon(std::string& out, uint32_t c) {
  switch (c) {
    case '\\': out += "\\\\"; return true;
    case '"': out += "\\\""; return true;
    case '\'': out += "\\'"; return true;
    case '\n': out += "\\n"; return true;
    case '\t': out += "\\t"; return true;  // (no \r: TorchScript's parser lacks it; CR goes as \x0d / \015)
    default: break;
  }
  if (c >= 0x20 && c < 0x7F) {
    out += char(c);
    return true;
  }
  return false;
}

}  // namespace

NameScope::NameScope() : m_taken(reservedNames().begin(), reservedNames().end()) {}

void NameScope::reserve(const std::string& name) { m_taken.insert(name); }

std::string NameScope::sanitize(std::string_view text) {
  std::string id;
  bool pendingUnderscore = false;
  for (char ch : text) {
    if (!isAsciiAlnum(static_cast<unsigned char>(ch))) {
      pendingUnderscore = !id.empty();
      continue;
    }
    if (pendingUnderscore) id += '_';
    pendingUnderscore = false;
    id += ch;
  }
  if (id.empty()) return "node";
  if (id[0] >= '0' && id[0] <= '9') id = "n" + id;
  return id;
}

std::string NameScope::fresh(std::string_view hint) {
  const std::string base = sanitize(hint);
  std::string name = base;
  for (int k = 2; m_taken.count(name); ++k) name = base + "_" + std::to_string(k);
  m_taken.insert(name);
  return name;
}

std::map<NodeId, std::string> nodeIdentifiers(const Graph& graph, const std::vector<NodeId>& nodes, NameScope& scope) {
  std::map<NodeId, std::string> names;
  for (NodeId id : nodes) names[id] = scope.fresh(graph.node(id)->name);
  return names;
}

std::string escapeCodeText(std::string_view text, CodeLanguage language) {
  const std::string utf8 = toUtf8(text);
  std::string out;
  if (language == CodeLanguage::TorchScript) {
    for (char ch : utf8) {
      auto c = static_cast<unsigned char>(ch);
      if (!appendCommon(out, c)) out += formatted("\\%03o", c);
    }
    return out;
  }
  for (uint32_t c : codePoints(utf8)) {
    if (appendCommon(out, c)) continue;
    if (c < 0x100) out += formatted("\\x%02x", c);
    else if (c < 0x10000) out += formatted("\\u%04x", c);
    else out += formatted("\\U%08x", c);
  }
  return out;
}

std::string codeStringLiteral(std::string_view text, CodeLanguage language) {
  return "\"" + escapeCodeText(text, language) + "\"";
}

std::string codeComment(std::string_view text) { return "# " + escapeCodeText(text, CodeLanguage::Python); }

std::vector<GraphIssue> analysisErrors(const GraphAnalysis& analysis) {
  std::vector<GraphIssue> errors;
  for (const auto& i : analysis.issues)
    if (i.severity == Severity::Error) errors.push_back(i);
  return errors;
}

}  // namespace nc::core

#pragma once
// Shared by the exporters (TorchScript and PyTorch source): the ONE naming scope that hands out
// every identifier of generated code, the ONE escaping helper for every text emitted into it, and
// the graph errors that stop any export. No torch in this header.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/Graph.h"
#include "core/ShapeInference.h"

namespace nc::core {

// ---------------------------------------------------------------------------------------------
// Names

/// One namespace of generated code. Every identifier an exporter writes (a node's variable, a
/// module attribute, a flattened parameter or buffer, a temporary, the class name) comes from
/// fresh() of the exporter's single NameScope, so no two of them can be equal, and none equals a
/// Python or TorchScript keyword or builtin, a member of nn.Module / torch.jit.ScriptModule
/// ("training", "forward", "state_dict", "code", ...), or a name reserved by the generated code
/// itself ("x", "self", "torch", "nn", "F", "input_mean", "load", ...). Nothing is ever
/// overwritten: a taken name is uniquified, never handed out twice.
class NameScope {
 public:
  /// A scope with the keywords, builtins and module members above already reserved.
  NameScope();

  /// Marks exact names the generated code uses itself as taken (e.g. "x", "input_mean").
  void reserve(const std::string& name);
  bool isTaken(const std::string& name) const { return m_taken.count(name) > 0; }

  /// A new identifier derived from `hint` (any bytes, see sanitize()): sanitize(hint) if free,
  /// else with "_2", "_3", ... appended; it is taken from then on.
  std::string fresh(std::string_view hint);

  /// Any bytes as an identifier valid in Python and TorchScript: ASCII letters and digits, runs
  /// of anything else (punctuation, spaces, non-ASCII bytes) become one '_', no leading or
  /// trailing '_' (so never a dunder or private name), "n" before a leading digit, "node" when
  /// nothing is left: "conv 1" -> "conv_1", "a-b" -> "a_b", "1x1" -> "n1x1", "café" -> "caf",
  /// "" -> "node". Not necessarily free: fresh() uniquifies.
  static std::string sanitize(std::string_view text);

 private:
  std::set<std::string> m_taken;
};

/// A fresh variable for each node in `nodes` (in that order) from its name, in `scope`.
std::map<NodeId, std::string> nodeIdentifiers(const Graph& graph, const std::vector<NodeId>& nodes, NameScope& scope);

// ---------------------------------------------------------------------------------------------
// Text

enum class CodeLanguage { Python, TorchScript };

/// THE escaping helper: any bytes as the body of a string literal of `language` (without the
/// quotes) that reads back as the same text. The result is printable ASCII only, so it can stand
/// in a single-, double- or triple-quoted literal and in a comment without ending either early.
/// Invalid UTF-8 is first read as Latin-1 (toUtf8). Backslash and both quotes are escaped, newline
/// and tab become \n \t. Python: other control characters \xNN, non-ASCII characters \xNN,
/// \uNNNN or \UNNNNNNNN (the same characters); TorchScript (which has no \x or \u escapes): every
/// other byte of the UTF-8 text as a three-digit octal escape.
std::string escapeCodeText(std::string_view text, CodeLanguage language);

/// "\"" + escapeCodeText(text, language) + "\"": a complete string literal.
std::string codeStringLiteral(std::string_view text, CodeLanguage language);

/// "# " + escapeCodeText(text, Python): a comment line (for either language) that no text can
/// end early or turn into code.
std::string codeComment(std::string_view text);

// ---------------------------------------------------------------------------------------------

/// The errors of an analysed graph (warnings left out): why it cannot be exported at all.
std::vector<GraphIssue> analysisErrors(const GraphAnalysis& analysis);

}  // namespace nc::core

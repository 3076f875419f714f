#pragma once
// Formatting helpers for the layers' TorchScript emission (LayerType::emitScript): literals that
// TorchScript parses back to exactly the same values, and the common statement shapes. The
// `python` namespace below does the same for the PyTorch source emission (LayerType::emitPython).
#include <cmath>
#include <cstdint>
#include <locale>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/LayerType.h"
#include "core/export/ExportCommon.h"

namespace nc::core::layers::script {

/// A TorchScript float literal that round-trips (17 significant digits, always with a '.', never
/// locale dependent): 0.2 -> "0.20000000000000001", 1 -> "1.0", 1e-5 -> "1.0000000000000001e-05".
inline std::string floatLiteral(double v) {
  if (std::isnan(v)) return "float('nan')";
  if (std::isinf(v)) return v > 0 ? "float('inf')" : "-float('inf')";
  std::ostringstream os;
  os.imbue(std::locale::classic());
  os.precision(17);
  os << v;
  std::string s = os.str();
  if (s.find_first_of(".") == std::string::npos) {
    size_t e = s.find_first_of("eE");
    if (e == std::string::npos) s += ".0";
    else s.insert(e, ".0");
  }
  return s;
}

/// An integer literal.
inline std::string intLiteral(int64_t v) { return std::to_string(v); }

/// A TorchScript boolean literal.
inline std::string boolLiteral(bool v) { return v ? "True" : "False"; }

/// A TorchScript string literal of any text (through the exporters' one escaping helper).
inline std::string stringLiteral(const std::string& v) { return codeStringLiteral(v, CodeLanguage::TorchScript); }

/// "[a, b, c]" from already formatted items.
inline std::string listLiteral(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + "]";
}

/// "[0, 2, 1]": a List[int] literal.
inline std::string intList(const std::vector<int64_t>& values) {
  std::vector<std::string> items;
  for (int64_t v : values) items.push_back(intLiteral(v));
  return listLiteral(items);
}

/// "a op b op c" (left to right, as a loop accumulating with op would compute).
inline std::string joined(const std::vector<std::string>& vars, const std::string& op) {
  std::string s;
  for (size_t i = 0; i < vars.size(); ++i) s += (i ? " " + op + " " : "") + vars[i];
  return s;
}

/// "out = expr".
inline std::string assign(const ScriptContext& ctx, const std::string& expr) { return ctx.outputVar + " = " + expr; }

/// "out = fn(in)" for an elementwise function of the single input, e.g. call(ctx, "torch.relu").
inline std::string call(const ScriptContext& ctx, const std::string& fn, const std::string& extraArgs = {}) {
  return assign(ctx, fn + "(" + ctx.inputVars.at(0) + (extraArgs.empty() ? "" : ", " + extraArgs) + ")");
}

/// A dimension counted with the batch as 0, negative from the end, made non-negative for a
/// tensor of rank `rank` (batch included).
inline int64_t normalizedDim(int64_t dim, size_t rank) { return dim < 0 ? dim + int64_t(rank) : dim; }

/// The attribute holding the node's parameter or buffer `local` (e.g. "m.bias"), or "None" when the
/// module has none (bias=false, affine=false): what the optional Tensor? arguments of ATen expect.
inline std::string optionalAttr(const ScriptContext& ctx, const std::string& local) {
  return ctx.hasAttr(local) ? ctx.attr(local) : std::string("None");
}

}  // namespace nc::core::layers::script

namespace nc::core::layers::python {

/// The shortest Python float literal that reads back as exactly v (as Python's repr):
/// 0.1 -> "0.1", 1 -> "1.0", 1e-5 -> "1e-05". Never locale dependent.
inline std::string floatLiteral(double v) {
  if (std::isnan(v) || std::isinf(v)) return script::floatLiteral(v);
  std::string s;
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream os;
    os.imbue(std::locale::classic());
    os.precision(precision);
    os << v;
    s = os.str();
    std::istringstream is(s);
    is.imbue(std::locale::classic());
    double back = 0;
    is >> back;
    if (back == v) break;
  }
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

using script::boolLiteral;
using script::intLiteral;

/// A Python string literal of any text (through the exporters' one escaping helper).
inline std::string stringLiteral(const std::string& v) { return codeStringLiteral(v, CodeLanguage::Python); }

/// "a, b, c" from the non-empty items (so that optional keyword arguments can be "" when default).
inline std::string args(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items)
    if (!item.empty()) s += (s.empty() ? "" : ", ") + item;
  return s;
}

/// "name=value", or "" when the value is the PyTorch default (isDefault).
inline std::string kwarg(const std::string& name, const std::string& value, bool isDefault = false) {
  return isDefault ? std::string() : name + "=" + value;
}

/// "(2, 3)": a tuple of ints ("(2,)" for one).
inline std::string intTuple(const std::vector<int64_t>& values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + intLiteral(values[i]);
  return s + (values.size() == 1 ? ",)" : ")");
}

/// "out = expr".
inline std::string assign(const PythonContext& ctx, const std::string& expr) { return ctx.outputVar + " = " + expr; }

/// A stateless node: the single forward statement "out = expr".
inline PythonCode expression(const PythonContext& ctx, const std::string& expr) { return {{}, {assign(ctx, expr)}, {}}; }

/// A stateless node "out = fn(in, extraArgs)", e.g. call(ctx, "torch.relu").
inline PythonCode call(const PythonContext& ctx, const std::string& fn, const std::string& extraArgs = {}) {
  return expression(ctx, fn + "(" + args({ctx.inputVars.at(0), extraArgs}) + ")");
}

/// A node computed by one PyTorch module: "self.<attr> = <constructor>" in __init__ and
/// "out = self.<attr>(in)" in forward. `local` is the name under which the node's NodeModule holds
/// the LibTorch equivalent ("m." for WrappedNode), so that "m.weight" becomes "<attr>.weight".
inline PythonCode module(const PythonContext& ctx, const std::string& constructor, const std::string& local = "m.") {
  return {{"self." + ctx.attr + " = " + constructor},
          {assign(ctx, "self." + ctx.attr + "(" + ctx.inputVars.at(0) + ")")},
          {{local, ctx.attr + "."}}};
}

}  // namespace nc::core::layers::python

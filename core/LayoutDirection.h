#pragma once
// Which way the editor's diagram flows. A tiny header (no Graph, no torch) so Project.h and
// GraphEdit.h can both use it cheaply.
#include <optional>
#include <string>

namespace nc::core {

/// TopDown: layers are rows going down, data enters a node at its top and leaves at its bottom
/// (the way Netron and Neural Network Console draw models). LeftRight: layers are columns.
enum class LayoutDirection { TopDown, LeftRight };

/// "top-down" / "left-right": the spelling used in project files and on the command line.
inline const char* layoutDirectionName(LayoutDirection d) {
  return d == LayoutDirection::LeftRight ? "left-right" : "top-down";
}

/// The direction named `text` ("top-down" or "left-right"), or nothing for any other text.
inline std::optional<LayoutDirection> parseLayoutDirection(const std::string& text) {
  if (text == "top-down") return LayoutDirection::TopDown;
  if (text == "left-right") return LayoutDirection::LeftRight;
  return std::nullopt;
}

}  // namespace nc::core

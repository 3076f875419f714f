#pragma once
#include <optional>
#include <string>

#include "core/FileIO.h"
#include "core/Graph.h"
#include "core/LayoutDirection.h"
#include "core/Status.h"
#include "core/data/DataConfig.h"
#include "core/training/TrainConfig.h"

namespace nc::core {

constexpr const char* kProjectFormat = "neuralcanvas-project";
constexpr int kProjectVersion = 1;

/// A project: the model graph plus data and training settings.
struct Project {
  std::string name;
  Graph graph;
  DataConfig data;
  TrainConfig training;
  /// How the editor lays the diagram out and where it draws ports. Saved as
  /// "editor": {"flow": "top-down" | "left-right"}; a file without it (every file written before
  /// the field existed) loads as LeftRight, the way those files were laid out.
  LayoutDirection flow = LayoutDirection::TopDown;
};

struct ProjectLoad {
  std::optional<Project> project;
  std::string error;  // names the file and the JSON path of the problem
  bool ok() const { return project.has_value(); }
};

/// Parses project JSON. Errors name the JSON path, e.g. "/graph/nodes/2/params/stride: ...".
ProjectLoad parseProject(const std::string& text);
/// Reads and parses a file; errors start with the file name.
ProjectLoad loadProject(const std::string& path);
std::string serializeProject(const Project& project);
/// Writes atomically and durably (see FileIO.h).
Status saveProject(const Project& project, const std::string& path);

}  // namespace nc::core

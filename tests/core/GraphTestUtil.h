#pragma once
// Building small graphs in tests with one line per node or edge.
#include <gtest/gtest.h>

#include <string>

#include "core/Graph.h"
#include "core/ShapeInference.h"

namespace nc::test {

class GraphBuilder {
 public:
  /// Adds a node with its defaults plus overrides; fails the test if anything is refused.
  core::NodeId add(const std::string& type, const core::ParamMap& overrides = {});
  /// Connects a's output to b's input port.
  void link(core::NodeId a, core::NodeId b, int port = 0);
  /// Input [shape] -> ... helpers: adds an Input with this shape.
  core::NodeId input(std::vector<int64_t> shape);

  core::Graph graph;
};

/// True if any issue (of any severity) for `node` contains `fragment`.
bool hasIssue(const core::GraphAnalysis& a, core::NodeId node, const std::string& fragment);

/// Runs a shell command (stderr too) and returns its output; *status gets pclose()'s status.
std::string runCommand(const std::string& cmd, int* status);

}  // namespace nc::test

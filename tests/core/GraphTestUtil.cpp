#include "GraphTestUtil.h"

#include <cstdio>

namespace nc::test {

core::NodeId GraphBuilder::add(const std::string& type, const core::ParamMap& overrides) {
  std::string error;
  auto id = graph.addNode(type, 0, 0, &error);
  EXPECT_TRUE(id.has_value()) << error;
  if (!id) return -1;
  for (const auto& [k, v] : overrides) {
    core::Status s = graph.setParam(*id, k, v);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return *id;
}

void GraphBuilder::link(core::NodeId a, core::NodeId b, int port) {
  core::Status s = graph.connect({a, 0}, {b, port});
  EXPECT_TRUE(s.ok()) << s.message();
}

core::NodeId GraphBuilder::input(std::vector<int64_t> shape) { return add("Input", {{"shape", shape}}); }

bool hasIssue(const core::GraphAnalysis& a, core::NodeId node, const std::string& fragment) {
  for (const auto* i : a.issuesFor(node))
    if (i->message.find(fragment) != std::string::npos) return true;
  return false;
}

std::string runCommand(const std::string& cmd, int* status) {
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  std::string output;
  char buf[4096];
  size_t n;
  while (pipe && (n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  *status = pipe ? pclose(pipe) : -1;
  return output;
}

}  // namespace nc::test

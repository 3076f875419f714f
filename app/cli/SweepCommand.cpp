// Placeholder until the command lands (issue 14).
#include <iostream>

#include "app/cli/Commands.h"

namespace nc::app {

int runSweepCommand(const std::vector<std::string>&) {
  std::cerr << "neuralcanvas-cli: this command is not available yet\n";
  return kExitUsage;
}

}  // namespace nc::app

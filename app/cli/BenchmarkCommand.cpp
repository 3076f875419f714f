// neuralcanvas-cli benchmark (being written: see issue 12).
#include <iostream>

#include "app/cli/Commands.h"

namespace nc::app {

int runBenchmark(const std::vector<std::string>&) {
  std::cerr << "error: 'benchmark' is not available yet\n";
  return kExitUsage;
}

}  // namespace nc::app

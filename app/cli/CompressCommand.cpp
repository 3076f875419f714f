// neuralcanvas-cli compress (being written: see issue 12).
#include <iostream>

#include "app/cli/Commands.h"

namespace nc::app {

int runCompress(const std::vector<std::string>&) {
  std::cerr << "error: 'compress' is not available yet\n";
  return kExitUsage;
}

}  // namespace nc::app

// neuralcanvas-cli export --format onnx (being written: see issue 12).
#include <iostream>

#include "app/cli/Commands.h"

namespace nc::app {

int runExportOnnx(const std::vector<std::string>&) {
  std::cerr << "error: ONNX export is not available yet\n";
  return kExitUsage;
}

}  // namespace nc::app

// main() of the GUI tests: one QApplication for every test, on the offscreen platform unless the
// environment says otherwise (xvfb-run for a look at real rendering).
#include <gtest/gtest.h>

#include <QApplication>
#include <cstdlib>

int main(int argc, char** argv) {
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QApplication app(argc, argv);
  QApplication::setOrganizationName("NeuralCanvasTests");
  QApplication::setApplicationName("NeuralCanvasTests");
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

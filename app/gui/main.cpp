// neuralcanvas: the desktop application.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <exception>
#include <iostream>

#include "app/gui/MainWindow.h"

namespace {

/// resources/ next to the source tree (development) or installed beside the executable.
QString templatePath(const QString& name) {
  const QStringList roots = {QCoreApplication::applicationDirPath() + "/../resources",
                             QCoreApplication::applicationDirPath() + "/../../resources", QStringLiteral(NC_RESOURCE_DIR)};
  for (const QString& root : roots) {
    QString p = root + "/templates/" + name + ".json";
    if (QFileInfo::exists(p)) return QDir::cleanPath(p);
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    QApplication app(argc, argv);
    QApplication::setApplicationName("NeuralCanvas");
    QApplication::setOrganizationName("NeuralCanvas");
    QCommandLineParser parser;
    parser.setApplicationDescription("Design, train and export neural networks.");
    parser.addHelpOption();
    parser.addPositionalArgument("project", "Project file to open (default: the CNN template).");
    QCommandLineOption screenshot("screenshot", "Render the window to FILE.png and exit.", "file");
    parser.addOption(screenshot);
    parser.process(app);

    nc::app::MainWindow window;
    const QStringList args = parser.positionalArguments();
    QString path = args.isEmpty() ? templatePath("cnn") : args.first();
    if (!path.isEmpty() && !window.openProject(path) && parser.isSet(screenshot)) return 2;
    if (parser.isSet(screenshot)) {
      window.resize(1400, 900);
      window.show();
      QTimer::singleShot(300, &window, [&]() {
        bool ok = window.grab().save(parser.value(screenshot));
        if (!ok) std::cerr << "cannot write " << parser.value(screenshot).toStdString() << "\n";
        QApplication::exit(ok ? 0 : 1);
      });
      return app.exec();
    }
    window.resize(1400, 900);
    window.show();
    return app.exec();
  } catch (const std::exception& e) {
    std::cerr << "neuralcanvas: " << e.what() << "\n";
    return 3;
  }
}

// The main window: files, the unsaved-changes marker, problems list, autosave, and the
// --screenshot mode of the real executable for every template.
#include <gtest/gtest.h>

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QImage>
#include <QListWidget>
#include <QProcess>
#include <QTemporaryDir>
#include <set>

#include "app/gui/MainWindow.h"
#include "core/Project.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/NodeItem.h"

using namespace nc;

namespace {
QString windowTemplateFile(const char* name) {
  return QString::fromUtf8(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json";
}

std::string readAll(const QString& path) {
  QFile f(path);
  EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << path.toStdString();
  return f.readAll().toStdString();
}
}  // namespace

TEST(MainWindow, SaveAndReopenRoundTripsTheProject) {
  QTemporaryDir dir;
  app::MainWindow w;
  w.setInteractive(false);
  ASSERT_TRUE(w.openProject(windowTemplateFile("lstm")));
  EXPECT_FALSE(w.isModified());
  EXPECT_FALSE(w.windowTitle().contains("*") && w.isWindowModified());
  ASSERT_TRUE(w.editor()->addNode("Dropout", {0, 500}).has_value());
  EXPECT_TRUE(w.isModified());
  EXPECT_TRUE(w.isWindowModified()) << "the title shows the unsaved-changes marker";
  const QString path = dir.filePath("model.json");
  ASSERT_TRUE(w.saveProject(path)) << w.lastError().toStdString();
  EXPECT_FALSE(w.isModified());
  EXPECT_TRUE(w.windowTitle().contains("model.json"));
  const std::string saved = core::serializeProject(w.editor()->project());
  EXPECT_EQ(readAll(path), saved);

  app::MainWindow other;
  other.setInteractive(false);
  ASSERT_TRUE(other.openProject(path));
  EXPECT_EQ(core::serializeProject(other.editor()->project()), saved);
}

TEST(MainWindow, AMalformedFileIsReportedAndTheCurrentProjectKept) {
  QTemporaryDir dir;
  app::MainWindow w;
  w.setInteractive(false);
  ASSERT_TRUE(w.openProject(windowTemplateFile("cnn")));
  ASSERT_TRUE(w.editor()->addNode("ReLU", {0, 600}).has_value());
  const std::string before = core::serializeProject(w.editor()->project());
  const QString bad = dir.filePath("bad.json");
  QFile f(bad);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write("{\"format\": \"neuralcanvas-project\", \"version\": 1, \"graph\": {\"nodes\": [{\"id\": 1}]}}");
  f.close();
  EXPECT_FALSE(w.openProject(bad));
  EXPECT_TRUE(w.lastError().contains("bad.json")) << w.lastError().toStdString();
  EXPECT_TRUE(w.lastError().contains("/graph/nodes/0")) << w.lastError().toStdString();
  EXPECT_EQ(core::serializeProject(w.editor()->project()), before);
  EXPECT_TRUE(w.isModified()) << "the unsaved edit is still there";
}

TEST(MainWindow, ProblemsListNamesTheNodeAndSelectsItOnDoubleClick) {
  app::MainWindow w;
  w.setInteractive(false);
  ASSERT_TRUE(w.openProject(windowTemplateFile("cnn")));
  auto id = w.editor()->addNode("Conv2d", {0, 700});  // unconnected: an error on that node
  ASSERT_TRUE(id.has_value());
  QListWidget* problems = w.problemsList();
  QListWidgetItem* hit = nullptr;
  for (int i = 0; i < problems->count(); ++i)
    if (problems->item(i)->data(Qt::UserRole).toLongLong() == *id) hit = problems->item(i);
  ASSERT_NE(hit, nullptr);
  EXPECT_TRUE(hit->text().contains(QString::fromStdString(w.editor()->graph().node(*id)->name)));
  Q_EMIT problems->itemDoubleClicked(hit);
  EXPECT_EQ(w.scene()->selectedNodes(), std::set<core::NodeId>{*id});
}

TEST(MainWindow, AutosaveWritesUnsavedWorkAndSavingRemovesIt) {
  QTemporaryDir dir;
  app::MainWindow w;
  w.setInteractive(false);
  ASSERT_TRUE(w.openProject(windowTemplateFile("cnn")));
  QFile::remove(app::MainWindow::autosavePath());
  w.autosave();
  w.waitForAutosave();
  EXPECT_FALSE(QFile::exists(app::MainWindow::autosavePath())) << "nothing to keep without changes";
  ASSERT_TRUE(w.editor()->addNode("GELU", {0, 800}).has_value());
  w.autosave();
  w.waitForAutosave();  // written on a background thread
  ASSERT_TRUE(QFile::exists(app::MainWindow::autosavePath()));
  core::ProjectLoad kept = core::loadProject(app::MainWindow::autosavePath().toStdString());
  ASSERT_TRUE(kept.ok()) << kept.error;
  EXPECT_EQ(core::serializeProject(*kept.project), core::serializeProject(w.editor()->project()));
  ASSERT_TRUE(w.saveProject(dir.filePath("saved.json")));
  EXPECT_FALSE(QFile::exists(app::MainWindow::autosavePath()));
}

TEST(MainWindow, EveryMenuActionHasItsShortcut) {
  app::MainWindow w;
  for (const char* name : {"new", "open", "save", "saveAs", "undo", "redo", "cut", "copy", "paste", "duplicate",
                           "delete", "selectAll", "zoomIn", "zoomOut", "zoomReset", "fit", "autoLayout", "findNode",
                           "findNext", "findPrevious", "layerDocumentation", "shortcuts", "layerAnalysis",
                           "newFromTemplate", "exportDiagram"}) {
    QAction* a = w.action(name);
    ASSERT_NE(a, nullptr) << name;
    EXPECT_FALSE(a->shortcut().isEmpty()) << name;
  }
}

TEST(MainWindow, ScreenshotOfEveryTemplateShowsTheGraph) {
  QTemporaryDir dir;
  for (const char* name : {"cnn", "lstm", "transformer", "char_lstm"}) {
    const QString png = dir.filePath(QString(name) + ".png");
    QProcess gui;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    gui.setProcessEnvironment(env);
    gui.start(NC_GUI_PATH, {windowTemplateFile(name), "--screenshot", png, "--size", "1200x800"});
    ASSERT_TRUE(gui.waitForFinished(60000)) << name;
    ASSERT_EQ(gui.exitCode(), 0) << name << ": " << gui.readAllStandardError().toStdString();
    QImage image(png);
    ASSERT_FALSE(image.isNull()) << name;
    EXPECT_EQ(image.width(), 1200);
    // Not blank: many distinct colours, and node header colours present in the canvas area.
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
      for (int x = 0; x < image.width(); x += 3) colours.insert(image.pixel(x, y));
    EXPECT_GT(colours.size(), 200u) << name;
    const QRgb ioHeader = widgets::categoryColor("Input/Output").rgb();
    EXPECT_TRUE(colours.count(ioHeader)) << name << ": no Input/Output node header drawn";
  }
  // A file that does not parse: exit code 2 and the reason on stderr.
  QProcess gui;
  gui.start(NC_GUI_PATH, {dir.filePath("missing.json"), "--screenshot", dir.filePath("x.png")});
  ASSERT_TRUE(gui.waitForFinished(60000));
  EXPECT_EQ(gui.exitCode(), 2);
  EXPECT_TRUE(gui.readAllStandardError().contains("missing.json"));
}

TEST(MainWindow, WorkAutosavedByACrashedProcessIsOfferedBackUnsaved) {
  QTemporaryDir dir;
  // What a process that died without cleaning up leaves behind (pid 0 has no /proc entry).
  const QString folder = QFileInfo(app::MainWindow::autosavePath()).absolutePath();
  QDir().mkpath(folder);
  const QString left = folder + "/autosave-0.json";
  core::ProjectLoad tmpl = core::loadProject(windowTemplateFile("lstm").toStdString());
  ASSERT_TRUE(tmpl.ok());
  ASSERT_TRUE(tmpl.project->graph.addNode("Dropout", 0, 900).has_value());
  ASSERT_TRUE(core::writeFileAtomic(left.toStdString(), core::serializeProject(*tmpl.project)));
  const QString origin = dir.filePath("mine.json");
  ASSERT_TRUE(core::writeFileAtomic((left + ".origin").toStdString(), origin.toStdString()));

  app::MainWindow w;
  w.setInteractive(false);
  QString asked;
  EXPECT_TRUE(w.offerRecovery([&](const QString& q) {
    asked = q;
    return true;
  }));
  EXPECT_TRUE(asked.contains("mine.json")) << asked.toStdString();
  EXPECT_EQ(core::serializeProject(w.editor()->project()), core::serializeProject(*tmpl.project));
  EXPECT_TRUE(w.isModified()) << "recovered work still needs saving";
  EXPECT_EQ(w.filePath(), origin);
  EXPECT_FALSE(QFile::exists(left)) << "offered once";
  EXPECT_FALSE(w.offerRecovery([](const QString&) { return true; }));
}

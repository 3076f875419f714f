// Pictures of the quick-add popup, the find bar and the Help dialogs for a look (README, review).
// Skipped unless NC_SCREENSHOT_DIR names a folder; run under xvfb for real fonts:
//   NC_SCREENSHOT_DIR=/tmp/shots QT_QPA_PLATFORM=xcb xvfb-run -a build/tests/nc_gui_tests \
//     --gtest_filter='SmallWidgetScreenshots.*'
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenuBar>
#include <QTest>

#include "app/gui/MainWindow.h"
#include "core/Project.h"
#include "widgets/FindNodeBar.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/GraphView.h"
#include "widgets/HelpDialogs.h"
#include "widgets/Inspector.h"
#include "widgets/LayerPalette.h"
#include "widgets/QuickAddPopup.h"

using namespace nc;

namespace {
QString shotDir() { return QString::fromLocal8Bit(qgetenv("NC_SCREENSHOT_DIR")); }
void save(QWidget* w, const QString& name) {
  QApplication::processEvents();
  QTest::qWait(100);
  EXPECT_TRUE(w->grab().save(QDir(shotDir()).filePath(name))) << name.toStdString();
}
}  // namespace

TEST(SmallWidgetScreenshots, PopupBarAndDialogs) {
  if (shotDir().isEmpty()) GTEST_SKIP() << "set NC_SCREENSHOT_DIR to write the pictures";
  QDir().mkpath(shotDir());

  widgets::QuickAddPopup popup;
  popup.showAt(QPoint(100, 100));
  save(&popup, "quickadd_all.png");
  QTest::keyClicks(popup.searchField(), "attention");
  save(&popup, "quickadd_attention.png");
  popup.searchField()->clear();
  QTest::keyClicks(popup.searchField(), "dense");
  save(&popup, "quickadd_dense.png");
  popup.hide();

  widgets::LayerPalette palette;
  palette.resize(palette.minimumWidth(), 900);
  palette.show();
  save(&palette, "palette.png");

  widgets::GraphEditor editor;
  core::Project p;
  p.name = "shots";
  editor.setProject(p);
  editor.addNode("Conv2d", {0, 0});
  editor.addNode("Conv2d", {300, 200});
  widgets::GraphScene scene(&editor);
  widgets::GraphView view(&scene);
  view.resize(900, 500);
  view.show();
  widgets::FindNodeBar bar(&scene, &view);
  bar.activate();
  QTest::keyClicks(bar.searchField(), "conv");
  QTest::keyClick(bar.searchField(), Qt::Key_Return);
  save(&view, "findbar.png");

  widgets::Inspector inspector(&editor);
  inspector.resize(300, 200);
  inspector.show();
  save(&inspector, "inspector_empty.png");

  QMainWindow window;
  QMenu* edit = window.menuBar()->addMenu("&Edit");
  edit->addAction("&Undo")->setShortcut(QKeySequence::Undo);
  edit->addAction("&Redo")->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Y), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)});
  edit->addAction("Find &Node...")->setShortcut(QKeySequence::Find);
  window.show();
  QDialog* shortcuts = widgets::showShortcutsDialog(&window, window.menuBar()->actions());
  save(shortcuts, "shortcuts.png");
  QDialog* about = widgets::showAboutDialog(&window);
  save(about, "about.png");
  QDialog* docs = widgets::showLayerDocumentation(&window, "Conv2d");
  save(docs, "layerdoc_conv2d.png");
  widgets::showLayerDocumentation(&window, "TransformerEncoderLayer");
  save(docs, "layerdoc_transformer.png");
}

TEST(SmallWidgetScreenshots, ShortcutsOfTheMainWindow) {
  if (shotDir().isEmpty()) GTEST_SKIP() << "set NC_SCREENSHOT_DIR to write the pictures";
  QDir().mkpath(shotDir());
  app::MainWindow w;
  w.setInteractive(false);
  w.show();
  QDialog* shortcuts = widgets::showShortcutsDialog(&w, w.menuBar()->actions());
  save(shortcuts, "shortcuts_window.png");
  shortcuts->close();
}

// Help menu windows: the shortcuts table lists the window's actions and the canvas gestures, the
// About box names the versions, the layer documentation lists every parameter.
#include <gtest/gtest.h>

#include <QAction>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QMenuBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTest>

#include "core/BuildInfo.h"
#include "core/LayerRegistry.h"
#include "core/LayerType.h"
#include "widgets/HelpDialogs.h"

using namespace nc;

namespace {
QStringList tableTexts(const QTableWidget* table) {
  QStringList texts;
  for (int r = 0; r < table->rowCount(); ++r)
    for (int c = 0; c < table->columnCount(); ++c)
      if (const QTableWidgetItem* item = table->item(r, c)) texts << item->text().trimmed();
  return texts;
}
}  // namespace

TEST(HelpDialogs, ShortcutsListTheMenusActionsAndTheCanvasGestures) {
  QMainWindow window;
  QMenu* edit = window.menuBar()->addMenu("&Edit");
  QAction* undo = edit->addAction("&Undo");
  undo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
  QAction* redo = edit->addAction("&Redo");
  redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Y), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)});
  edit->addSeparator();
  edit->addAction("No shortcut");
  QMenu* file = window.menuBar()->addMenu("&File");
  QMenu* recent = file->addMenu("Open &Recent");
  recent->addAction("Clear list")->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R));
  file->addAction("&Save As...")->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));

  QDialog* dialog = widgets::showShortcutsDialog(&window, window.menuBar()->actions());
  ASSERT_NE(dialog, nullptr);
  auto* table = dialog->findChild<QTableWidget*>("shortcutsTable");
  auto* gestures = dialog->findChild<QTableWidget*>("gesturesTable");
  ASSERT_NE(table, nullptr);
  ASSERT_NE(gestures, nullptr);
  const QStringList texts = tableTexts(table) + tableTexts(gestures);
  for (const char* expected : {"Edit", "Undo", "Ctrl+Z", "Redo", "Ctrl+Y, Ctrl+Shift+Z", "File \u203a Open Recent",
                               "Clear list", "Save As", "Ctrl+Shift+S", "Tab, or double-click the empty canvas",
                               "Mouse wheel", "Right-click"})
    EXPECT_TRUE(texts.contains(QString::fromUtf8(expected))) << expected;
  EXPECT_FALSE(texts.contains("No shortcut"));
  bool arrows = false, pan = false;
  for (const QString& t : texts) {
    arrows = arrows || t.startsWith("Arrow keys");
    pan = pan || t.startsWith("Space+drag");
  }
  EXPECT_TRUE(arrows);
  EXPECT_TRUE(pan);
  // Every text fits its column (nothing cut off), in the dialog as shown.
  for (const QTableWidget* t : {table, gestures}) {
    EXPECT_LE(t->columnWidth(0) + t->columnWidth(1), t->viewport()->width() + 1);
    for (int r = 0; r < t->rowCount(); ++r)
      if (t->columnSpan(r, 0) == 1)
        for (int c = 0; c < 2; ++c)
          EXPECT_LE(t->fontMetrics().horizontalAdvance(t->item(r, c)->text()), t->columnWidth(c))
              << t->item(r, c)->text().toStdString();
  }
  // Asked again while open: the same dialog.
  EXPECT_EQ(widgets::showShortcutsDialog(&window, window.menuBar()->actions()), dialog);
  dialog->close();
}

TEST(HelpDialogs, AboutNamesTheVersions) {
  QWidget parent;
  QDialog* dialog = widgets::showAboutDialog(&parent);
  auto* text = dialog->findChild<QLabel*>("aboutText");
  ASSERT_NE(text, nullptr);
  EXPECT_TRUE(text->text().contains("NeuralCanvas"));
  EXPECT_TRUE(text->text().contains(QString::fromLatin1(qVersion())));
  EXPECT_TRUE(text->text().contains(QString::fromStdString(core::libtorchVersion())));
  EXPECT_TRUE(text->text().contains(QString::fromStdString(core::appVersion())));
  EXPECT_TRUE(text->text().contains("LibTorch"));
  dialog->close();
}

TEST(HelpDialogs, LayerDocumentationListsEveryParameter) {
  const QString html = widgets::layerDocumentationHtml("Conv2d");
  for (const char* expected : {"Conv2d", "Convolution", "out_channels", "kernel_size", "Default", "Range", "integer"})
    EXPECT_TRUE(html.contains(expected)) << expected;
  // Every parameter of every layer appears with its description.
  for (const core::LayerType* t : core::LayerRegistry::instance().all()) {
    const QString page = widgets::layerDocumentationHtml(QString::fromStdString(t->name()));
    for (const auto& spec : t->params()) {
      EXPECT_TRUE(page.contains(QString::fromStdString(spec.name))) << t->name() << "." << spec.name;
      EXPECT_TRUE(page.contains(QString::fromStdString(spec.doc).toHtmlEscaped())) << t->name() << "." << spec.name;
    }
  }
  EXPECT_TRUE(widgets::layerDocumentationHtml("NoSuchLayer").contains("no layer type"));
}

TEST(HelpDialogs, LayerDocumentationBrowserSwitchesAndSearches) {
  QWidget parent;
  QDialog* dialog = widgets::showLayerDocumentation(&parent, "Conv2d");
  auto* page = dialog->findChild<QTextBrowser*>("layerDocPage");
  auto* list = dialog->findChild<QListWidget*>("layerDocList");
  auto* search = dialog->findChild<QLineEdit*>("layerDocSearch");
  ASSERT_TRUE(page && list && search);
  EXPECT_TRUE(page->toPlainText().contains("out_channels"));
  EXPECT_EQ(list->count(), int(core::LayerRegistry::instance().all().size()));
  // Asked for another type while open: the same window shows it.
  EXPECT_EQ(widgets::showLayerDocumentation(&parent, "LSTM"), dialog);
  EXPECT_TRUE(page->toPlainText().contains("hidden_size"));
  QTest::keyClicks(search, "dense");
  int shown = 0;
  for (int i = 0; i < list->count(); ++i) shown += list->item(i)->isHidden() ? 0 : 1;
  EXPECT_GE(shown, 1);
  EXPECT_FALSE(list->findItems("Linear", Qt::MatchExactly).first()->isHidden());
  dialog->close();
}

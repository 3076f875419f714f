#pragma once
// The Help menu's windows: keyboard shortcuts, About (versions) and layer documentation.
//
// Use from the window (Help menu):
//   showShortcutsDialog(this, menuBar()->actions());   // menus are walked; add other actions too
//   showAboutDialog(this);
//   showLayerDocumentation(this, "Conv2d");            // also from a node's context menu; "" = first
// Each show* function opens a non-modal dialog (deleted when closed) and returns it; calling it
// again while that dialog is open raises the same dialog (the documentation switches to the type).
// The *Html functions return the content, for tests and for other views (tooltips, export).
#include <QList>
#include <QString>

class QAction;
class QDialog;
class QWidget;

namespace nc::widgets {

/// One row of the shortcuts table.
struct ShortcutEntry {
  QString group;     // "Menus" / "Canvas" / "Inspector" / ...
  QString action;    // "Undo", "Quick-add a layer at the cursor"
  QString keys;      // "Ctrl+Z", "Tab or double-click the empty canvas"
};

/// Every action with a shortcut among `actions` (menus and submenus walked, each action once, in
/// menu order; "&" mnemonics and trailing "..." removed; several shortcuts joined by ", "),
/// followed by the canvas, palette, inspector and find-bar gestures that are not actions
/// (Tab quick-add, arrows nudge, space+drag pan, wheel zoom, right-click menus, ...).
QList<ShortcutEntry> shortcutEntries(const QList<QAction*>& actions);

/// The keyboard shortcuts in a table (group, action, keys), sized to show every text.
QDialog* showShortcutsDialog(QWidget* parent, const QList<QAction*>& actions);

/// The About text: the application's name and version, its purpose, the Qt version it runs on
/// (qVersion()) and was built with, the LibTorch version and whether CUDA is available.
QString aboutHtml();
QDialog* showAboutDialog(QWidget* parent);

/// A layer type's documentation as an HTML page: name, category, description, its input and
/// output ports (for the default parameters) and every parameter with kind, default, range or
/// choices, and description. An unknown type gives a short "no such layer" page.
QString layerDocumentationHtml(const QString& type);
/// A browser of every layer type (a searchable list by category) showing `type`'s page.
QDialog* showLayerDocumentation(QWidget* parent, const QString& type);

}  // namespace nc::widgets

#include "widgets/HelpDialogs.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QScreen>
#include <QScrollBar>
#include <QSet>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <cmath>
#include <functional>

#include "core/BuildInfo.h"
#include "core/LayerRegistry.h"
#include "core/LayerSearch.h"
#include "core/LayerType.h"
#include "core/training/Devices.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

namespace {

/// "&Open..." -> "Open", "Save &As…" -> "Save As", "R&&D" -> "R&D".
QString cleanText(QString text) {
  text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
  text.remove(QLatin1Char('&'));
  text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
  text = text.trimmed();
  if (text.endsWith(QLatin1String("..."))) text.chop(3);
  if (text.endsWith(QChar(0x2026))) text.chop(1);
  return text.trimmed();
}

QString keysText(const QAction* action) {
  QStringList keys;
  for (const QKeySequence& k : action->shortcuts())
    if (!k.isEmpty()) keys << k.toString(QKeySequence::NativeText);
  keys.removeDuplicates();
  return keys.join(QStringLiteral(", "));
}

/// The gestures of the canvas and panels that are not QActions (the window cannot list them).
QList<ShortcutEntry> gestureEntries() {
  const QString canvas = QObject::tr("Canvas"), palette = QObject::tr("Layer palette"),
                quick = QObject::tr("Quick-add popup"), inspector = QObject::tr("Inspector"),
                find = QObject::tr("Find node bar");
  return {
      {canvas, QObject::tr("Quick-add a layer at the cursor"), QObject::tr("Tab, or double-click the empty canvas")},
      {canvas, QObject::tr("Connect two layers"), QObject::tr("Drag from an output port to an input port")},
      {canvas, QObject::tr("Insert a layer into a connection"), QObject::tr("Drop a layer from the palette onto the connection")},
      {canvas, QObject::tr("Nudge the selected nodes"), QObject::tr("Arrow keys (10 px), Shift+arrow keys (1 px)")},
      {canvas, QObject::tr("Pan"), QObject::tr("Space+drag, or drag with the middle mouse button")},
      {canvas, QObject::tr("Zoom around the cursor"), QObject::tr("Mouse wheel")},
      {canvas, QObject::tr("Zoom in, zoom out, 100 %"), QObject::tr("Ctrl+=, Ctrl+-, Ctrl+0")},
      {canvas, QObject::tr("Select several nodes"), QObject::tr("Drag a rectangle on the empty canvas, or Ctrl+click")},
      {canvas, QObject::tr("Menu for a node, a connection or the canvas"), QObject::tr("Right-click")},
      {quick, QObject::tr("Move the highlight, add, close"), QObject::tr("Up / Down, Enter (or click), Esc")},
      {palette, QObject::tr("Add the highlighted layer from the search field"), QObject::tr("Enter (Up / Down move the highlight)")},
      {palette, QObject::tr("Add a layer at the view centre"), QObject::tr("Double-click it")},
      {palette, QObject::tr("Add a layer at a spot"), QObject::tr("Drag it onto the canvas")},
      {inspector, QObject::tr("Commit the field, then undo / redo"), QObject::tr("Ctrl+Z / Ctrl+Y in a field")},
      {inspector, QObject::tr("Change a number with the wheel"), QObject::tr("Click the field first (the wheel scrolls the form)")},
      {find, QObject::tr("Next match, previous match"), QObject::tr("Enter or F3, Shift+Enter or Shift+F3")},
      {find, QObject::tr("Close the bar"), QObject::tr("Esc")},
  };
}

/// A dialog of `parent` with this object name that is still open, to raise instead of a new one.
QDialog* openDialog(QWidget* parent, const QString& name) {
  if (!parent) return nullptr;
  for (QDialog* d : parent->findChildren<QDialog*>(name, Qt::FindDirectChildrenOnly))
    if (d->isVisible()) return d;
  return nullptr;
}

QDialog* newDialog(QWidget* parent, const QString& name, const QString& title) {
  auto* dialog = new QDialog(parent);
  dialog->setObjectName(name);
  dialog->setWindowTitle(title);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  return dialog;
}

void addCloseButton(QDialog* dialog, QBoxLayout* layout) {
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  layout->addWidget(buttons);
}

void present(QDialog* dialog) {
  dialog->show();
  dialog->raise();
  dialog->activateWindow();
}

QSize screenShare(QWidget* parent, double share) {
  QScreen* screen = parent ? parent->screen() : QGuiApplication::primaryScreen();
  QSize s = screen ? screen->availableGeometry().size() : QSize(1600, 1000);
  return {int(s.width() * share), int(s.height() * share)};
}

QString number(double v) { return QString::number(v, 'g', 7); }

QString rangeText(const core::ParamSpec& spec) {
  const bool lo = std::isfinite(spec.minValue), hi = std::isfinite(spec.maxValue);
  QString range;
  if (lo && hi) range = QStringLiteral("%1 \u2013 %2").arg(number(spec.minValue), number(spec.maxValue));
  else if (lo) range = QStringLiteral("\u2265 %1").arg(number(spec.minValue));
  else if (hi) range = QStringLiteral("\u2264 %1").arg(number(spec.maxValue));
  else range = QObject::tr("any");
  switch (spec.kind) {
    case core::ParamKind::Int:
    case core::ParamKind::Float: return range;
    case core::ParamKind::Bool: return QObject::tr("true or false");
    case core::ParamKind::Choice: {
      QStringList choices;
      for (const auto& c : spec.choices) choices << QString::fromStdString(c).toHtmlEscaped();
      return QObject::tr("one of: %1").arg(choices.join(QStringLiteral(", ")));
    }
    case core::ParamKind::IntList: {
      QString count = spec.minLength == spec.maxLength ? QString::number(spec.minLength)
                                                       : QStringLiteral("%1 \u2013 %2").arg(spec.minLength).arg(spec.maxLength);
      return QObject::tr("%1 values, each %2").arg(count, range);
    }
  }
  return range;
}

QString defaultText(const core::ParamValue& v) {
  if (auto d = std::get_if<double>(&v)) return number(*d);
  return QString::fromStdString(core::formatParamValue(v)).toHtmlEscaped();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Shortcuts

namespace {

/// The actions with a shortcut, walking menus (see shortcutEntries).
QList<ShortcutEntry> actionEntries(const QList<QAction*>& actions) {
  QList<ShortcutEntry> entries;
  QSet<const QAction*> seen;
  std::function<void(const QList<QAction*>&, const QString&)> walk = [&](const QList<QAction*>& list, const QString& group) {
    for (QAction* action : list) {
      if (!action || action->isSeparator() || seen.contains(action)) continue;
      seen.insert(action);
      if (QMenu* menu = action->menu()) {
        const QString title = cleanText(menu->title().isEmpty() ? action->text() : menu->title());
        walk(menu->actions(), group.isEmpty() ? title : group + QStringLiteral(" \u203a ") + title);
        continue;
      }
      const QString keys = keysText(action);
      if (keys.isEmpty()) continue;
      QString text = cleanText(action->text());
      if (text.isEmpty()) text = cleanText(action->toolTip());
      entries.append({group.isEmpty() ? QObject::tr("Window") : group, text, keys});
    }
  };
  walk(actions, QString());
  return entries;
}

/// A two-column table (action, keys) with a bold heading row for each group; columns sized to
/// their texts (nothing elided), compact rows.
QTableWidget* shortcutTable(const QList<ShortcutEntry>& entries, const QString& name, const QString& keysHeading) {
  auto* table = new QTableWidget(0, 2);
  table->setObjectName(name);
  table->setHorizontalHeaderLabels({QObject::tr("Action"), keysHeading});
  table->verticalHeader()->hide();
  table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->setSelectionMode(QAbstractItemView::NoSelection);
  table->setFocusPolicy(Qt::NoFocus);
  table->setShowGrid(false);
  table->setWordWrap(false);
  table->setTextElideMode(Qt::ElideNone);
  table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  QString group;
  QFont bold = table->font();
  bold.setBold(true);
  for (const ShortcutEntry& e : entries) {
    if (e.group != group) {  // a heading row spanning both columns
      group = e.group;
      int row = table->rowCount();
      table->insertRow(row);
      auto* heading = new QTableWidgetItem(group);
      heading->setFont(bold);
      heading->setBackground(table->palette().alternateBase());
      table->setItem(row, 0, heading);
      table->setSpan(row, 0, 1, 2);
    }
    int row = table->rowCount();
    table->insertRow(row);
    table->setItem(row, 0, new QTableWidgetItem(QStringLiteral("    ") + e.action));
    table->setItem(row, 1, new QTableWidgetItem(e.keys));
  }
  table->resizeColumnsToContents();
  const int width = table->columnWidth(0) + table->columnWidth(1) + table->verticalScrollBar()->sizeHint().width() +
                    2 * table->frameWidth() + 12;
  table->setFixedWidth(width);
  table->horizontalHeader()->setStretchLastSection(true);  // after measuring: it stretches to the viewport
  return table;
}

int tableHeight(const QTableWidget* table) {
  return table->horizontalHeader()->sizeHint().height() + table->rowCount() * table->verticalHeader()->defaultSectionSize() +
         2 * table->frameWidth() + 4;
}

}  // namespace

QList<ShortcutEntry> shortcutEntries(const QList<QAction*>& actions) {
  QList<ShortcutEntry> entries = actionEntries(actions);
  entries.append(gestureEntries());
  return entries;
}

QDialog* showShortcutsDialog(QWidget* parent, const QList<QAction*>& actions) {
  if (QDialog* open = openDialog(parent, QStringLiteral("shortcutsDialog"))) {
    present(open);
    return open;
  }
  QDialog* dialog = newDialog(parent, QStringLiteral("shortcutsDialog"), QObject::tr("Keyboard Shortcuts"));
  auto* layout = new QVBoxLayout(dialog);
  auto* row = new QHBoxLayout;
  // Menu commands on the left, the gestures of the canvas and panels on the right.
  QTableWidget* menus = shortcutTable(actionEntries(actions), QStringLiteral("shortcutsTable"), QObject::tr("Keys"));
  QTableWidget* gestures = shortcutTable(gestureEntries(), QStringLiteral("gesturesTable"), QObject::tr("Keys and gestures"));
  const int menuHeight = menus->rowCount() > 0 ? tableHeight(menus) : 0;
  if (menus->rowCount() > 0) row->addWidget(menus);
  else delete menus;
  row->addWidget(gestures);
  layout->addLayout(row);
  addCloseButton(dialog, layout);
  // Wide enough for every text; as tall as the rows need, within the screen (then they scroll).
  const int height = std::max(tableHeight(gestures), menuHeight) + 70;
  QSize limit = screenShare(parent, 0.9);
  dialog->resize(std::min(dialog->minimumSizeHint().width(), limit.width()), std::min(height, limit.height()));
  present(dialog);
  return dialog;
}

// ---------------------------------------------------------------------------------------------
// About

QString aboutHtml() {
  const QString cuda = core::cudaAvailable() ? QObject::tr("available") : QObject::tr("not available (training runs on the CPU)");
  return QObject::tr("<h2>NeuralCanvas %1</h2>"
                     "<p>Build CNN, RNN and Transformer networks as a node graph, train them with a live "
                     "dashboard and export them to TorchScript and PyTorch.</p>"
                     "<table cellspacing='0' cellpadding='3'>"
                     "<tr><td>Version</td><td><b>%1</b></td></tr>"
                     "<tr><td>Qt</td><td><b>%2</b> (built with %3)</td></tr>"
                     "<tr><td>LibTorch</td><td><b>%4</b></td></tr>"
                     "<tr><td>CUDA</td><td>%5</td></tr>"
                     "<tr><td>Layer types</td><td>%6</td></tr>"
                     "</table>")
      .arg(QString::fromStdString(core::appVersion()).toHtmlEscaped(), QString::fromLatin1(qVersion()),
           QStringLiteral(QT_VERSION_STR), QString::fromStdString(core::libtorchVersion()).toHtmlEscaped(), cuda,
           QString::number(core::LayerRegistry::instance().all().size()));
}

QDialog* showAboutDialog(QWidget* parent) {
  if (QDialog* open = openDialog(parent, QStringLiteral("aboutDialog"))) {
    present(open);
    return open;
  }
  QDialog* dialog = newDialog(parent, QStringLiteral("aboutDialog"), QObject::tr("About NeuralCanvas"));
  auto* layout = new QVBoxLayout(dialog);
  auto* text = new QLabel(aboutHtml());
  text->setObjectName("aboutText");
  text->setTextFormat(Qt::RichText);
  text->setWordWrap(true);
  text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  text->setMinimumWidth(text->fontMetrics().averageCharWidth() * 60);
  layout->addWidget(text);
  addCloseButton(dialog, layout);
  dialog->adjustSize();
  present(dialog);
  return dialog;
}

// ---------------------------------------------------------------------------------------------
// Layer documentation

QString layerDocumentationHtml(const QString& type) {
  const core::LayerType* layer = core::LayerRegistry::instance().find(type.toStdString());
  if (!layer)
    return QObject::tr("<h2>%1</h2><p>There is no layer type of this name.</p>").arg(type.toHtmlEscaped());
  const QString category = QString::fromStdString(layer->category());
  QString html = QStringLiteral("<h2>%1</h2><p><span style='color:%2'>\u25a0</span> <i>%3</i></p><p>%4</p>")
                     .arg(type.toHtmlEscaped(), categoryColor(category).name(), category.toHtmlEscaped(),
                          QString::fromStdString(layer->doc()).toHtmlEscaped());

  const core::ParamMap defaults = layer->defaults();
  QStringList inputs;
  if (!layer->isInput())
    for (const auto& p : layer->inputPorts(core::Params(defaults))) inputs << QString::fromStdString(p).toHtmlEscaped();
  html += QObject::tr("<h3>Ports</h3><p>Inputs: %1<br>Output: %2</p>")
              .arg(inputs.isEmpty() ? QObject::tr("none (this is where data enters)") : inputs.join(QStringLiteral(", ")),
                   layer->outputCount() > 0 ? QObject::tr("one tensor, shown on the connections leaving it")
                                            : QObject::tr("none (the model's result)"));

  html += QObject::tr("<h3>Parameters</h3>");
  if (layer->params().empty()) {
    html += QObject::tr("<p>None.</p>");
    return html;
  }
  html += QObject::tr("<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
                      "<tr><th align='left'>Parameter</th><th align='left'>Kind</th><th align='left'>Default</th>"
                      "<th align='left'>Range</th><th align='left'>Description</th></tr>");
  for (const core::ParamSpec& spec : layer->params())
    html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
                .arg(QString::fromStdString(spec.name).toHtmlEscaped(),
                     QString::fromStdString(core::paramKindName(spec.kind)).toHtmlEscaped(), defaultText(spec.defaultValue),
                     rangeText(spec), QString::fromStdString(spec.doc).toHtmlEscaped());
  html += QStringLiteral("</table>");
  return html;
}

QDialog* showLayerDocumentation(QWidget* parent, const QString& type) {
  const QString name = QStringLiteral("layerDocumentationDialog");
  QDialog* dialog = openDialog(parent, name);
  if (!dialog) {
    dialog = newDialog(parent, name, QObject::tr("Layer Documentation"));
    auto* layout = new QVBoxLayout(dialog);
    auto* row = new QHBoxLayout;
    auto* side = new QVBoxLayout;
    auto* search = new QLineEdit;
    search->setObjectName("layerDocSearch");
    search->setPlaceholderText(QObject::tr("Search layers"));
    search->setClearButtonEnabled(true);
    auto* list = new QListWidget;
    list->setObjectName("layerDocList");
    int widest = 0;
    for (const core::LayerType* t : core::LayerRegistry::instance().all()) {
      auto* item = new QListWidgetItem(QString::fromStdString(t->name()), list);
      item->setToolTip(QString::fromStdString(t->category()));
      widest = std::max(widest, list->fontMetrics().horizontalAdvance(item->text()));
    }
    list->setMinimumWidth(widest + list->verticalScrollBar()->sizeHint().width() + 2 * list->frameWidth() + 16);
    list->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    auto* page = new QTextBrowser;
    page->setObjectName("layerDocPage");
    page->setOpenLinks(false);
    side->addWidget(search);
    side->addWidget(list);
    row->addLayout(side);
    row->addWidget(page, 1);
    layout->addLayout(row);
    addCloseButton(dialog, layout);
    QObject::connect(list, &QListWidget::currentTextChanged, page,
                     [page](const QString& t) { page->setHtml(layerDocumentationHtml(t)); });
    QObject::connect(search, &QLineEdit::textChanged, list, [list](const QString& text) {
      QSet<QString> found;
      for (const auto& n : core::searchLayerTypes(text.toStdString())) found.insert(QString::fromStdString(n));
      for (int i = 0; i < list->count(); ++i) list->item(i)->setHidden(!found.contains(list->item(i)->text()));
    });
    QSize limit = screenShare(parent, 0.85);
    dialog->resize(std::min(980, limit.width()), std::min(640, limit.height()));
  }
  auto* list = dialog->findChild<QListWidget*>(QStringLiteral("layerDocList"));
  auto* page = dialog->findChild<QTextBrowser*>(QStringLiteral("layerDocPage"));
  QList<QListWidgetItem*> items = list->findItems(type, Qt::MatchExactly);
  if (!items.isEmpty()) list->setCurrentItem(items.first());
  else if (type.isEmpty() && list->count() > 0) list->setCurrentRow(0);
  else page->setHtml(layerDocumentationHtml(type));
  present(dialog);
  return dialog;
}

}  // namespace nc::widgets

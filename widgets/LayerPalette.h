#pragma once
#include <QTreeWidget>

class QLineEdit;

namespace nc::widgets {

/// Every registered layer type grouped by category, each with its documentation as tooltip.
/// Built from core::LayerRegistry, so a new layer type appears here without code changes.
/// Drag a type onto the canvas, or double-click it (or press Enter) to add it at the view centre.
/// The list is at least as wide as the longest type name, so no name is cut off.
class LayerPalette : public QTreeWidget {
  Q_OBJECT
 public:
  explicit LayerPalette(QWidget* parent = nullptr);

  /// Shows only the layer types matching `text` (core::searchLayerTypes: name, category,
  /// documentation, synonyms such as "dense" -> Linear) and highlights the best match.
  /// An empty text shows everything and clears the highlight.
  void filter(const QString& text);

  /// Makes `field` the palette's search field: typing filters (filter()), Up/Down move the
  /// highlight among the shown layer types while the field keeps the focus, and Enter adds the
  /// highlighted type (layerActivated, as a double-click does). Call once; replaces a connection
  /// of textChanged to filter().
  void attachSearchField(QLineEdit* field);

  /// The highlighted layer type ("" when none).
  QString highlightedType() const;
  /// Emits layerActivated for the highlighted type; false when nothing is highlighted.
  bool activateHighlighted();

 Q_SIGNALS:
  /// Double-click (or Enter) on a layer type, or Enter in the attached search field.
  void layerActivated(const QString& type);

 public:
  /// The drag payload for layer items (kLayerMimeType with the type name); public for tests.
  QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override;

 protected:
  QStringList mimeTypes() const override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QTreeWidgetItem* leafFor(const QString& type) const;
  /// Moves the highlight by `delta` among the shown layer types, in display order.
  void moveHighlight(int delta);

  QLineEdit* m_searchField = nullptr;
};

}  // namespace nc::widgets

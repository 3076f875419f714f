#pragma once
#include <QTreeWidget>

namespace nc::widgets {

/// Every registered layer type grouped by category, each with its documentation as tooltip.
/// Built from core::LayerRegistry, so a new layer type appears here without code changes.
/// Drag a type onto the canvas, or double-click it to add it at the view centre.
class LayerPalette : public QTreeWidget {
  Q_OBJECT
 public:
  explicit LayerPalette(QWidget* parent = nullptr);
  /// Shows only the layer types whose name contains `text` (case-insensitive).
  void filter(const QString& text);

 Q_SIGNALS:
  /// Double-click (or Enter) on a layer type.
  void layerActivated(const QString& type);

 public:
  /// The drag payload for layer items (kLayerMimeType with the type name); public for tests.
  QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override;

 protected:
  QStringList mimeTypes() const override;
};

}  // namespace nc::widgets

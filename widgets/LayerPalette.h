#pragma once
#include <QTreeWidget>

namespace nc::widgets {

/// Every registered layer type grouped by category, each with its documentation as tooltip.
/// Built from core::LayerRegistry, so a new layer type appears here without code changes.
class LayerPalette : public QTreeWidget {
  Q_OBJECT
 public:
  explicit LayerPalette(QWidget* parent = nullptr);
  /// Shows only the layer types whose name contains `text` (case-insensitive).
  void filter(const QString& text);

 Q_SIGNALS:
  /// Double-click on a layer type.
  void layerActivated(const QString& type);
};

}  // namespace nc::widgets

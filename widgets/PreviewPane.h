#pragma once
// The Preview pane (issue 14): what one node outputs for one sample of the project's data, drawn
// from a core::PreviewResult: a header (node, type, output shape, which weights), a sample picker
// with the input shown, then by the node's kind a grid of feature maps, a heat map, attention per
// head or a bar chart of class probabilities, and for every node a histogram with its statistics.
// When the graph has errors the last valid preview stays, greyed, with a line saying why.
#include <QImage>
#include <QWidget>
#include <memory>

#include "core/inspect/NodePreview.h"

class QComboBox;
class QLabel;
class QScrollArea;
class QSpinBox;
class QToolButton;

namespace nc::widgets {

class PreviewCanvas;

/// The colour of a value in [0, 1] on the preview colour map (dark blue -> teal -> yellow).
QColor previewColor(double t);
/// A picture as an image on the colour map (`grey`: on a grey ramp, for the greyed state).
QImage previewImageToQImage(const core::PreviewImage& image, bool grey = false);
/// A small picture of a node's output for its card on the canvas: a mosaic of the first feature
/// maps, the heat map, the probabilities as bars, or a null image when there is nothing to draw.
/// `grey`: drawn in greys (the graph has errors now; this is its last valid preview).
QImage previewThumbnail(const core::NodePreview& node, bool grey = false);

class PreviewPane : public QWidget {
  Q_OBJECT
 public:
  explicit PreviewPane(QWidget* parent = nullptr);

  /// A new result. A failed one (ok == false) keeps the last valid result on display, greyed,
  /// with its error as the reason; a valid one replaces it.
  void setResult(std::shared_ptr<const core::PreviewResult> result);
  /// The node to show (-1: none).
  void setNode(core::NodeId node);
  core::NodeId node() const { return m_node; }
  /// An extra line under the header (e.g. which graph the weights belong to); "" = none.
  void setNote(const QString& note);
  /// Shows "computing…" in the status line until the next result.
  void setBusy(bool busy);

  /// The sample picker's value (index within the evaluation split).
  int64_t sampleIndex() const;
  void setSampleIndex(int64_t index);

  // --- For tests and the screenshot.
  std::shared_ptr<const core::PreviewResult> result() const { return m_result; }
  bool isGreyed() const { return m_greyed; }
  QString headerText() const;
  QString statusText() const;
  QString sampleText() const;
  QString statsText() const;
  /// What the canvas draws for the node: "feature_maps", "heatmap", "attention", "bars", "vector",
  /// "none" (statistics only) or "" (no node / no preview).
  QString shownKind() const;
  /// Feature-map tiles drawn (0 unless the kind is feature_maps).
  int featureMapCount() const;
  /// Whether the colour legend (low/high) is drawn.
  bool legendShown() const;
  /// The tile of feature map `i` in canvas coordinates (a click on it enlarges it).
  QRect featureMapRect(int i) const;
  int enlargedMap() const;
  QComboBox* headPicker() const { return m_head; }
  QSpinBox* sampleSpin() const { return m_sample; }
  PreviewCanvas* canvas() const { return m_canvas; }
  /// The preview of the shown node in the shown result, or nullptr.
  const core::NodePreview* shownNode() const;

 Q_SIGNALS:
  /// The user picked another sample.
  void sampleChanged(int64_t index);

 private:
  void refresh();

  std::shared_ptr<const core::PreviewResult> m_result;  // the last valid result
  bool m_greyed = false;
  QString m_reason, m_note;
  bool m_busy = false;
  core::NodeId m_node = -1;
  bool m_settingSample = false;

  QLabel* m_header = nullptr;
  QLabel* m_status = nullptr;
  QSpinBox* m_sample = nullptr;
  QToolButton* m_prev = nullptr;
  QToolButton* m_next = nullptr;
  QLabel* m_sampleInfo = nullptr;
  QLabel* m_sampleImage = nullptr;
  QLabel* m_sampleText = nullptr;
  QWidget* m_headRow = nullptr;
  QComboBox* m_head = nullptr;
  QScrollArea* m_scroll = nullptr;
  PreviewCanvas* m_canvas = nullptr;
};

/// The drawing area of the pane (inside a scroll area): its height follows its width.
class PreviewCanvas : public QWidget {
  Q_OBJECT
 public:
  explicit PreviewCanvas(QWidget* parent = nullptr);
  void setContent(const core::NodePreview* node, bool greyed, int head, int truth = -1);
  QString kind() const { return m_kind; }
  int featureMapCount() const { return m_kind == "feature_maps" && m_node ? int(m_node->images.size()) : 0; }
  bool legendShown() const { return m_legend; }
  QRect featureMapRect(int i) const { return i >= 0 && i < m_tiles.size() ? m_tiles[i] : QRect(); }
  int enlargedMap() const { return m_enlarged; }
  void setEnlargedMap(int i);
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  /// Lays out (and with a painter, draws) everything at the current width; returns the height.
  int render(QPainter* painter);
  int drawLegend(QPainter* p, int x, int y, int w, double low, double high);

  const core::NodePreview* m_node = nullptr;
  bool m_greyed = false;
  int m_head = 0;
  int m_truth = -1;
  QString m_kind;
  bool m_legend = false;
  QVector<QRect> m_tiles;
  int m_enlarged = -1;
};

}  // namespace nc::widgets

#pragma once
// The per-layer analysis as a sortable table (MATLAB's Analyze, torchinfo's summary): one row per
// node with its output shape, parameters, FLOPs per sample, activation memory for a batch and its
// share of the total, from core::analyzeLayers. Selecting rows selects the nodes on the canvas and
// the canvas selection selects the rows. "Tint canvas by" colours the canvas cards by cost (a
// light ramp on a log scale, grey for nodes that are not part of the model) with a legend.
//
// Wiring (MainWindow): put it in a dock, then
//   table->setEditor(editor);   // refreshes on editor->changed() (cheap: one pass over the nodes)
//   table->setScene(scene);     // row <-> node selection, tints via GraphScene::setNodeTints
// Both may be called again (e.g. on a new project they stay valid: the editor object persists).
#include <QPointer>
#include <QWidget>
#include <map>
#include <vector>

#include "core/LayerAnalysis.h"

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace nc::widgets {

class GraphEditor;
class GraphScene;
class LayerTableModel;
class CostLegend;

class AnalysisTable : public QWidget {
  Q_OBJECT
 public:
  /// What the tint and the Share column measure. None: no tint, Share of parameters.
  enum class Cost { None = 0, Parameters = 1, Flops = 2, Memory = 3 };
  enum Column { NameColumn, TypeColumn, ShapeColumn, ParamsColumn, FlopsColumn, MemoryColumn, ShareColumn, ColumnCount };

  explicit AnalysisTable(QWidget* parent = nullptr);
  ~AnalysisTable() override;

  void setEditor(GraphEditor* editor);
  void setScene(GraphScene* scene);
  /// Recomputes the rows and the tint (called on editor->changed(); public for tests). While the
  /// table is hidden only the tint is updated; the table itself is filled when it is shown.
  void refresh();

  /// The cost the canvas is tinted by (the combo "Tint canvas by"); None removes the tint.
  Cost tintCost() const;
  void setTintCost(Cost cost);
  /// The colours last given to the scene (empty when the tint is off).
  const std::map<core::NodeId, QColor>& tints() const { return m_tints; }

  const std::vector<core::LayerRow>& rows() const { return m_rows; }
  /// The row of the (sorted) view that shows `node`, or -1.
  int viewRowOf(core::NodeId node) const;
  /// The node shown on a row of the (sorted) view, or -1.
  core::NodeId nodeAtViewRow(int row) const;

  QTableView* view() const { return m_view; }
  QComboBox* tintCombo() const { return m_tintCombo; }
  QLabel* totalsLabel() const { return m_totals; }
  /// The legend under the table (hidden while the tint is off) and its end labels.
  QWidget* legend() const { return m_legendBox; }
  QLabel* legendMinLabel() const { return m_legendMin; }
  QLabel* legendMaxLabel() const { return m_legendMax; }

  /// The ramp colour for t in [0, 1] (light blue -> light orange -> red-orange) before the canvas
  /// blends it with the card; notLive() for nodes that are not part of the model.
  static QColor rampColor(double t);
  static QColor notLiveColor();

  /// Text forms used by the table (public for tests): "1,234,567", "6.1 MB", "12.3 %".
  static QString groupedNumber(qint64 n);
  static QString bytesText(qint64 bytes);

 Q_SIGNALS:
  /// The user selected rows: their nodes (also selected on the scene when one is set).
  void nodesSelected(const std::vector<core::NodeId>& nodes);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void updateModel();
  void fitColumns();
  void onRowSelectionChanged();
  void onSceneSelectionChanged();
  void applyTints();
  void updateTotals();

  QPointer<GraphEditor> m_editor;
  QPointer<GraphScene> m_scene;
  QMetaObject::Connection m_editorConnection, m_sceneConnection;
  std::vector<core::LayerRow> m_rows;
  std::map<core::NodeId, QColor> m_tints;
  LayerTableModel* m_model = nullptr;
  QSortFilterProxyModel* m_proxy = nullptr;
  QTableView* m_view = nullptr;
  QComboBox* m_tintCombo = nullptr;
  QWidget* m_legendBox = nullptr;
  CostLegend* m_legend = nullptr;
  QLabel* m_legendMin = nullptr;
  QLabel* m_legendMax = nullptr;
  QLabel* m_totals = nullptr;
  bool m_syncing = false;
  bool m_modelStale = false;
};

}  // namespace nc::widgets

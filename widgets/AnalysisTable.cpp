#include "widgets/AnalysisTable.h"

#include <QAbstractTableModel>
#include <QComboBox>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelection>
#include <QLabel>
#include <QLinearGradient>
#include <QLocale>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <set>

#include "core/CheckedMath.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

namespace {

using Cost = AnalysisTable::Cost;

/// How strongly the canvas blends a tint into a card (GraphScene/NodeItem use 0.55): the legend
/// shows the colours as they appear on the cards.
constexpr double kCanvasBlend = 0.55;

QColor blendOnWhite(const QColor& c, double a) {
  return QColor::fromRgbF(float(1 - a + c.redF() * a), float(1 - a + c.greenF() * a), float(1 - a + c.blueF() * a));
}

int64_t costOf(const core::LayerRow& r, Cost c) {
  switch (c) {
    case Cost::Flops: return r.flops;
    case Cost::Memory: return r.activationBytes;
    default: return r.params;
  }
}

double shareOf(const core::LayerRow& r, Cost c) {
  switch (c) {
    case Cost::Flops: return r.flopShare;
    case Cost::Memory: return r.memoryShare;
    default: return r.paramShare;
  }
}

QString costText(int64_t v, Cost c) {
  return c == Cost::Memory ? AnalysisTable::bytesText(v) : AnalysisTable::groupedNumber(v);
}

}  // namespace

/// The rows as a table model: display text, and under Qt::UserRole the value to sort by.
class LayerTableModel : public QAbstractTableModel {
 public:
  using QAbstractTableModel::QAbstractTableModel;

  /// A copy: the table's own rows may change before the view is told. The same nodes in the same
  /// order (a parameter edit, a rename) update in place, which keeps the selection and is cheaper
  /// than a reset.
  void setRows(std::vector<core::LayerRow> rows, QString modelOutput) {
    const bool sameNodes = rows.size() == m_rows.size() &&
                           std::equal(rows.begin(), rows.end(), m_rows.begin(), [](const auto& a, const auto& b) { return a.node == b.node; });
    if (sameNodes && !rows.empty()) {
      m_rows = std::move(rows);
      m_modelOutput = std::move(modelOutput);
      Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
      return;
    }
    beginResetModel();
    m_rows = std::move(rows);
    m_modelOutput = std::move(modelOutput);
    endResetModel();
  }
  void setShareCost(Cost c) {
    m_share = c == Cost::None ? Cost::Parameters : c;
    Q_EMIT headerDataChanged(Qt::Horizontal, AnalysisTable::ShareColumn, AnalysisTable::ShareColumn);
    if (rowCount() > 0)
      Q_EMIT dataChanged(index(0, AnalysisTable::ShareColumn), index(rowCount() - 1, AnalysisTable::ShareColumn));
  }
  core::NodeId nodeAt(int row) const { return row >= 0 && row < rowCount() ? m_rows[size_t(row)].node : -1; }
  int rowOf(core::NodeId id) const {
    for (size_t i = 0; i < m_rows.size(); ++i)
      if (m_rows[i].node == id) return int(i);
    return -1;
  }

  int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
  int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : AnalysisTable::ColumnCount; }

  QVariant headerData(int section, Qt::Orientation o, int role) const override {
    if (o != Qt::Horizontal) return {};
    if (role == Qt::DisplayRole) {
      switch (section) {
        case AnalysisTable::NameColumn: return QObject::tr("Name");
        case AnalysisTable::TypeColumn: return QObject::tr("Type");
        case AnalysisTable::ShapeColumn: return QObject::tr("Output shape");
        case AnalysisTable::ParamsColumn: return QObject::tr("Parameters");
        case AnalysisTable::FlopsColumn: return QObject::tr("FLOPs");
        case AnalysisTable::MemoryColumn: return QObject::tr("Activation memory");
        case AnalysisTable::ShareColumn:
          return m_share == Cost::Flops ? QObject::tr("Share of FLOPs")
                 : m_share == Cost::Memory ? QObject::tr("Share of memory")
                                           : QObject::tr("Share of parameters");
      }
    }
    if (role == Qt::ToolTipRole) {
      switch (section) {
        case AnalysisTable::FlopsColumn: return QObject::tr("Forward floating-point operations per sample");
        case AnalysisTable::MemoryColumn: return QObject::tr("The node's output for one batch (the training batch size), kept for backward");
        case AnalysisTable::ShareColumn: return QObject::tr("Part of the model's total; nodes not on the path Input → Output count for nothing");
      }
    }
    return {};
  }

  QVariant data(const QModelIndex& index, int role) const override {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const core::LayerRow& r = m_rows[size_t(index.row())];
    const int col = index.column();
    const bool numeric = col >= AnalysisTable::ParamsColumn;
    switch (role) {
      case Qt::DisplayRole:
        switch (col) {
          case AnalysisTable::NameColumn: return QString::fromStdString(r.name);
          case AnalysisTable::TypeColumn: return QString::fromStdString(r.type);
          case AnalysisTable::ShapeColumn:
            if (r.output) return QString::fromStdString(r.output->str());
            return r.type == "Output" && !m_modelOutput.isEmpty() ? QStringLiteral("→ ") + m_modelOutput : QStringLiteral("?");
          case AnalysisTable::ParamsColumn: return AnalysisTable::groupedNumber(r.params);
          case AnalysisTable::FlopsColumn: return AnalysisTable::groupedNumber(r.flops);
          case AnalysisTable::MemoryColumn: return AnalysisTable::bytesText(r.activationBytes);
          case AnalysisTable::ShareColumn:
            return r.live ? QString::number(100.0 * shareOf(r, m_share), 'f', 1) + QStringLiteral(" %") : QStringLiteral("—");
        }
        return {};
      case Qt::UserRole:  // sort key
        switch (col) {
          case AnalysisTable::NameColumn: return QString::fromStdString(r.name).toLower();
          case AnalysisTable::TypeColumn: return QString::fromStdString(r.type).toLower();
          case AnalysisTable::ShapeColumn: return qlonglong(r.output ? r.output->numel() : -1);
          case AnalysisTable::ParamsColumn: return qlonglong(r.params);
          case AnalysisTable::FlopsColumn: return qlonglong(r.flops);
          case AnalysisTable::MemoryColumn: return qlonglong(r.activationBytes);
          case AnalysisTable::ShareColumn: return r.live ? shareOf(r, m_share) : -1.0;
        }
        return {};
      case Qt::TextAlignmentRole:
        return numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
      case Qt::ForegroundRole:
        return r.live ? QVariant() : QVariant(QColor(0x71, 0x80, 0x96));
      case Qt::ToolTipRole:
        if (!r.live) return QObject::tr("%1 is not on a path from the Input to the Output: it is not part of the model").arg(QString::fromStdString(r.name));
        if (col == AnalysisTable::MemoryColumn) return QObject::tr("%1 bytes").arg(AnalysisTable::groupedNumber(r.activationBytes));
        return {};
    }
    return {};
  }

 private:
  std::vector<core::LayerRow> m_rows;
  QString m_modelOutput;
  Cost m_share = Cost::Parameters;
};

/// The colour ramp of the tint, as the cards show it.
class CostLegend : public QWidget {
 public:
  using QWidget::QWidget;
  QSize sizeHint() const override { return {160, 14}; }
  QSize minimumSizeHint() const override { return {60, 12}; }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    QLinearGradient g(r.topLeft(), r.topRight());
    for (int i = 0; i <= 10; ++i) g.setColorAt(i / 10.0, blendOnWhite(AnalysisTable::rampColor(i / 10.0), kCanvasBlend));
    p.setPen(QColor(0xa0, 0xae, 0xc0));
    p.setBrush(g);
    p.drawRoundedRect(r, 3, 3);
  }
};

AnalysisTable::AnalysisTable(QWidget* parent) : QWidget(parent) {
  setObjectName("analysisTable");
  m_model = new LayerTableModel(this);
  m_proxy = new QSortFilterProxyModel(this);
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(Qt::UserRole);
  m_proxy->setDynamicSortFilter(true);

  m_view = new QTableView(this);
  m_view->setObjectName("analysisView");
  m_view->setModel(m_proxy);
  m_view->setSortingEnabled(true);
  m_view->sortByColumn(-1, Qt::AscendingOrder);  // the topological order until a header is clicked
  m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_view->setAlternatingRowColors(true);
  m_view->verticalHeader()->hide();
  m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
  // Widths are fitted by fitColumns() after each update (ResizeToContents asks the delegate for
  // every cell's size hint on every change: too slow for a 200-node graph edited live).
  m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  m_view->horizontalHeader()->setStretchLastSection(false);
  m_view->horizontalHeader()->setSortIndicatorShown(true);
  m_view->setWordWrap(false);
  m_view->setTextElideMode(Qt::ElideNone);
  connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AnalysisTable::onRowSelectionChanged);

  m_tintCombo = new QComboBox(this);
  m_tintCombo->setObjectName("tintCombo");
  m_tintCombo->addItem(tr("none"), int(Cost::None));
  m_tintCombo->addItem(tr("parameters"), int(Cost::Parameters));
  m_tintCombo->addItem(tr("FLOPs"), int(Cost::Flops));
  m_tintCombo->addItem(tr("memory"), int(Cost::Memory));
  m_tintCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(m_tintCombo, &QComboBox::currentIndexChanged, this, [this]() {
    m_model->setShareCost(tintCost());
    fitColumns();  // the Share header changes
    applyTints();
  });
  auto* tintLabel = new QLabel(tr("Tint canvas by:"), this);
  tintLabel->setBuddy(m_tintCombo);

  m_legendBox = new QWidget(this);
  m_legendBox->setObjectName("costLegend");
  auto* legendRow = new QHBoxLayout(m_legendBox);
  legendRow->setContentsMargins(0, 0, 0, 0);
  m_legendMin = new QLabel(m_legendBox);
  m_legendMin->setObjectName("legendMin");
  m_legend = new CostLegend(m_legendBox);
  m_legendMax = new QLabel(m_legendBox);
  m_legendMax->setObjectName("legendMax");
  auto* notLive = new QLabel(m_legendBox);
  notLive->setText(QStringLiteral("<span style=\"background-color:%1\">&nbsp;&nbsp;&nbsp;&nbsp;</span> %2")
                       .arg(blendOnWhite(notLiveColor(), kCanvasBlend).name(), tr("not in the model")));
  legendRow->addWidget(m_legendMin);
  legendRow->addWidget(m_legend, 1);
  legendRow->addWidget(m_legendMax);
  auto* scale = new QLabel(tr("(log scale)"), m_legendBox);
  scale->setStyleSheet("color: #4a5568;");
  legendRow->addWidget(scale);
  legendRow->addSpacing(12);
  legendRow->addWidget(notLive);
  m_legendBox->setToolTip(tr("Colours on a logarithmic scale from the cheapest to the costliest node"));
  m_legendBox->hide();

  auto* top = new QHBoxLayout;
  top->addWidget(tintLabel);
  top->addWidget(m_tintCombo);
  top->addStretch(1);

  m_totals = new QLabel(this);
  m_totals->setObjectName("analysisTotals");
  m_totals->setWordWrap(true);
  m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(top);
  layout->addWidget(m_legendBox);
  layout->addWidget(m_view, 1);
  layout->addWidget(m_totals);
}

AnalysisTable::~AnalysisTable() {
  // QWidget's destructor closes the window and deletes the children, which may still signal
  // (selection cleared, combo changed): nothing may reach this half-destroyed table.
  m_syncing = true;
  m_view->selectionModel()->disconnect(this);
  m_tintCombo->disconnect(this);
  disconnect(m_editorConnection);
  disconnect(m_sceneConnection);
  // The tint belongs to this table: take it off the canvas when the table goes.
  if (m_scene && !m_tints.empty()) m_scene->setNodeTints({});
}

void AnalysisTable::setEditor(GraphEditor* editor) {
  if (m_editorConnection) disconnect(m_editorConnection);
  m_editor = editor;
  if (editor) m_editorConnection = connect(editor, &GraphEditor::changed, this, &AnalysisTable::refresh);
  refresh();
}

void AnalysisTable::setScene(GraphScene* scene) {
  if (m_sceneConnection) disconnect(m_sceneConnection);
  if (m_scene && m_scene != scene && !m_tints.empty()) m_scene->setNodeTints({});
  m_scene = scene;
  if (scene) m_sceneConnection = connect(scene, &QGraphicsScene::selectionChanged, this, &AnalysisTable::onSceneSelectionChanged);
  applyTints();
  onSceneSelectionChanged();
}

void AnalysisTable::refresh() {
  if (m_editor) {
    m_rows = core::analyzeLayers(m_editor->graph(), m_editor->analysis(), m_editor->project().training);
  } else {
    m_rows.clear();
  }
  applyTints();  // the canvas tint follows edits even while the table is hidden
  if (!isVisible()) {
    m_modelStale = true;  // filled when shown: a hidden dock costs an edit nothing more
    if (m_model->rowCount() > 0) m_model->setRows({}, {});
    return;
  }
  updateModel();
}

void AnalysisTable::updateModel() {
  m_modelStale = false;
  m_syncing = true;
  const core::TensorShape* out = m_editor ? m_editor->analysis().modelOutput() : nullptr;
  m_model->setRows(m_rows, out ? QString::fromStdString(out->str()) : QString());
  m_syncing = false;
  fitColumns();
  updateTotals();
  onSceneSelectionChanged();  // a reset dropped the row selection: take it from the canvas again
}

void AnalysisTable::fitColumns() {
  const QFontMetrics fm(m_view->font());
  const QFontMetrics headerFm(m_view->horizontalHeader()->font());
  const int pad = 2 * m_view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_view) + 14;
  QAbstractItemModel* model = m_view->model();
  for (int c = 0; c < ColumnCount; ++c) {
    // The header: its text plus room for the sort arrow.
    int w = headerFm.horizontalAdvance(model->headerData(c, Qt::Horizontal).toString()) + pad + 16;
    for (int r = 0; r < model->rowCount(); ++r) w = std::max(w, fm.horizontalAdvance(model->index(r, c).data().toString()) + pad);
    if (m_view->columnWidth(c) != w) m_view->setColumnWidth(c, w);
  }
}

void AnalysisTable::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_modelStale) updateModel();
}

AnalysisTable::Cost AnalysisTable::tintCost() const { return Cost(m_tintCombo->currentData().toInt()); }

void AnalysisTable::setTintCost(Cost cost) { m_tintCombo->setCurrentIndex(m_tintCombo->findData(int(cost))); }

int AnalysisTable::viewRowOf(core::NodeId node) const {
  int source = m_model->rowOf(node);
  return source < 0 ? -1 : m_proxy->mapFromSource(m_model->index(source, 0)).row();
}

core::NodeId AnalysisTable::nodeAtViewRow(int row) const {
  return m_model->nodeAt(m_proxy->mapToSource(m_proxy->index(row, 0)).row());
}

QColor AnalysisTable::rampColor(double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  // light blue -> light orange -> red-orange
  const QColor stops[] = {QColor(0x9e, 0xc5, 0xe8), QColor(0xfd, 0xc0, 0x70), QColor(0xe8, 0x4a, 0x2c)};
  const double x = t * 2;
  const int i = std::min(1, int(x));
  const double f = x - i;
  const QColor &a = stops[i], &b = stops[i + 1];
  return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * f), float(a.greenF() + (b.greenF() - a.greenF()) * f),
                          float(a.blueF() + (b.blueF() - a.blueF()) * f));
}

QColor AnalysisTable::notLiveColor() { return QColor(0x8a, 0x94, 0xa3); }

QString AnalysisTable::groupedNumber(qint64 n) {
  if (n == core::kSaturated) return QStringLiteral("> 9.2e18");
  return QLocale(QLocale::English, QLocale::UnitedStates).toString(n);
}

QString AnalysisTable::bytesText(qint64 bytes) {
  if (bytes == core::kSaturated) return QStringLiteral("> 8 EB");
  if (bytes < 1024) return QString::number(bytes) + QStringLiteral(" B");
  const char* units[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
  double v = double(bytes);
  int u = -1;
  while (v >= 1024 && u < 5) v /= 1024, ++u;
  return QString::number(v, 'f', v < 10 ? 2 : v < 100 ? 1 : 0) + QLatin1Char(' ') + QLatin1String(units[u]);
}

void AnalysisTable::updateTotals() {
  const core::LayerTotals t = core::layerTotals(m_rows);
  const int64_t batch = m_editor ? m_editor->project().training.batchSize : 0;
  m_totals->setText(tr("Total: %1 parameters · %2 FLOPs per sample · %3 of activations for a batch of %4")
                        .arg(groupedNumber(t.params), groupedNumber(t.flops), bytesText(t.activationBytes))
                        .arg(batch));
}

void AnalysisTable::applyTints() {
  const Cost cost = tintCost();
  std::map<core::NodeId, QColor> tints;
  if (cost != Cost::None) {
    double lo = 0, hi = 0;
    int64_t minV = 0, maxV = 0;
    bool any = false;
    for (const core::LayerRow& r : m_rows) {
      if (!r.live) continue;
      const int64_t v = std::max<int64_t>(0, costOf(r, cost));
      if (!any || v < minV) minV = v;
      if (!any || v > maxV) maxV = v;
      any = true;
    }
    lo = std::log1p(double(minV));
    hi = std::log1p(double(maxV));
    for (const core::LayerRow& r : m_rows) {
      if (!r.live) {
        tints[r.node] = notLiveColor();
        continue;
      }
      const double v = std::log1p(double(std::max<int64_t>(0, costOf(r, cost))));
      tints[r.node] = rampColor(hi > lo ? (v - lo) / (hi - lo) : 0.5);
    }
    m_legendMin->setText(costText(minV, cost));
    m_legendMax->setText(costText(maxV, cost));
  }
  m_legendBox->setVisible(cost != Cost::None);
  if (tints == m_tints) return;  // nothing new for the canvas (keeps a 200-node refresh cheap)
  m_tints = std::move(tints);
  if (m_scene) m_scene->setNodeTints(m_tints);
}

void AnalysisTable::onRowSelectionChanged() {
  if (m_syncing) return;
  std::vector<core::NodeId> ids;
  for (const QModelIndex& i : m_view->selectionModel()->selectedRows()) {
    core::NodeId id = nodeAtViewRow(i.row());
    if (id >= 0) ids.push_back(id);
  }
  if (m_scene) {
    m_syncing = true;
    m_scene->selectNodes(std::set<core::NodeId>(ids.begin(), ids.end()));
    m_syncing = false;
    if (ids.size() == 1)
      if (NodeItem* item = m_scene->nodeItem(ids.front()))
        for (QGraphicsView* v : m_scene->views()) v->ensureVisible(item);
  }
  Q_EMIT nodesSelected(ids);
}

void AnalysisTable::onSceneSelectionChanged() {
  if (m_syncing || !m_scene) return;
  m_syncing = true;
  QItemSelection selection;
  int first = -1;
  for (core::NodeId id : m_scene->selectedNodes()) {
    int row = viewRowOf(id);
    if (row < 0) continue;
    selection.select(m_proxy->index(row, 0), m_proxy->index(row, ColumnCount - 1));
    first = first < 0 ? row : std::min(first, row);
  }
  m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  if (first >= 0) m_view->scrollTo(m_proxy->index(first, 0));
  m_syncing = false;
}

}  // namespace nc::widgets

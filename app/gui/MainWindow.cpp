#include "app/gui/MainWindow.h"

#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/LayerType.h"
#include "core/ShapeInference.h"
#include "widgets/LayerPalette.h"

namespace nc::app {

namespace {
QString withThousands(int64_t n) { return QLocale(QLocale::English).toString(qlonglong(n)); }
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  auto* paletteBox = new QWidget;
  auto* paletteLayout = new QVBoxLayout(paletteBox);
  auto* search = new QLineEdit;
  search->setPlaceholderText(tr("Search layers"));
  search->setClearButtonEnabled(true);
  m_palette = new widgets::LayerPalette;
  paletteLayout->addWidget(search);
  paletteLayout->addWidget(m_palette);
  connect(search, &QLineEdit::textChanged, m_palette, &widgets::LayerPalette::filter);
  auto* paletteDock = new QDockWidget(tr("Layers"));
  paletteDock->setObjectName("palette");
  paletteDock->setWidget(paletteBox);
  addDockWidget(Qt::LeftDockWidgetArea, paletteDock);

  m_nodes = new QTableWidget(0, 5);
  m_nodes->setHorizontalHeaderLabels({tr("Id"), tr("Name"), tr("Type"), tr("Output shape"), tr("Parameters")});
  m_nodes->horizontalHeader()->setStretchLastSection(true);
  m_nodes->verticalHeader()->hide();
  m_nodes->setEditTriggers(QAbstractItemView::NoEditTriggers);
  setCentralWidget(m_nodes);

  m_summary = new QLabel;
  m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_summary->setMargin(8);
  auto* summaryDock = new QDockWidget(tr("Summary"));
  summaryDock->setObjectName("summary");
  summaryDock->setWidget(m_summary);
  addDockWidget(Qt::RightDockWidgetArea, summaryDock);

  m_problems = new QListWidget;
  auto* problemsDock = new QDockWidget(tr("Problems"));
  problemsDock->setObjectName("problems");
  problemsDock->setWidget(m_problems);
  addDockWidget(Qt::BottomDockWidgetArea, problemsDock);
  refresh();
}

bool MainWindow::openProject(const QString& path) {
  core::ProjectLoad load = core::loadProject(path.toStdString());
  if (!load.ok()) {
    QMessageBox::critical(this, tr("Cannot open project"), QString::fromStdString(load.error));
    return false;
  }
  m_project = std::move(*load.project);
  m_path = path;
  refresh();
  return true;
}

void MainWindow::refresh() {
  const core::Graph& g = m_project.graph;
  core::GraphAnalysis a = core::analyze(g);
  setWindowTitle(QStringLiteral("%1 — NeuralCanvas").arg(m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName()));
  m_nodes->setRowCount(int(a.order.size()));
  int row = 0;
  for (core::NodeId id : a.order) {
    const core::Node& n = *g.node(id);
    const core::TensorShape* s = a.shapeOf(id);
    QString shape = s ? QString::fromStdString(s->str()) : (n.layer->isOutput() && a.modelOutput() ? QString::fromStdString(a.modelOutput()->str()) : QStringLiteral("?"));
    const QStringList cells = {QString::number(id), QString::fromStdString(n.name), QString::fromStdString(n.type), shape,
                               withThousands(core::nodeParamCount(n, a))};
    for (int c = 0; c < cells.size(); ++c) m_nodes->setItem(row, c, new QTableWidgetItem(cells[c]));
    ++row;
  }
  m_nodes->resizeColumnsToContents();

  core::GraphSummary sum = core::summarize(g, a);
  m_summary->setText(tr("<b>%1</b><br><br>Nodes: %2<br>Parameters: %3<br>FLOPs per sample: %4<br>Output: %5")
                         .arg(QString::fromStdString(m_project.name).toHtmlEscaped())
                         .arg(g.nodes().size())
                         .arg(withThousands(sum.params))
                         .arg(withThousands(sum.flops))
                         .arg(a.modelOutput() ? QString::fromStdString(a.modelOutput()->str()) : tr("none")));
  m_problems->clear();
  for (const auto& issue : a.issues) {
    QString where = issue.node >= 0 ? QString::fromStdString(g.node(issue.node)->name) + ": " : QString();
    auto* item = new QListWidgetItem((issue.severity == core::Severity::Error ? tr("Error: ") : tr("Warning: ")) + where +
                                     QString::fromStdString(issue.message));
    m_problems->addItem(item);
  }
  statusBar()->showMessage(a.ok() ? tr("Model is valid") : tr("%1 problem(s)").arg(a.issues.size()));
}

}  // namespace nc::app

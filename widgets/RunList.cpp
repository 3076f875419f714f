#include "widgets/RunList.h"

#include <QDir>
#include <QHeaderView>

#include "widgets/RunHistory.h"

namespace nc::widgets {
namespace {

constexpr int kDirectoryRole = Qt::UserRole + 1;

QColor statusColor(const QString& status) {
  if (status == "completed") return QColor(30, 130, 60);
  if (status == "failed") return QColor(190, 30, 30);
  if (status == "running") return QColor(30, 90, 200);
  return QColor(150, 110, 0);  // stopped, interrupted
}

}  // namespace

RunList::RunList(QWidget* parent) : QTreeWidget(parent) {
  setColumnCount(kColumnCount);
  setHeaderLabels({tr("Run"), tr("Status"), tr("Best val. acc."), tr("Started"), tr("Settings")});
  setRootIsDecorated(false);
  setAlternatingRowColors(true);
  setSelectionMode(QAbstractItemView::ExtendedSelection);
  setUniformRowHeights(true);
  header()->setStretchLastSection(true);
  header()->setSectionResizeMode(QHeaderView::Interactive);
  setToolTip(tr("Runs of this project. Select several (Ctrl-click) to compare their curves."));
  connect(this, &QTreeWidget::itemSelectionChanged, this, [this] { Q_EMIT selectionChangedTo(selectedRuns()); });
  connect(this, &QTreeWidget::itemDoubleClicked, this,
          [this](QTreeWidgetItem* item) { Q_EMIT runActivated(item->data(kName, kDirectoryRole).toString()); });
}

void RunList::setRunsRoot(const QString& root) {
  if (root == m_root) return;
  m_root = root;
  clear();
  refresh();
}

void RunList::setActiveRun(const QString& directory) {
  m_active = directory.isEmpty() ? QString() : QDir(directory).absolutePath();
  refresh();
}

void RunList::refresh() {
  const QStringList selected = selectedRuns();
  const QSignalBlocker block(this);
  clear();
  if (!m_root.isEmpty()) {
    for (const QString& dir : findRunDirectories(m_root)) {
      RunSummary s = readRunSummary(dir);
      QString status = s.status;
      if (status == "running" && s.directory != m_active) status = "interrupted";
      auto* item = new QTreeWidgetItem(this);
      item->setText(kName, s.name);
      item->setData(kName, kDirectoryRole, s.directory);
      item->setText(kDate, s.started.toString("yyyy-MM-dd HH:mm"));
      QString epochs = s.epochsPlanned > 0 ? QStringLiteral(" (%1/%2)").arg(s.epochsCompleted).arg(s.epochsPlanned)
                                           : QString();
      item->setText(kStatus, status + epochs);
      item->setForeground(kStatus, statusColor(status));
      item->setText(kBestAccuracy, s.bestValAccuracy > 0 ? QString::number(s.bestValAccuracy * 100.0, 'f', 2) + " %"
                                                         : QStringLiteral("–"));
      item->setTextAlignment(kBestAccuracy, Qt::AlignRight | Qt::AlignVCenter);
      item->setText(kSettings, s.settings);
      QString tip = s.directory;
      if (!s.message.isEmpty()) tip += "\n" + s.message;
      if (s.testAccuracy >= 0) tip += tr("\ntest accuracy %1 %").arg(s.testAccuracy * 100.0, 0, 'f', 2);
      for (int c = 0; c < kColumnCount; ++c) item->setToolTip(c, tip);
    }
  }
  for (int c = 0; c < kSettings; ++c) resizeColumnToContents(c);
  applySelection(selected);
  if (selectedRuns() != selected) Q_EMIT selectionChangedTo(selectedRuns());
}

void RunList::applySelection(const QStringList& directories) {
  const QSignalBlocker block(this);
  for (int i = 0; i < topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = topLevelItem(i);
    item->setSelected(directories.contains(item->data(kName, kDirectoryRole).toString()));
  }
}

QStringList RunList::selectedRuns() const {
  QStringList out;
  for (int i = 0; i < topLevelItemCount(); ++i)
    if (topLevelItem(i)->isSelected()) out << topLevelItem(i)->data(kName, kDirectoryRole).toString();
  return out;
}

void RunList::selectRuns(const QStringList& directories) {
  applySelection(directories);
  Q_EMIT selectionChangedTo(selectedRuns());
}

QStringList RunList::runs() const {
  QStringList out;
  for (int i = 0; i < topLevelItemCount(); ++i) out << topLevelItem(i)->data(kName, kDirectoryRole).toString();
  return out;
}

}  // namespace nc::widgets

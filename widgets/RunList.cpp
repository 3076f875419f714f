#include "widgets/RunList.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QThread>
#include <algorithm>
#include <map>
#include <mutex>

namespace nc::widgets {
namespace {

constexpr int kDirectoryRole = Qt::UserRole + 1;

QColor statusColor(const QString& status) {
  if (status == "completed") return QColor(30, 130, 60);
  if (status == "failed") return QColor(190, 30, 30);
  if (status == "running") return QColor(30, 90, 200);
  if (status == "paused") return QColor(120, 80, 170);
  return QColor(150, 110, 0);  // stopped, interrupted
}

/// What a run folder's summary is read from: size and time of each file. Equal stamps mean the
/// cached summary is still right.
QString folderStamp(const QString& directory) {
  QString stamp;
  QDir dir(directory);
  for (const char* name : {"project.json", "result.json", "metrics.jsonl", "metrics.csv", "checkpoints/last.pt"}) {
    QFileInfo f(dir.filePath(name));
    stamp += f.exists() ? QStringLiteral("%1:%2;").arg(f.size()).arg(f.lastModified().toMSecsSinceEpoch())
                        : QStringLiteral("-;");
  }
  return stamp;
}

}  // namespace

/// The worker side of the list: scans a runs root and keeps each folder's summary with the stamp
/// it was read at. Only one scan runs at a time (the pool has one thread; the mutex makes the
/// cache's hand-over between pool threads explicit).
class RunList::Scanner {
 public:
  std::vector<RunSummary> scan(const QString& root) {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<RunSummary> out;
    std::map<QString, Entry> seen;
    for (const QString& dir : findRunDirectories(root)) {
      QString stamp = folderStamp(dir);
      auto cached = m_cache.find(dir);
      RunSummary s = cached != m_cache.end() && cached->second.stamp == stamp ? cached->second.summary
                                                                              : readRunSummary(dir);
      seen[dir] = Entry{stamp, s};
      out.push_back(std::move(s));
    }
    m_cache = std::move(seen);
    return out;
  }

 private:
  struct Entry {
    QString stamp;
    RunSummary summary;
  };
  std::mutex m_mutex;
  std::map<QString, Entry> m_cache;
};

RunList::RunList(QWidget* parent) : QTreeWidget(parent), m_scanner(std::make_shared<Scanner>()) {
  m_pool.setMaxThreadCount(1);
  m_pool.setExpiryTimeout(2000);
  m_pool.setObjectName("runListScanner");
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

RunList::~RunList() {
  // The task posts its result to this object: it must have ended before the object goes away.
  m_pool.waitForDone();
}

void RunList::setRunsRoot(const QString& root) {
  if (root == m_root) return;
  m_root = root;
  m_summaries.clear();
  fill();
  refresh();
}

void RunList::setActiveRun(const QString& directory) {
  m_active = directory.isEmpty() ? QString() : QDir(directory).absolutePath();
  m_activePaused = false;
  fill();  // the statuses follow at once; the folders' contents with the scan
  refresh();
}

void RunList::setActiveRunPaused(bool paused) {
  if (paused == m_activePaused) return;
  m_activePaused = paused;
  fill();
}

void RunList::setOwner(const RunOwner& owner) {
  if (owner == m_owner) return;
  m_owner = owner;
  fill();
}

void RunList::setShowAll(bool all) {
  if (all == m_showAll) return;
  m_showAll = all;
  fill();
  Q_EMIT refreshed();  // the panel updates its counts and buttons
}

void RunList::refresh() {
  if (m_scanning) {
    m_rescan = true;  // once the scan under way is shown
    return;
  }
  startScan();
}

void RunList::startScan() {
  m_scanning = true;
  m_rescan = false;
  const QString root = m_root;
  std::shared_ptr<Scanner> scanner = m_scanner;
  m_pool.start([this, scanner, root] {
    std::vector<RunSummary> found;
    if (!root.isEmpty()) found = scanner->scan(root);
    // Only the GUI thread touches the list: hand the values over through its event queue.
    QMetaObject::invokeMethod(this, [this, root, found]() { show(root, found); }, Qt::QueuedConnection);
  });
}

void RunList::show(const QString& root, std::vector<RunSummary> summaries) {
  m_scanning = false;
  if (root == m_root) {
    m_summaries = std::move(summaries);
    fill();
  }
  if (m_rescan || root != m_root) {
    startScan();
    return;
  }
  Q_EMIT refreshed();
}

bool RunList::waitForRefresh(int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  while (m_scanning && !deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    if (m_scanning) QThread::msleep(1);
  }
  return !m_scanning;
}

void RunList::fill() {
  const QStringList selected = selectedRuns();
  {
    const QSignalBlocker block(this);
    clear();
    m_hidden = 0;
    for (const RunSummary& s : m_summaries) {
      if (!m_showAll && !m_owner.isEmpty() && s.directory != m_active && !m_owner.owns(s)) {
        ++m_hidden;
        continue;
      }
      QString status = s.status;
      if (status == "running" && s.directory != m_active) status = "interrupted";
      if (s.directory == m_active) status = m_activePaused ? "paused" : "running";  // also a continued run
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
    // Fit the columns to their contents, but never narrower than a typical entry (an empty list
    // would otherwise squeeze them to their titles).
    const QFontMetrics fm(font());
    const QString typical[] = {QStringLiteral("project-20261129-173219"), QStringLiteral("completed (10/10)"),
                               QStringLiteral("Best val. acc."), QStringLiteral("2026-11-29 17:32")};
    for (int c = 0; c < kSettings; ++c) {
      resizeColumnToContents(c);
      setColumnWidth(c, std::max(columnWidth(c), fm.horizontalAdvance(typical[c]) + 16));
    }
    applySelection(selected);
  }
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

const RunSummary* RunList::summary(const QString& directory) const {
  for (const RunSummary& s : m_summaries)
    if (s.directory == directory) return &s;
  return nullptr;
}

}  // namespace nc::widgets

#include "widgets/MisclassifiedGallery.h"

#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QImage>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QScrollBar>
#include <QThread>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>

namespace nc::widgets {

namespace {

/// The sample's pixels ([C, H, W] bytes, C = 1 or 3) as an image; null without pixels.
QImage sampleImage(const core::MisclassifiedSample& s) {
  if (s.shape.size() != 3 || s.pixels.empty()) return {};
  const int c = int(s.shape[0]), h = int(s.shape[1]), w = int(s.shape[2]);
  if ((c != 1 && c != 3) || int64_t(s.pixels.size()) != int64_t(c) * h * w) return {};
  QImage image(w, h, QImage::Format_RGB32);
  const auto* p = reinterpret_cast<const uchar*>(s.pixels.data());
  const int plane = h * w;
  for (int y = 0; y < h; ++y) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < w; ++x) {
      int i = y * w + x;
      line[x] = c == 1 ? qRgb(p[i], p[i], p[i]) : qRgb(p[i], p[plane + i], p[2 * plane + i]);
    }
  }
  return image;
}

}  // namespace

MisclassifiedTiles::MisclassifiedTiles(QWidget* parent) : QAbstractScrollArea(parent) {
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  verticalScrollBar()->setSingleStep(kTileHeight / 4);
  viewport()->setAutoFillBackground(true);
  QPalette p = viewport()->palette();
  p.setColor(QPalette::Window, Qt::white);
  viewport()->setPalette(p);
  setMinimumSize(kTileWidth * 2, kTileHeight);
}

void MisclassifiedTiles::setSamples(std::shared_ptr<const core::MisclassifiedSet> set, std::vector<int> shown) {
  m_set = std::move(set);
  m_shown = std::move(shown);
  updateScrollRange();
  viewport()->update();
}

int MisclassifiedTiles::columns() const { return std::max(1, viewport()->width() / kTileWidth); }

void MisclassifiedTiles::updateScrollRange() {
  const int rows = (int(m_shown.size()) + columns() - 1) / columns();
  QScrollBar* bar = verticalScrollBar();
  bar->setPageStep(viewport()->height());
  bar->setRange(0, std::max(0, rows * kTileHeight - viewport()->height()));
}

void MisclassifiedTiles::resizeEvent(QResizeEvent* event) {
  QAbstractScrollArea::resizeEvent(event);
  updateScrollRange();
}

int MisclassifiedTiles::tileAt(const QPoint& pos) const {
  const int col = pos.x() / kTileWidth;
  if (col >= columns() || pos.x() < 0) return -1;
  const int row = (pos.y() + verticalScrollBar()->value()) / kTileHeight;
  const int i = row * columns() + col;
  return i >= 0 && i < int(m_shown.size()) ? i : -1;
}

QString MisclassifiedTiles::className(int64_t c) const {
  if (m_set && c >= 0 && c < int64_t(m_set->classNames.size()) && !m_set->classNames[size_t(c)].empty())
    return QString::fromStdString(m_set->classNames[size_t(c)]);
  return QString::number(c);
}

bool MisclassifiedTiles::viewportEvent(QEvent* event) {
  if (event->type() == QEvent::ToolTip && m_set) {
    auto* help = static_cast<QHelpEvent*>(event);
    int i = tileAt(help->pos());
    if (i < 0) {
      QToolTip::hideText();
      return true;
    }
    const core::MisclassifiedSample& s = m_set->samples[size_t(m_shown[size_t(i)])];
    QString text = tr("Validation sample %L1 (data row %L2)\ntrue: %3\npredicted: %4")
                       .arg(s.index)
                       .arg(s.datasetIndex)
                       .arg(className(s.trueClass), className(s.predicted));
    for (const auto& [cls, p] : s.top) text += tr("\n  %1: %2 %").arg(className(cls)).arg(p * 100.0, 0, 'f', 1);
    QToolTip::showText(help->globalPos(), text, viewport());
    return true;
  }
  return QAbstractScrollArea::viewportEvent(event);
}

void MisclassifiedTiles::paintEvent(QPaintEvent*) {
  QPainter painter(viewport());
  m_lastPainted = 0;
  if (!m_set || m_shown.empty()) return;
  const int cols = columns(), offset = verticalScrollBar()->value();
  const int firstRow = offset / kTileHeight;
  const int lastRow = (offset + viewport()->height()) / kTileHeight;
  QFontMetrics fm(painter.font());
  const int textLines = 3, imageSide = kTileHeight - textLines * fm.height() - 20;
  for (int row = firstRow; row <= lastRow; ++row)
    for (int col = 0; col < cols; ++col) {
      const int i = row * cols + col;
      if (i >= int(m_shown.size())) return;
      const core::MisclassifiedSample& s = m_set->samples[size_t(m_shown[size_t(i)])];
      QRect tile(col * kTileWidth, row * kTileHeight - offset, kTileWidth, kTileHeight);
      QRect inner = tile.adjusted(3, 3, -3, -3);
      painter.setPen(QPen(QColor(202, 0, 32), 2));
      painter.drawRect(inner);
      QRect imageRect(inner.center().x() - imageSide / 2, inner.top() + 4, imageSide, imageSide);
      QImage image = sampleImage(s);  // built only for visible tiles
      if (!image.isNull()) {
        painter.drawImage(imageRect, image);
      } else {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(imageRect, Qt::AlignCenter, tr("#%L1").arg(s.index));
      }
      painter.setPen(Qt::black);
      int y = imageRect.bottom() + 3;
      auto line = [&](const QString& text, const QColor& color) {
        painter.setPen(color);
        painter.drawText(QRect(inner.left() + 3, y, inner.width() - 6, fm.height()), Qt::AlignHCenter,
                         fm.elidedText(text, Qt::ElideRight, inner.width() - 6));
        y += fm.height();
      };
      line(tr("→ %1").arg(className(s.predicted)), QColor(202, 0, 32));
      line(tr("true %1").arg(className(s.trueClass)), QColor(40, 40, 40));
      line(tr("%1 %").arg(s.confidence * 100.0, 0, 'f', 1), QColor(90, 90, 90));
      ++m_lastPainted;
    }
}

MisclassifiedGallery::MisclassifiedGallery(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* row = new QHBoxLayout;
  m_trueCombo = new QComboBox(this);
  m_trueCombo->setObjectName("misclassifiedTrueFilter");
  m_predictedCombo = new QComboBox(this);
  m_predictedCombo->setObjectName("misclassifiedPredictedFilter");
  for (QComboBox* combo : {m_trueCombo, m_predictedCombo}) {
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    combo->setMinimumContentsLength(12);
  }
  m_count = new QLabel(this);
  m_count->setObjectName("misclassifiedCount");
  m_count->setTextFormat(Qt::PlainText);
  row->addWidget(new QLabel(tr("True class:"), this));
  row->addWidget(m_trueCombo);
  row->addSpacing(12);
  row->addWidget(new QLabel(tr("Predicted:"), this));
  row->addWidget(m_predictedCombo);
  row->addSpacing(12);
  row->addWidget(m_count, 1);
  layout->addLayout(row);
  m_tiles = new MisclassifiedTiles(this);
  layout->addWidget(m_tiles, 1);
  fillCombos();
  for (QComboBox* combo : {m_trueCombo, m_predictedCombo})
    connect(combo, &QComboBox::currentIndexChanged, this, [this] { refill(); });
  refill();
}

MisclassifiedGallery::~MisclassifiedGallery() {
  ++m_generation;
  for (const QPointer<QThread>& t : m_threads)
    if (t) t->wait();
}

void MisclassifiedGallery::loadRun(const QString& runDirectory, bool wait) {
  const std::string path = QDir(runDirectory).filePath("misclassified.json").toStdString();
  const int generation = ++m_generation;
  auto result = std::make_shared<core::MisclassifiedLoad>();
  if (wait) {
    *result = core::readMisclassified(path);
    apply(result->ok ? std::make_shared<core::MisclassifiedSet>(std::move(result->set)) : nullptr,
          result->ok ? QString() : QString::fromStdString(result->error));
    return;
  }
  QThread* thread = QThread::create([result, path] { *result = core::readMisclassified(path); });
  ++m_loading;
  connect(thread, &QThread::finished, this, [this, result, generation] {
    --m_loading;
    if (generation != m_generation) return;  // a newer load or a clear came since
    apply(result->ok ? std::make_shared<core::MisclassifiedSet>(std::move(result->set)) : nullptr,
          result->ok ? QString() : QString::fromStdString(result->error));
  });
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  m_threads.erase(std::remove_if(m_threads.begin(), m_threads.end(), [](const QPointer<QThread>& t) { return !t; }),
                  m_threads.end());
  m_threads.emplace_back(thread);
  thread->start(QThread::LowPriority);
}

void MisclassifiedGallery::setSet(const core::MisclassifiedSet& set) {
  ++m_generation;
  apply(std::make_shared<core::MisclassifiedSet>(set), {});
}

void MisclassifiedGallery::clear() {
  ++m_generation;
  m_set.reset();
  m_error.clear();
  fillCombos();
  refill();
}

void MisclassifiedGallery::apply(std::shared_ptr<const core::MisclassifiedSet> set, const QString& error) {
  m_set = std::move(set);
  m_error = error;
  fillCombos();
  refill();
  Q_EMIT loaded(m_set != nullptr);
}

void MisclassifiedGallery::fillCombos() {
  const int keepTrue = trueFilter(), keepPredicted = predictedFilter();
  const size_t classes = m_set ? std::max(m_set->classNames.size(), m_set->confusion.size()) : 0;
  std::vector<int> trueCounts(classes), predictedCounts(classes);
  if (m_set)
    for (const auto& s : m_set->samples) {
      if (size_t(s.trueClass) < classes) ++trueCounts[size_t(s.trueClass)];
      if (size_t(s.predicted) < classes) ++predictedCounts[size_t(s.predicted)];
    }
  auto fill = [&](QComboBox* combo, const std::vector<int>& counts, int keep) {
    QSignalBlocker block(combo);
    combo->clear();
    combo->addItem(tr("All classes"), -1);
    for (size_t c = 0; c < classes; ++c) {
      QString name = c < m_set->classNames.size() && !m_set->classNames[c].empty()
                         ? QString::fromStdString(m_set->classNames[c])
                         : QString::number(c);
      combo->addItem(tr("%1 (%L2)").arg(name).arg(counts[c]), int(c));
    }
    int at = combo->findData(keep);
    combo->setCurrentIndex(at >= 0 ? at : 0);
  };
  fill(m_trueCombo, trueCounts, keepTrue);
  fill(m_predictedCombo, predictedCounts, keepPredicted);
}

int MisclassifiedGallery::trueFilter() const {
  return m_trueCombo->currentIndex() >= 0 ? m_trueCombo->currentData().toInt() : -1;
}

int MisclassifiedGallery::predictedFilter() const {
  return m_predictedCombo->currentIndex() >= 0 ? m_predictedCombo->currentData().toInt() : -1;
}

void MisclassifiedGallery::setFilters(int trueClass, int predictedClass) {
  {
    QSignalBlocker a(m_trueCombo), b(m_predictedCombo);
    int t = m_trueCombo->findData(trueClass), p = m_predictedCombo->findData(predictedClass);
    m_trueCombo->setCurrentIndex(t >= 0 ? t : 0);
    m_predictedCombo->setCurrentIndex(p >= 0 ? p : 0);
  }
  refill();
}

void MisclassifiedGallery::refill() {
  m_shown.clear();
  const int t = trueFilter(), p = predictedFilter();
  if (m_set)
    for (size_t i = 0; i < m_set->samples.size(); ++i) {
      const core::MisclassifiedSample& s = m_set->samples[i];
      if ((t < 0 || s.trueClass == t) && (p < 0 || s.predicted == p)) m_shown.push_back(int(i));
    }
  m_tiles->setSamples(m_set, m_shown);
  m_tiles->verticalScrollBar()->setValue(0);
  m_count->setText(countText());
}

QString MisclassifiedGallery::countText() const {
  if (!m_set)
    return m_error.isEmpty() ? tr("No misclassified samples yet: they appear after the first validation pass.")
                             : m_error;
  QLocale locale;
  const int64_t all = m_set->misclassified;
  QString text = tr("%1 of %2 misclassified shown")
                     .arg(locale.toString(qlonglong(m_shown.size())), locale.toString(qlonglong(all)));
  if (m_set->capped)
    text += tr(" (the file lists the first %1 only)").arg(locale.toString(qlonglong(m_set->samples.size())));
  text += tr(" · epoch %1, %2 split of %L3 samples")
              .arg(m_set->epoch)
              .arg(QString::fromStdString(m_set->split))
              .arg(m_set->evaluated);
  return text;
}

}  // namespace nc::widgets

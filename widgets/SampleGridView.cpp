#include "widgets/SampleGridView.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <algorithm>

namespace nc::widgets {

namespace {
constexpr int kCell = 128;      // cell width and image area height
constexpr int kCaption = 34;    // two lines under the image
constexpr int kMargin = 8;

/// [C, H, W] bytes (C = 1 or 3) as an image.
QImage toImage(const QJsonArray& shape, const QJsonArray& pixels) {
  if (shape.size() != 3) return {};
  int c = shape[0].toInt(), h = shape[1].toInt(), w = shape[2].toInt();
  if ((c != 1 && c != 3) || h <= 0 || w <= 0 || pixels.size() != qsizetype(c) * h * w) return {};
  QImage image(w, h, QImage::Format_RGB32);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      auto at = [&](int ch) { return pixels[qsizetype(ch) * h * w + qsizetype(y) * w + x].toInt(); };
      int r = at(0), g = c == 3 ? at(1) : r, b = c == 3 ? at(2) : r;
      image.setPixel(x, y, qRgb(r, g, b));
    }
  return image;
}
}  // namespace

SampleGridView::SampleGridView(QWidget* parent) : QWidget(parent) { setMinimumHeight(kCell); }

bool SampleGridView::loadRun(const QString& runDirectory) {
  clear();
  QFile file(runDirectory + "/validation_samples.json");
  if (!file.open(QIODevice::ReadOnly)) return false;
  QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
  for (const QJsonValue& name : root.value("class_names").toArray()) m_classes << name.toString();
  m_epoch = root.value("epoch").toInt();
  for (const QJsonValue& v : root.value("samples").toArray()) {
    QJsonObject o = v.toObject();
    ShownSample s;
    s.trueClass = o.value("true").toInt();
    s.predictedClass = o.value("predicted").toInt();
    s.confidence = o.value("confidence").toDouble();
    s.image = toImage(o.value("shape").toArray(), o.value("pixels").toArray());
    m_samples.push_back(std::move(s));
  }
  updateGeometry();
  update();
  return !m_samples.empty();
}

void SampleGridView::clear() {
  m_samples.clear();
  m_classes.clear();
  m_epoch = 0;
  update();
}

int SampleGridView::correctCount() const {
  return int(std::count_if(m_samples.begin(), m_samples.end(),
                           [](const ShownSample& s) { return s.trueClass == s.predictedClass; }));
}

QString SampleGridView::className(int index) const {
  return index >= 0 && index < m_classes.size() ? m_classes[index] : QString::number(index);
}

int SampleGridView::columns() const { return std::max(1, (width() - kMargin) / (kCell + kMargin)); }

QSize SampleGridView::sizeHint() const {
  int cols = 8, rows = int((m_samples.size() + size_t(cols) - 1) / size_t(cols));
  return {cols * (kCell + kMargin) + kMargin, std::max(1, rows) * (kCell + kCaption + kMargin) + kMargin + 20};
}

void SampleGridView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  if (m_samples.empty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter, tr("Validation samples appear here after the first epoch of a classification run."));
    return;
  }
  p.setPen(palette().color(QPalette::Text));
  p.drawText(QRect(kMargin, 2, width() - 2 * kMargin, 18), Qt::AlignLeft | Qt::AlignVCenter,
             tr("First %1 validation samples after epoch %2: %3 predicted correctly")
                 .arg(m_samples.size()).arg(m_epoch).arg(correctCount()));
  const int cols = columns();
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  p.setFont(small);
  for (size_t i = 0; i < m_samples.size(); ++i) {
    const ShownSample& s = m_samples[i];
    int col = int(i) % cols, row = int(i) / cols;
    QRect cell(kMargin + col * (kCell + kMargin), 20 + kMargin + row * (kCell + kCaption + kMargin), kCell,
               kCell + kCaption);
    bool right = s.trueClass == s.predictedClass;
    QColor frame = right ? QColor(0x2f, 0x85, 0x5a) : QColor(0xc5, 0x30, 0x30);
    QRect imageArea(cell.left(), cell.top(), kCell, kCell);
    if (!s.image.isNull()) {
      p.drawImage(imageArea.adjusted(3, 3, -3, -3), s.image);
    } else {
      p.fillRect(imageArea.adjusted(3, 3, -3, -3), palette().alternateBase());
    }
    p.setPen(QPen(frame, 3));
    p.drawRect(imageArea.adjusted(1, 1, -2, -2));
    p.setPen(frame);
    p.drawText(QRect(cell.left(), cell.top() + kCell, kCell, kCaption / 2), Qt::AlignCenter,
               tr("%1 (%2%)").arg(className(s.predictedClass)).arg(qRound(s.confidence * 100)));
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(cell.left(), cell.top() + kCell + kCaption / 2, kCell, kCaption / 2), Qt::AlignCenter,
               tr("true: %1").arg(className(s.trueClass)));
  }
}

}  // namespace nc::widgets

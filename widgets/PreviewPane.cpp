#include "widgets/PreviewPane.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "widgets/WheelGuard.h"

namespace nc::widgets {

namespace {
constexpr int kMargin = 8;
constexpr int kGap = 6;
constexpr int kTileMin = 44;
constexpr int kTileMax = 96;
constexpr int kHistHeight = 90;
constexpr int kBarRow = 16;

QString shapeText(const std::vector<int64_t>& shape) {
  QStringList parts;
  for (int64_t d : shape) parts << QString::number(d);
  return "[" + parts.join(", ") + "]";
}

QString num(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? QStringLiteral("NaN") : (v > 0 ? QStringLiteral("inf") : QStringLiteral("-inf"));
  if (v == 0) return QStringLiteral("0");
  const double a = std::abs(v);
  if (a >= 1e4 || a < 1e-3) return QString::number(v, 'e', 2);
  return QString::number(v, 'g', 4);
}

QColor greyOf(const QColor& c) {
  const int g = qGray(c.rgb());
  return QColor(g, g, g);
}
}  // namespace

QColor previewColor(double t) {
  // A perceptually ordered ramp (dark blue, blue, teal, green, yellow), interpolated linearly.
  static const double stops[][3] = {{0.07, 0.04, 0.30}, {0.19, 0.22, 0.56}, {0.13, 0.47, 0.56},
                                    {0.16, 0.69, 0.47}, {0.64, 0.84, 0.22}, {0.99, 0.91, 0.15}};
  constexpr int n = 6;
  if (!std::isfinite(t)) return QColor(255, 0, 255);  // NaN/inf stand out
  t = std::clamp(t, 0.0, 1.0) * (n - 1);
  const int i = std::min(int(t), n - 2);
  const double f = t - i;
  auto mix = [&](int k) { return stops[i][k] * (1 - f) + stops[i + 1][k] * f; };
  return QColor::fromRgbF(float(mix(0)), float(mix(1)), float(mix(2)));
}

QImage previewImageToQImage(const core::PreviewImage& image, bool grey) {
  if (image.rows <= 0 || image.cols <= 0 || int64_t(image.values.size()) < image.rows * image.cols) return {};
  QImage out(int(image.cols), int(image.rows), QImage::Format_RGB32);
  // A lookup table: 256 colours of the ramp, so a large map costs one table read per value.
  static const std::vector<QRgb> ramp = [] {
    std::vector<QRgb> r(256);
    for (int i = 0; i < 256; ++i) r[size_t(i)] = previewColor(i / 255.0).rgb();
    return r;
  }();
  for (int y = 0; y < out.height(); ++y) {
    auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
    for (int x = 0; x < out.width(); ++x) {
      const float v = image.values[size_t(y) * size_t(image.cols) + size_t(x)];
      if (!std::isfinite(v)) {
        line[x] = qRgb(255, 0, 255);
        continue;
      }
      const int k = std::clamp(int(std::lround(double(v) * 255)), 0, 255);
      line[x] = grey ? qRgb(k, k, k) : ramp[size_t(k)];
    }
  }
  return out;
}

QImage previewThumbnail(const core::NodePreview& node, bool grey) {
  if (node.kind == "feature_maps" && !node.images.empty()) {
    // Up to 8 maps in two rows of four, one pixel apart.
    const int count = int(std::min<size_t>(node.images.size(), 8));
    const int cols = std::min(count, 4), rows = (count + cols - 1) / cols;
    const int h = int(node.images[0].rows), w = int(node.images[0].cols);
    if (h <= 0 || w <= 0) return {};
    QImage out(cols * w + cols - 1, rows * h + rows - 1, QImage::Format_RGB32);
    out.fill(grey ? QColor(0xf7, 0xf7, 0xf7) : QColor(0xf7, 0xfa, 0xfc));
    QPainter p(&out);
    for (int i = 0; i < count; ++i) p.drawImage(QPoint((i % cols) * (w + 1), (i / cols) * (h + 1)), previewImageToQImage(node.images[size_t(i)], grey));
    return out;
  }
  if ((node.kind == "heatmap" || node.kind == "vector") && !node.images.empty()) return previewImageToQImage(node.images[0], grey);
  if (!node.attention.empty()) return previewImageToQImage(node.attention[0], grey);
  if (node.kind == "bars" && !node.bars.empty()) {
    const int n = int(node.bars.size()), bw = 4, h = 24;
    QImage out(n * (bw + 1), h, QImage::Format_RGB32);
    out.fill(grey ? QColor(0xf7, 0xf7, 0xf7) : QColor(0xf7, 0xfa, 0xfc));
    QPainter p(&out);
    double mx = *std::max_element(node.bars.begin(), node.bars.end());
    if (mx <= 0) mx = 1;
    for (int i = 0; i < n; ++i) {
      const int bh = std::max(1, int(std::lround(h * std::clamp(node.bars[size_t(i)] / mx, 0.0, 1.0))));
      p.fillRect(QRect(i * (bw + 1), h - bh, bw, bh), grey ? QColor(0x80, 0x80, 0x80) : QColor(0x2b, 0x6c, 0xb0));
    }
    return out;
  }
  return {};
}

// ---------------------------------------------------------------- PreviewPane

PreviewPane::PreviewPane(QWidget* parent) : QWidget(parent) {
  setObjectName("previewPane");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(4);
  m_header = new QLabel;
  m_header->setObjectName("previewHeader");
  m_header->setWordWrap(true);
  m_header->setTextFormat(Qt::RichText);
  layout->addWidget(m_header);
  m_status = new QLabel;
  m_status->setObjectName("previewStatus");
  m_status->setWordWrap(true);
  m_status->setStyleSheet("color: #9c4221;");
  m_status->hide();
  layout->addWidget(m_status);

  auto* sampleRow = new QHBoxLayout;
  sampleRow->setSpacing(3);
  sampleRow->addWidget(new QLabel(tr("Sample")));
  m_prev = new QToolButton;
  m_prev->setObjectName("previewPrevSample");
  m_prev->setArrowType(Qt::LeftArrow);
  m_prev->setToolTip(tr("Previous sample"));
  m_sample = new QSpinBox;
  m_sample->setObjectName("previewSample");
  m_sample->setRange(0, 0);
  m_sample->setKeyboardTracking(false);
  m_sample->setToolTip(tr("Index of the sample within the evaluation split"));
  m_next = new QToolButton;
  m_next->setObjectName("previewNextSample");
  m_next->setArrowType(Qt::RightArrow);
  m_next->setToolTip(tr("Next sample"));
  m_sampleInfo = new QLabel;
  m_sampleInfo->setObjectName("previewSampleInfo");
  sampleRow->addWidget(m_prev);
  sampleRow->addWidget(m_sample);
  sampleRow->addWidget(m_next);
  sampleRow->addWidget(m_sampleInfo, 1);
  layout->addLayout(sampleRow);

  auto* inputRow = new QHBoxLayout;
  m_sampleImage = new QLabel;
  m_sampleImage->setObjectName("previewSampleImage");
  m_sampleImage->setFixedSize(56, 56);
  m_sampleImage->setAlignment(Qt::AlignCenter);
  m_sampleImage->setStyleSheet("border: 1px solid #cbd5e0;");
  m_sampleText = new QLabel;
  m_sampleText->setObjectName("previewSampleText");
  m_sampleText->setWordWrap(true);
  m_sampleText->setTextFormat(Qt::PlainText);
  m_sampleText->setTextInteractionFlags(Qt::TextSelectableByMouse);
  inputRow->addWidget(m_sampleImage);
  inputRow->addWidget(m_sampleText, 1);
  layout->addLayout(inputRow);

  m_headRow = new QWidget;
  auto* headLayout = new QHBoxLayout(m_headRow);
  headLayout->setContentsMargins(0, 0, 0, 0);
  headLayout->addWidget(new QLabel(tr("Attention head")));
  m_head = new QComboBox;
  m_head->setObjectName("previewHead");
  headLayout->addWidget(m_head, 1);
  m_headRow->hide();
  layout->addWidget(m_headRow);

  m_canvas = new PreviewCanvas;
  m_scroll = new QScrollArea;
  m_scroll->setObjectName("previewScroll");
  m_scroll->setWidget(m_canvas);
  m_scroll->setWidgetResizable(true);
  m_scroll->setFrameShape(QFrame::NoFrame);
  m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  layout->addWidget(m_scroll, 1);

  guardWheel(m_sample);
  guardWheel(m_head);

  connect(m_prev, &QToolButton::clicked, this, [this]() { m_sample->setValue(m_sample->value() - 1); });
  connect(m_next, &QToolButton::clicked, this, [this]() { m_sample->setValue(m_sample->value() + 1); });
  connect(m_sample, &QSpinBox::valueChanged, this, [this](int v) {
    m_prev->setEnabled(v > m_sample->minimum());
    m_next->setEnabled(v < m_sample->maximum());
    if (!m_settingSample) Q_EMIT sampleChanged(v);
  });
  connect(m_head, &QComboBox::currentIndexChanged, this, [this]() { refresh(); });
  refresh();
}

void PreviewPane::setResult(std::shared_ptr<const core::PreviewResult> result) {
  m_busy = false;
  if (!result) return;
  if (!result->ok) {
    m_reason = QString::fromStdString(result->error);
    m_greyed = m_result != nullptr;
    if (!m_result) m_reason = tr("No preview: %1").arg(m_reason);
  } else {
    const bool first = m_result == nullptr;
    m_result = std::move(result);
    m_greyed = false;
    m_reason.clear();
    const core::PreviewSample& s = m_result->sample;
    // The picker's range follows the data; its value stays the user's choice (a result computed
    // for an earlier choice must not move it back), except for the first result.
    m_settingSample = true;
    m_sample->setRange(0, int(std::max<int64_t>(s.count - 1, 0)));
    if (first) m_sample->setValue(int(s.index));
    m_settingSample = false;
    m_prev->setEnabled(m_sample->value() > 0);
    m_next->setEnabled(m_sample->value() < m_sample->maximum());
  }
  refresh();
}

void PreviewPane::setNode(core::NodeId node) {
  if (node == m_node) return;
  m_node = node;
  m_canvas->setEnlargedMap(-1);
  refresh();
}

void PreviewPane::setNote(const QString& note) {
  if (note == m_note) return;
  m_note = note;
  refresh();
}

void PreviewPane::setBusy(bool busy) {
  if (busy == m_busy) return;
  m_busy = busy;
  refresh();
}

int64_t PreviewPane::sampleIndex() const { return m_sample->value(); }

void PreviewPane::setSampleIndex(int64_t index) {
  if (index > m_sample->maximum()) m_sample->setMaximum(int(index));
  m_sample->setValue(int(index));
}

const core::NodePreview* PreviewPane::shownNode() const {
  if (!m_result || m_node < 0) return nullptr;
  for (const core::NodePreview& n : m_result->nodes)
    if (n.nodeId == m_node) return &n;
  return nullptr;
}

QString PreviewPane::headerText() const { return m_header->text(); }
QString PreviewPane::statusText() const { return m_status->isHidden() ? QString() : m_status->text(); }
QString PreviewPane::sampleText() const { return m_sampleInfo->text() + " " + m_sampleText->text(); }
QString PreviewPane::shownKind() const { return m_canvas->kind(); }
int PreviewPane::featureMapCount() const { return m_canvas->featureMapCount(); }
bool PreviewPane::legendShown() const { return m_canvas->legendShown(); }
QRect PreviewPane::featureMapRect(int i) const { return m_canvas->featureMapRect(i); }
int PreviewPane::enlargedMap() const { return m_canvas->enlargedMap(); }

QString PreviewPane::statsText() const {
  const core::NodePreview* n = shownNode();
  if (!n) return {};
  const core::PreviewStats& s = n->stats;
  QString text = tr("mean %1   std %2   min %3   max %4").arg(num(s.mean), num(s.std), num(s.min), num(s.max));
  text += "\n" + tr("zeros %1 %").arg(QString::number(100.0 * s.zeroFraction, 'f', 1));
  if (s.zeroFraction >= 0.9) text += "  " + tr("(dead: most outputs are exactly 0, as from dying ReLUs)");
  else if (s.zeroFraction >= 0.5) text += "  " + tr("(many exact zeros: inactive ReLU units)");
  if (s.nonFinite > 0) text += "\n" + tr("%n NaN/inf value(s)", nullptr, int(s.nonFinite));
  return text;
}

void PreviewPane::refresh() {
  const core::NodePreview* n = shownNode();
  // Header: node, type, shape, weights.
  QString header;
  if (!m_result) {
    header = tr("<b>Preview</b>: select a node to see what it outputs for a sample of the data.");
  } else if (m_node < 0) {
    header = tr("<b>Preview</b>: select a node on the canvas.");
  } else if (!n) {
    header = tr("<b>Preview</b>: no output computed for this node yet.");
  } else {
    const QString weights = m_result->trainedWeights ? tr("weights of step %1").arg(m_result->weightsStep)
                                                      : tr("untrained weights");
    header = QString("<b>%1</b> <span style='color:#4a5568'>%2</span> &nbsp; output %3 &nbsp; <i>%4</i>")
                 .arg(QString::fromStdString(n->nodeName).toHtmlEscaped(), QString::fromStdString(n->type).toHtmlEscaped(),
                      shapeText(n->shape), weights);
  }
  if (!m_note.isEmpty()) header += "<br><span style='color:#4a5568'>" + m_note.toHtmlEscaped() + "</span>";
  m_header->setText(header);

  QString status;
  if (m_greyed) status = tr("Showing the last valid preview: %1").arg(m_reason);
  else if (!m_reason.isEmpty()) status = m_reason;
  if (m_busy) status = status.isEmpty() ? tr("Computing…") : status + " " + tr("(computing…)");
  m_status->setText(status);
  m_status->setVisible(!status.isEmpty());

  // The sample: its index range, true class and the input itself.
  if (m_result) {
    const core::PreviewSample& s = m_result->sample;
    m_sampleInfo->setText(tr("of %1 (%2)").arg(s.count).arg(QString::fromStdString(s.split)));
    QString label = s.label >= 0 ? tr("true class: %1").arg(s.labelName.empty() ? QString::number(s.label)
                                                                                : QString::fromStdString(s.labelName))
                                 : QString();
    if (!s.text.empty()) label = (label.isEmpty() ? QString() : label + "\n") + "\"" + QString::fromStdString(s.text) + "\"";
    m_sampleText->setText(label);
    QImage img = previewImageToQImage(s.image, true);
    if (!img.isNull()) {
      if (m_greyed) img = img.convertToFormat(QImage::Format_Grayscale8);
      m_sampleImage->setPixmap(QPixmap::fromImage(img.scaled(54, 54, Qt::KeepAspectRatio, Qt::FastTransformation)));
    } else {
      m_sampleImage->setPixmap({});
    }
    m_sampleImage->setVisible(!img.isNull());
  } else {
    m_sampleInfo->clear();
    m_sampleText->clear();
    m_sampleImage->hide();
  }

  // The head picker for attention maps.
  const int heads = n ? int(n->attention.size()) : 0;
  if (m_head->count() != heads) {
    const QSignalBlocker block(m_head);
    const int keep = m_head->currentIndex();
    m_head->clear();
    for (int i = 0; i < heads; ++i) {
      const std::string& l = n->attention[size_t(i)].label;
      m_head->addItem(l.empty() ? tr("head %1").arg(i) : QString::fromStdString(l));
    }
    m_head->setCurrentIndex(std::clamp(keep, 0, std::max(heads - 1, 0)));
  }
  m_headRow->setVisible(heads > 0);
  m_canvas->setContent(n, m_greyed, std::max(m_head->currentIndex(), 0), m_result ? int(m_result->sample.label) : -1);
}

// ---------------------------------------------------------------- PreviewCanvas

PreviewCanvas::PreviewCanvas(QWidget* parent) : QWidget(parent) {
  setObjectName("previewCanvas");
  setMouseTracking(false);
  setMinimumWidth(160);
}

QSize PreviewCanvas::sizeHint() const { return {300, 400}; }

void PreviewCanvas::setContent(const core::NodePreview* node, bool greyed, int head, int truth) {
  m_node = node;
  m_truth = truth;
  m_greyed = greyed;
  m_head = head;
  if (!node) m_kind.clear();
  else if (!node->attention.empty()) m_kind = "attention";
  else m_kind = QString::fromStdString(node->kind);
  if (m_enlarged >= featureMapCount()) m_enlarged = -1;
  const int h = render(nullptr);
  setMinimumHeight(h);
  update();
}

void PreviewCanvas::setEnlargedMap(int i) {
  if (i == m_enlarged) return;
  m_enlarged = i;
  setMinimumHeight(render(nullptr));
  update();
}

void PreviewCanvas::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  const int h = render(nullptr);
  if (h != minimumHeight()) setMinimumHeight(h);
}

void PreviewCanvas::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  render(&p);
}

void PreviewCanvas::mousePressEvent(QMouseEvent* event) {
  if (m_enlarged >= 0) {
    setEnlargedMap(-1);
    return;
  }
  for (int i = 0; i < m_tiles.size(); ++i)
    if (m_tiles[i].contains(event->position().toPoint())) {
      setEnlargedMap(i);
      return;
    }
  QWidget::mousePressEvent(event);
}

int PreviewCanvas::drawLegend(QPainter* p, int x, int y, int w, double low, double high) {
  m_legend = true;
  const int barW = std::min(w, 220), barH = 10;
  if (p) {
    QLinearGradient g(x, 0, x + barW, 0);
    for (int i = 0; i <= 10; ++i) {
      QColor c = previewColor(i / 10.0);
      g.setColorAt(i / 10.0, m_greyed ? greyOf(c) : c);
    }
    p->fillRect(QRect(x, y, barW, barH), g);
    p->setPen(QColor(0x4a, 0x55, 0x68));
    QFont f = p->font();
    f.setPointSizeF(8);
    p->setFont(f);
    p->drawText(QRect(x, y + barH + 1, barW, 14), Qt::AlignLeft | Qt::AlignVCenter, tr("low %1").arg(num(low)));
    p->drawText(QRect(x, y + barH + 1, barW, 14), Qt::AlignRight | Qt::AlignVCenter, tr("high %1").arg(num(high)));
  }
  return barH + 16;
}

int PreviewCanvas::render(QPainter* p) {
  m_legend = false;
  m_tiles.clear();
  const int w = std::max(width() - 2 * kMargin, 100);
  int y = kMargin;
  const QColor text(0x1a, 0x20, 0x2c), dim(0x4a, 0x55, 0x68);
  QFont small = font();
  small.setPointSizeF(8);
  auto title = [&](const QString& t) {
    if (p) {
      QFont f = font();
      f.setBold(true);
      p->setFont(f);
      p->setPen(text);
      p->drawText(QRect(kMargin, y, w, 18), Qt::AlignLeft | Qt::AlignVCenter, t);
    }
    y += 20;
  };
  if (p && m_greyed) p->setOpacity(0.55);
  if (!m_node) return y;
  const core::NodePreview& n = *m_node;

  auto drawImage = [&](const core::PreviewImage& img, const QRect& r) {
    if (!p) return;
    QImage q = previewImageToQImage(img, m_greyed);
    if (q.isNull()) return;
    p->drawImage(r, q);
    p->setPen(QColor(0xcb, 0xd5, 0xe0));
    p->setBrush(Qt::NoBrush);
    p->drawRect(r.adjusted(0, 0, -1, -1));
  };

  if (m_kind == "feature_maps" && !n.images.empty()) {
    const int64_t channels = n.shape.empty() ? int64_t(n.images.size()) : n.shape[0];
    title(int64_t(n.images.size()) < channels ? tr("Feature maps: first %1 of %2").arg(n.images.size()).arg(channels)
                                              : tr("Feature maps: %1 channels").arg(channels));
    const double aspect = n.images[0].rows > 0 ? double(n.images[0].cols) / double(n.images[0].rows) : 1.0;
    if (m_enlarged >= 0 && m_enlarged < int(n.images.size())) {
      const core::PreviewImage& img = n.images[size_t(m_enlarged)];
      const int side = std::min(w, 320);
      const QRect r(kMargin, y, side, int(side / std::max(aspect, 0.1)));
      drawImage(img, r);
      y = r.bottom() + 4;
      if (p) {
        p->setFont(small);
        p->setPen(dim);
        p->drawText(QRect(kMargin, y, w, 14), Qt::AlignLeft,
                    QString::fromStdString(img.label) + "  " + tr("(click to go back to all maps)"));
      }
      y += 18;
      for (size_t i = 0; i < n.images.size(); ++i) m_tiles.push_back(QRect());
    } else {
      const int cols = std::max(1, std::min(int(n.images.size()), w / (kTileMin + kGap)));
      const int tile = std::clamp((w - (cols - 1) * kGap) / cols, kTileMin, kTileMax);
      const int tileH = std::max(8, int(tile / std::max(aspect, 0.1)));
      const int cellH = tileH + 14;
      for (size_t i = 0; i < n.images.size(); ++i) {
        const int c = int(i) % cols, r = int(i) / cols;
        const QRect rect(kMargin + c * (tile + kGap), y + r * (cellH + kGap), tile, tileH);
        m_tiles.push_back(rect);
        drawImage(n.images[i], rect);
        if (p) {
          p->setFont(small);
          p->setPen(dim);
          QString label = n.images[i].label.empty() ? QString::number(i) : QString::fromStdString(n.images[i].label);
          // "channel 12" reads as "12" on a narrow tile.
          if (QFontMetrics(small).horizontalAdvance(label) > tile && label.contains(' ')) label = label.section(' ', -1);
          p->drawText(QRect(rect.left(), rect.bottom() + 1, tile, 13), Qt::AlignHCenter | Qt::AlignTop,
                      QFontMetrics(small).elidedText(label, Qt::ElideRight, tile));
        }
      }
      const int rows = (int(n.images.size()) + cols - 1) / cols;
      y += rows * (cellH + kGap);
    }
    y += drawLegend(p, kMargin, y, w, n.images[0].low, n.images[0].high) + kGap;
  } else if ((m_kind == "heatmap" || m_kind == "vector") && !n.images.empty()) {
    const core::PreviewImage& img = n.images[0];
    title(m_kind == "heatmap" ? tr("Heat map [%1 × %2]").arg(img.rows).arg(img.cols) : tr("Values (%1)").arg(img.cols));
    // Rows are time steps (or image rows), columns features: stretch to the width, at least 3 px a row.
    const int rowH = m_kind == "vector" ? 24 : std::clamp(int(double(w) / std::max<double>(double(img.cols), 1) * double(img.rows)) / std::max<int>(int(img.rows), 1), 3, 12);
    const QRect r(kMargin, y, w, m_kind == "vector" ? 24 : std::min<int>(int(img.rows) * rowH, 420));
    drawImage(img, r);
    y = r.bottom() + 2;
    if (p && m_kind == "heatmap") {
      p->setFont(small);
      p->setPen(dim);
      p->drawText(QRect(kMargin, y, w, 13), Qt::AlignLeft, tr("↓ rows (time)   → columns (features)"));
    }
    y += 16;
    y += drawLegend(p, kMargin, y, w, img.low, img.high) + kGap;
  } else if (m_kind == "attention") {
    const int h = std::clamp(m_head, 0, int(n.attention.size()) - 1);
    const core::PreviewImage& img = n.attention[size_t(h)];
    title(tr("Attention, %1 [query × key]").arg(img.label.empty() ? tr("head %1").arg(h) : QString::fromStdString(img.label)));
    const int side = std::min(w, 300);
    const QRect r(kMargin, y, side, int(double(side) * double(img.rows) / std::max<double>(double(img.cols), 1)));
    drawImage(img, r);
    y = r.bottom() + 4;
    y += drawLegend(p, kMargin, y, w, img.low, img.high) + kGap;
    // The node's own output as a heat map too, when given.
    if (!n.images.empty()) {
      const core::PreviewImage& out = n.images[0];
      title(tr("Output [%1 × %2]").arg(out.rows).arg(out.cols));
      const QRect o(kMargin, y, w, std::clamp<int>(int(out.rows) * 4, 24, 300));
      drawImage(out, o);
      y = o.bottom() + kGap;
    }
  } else if (m_kind == "bars" && !n.bars.empty()) {
    title(n.barLabels.empty() ? tr("Values") : tr("Class probabilities"));
    const int truth = m_truth;
    double mx = 0;
    for (double b : n.bars) mx = std::max(mx, std::abs(b));
    if (mx <= 0) mx = 1;
    const int labelW = std::min(110, w / 3), valueW = 52;
    const int barW = std::max(20, w - labelW - valueW - 8);
    size_t best = size_t(std::max_element(n.bars.begin(), n.bars.end()) - n.bars.begin());
    for (size_t i = 0; i < n.bars.size(); ++i) {
      const bool isTruth = int(i) == truth && !n.barLabels.empty();
      if (p) {
        p->setFont(small);
        QFont f = small;
        f.setBold(isTruth);
        p->setFont(f);
        p->setPen(text);
        const QString label = i < n.barLabels.size() ? QString::fromStdString(n.barLabels[i]) : QString::number(i);
        p->drawText(QRect(kMargin, y, labelW - 4, kBarRow), Qt::AlignRight | Qt::AlignVCenter,
                    QFontMetrics(f).elidedText(label, Qt::ElideRight, labelW - 4));
        const int len = std::max(1, int(std::lround(barW * std::min(1.0, std::abs(n.bars[i]) / mx))));
        QColor c = isTruth ? QColor(0x2f, 0x85, 0x5a) : i == best ? QColor(0xc0, 0x56, 0x21) : QColor(0x2b, 0x6c, 0xb0);
        if (m_greyed) c = greyOf(c);
        p->fillRect(QRect(kMargin + labelW, y + 2, len, kBarRow - 4), c);
        p->setPen(dim);
        p->drawText(QRect(kMargin + labelW + barW + 4, y, valueW, kBarRow), Qt::AlignLeft | Qt::AlignVCenter,
                    n.barLabels.empty() ? num(n.bars[i]) : QString::number(100 * n.bars[i], 'f', 1) + " %");
      }
      y += kBarRow;
    }
    if (p && !n.barLabels.empty()) {
      p->setFont(small);
      p->setPen(dim);
      p->drawText(QRect(kMargin, y + 2, w, 14), Qt::AlignLeft,
                  truth >= 0 ? tr("green: the true class; orange: the top prediction when it is wrong") : tr("orange: the top prediction"));
    }
    y += 20;
  } else {
    title(tr("Output %1").arg(shapeText(n.shape)));
    if (p) {
      p->setFont(small);
      p->setPen(dim);
      p->drawText(QRect(kMargin, y, w, 14), Qt::AlignLeft, tr("Nothing to draw for this output; its statistics:"));
    }
    y += 18;
  }

  // Every node: a histogram of its output values and the statistics.
  title(tr("Histogram of the output values"));
  const std::vector<int64_t>& counts = n.histogram.counts;
  const QRect hist(kMargin, y, w, kHistHeight);
  if (p) {
    p->setPen(QColor(0xcb, 0xd5, 0xe0));
    p->setBrush(Qt::NoBrush);
    p->drawLine(hist.bottomLeft(), hist.bottomRight());
    const int64_t mx = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    if (mx > 0) {
      const double bw = double(w) / double(counts.size());
      QColor c(0x2b, 0x6c, 0xb0);
      if (m_greyed) c = greyOf(c);
      for (size_t i = 0; i < counts.size(); ++i) {
        const int bh = counts[i] > 0 ? std::max(1, int(std::lround(double(kHistHeight - 2) * double(counts[i]) / double(mx)))) : 0;
        p->fillRect(QRectF(hist.left() + bw * double(i) + 0.5, hist.bottom() - bh, std::max(1.0, bw - 1), bh), c);
      }
    }
    p->setFont(small);
    p->setPen(dim);
    p->drawText(QRect(kMargin, hist.bottom() + 2, w, 13), Qt::AlignLeft, num(n.histogram.min));
    p->drawText(QRect(kMargin, hist.bottom() + 2, w, 13), Qt::AlignRight, num(n.histogram.max));
  }
  y = hist.bottom() + 18;
  const core::PreviewStats& s = n.stats;
  QStringList lines;
  lines << tr("mean %1   std %2").arg(num(s.mean), num(s.std)) << tr("min %1   max %2").arg(num(s.min), num(s.max));
  QString zeros = tr("zeros %1 % of %2 values").arg(QString::number(100.0 * s.zeroFraction, 'f', 1)).arg(s.count);
  lines << zeros;
  if (s.zeroFraction >= 0.9) lines << tr("dead: %1 % of the outputs are exactly 0 (dying ReLUs)").arg(QString::number(100.0 * s.zeroFraction, 'f', 0));
  else if (s.zeroFraction >= 0.5) lines << tr("many exact zeros: inactive ReLU units");
  if (s.nonFinite > 0) lines << tr("%1 NaN/inf values").arg(s.nonFinite);
  for (int i = 0; i < lines.size(); ++i) {
    const bool warn = i >= 3;
    if (p) {
      QFont f = font();
      f.setBold(warn);
      p->setFont(f);
      p->setPen(warn ? (m_greyed ? dim : QColor(0xc5, 0x30, 0x30)) : text);
      p->drawText(QRect(kMargin, y, w, 16), Qt::AlignLeft | Qt::AlignVCenter, lines[i]);
    }
    y += 17;
  }
  return y + kMargin;
}

}  // namespace nc::widgets

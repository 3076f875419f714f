#include "widgets/NodeItem.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>
#include <algorithm>
#include <map>
#include <variant>

#include "core/LayerType.h"

namespace nc::widgets {

namespace {
constexpr qreal kWidth = 172;
constexpr qreal kHeader = 24;
constexpr qreal kLine = 15;
constexpr qreal kPortRadius = 5.5;
constexpr qreal kPortSpacing = 20;
constexpr qreal kPortHit = kPortRadius + 4;  // a press this close to a port's centre starts a connection
constexpr int kMaxDetailLines = 3;
constexpr int kToolTipWrapChars = 70;  // longer tooltips wrap at a fixed width

const core::ParamValue* paramOf(const core::Node& node, const std::string& name) {
  auto it = node.params.find(name);
  return it == node.params.end() ? nullptr : &it->second;
}

/// Whether a parameter means nothing for the node as configured (a vocabulary size on a float Input).
bool irrelevant(const core::Node& node, const std::string& name) {
  if (name == "vocab_size") {
    const core::ParamValue* dtype = paramOf(node, "dtype");
    auto* s = dtype ? std::get_if<std::string>(dtype) : nullptr;
    return s && *s != "tokens";
  }
  return false;
}

/// The value as the layer reads it: a stride of 0 on a layer with a kernel_size means the kernel size.
core::ParamValue effectiveValue(const core::Node& node, const std::string& name, const core::ParamValue& v) {
  if (name == "stride") {
    auto* i = std::get_if<int64_t>(&v);
    if (i && *i == 0)
      if (const core::ParamValue* k = paramOf(node, "kernel_size")) return *k;
  }
  return v;
}
}  // namespace

QString paramValueText(const core::ParamValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return QString::number(*i);
  if (auto* d = std::get_if<double>(&v)) return QString::number(*d, 'g', 6);  // 0.001, 1e-05, 0.5
  if (auto* b = std::get_if<bool>(&v)) return *b ? QStringLiteral("yes") : QStringLiteral("no");
  if (auto* s = std::get_if<std::string>(&v)) return QString::fromStdString(*s);
  if (auto* l = std::get_if<std::vector<int64_t>>(&v)) {
    QStringList parts;
    for (int64_t x : *l) parts << QString::number(x);
    return "[" + parts.join(", ") + "]";
  }
  return {};
}

/// The parameters worth showing on the card: the first two (a layer's defining ones, e.g.
/// out_channels and kernel_size), then any other that differs from its default.
QStringList nodeDetailLines(const core::Node& node) {
  QStringList lines;
  if (!node.layer) return lines;
  const auto& specs = node.layer->params();
  for (size_t i = 0; i < specs.size() && lines.size() < kMaxDetailLines; ++i) {
    const core::ParamValue* v = paramOf(node, specs[i].name);
    if (!v || irrelevant(node, specs[i].name)) continue;
    if (i >= 2 && *v == specs[i].defaultValue) continue;
    lines << QString::fromStdString(specs[i].name) + " " + paramValueText(effectiveValue(node, specs[i].name, *v));
  }
  return lines;
}

QString wrappedToolTip(const QString& plain) {
  if (plain.isEmpty()) return {};
  QStringList paragraphs;
  for (const QString& line : plain.split('\n')) paragraphs << line.toHtmlEscaped();
  QString body = paragraphs.join("<br>");
  if (plain.size() <= kToolTipWrapChars) return "<qt>" + body + "</qt>";
  return "<qt><table width=\"420\"><tr><td>" + body + "</td></tr></table></qt>";
}

QColor categoryColor(const QString& category) {
  static const std::map<QString, QColor> colors = {
      {"Input/Output", QColor(0x4a, 0x55, 0x68)}, {"Convolution", QColor(0x2b, 0x6c, 0xb0)},
      {"Pooling", QColor(0x2c, 0x7a, 0x7b)},      {"Normalization", QColor(0x6b, 0x46, 0xc1)},
      {"Recurrent", QColor(0xb8, 0x32, 0x80)},    {"Attention", QColor(0xc0, 0x56, 0x21)},
      {"Activation", QColor(0x2f, 0x85, 0x5a)},   {"Shape", QColor(0x71, 0x80, 0x96)},
      {"Merge", QColor(0x97, 0x5a, 0x16)},        {"Dense", QColor(0x2a, 0x4a, 0x8a)},
      {"Regularization", QColor(0x80, 0x5a, 0x3b)}, {"Embedding", QColor(0x9b, 0x2c, 0x2c)}};
  auto it = colors.find(category);
  return it != colors.end() ? it->second : QColor(0x55, 0x60, 0x70);
}

NodeItem::NodeItem(core::NodeId id) : m_id(id) {
  setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
  setAcceptHoverEvents(true);
  setZValue(1);
  setCacheMode(DeviceCoordinateCache);
}

void NodeItem::update(const core::Node& node, Health health, const QString& issues) {
  QString name = QString::fromStdString(node.name), type = QString::fromStdString(node.type);
  QStringList details = nodeDetailLines(node);
  std::vector<QString> inputs;
  for (const auto& p : node.layer->inputPorts(core::Params(node.params))) inputs.push_back(QString::fromStdString(p));
  bool hasOutput = node.layer->outputCount() > 0;
  if (name != m_name || type != m_type || details != m_details || inputs != m_inputNames || health != m_health ||
      hasOutput != m_hasOutput)
    prepareGeometryChange();
  if (issues != m_issues || name != m_name || type != m_type || toolTip().isEmpty()) {
    QString tip = name + " (" + type + ")\n" + (issues.isEmpty() ? QString::fromStdString(node.layer->doc()) : issues);
    setToolTip(wrappedToolTip(tip));
    m_issues = issues;
  }
  m_name = name;
  m_type = type;
  m_category = QString::fromStdString(node.layer->category());
  m_details = details;
  m_inputNames = inputs;
  m_hasOutput = hasOutput;
  m_health = health;
  m_portStates.assign(m_inputNames.size(), PortState::Normal);
  // The tooltip names the node in full (the card elides long names), then the issues or the doc.
  QPointF pos(node.x, node.y);
  if (this->pos() != pos) setPos(pos);
  QGraphicsItem::update();
}

void NodeItem::setInputPortStates(std::vector<PortState> states) {
  states.resize(m_inputNames.size(), PortState::Normal);
  if (states == m_portStates) return;
  m_portStates = std::move(states);
  QGraphicsItem::update();
}

void NodeItem::setTopDown(bool topDown) {
  if (topDown == m_topDown) return;
  prepareGeometryChange();
  m_topDown = topDown;
  QGraphicsItem::update();
}

void NodeItem::setTint(const QColor& tint) {
  if (tint == m_tint) return;
  m_tint = tint;
  QGraphicsItem::update();
}

void NodeItem::setThumbnail(const QImage& thumbnail) {
  if (thumbnail.isNull() && m_thumbnail.isNull()) return;
  prepareGeometryChange();
  m_thumbnail = thumbnail;
  QGraphicsItem::update();
}

QRectF NodeItem::thumbnailRect() const {
  if (m_thumbnail.isNull()) return {};
  // At most 64 px high (the card's height in top-down flow) and 120 px wide, keeping the aspect.
  const qreal maxH = m_topDown ? std::clamp(height() - 4, 36.0, 64.0) : 56.0, maxW = 120;
  const qreal aspect = qreal(m_thumbnail.width()) / std::max(1, m_thumbnail.height());
  qreal h = maxH, w = h * aspect;
  if (w > maxW) w = maxW, h = w / aspect;
  if (m_topDown) return {kWidth + 12, (height() - h) / 2, w, h};
  return {(kWidth - w) / 2, height() + 8, w, h};
}

qreal NodeItem::height() const {
  qreal body = kLine + 6 + kLine * qreal(m_details.size());
  if (m_topDown) return kHeader + body + 6;
  qreal ports = kPortSpacing * qreal(std::max<size_t>(m_inputNames.size(), 1)) + 4;
  return kHeader + std::max(body, ports) + 6;
}

QPointF NodeItem::inputPortPos(int port) const {
  qreal n = qreal(std::max<size_t>(m_inputNames.size(), 1));
  if (m_topDown) return {kWidth * (qreal(port) + 0.5) / n, 0};
  qreal top = kHeader, h = height() - kHeader;
  return {0, top + h * (qreal(port) + 0.5) / n};
}

QPointF NodeItem::outputPortPos() const {
  if (m_topDown) return {kWidth / 2, height()};
  return {kWidth, kHeader + (height() - kHeader) / 2};
}
QPointF NodeItem::inputPortScenePos(int port) const { return mapToScene(inputPortPos(port)); }
QPointF NodeItem::outputPortScenePos() const { return mapToScene(outputPortPos()); }
QRectF NodeItem::cardSceneRect() const { return mapRectToScene(QRectF(0, 0, kWidth, height())); }

std::pair<bool, int> NodeItem::portAt(QPointF p, qreal tolerance) const {
  auto near = [&](QPointF c) { return QLineF(p, c).length() <= tolerance; };
  if (m_hasOutput && near(outputPortPos())) return {true, 0};
  for (int i = 0; i < inputCount(); ++i)
    if (near(inputPortPos(i))) return {false, i};
  return {false, -1};
}

QRectF NodeItem::boundingRect() const {
  const qreal m = kPortHit + 2;
  QRectF r = m_topDown ? QRectF(-4, -m - 10, kWidth + 14, height() + 2 * m + 10)  // port names above the card
                       : QRectF(-m, -10, kWidth + 2 * m, height() + 12);
  if (!m_thumbnail.isNull()) r = r.united(thumbnailRect().adjusted(-2, -2, 2, 2));
  return r;
}

QPainterPath NodeItem::shape() const {
  // One filled region: the card and every port disc. The winding rule matters: with the default
  // odd-even rule the half of a port disc that overlaps the card would be a hole, and a press on
  // the port's visible centre would fall through to the scene instead of starting a connection.
  QPainterPath p;
  p.setFillRule(Qt::WindingFill);
  p.addRoundedRect(QRectF(0, 0, kWidth, height()), 7, 7);
  for (int i = 0; i < inputCount(); ++i) p.addEllipse(inputPortPos(i), kPortHit, kPortHit);
  if (m_hasOutput) p.addEllipse(outputPortPos(), kPortHit, kPortHit);
  if (m_health != Health::Ok) p.addEllipse(QRectF(kWidth - 14, -8, 18, 18));
  return p;
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing);
  const QRectF card(0, 0, kWidth, height());
  const QColor header = categoryColor(m_category);
  QColor border = isSelected() ? QColor(0xf6, 0xad, 0x55) : QColor(0x2d, 0x37, 0x48);
  qreal borderWidth = isSelected() ? 2.5 : 1.2;
  if (m_health == Health::Error) border = QColor(0xe5, 0x3e, 0x3e), borderWidth = isSelected() ? 3 : 2.2;
  if (m_health == Health::Warning && !isSelected()) border = QColor(0xd6, 0x9e, 0x2e), borderWidth = 1.8;

  // The body: light grey-white, or the cost tint mixed with white so dark text stays readable.
  QColor body(0xf7, 0xfa, 0xfc);
  if (m_tint.isValid()) {
    const qreal a = 0.55 * m_tint.alphaF();
    body = QColor::fromRgbF(float(body.redF() * (1 - a) + m_tint.redF() * a),
                            float(body.greenF() * (1 - a) + m_tint.greenF() * a),
                            float(body.blueF() * (1 - a) + m_tint.blueF() * a));
  }
  const bool darkBody = body.lightnessF() < 0.45;
  QPainterPath cardPath;
  cardPath.addRoundedRect(card, 7, 7);
  painter->fillPath(cardPath, body);
  QPainterPath headerPath;
  headerPath.addRoundedRect(QRectF(0, 0, kWidth, kHeader + 7), 7, 7);
  painter->save();
  painter->setClipRect(QRectF(0, 0, kWidth, kHeader));
  painter->fillPath(headerPath, header);
  painter->restore();
  painter->setPen(QPen(border, borderWidth));
  painter->setBrush(Qt::NoBrush);
  painter->drawPath(cardPath);

  QFont font = painter->font();
  font.setPointSizeF(9);
  font.setBold(true);
  painter->setFont(font);
  painter->setPen(Qt::white);
  const QFontMetricsF titleMetrics(font);
  const qreal titleRight = m_health != Health::Ok ? 30 : 20;
  painter->drawText(QRectF(10, 0, kWidth - titleRight, kHeader), Qt::AlignVCenter | Qt::AlignLeft,
                    titleMetrics.elidedText(m_name, Qt::ElideRight, kWidth - titleRight));

  font.setBold(false);
  font.setPointSizeF(8.5);
  qreal y = kHeader + 3;
  qreal textLeft = !m_topDown && m_inputNames.size() > 1 ? 34 : 12;
  const qreal textWidth = kWidth - textLeft - 12;
  painter->setPen(darkBody ? QColor(Qt::white) : QColor(0x1a, 0x20, 0x2c));
  font.setItalic(true);
  painter->setFont(font);
  painter->drawText(QRectF(textLeft, y, textWidth, kLine), Qt::AlignVCenter | Qt::AlignLeft,
                    QFontMetricsF(font).elidedText(m_type, Qt::ElideRight, textWidth));
  font.setItalic(false);
  painter->setFont(font);
  y += kLine + 2;
  painter->setPen(darkBody ? QColor(0xe2, 0xe8, 0xf0) : QColor(0x4a, 0x55, 0x68));
  const QFontMetricsF metrics(font);
  for (const QString& line : m_details) {
    painter->drawText(QRectF(textLeft, y, textWidth, kLine), Qt::AlignVCenter | Qt::AlignLeft,
                      metrics.elidedText(line, Qt::ElideRight, textWidth));
    y += kLine;
  }

  // Ports; names beside inputs when a node has several (left of the card's text, or above the
  // top edge in top-down flow).
  QFont small = font;
  small.setPointSizeF(7);
  for (int i = 0; i < inputCount(); ++i) {
    QColor fill(0xe2, 0xe8, 0xf0), ring(0x4a, 0x55, 0x68);
    if (m_portStates[size_t(i)] == PortState::Accepting) fill = QColor(0x68, 0xd3, 0x91), ring = QColor(0x27, 0x67, 0x49);
    if (m_portStates[size_t(i)] == PortState::Refused) fill = QColor(0xed, 0xf2, 0xf7), ring = QColor(0xcb, 0xd5, 0xe0);
    painter->setPen(QPen(ring, 1.5));
    painter->setBrush(fill);
    const QPointF c = inputPortPos(i);
    painter->drawEllipse(c, kPortRadius, kPortRadius);
    if (m_inputNames.size() > 1) {
      painter->setPen(QColor(0x71, 0x80, 0x96));
      painter->setFont(small);
      QRectF r = m_topDown ? QRectF(c.x() + kPortRadius + 2, -kPortHit - 8, 40, 12) : QRectF(8, c.y() - 7, 26, 14);
      painter->drawText(r, Qt::AlignVCenter | Qt::AlignLeft, m_inputNames[size_t(i)]);
      painter->setFont(font);
    }
  }
  if (m_hasOutput) {
    painter->setPen(QPen(QColor(0x4a, 0x55, 0x68), 1.5));
    painter->setBrush(header.lighter(150));
    painter->drawEllipse(outputPortPos(), kPortRadius, kPortRadius);
  }
  if (!m_thumbnail.isNull()) {
    const QRectF t = thumbnailRect();
    painter->setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter->drawImage(t, m_thumbnail);
    painter->setPen(QPen(QColor(0xa0, 0xae, 0xc0), 1));
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(t);
  }
  if (m_health != Health::Ok) {  // badge in the top-right corner
    QRectF badge(kWidth - 14, -8, 18, 18);
    painter->setPen(Qt::NoPen);
    painter->setBrush(m_health == Health::Error ? QColor(0xe5, 0x3e, 0x3e) : QColor(0xd6, 0x9e, 0x2e));
    painter->drawEllipse(badge);
    painter->setPen(Qt::white);
    QFont bold = font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->drawText(badge, Qt::AlignCenter, QStringLiteral("!"));
  }
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemPositionHasChanged) Q_EMIT moved(m_id);
  if (change == ItemSelectedHasChanged) QGraphicsItem::update();
  return QGraphicsObject::itemChange(change, value);
}

}  // namespace nc::widgets

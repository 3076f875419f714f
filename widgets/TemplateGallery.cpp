#include "widgets/TemplateGallery.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>
#include <map>

#include "core/LayerType.h"
#include "core/Project.h"
#include "core/ShapeInference.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

namespace {

constexpr int kThumbWidth = 200;
constexpr int kThumbHeight = 280;
constexpr int kCardWidth = 236;

const char* const kShippedOrder[] = {"cnn", "residual_cnn", "lstm", "transformer", "char_lstm", "char_transformer"};
constexpr int kShipped = int(sizeof(kShippedOrder) / sizeof(kShippedOrder[0]));

/// One card: picture, title, one line, size, Open. Double-click anywhere on it opens.
class TemplateCard : public QFrame {
 public:
  TemplateCard(const TemplateInfo& info, const QImage& thumbnail, std::function<void()> open, QWidget* parent)
      : QFrame(parent), m_open(std::move(open)) {
    setObjectName("card_" + info.name);
    setFrameShape(QFrame::StyledPanel);
    setFixedWidth(kCardWidth);
    setCursor(Qt::PointingHandCursor);
    setToolTip(QObject::tr("%1 — double-click to open").arg(QDir::toNativeSeparators(info.path)));
    setStyleSheet(QStringLiteral("QFrame#card_%1 { background: white; border: 1px solid #cbd5e0; border-radius: 6px; }"
                                 "QFrame#card_%1:hover { border-color: #3182ce; }")
                      .arg(info.name));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 10, 10, 10);
    auto* picture = new QLabel(this);
    picture->setObjectName("thumbnail");
    picture->setFixedSize(kThumbWidth, kThumbHeight);
    picture->setAlignment(Qt::AlignCenter);
    picture->setStyleSheet("background: white; border: 1px solid #edf2f7;");
    if (!thumbnail.isNull()) picture->setPixmap(QPixmap::fromImage(thumbnail));
    else picture->setText(QObject::tr("(no picture)"));
    auto* title = new QLabel(info.title, this);
    title->setObjectName("title");
    title->setWordWrap(true);
    QFont f = title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.1);
    title->setFont(f);
    auto* line = new QLabel(info.description, this);
    line->setObjectName("description");
    line->setWordWrap(true);
    auto* stats = new QLabel(info.stats, this);
    stats->setObjectName("stats");
    stats->setWordWrap(true);
    stats->setStyleSheet("color: #4a5568;");
    auto* button = new QPushButton(QObject::tr("Open"), this);
    button->setObjectName("open");
    button->setEnabled(info.ok);
    QObject::connect(button, &QPushButton::clicked, this, [this]() { m_open(); });
    m_enabled = info.ok;
    layout->addWidget(picture, 0, Qt::AlignHCenter);
    layout->addWidget(title);
    layout->addWidget(line);
    layout->addWidget(stats);
    layout->addStretch(1);
    layout->addWidget(button, 0, Qt::AlignRight);
  }

 protected:
  void mouseDoubleClickEvent(QMouseEvent* event) override {
    if (event->button() == Qt::LeftButton && m_enabled) m_open();
  }

 private:
  std::function<void()> m_open;
  bool m_enabled = true;
};

/// A simplified picture of the template's graph: one coloured block per node (the canvas's
/// category colours, the layer type in it), rows by depth from the Input, lines for the edges. The
/// real canvas scaled into a thumbnail would be unreadable for a 15-node chain.
QImage thumbnailOf(const core::Project& project) {
  const core::Graph& g = project.graph;
  const core::GraphAnalysis a = core::analyze(g);
  std::vector<core::NodeId> order(a.order.begin(), a.order.end());
  for (const auto& [id, node] : g.nodes())
    if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
  std::map<core::NodeId, std::vector<core::NodeId>> inputs;
  for (const core::Edge& e : g.edges()) inputs[e.to.node].push_back(e.from.node);
  std::map<core::NodeId, int> depth;
  int rows = 0;
  for (core::NodeId id : order) {
    int d = 0;
    for (core::NodeId from : inputs[id])
      if (auto it = depth.find(from); it != depth.end()) d = std::max(d, it->second + 1);
    depth[id] = d;
    rows = std::max(rows, d + 1);
  }
  std::vector<std::vector<core::NodeId>> byRow(size_t(std::max(rows, 1)));
  for (core::NodeId id : order) byRow[size_t(depth[id])].push_back(id);
  for (auto& row : byRow)
    std::sort(row.begin(), row.end(), [&](core::NodeId x, core::NodeId y) { return g.node(x)->x < g.node(y)->x; });

  QImage image(kThumbWidth, kThumbHeight, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  if (order.empty()) return image;
  QPainter p(&image);
  p.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  const qreal pad = 6, gap = 5;
  const qreal rowH = std::min<qreal>(28, (kThumbHeight - 2 * pad) / qreal(byRow.size()));
  const qreal boxH = rowH * 0.74;
  const qreal top = (kThumbHeight - rowH * qreal(byRow.size())) / 2;
  std::map<core::NodeId, QRectF> boxes;
  for (size_t r = 0; r < byRow.size(); ++r) {
    const qreal n = qreal(byRow[r].size());
    const qreal w = std::min<qreal>(160, (kThumbWidth - 2 * pad - (n - 1) * gap) / n);
    const qreal left = (kThumbWidth - (n * w + (n - 1) * gap)) / 2;
    for (size_t i = 0; i < byRow[r].size(); ++i)
      boxes[byRow[r][i]] = QRectF(left + qreal(i) * (w + gap), top + qreal(r) * rowH + (rowH - boxH) / 2, w, boxH);
  }
  p.setPen(QPen(QColor(0x71, 0x80, 0x96), 1.2));
  for (const core::Edge& e : g.edges()) {
    auto from = boxes.find(e.from.node), to = boxes.find(e.to.node);
    if (from == boxes.end() || to == boxes.end()) continue;
    const QPointF a0(from->second.center().x(), from->second.bottom()), b0(to->second.center().x(), to->second.top());
    QPainterPath path(a0);
    path.cubicTo(a0 + QPointF(0, rowH / 2), b0 - QPointF(0, rowH / 2), b0);
    p.drawPath(path);
  }
  for (const auto& [id, box] : boxes) {
    const core::Node* n = g.node(id);
    const QString type = QString::fromStdString(n->type);
    p.setPen(Qt::NoPen);
    p.setBrush(categoryColor(n->layer ? QString::fromStdString(n->layer->category()) : QString()));
    p.drawRoundedRect(box, 3, 3);
    QFont f = p.font();
    f.setBold(true);
    int px = std::clamp(int(boxH * 0.72), 6, 12);
    f.setPixelSize(px);
    while (px > 6 && QFontMetricsF(f).horizontalAdvance(type) > box.width() - 6) f.setPixelSize(--px);
    p.setFont(f);
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, QFontMetricsF(f).horizontalAdvance(type) > box.width() - 4
                                         ? QFontMetricsF(f).elidedText(type, Qt::ElideRight, box.width() - 4)
                                         : type);
  }
  return image;
}

}  // namespace

QString TemplateGallery::describe(const QString& name) {
  static const std::map<QString, QString> lines = {
      {"cnn", QObject::tr("CNN for 28×28 images (Fashion-MNIST): two convolution blocks and a classifier")},
      {"residual_cnn", QObject::tr("Residual CNN for 28×28 images (Fashion-MNIST): two residual blocks (skip connections "
                                   "with Add); more accurate than the plain CNN")},
      {"lstm", QObject::tr("LSTM classifier reading each image row as a time step (Fashion-MNIST)")},
      {"transformer", QObject::tr("Transformer encoder over 7×7 tokens from a small convolution stem (Fashion-MNIST)")},
      {"char_lstm", QObject::tr("Character LSTM language model: predicts the next character of a text")},
      {"char_transformer", QObject::tr("Causal character Transformer language model (GPT-style, untied output): "
                                       "writes text with Generate")},
  };
  auto it = lines.find(name);
  return it == lines.end() ? QString() : it->second;
}

QString TemplateGallery::templatesDirectory() {
  QStringList roots = {QCoreApplication::applicationDirPath() + "/../resources",
                       QCoreApplication::applicationDirPath() + "/../../resources"};
#ifdef NC_RESOURCE_DIR
  roots << QStringLiteral(NC_RESOURCE_DIR);
#endif
  // The source tree this file was built from (a build tree run in place).
  roots << QFileInfo(QString::fromUtf8(__FILE__)).absolutePath() + "/../resources";
  for (const QString& root : roots) {
    const QString dir = root + "/templates";
    if (QFileInfo(dir).isDir() && !QDir(dir).entryList({"*.json"}, QDir::Files).isEmpty()) return QDir::cleanPath(dir);
  }
  return {};
}

QString TemplateGallery::templatePath(const QString& name) {
  const QString dir = templatesDirectory();
  const QString p = dir + "/" + name + ".json";
  return !dir.isEmpty() && QFileInfo::exists(p) ? p : QString();
}

QList<TemplateInfo> TemplateGallery::listTemplates(const QString& directory) {
  QStringList names;
  for (const QString& file : QDir(directory).entryList({"*.json"}, QDir::Files, QDir::Name)) names << QFileInfo(file).completeBaseName();
  auto rank = [](const QString& n) {
    for (int i = 0; i < kShipped; ++i)
      if (n == QLatin1String(kShippedOrder[i])) return i;
    return kShipped;
  };
  std::stable_sort(names.begin(), names.end(), [&](const QString& a, const QString& b) { return rank(a) < rank(b); });
  QList<TemplateInfo> out;
  for (const QString& name : names) {
    TemplateInfo t;
    t.name = name;
    t.path = QDir(directory).absoluteFilePath(name + ".json");
    t.title = name;
    t.description = describe(name);
    core::ProjectLoad load = core::loadProject(t.path.toStdString());
    if (!load.ok()) {
      t.ok = false;
      t.stats = QObject::tr("Cannot be read: %1").arg(QString::fromStdString(load.error).left(200));
    } else {
      if (!load.project->name.empty()) t.title = QString::fromStdString(load.project->name);
      const core::GraphAnalysis a = core::analyze(load.project->graph);
      const core::GraphSummary s = core::summarize(load.project->graph, a);
      t.stats = QObject::tr("%1 layers · %2 parameters")
                    .arg(load.project->graph.nodes().size())
                    .arg(QLocale(QLocale::English, QLocale::UnitedStates).toString(qlonglong(s.params)));
    }
    out << t;
  }
  return out;
}

TemplateGallery::TemplateGallery(QWidget* parent, const QString& directory) : QDialog(parent) {
  setObjectName("templateGallery");
  setWindowTitle(tr("New from template"));
  const QString dir = directory.isEmpty() ? templatesDirectory() : directory;
  m_templates = listTemplates(dir);

  auto* grid = new QGridLayout;
  grid->setSpacing(12);
  const int columns = std::max(1, std::min(4, int(m_templates.size())));
  for (int i = 0; i < m_templates.size(); ++i) {
    const TemplateInfo& t = m_templates[i];
    QImage thumb;
    if (t.ok)
      if (core::ProjectLoad load = core::loadProject(t.path.toStdString()); load.ok()) thumb = thumbnailOf(*load.project);
    auto* card = new TemplateCard(t, thumb, [this, name = t.name]() { pick(name); }, this);
    m_cards << card;
    grid->addWidget(card, i / columns, i % columns);  // cards of a row share its height
  }
  auto* content = new QWidget;
  auto* contentLayout = new QVBoxLayout(content);
  contentLayout->addLayout(grid);
  contentLayout->addStretch(1);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);

  auto* intro = new QLabel(m_templates.isEmpty() ? tr("No templates found in %1").arg(QDir::toNativeSeparators(dir))
                                                 : tr("Start from a working model: open one as a new, untitled project."),
                           this);
  intro->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addWidget(scroll, 1);
  layout->addWidget(buttons);
  // Wide enough for a row of cards without a horizontal scroll bar.
  content->adjustSize();
  resize(std::min(1200, content->sizeHint().width() + 60), std::min(760, content->sizeHint().height() + 110));
}

QWidget* TemplateGallery::card(const QString& name) const {
  for (QWidget* c : m_cards)
    if (c->objectName() == "card_" + name) return c;
  return nullptr;
}

void TemplateGallery::pick(const QString& name) {
  m_chosen = name;
  Q_EMIT templateChosen(name);
  accept();
}

std::optional<QString> TemplateGallery::choose(QWidget* parent) {
  TemplateGallery gallery(parent);
  if (gallery.exec() != QDialog::Accepted || gallery.chosen().isEmpty()) return std::nullopt;
  return gallery.chosen();
}

}  // namespace nc::widgets

#include "widgets/QuickAddPopup.h"

#include <QApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QScreen>
#include <QStyledItemDelegate>
#include <QTextLayout>
#include <QVBoxLayout>

#include "core/LayerRegistry.h"
#include "core/LayerSearch.h"
#include "core/LayerType.h"
#include "widgets/NodeItem.h"

namespace nc::widgets {

namespace {

constexpr int kCategoryRole = Qt::UserRole + 1;
constexpr int kDocRole = Qt::UserRole + 2;
constexpr int kPopupWidth = 560;
constexpr int kVisibleRows = 7;
constexpr int kDocLines = 2;

/// The first sentence of a layer's documentation (the full text is the row's tooltip).
QString firstSentence(const std::string& doc) {
  QString text = QString::fromStdString(doc);
  int end = text.indexOf(QLatin1String(". "));
  return end < 0 ? text : text.left(end + 1);
}

/// A row: a bar in the category's colour, the name in bold, the category right-aligned, and the
/// first sentence of the documentation below (elided to the row; the tooltip has all of it).
class LayerRowDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;

  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const override {
    QFontMetrics fm(option.font);
    return {kPopupWidth - 24, fm.height() * (1 + kDocLines) + 14};
  }

  void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    const QWidget* w = option.widget;
    QStyle* style = w ? w->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, p, w);  // background and selection

    const bool selected = option.state & QStyle::State_Selected;
    const QString category = index.data(kCategoryRole).toString();
    const QRect r = option.rect.adjusted(0, 0, 0, 0);
    p->save();
    p->setRenderHint(QPainter::Antialiasing);
    p->setPen(Qt::NoPen);
    p->setBrush(categoryColor(category));
    p->drawRoundedRect(QRectF(r.left() + 4, r.top() + 4, 5, r.height() - 8), 2, 2);

    QFont bold = option.font;
    bold.setBold(true);
    QFontMetrics fmBold(bold), fm(option.font);
    const int x = r.left() + 16, right = r.right() - 8;
    const int line1 = r.top() + 5, line2 = line1 + fm.height() + 2;
    QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dim = text;
    dim.setAlpha(selected ? 220 : 150);

    p->setFont(option.font);
    p->setPen(dim);
    const int catWidth = fm.horizontalAdvance(category);
    p->drawText(QRect(right - catWidth, line1, catWidth, fm.height()), Qt::AlignRight | Qt::AlignVCenter, category);
    p->setFont(bold);
    p->setPen(text);
    const QString name = index.data(Qt::DisplayRole).toString();
    p->drawText(QRect(x, line1, right - catWidth - 12 - x, fmBold.height()), Qt::AlignLeft | Qt::AlignVCenter,
                fmBold.elidedText(name, Qt::ElideRight, right - catWidth - 12 - x));
    p->setFont(option.font);
    p->setPen(dim);
    // The documentation's first sentence, wrapped over kDocLines lines (elided only beyond them).
    const QString doc = index.data(kDocRole).toString();
    QTextLayout layout(doc, option.font);
    layout.beginLayout();
    int y = line2;
    for (int i = 0; i < kDocLines; ++i) {
      QTextLine line = layout.createLine();
      if (!line.isValid()) break;
      line.setLineWidth(right - x);
      QString text = doc.mid(line.textStart(), line.textLength());
      if (i == kDocLines - 1 && line.textStart() + line.textLength() < doc.size())
        text = fm.elidedText(doc.mid(line.textStart()), Qt::ElideRight, right - x);
      p->drawText(QRect(x, y, right - x, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, text.trimmed());
      y += fm.height();
    }
    layout.endLayout();
    p->restore();
  }
};

}  // namespace

QuickAddPopup::QuickAddPopup(QWidget* parent) : QFrame(parent, Qt::Popup) {
  setObjectName("quickAddPopup");
  setFrameShape(QFrame::StyledPanel);
  setFrameShadow(QFrame::Raised);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  layout->setSpacing(4);

  m_search = new QLineEdit;
  m_search->setObjectName("quickAddSearch");
  m_search->setPlaceholderText(tr("Add a layer: type a name, group or purpose (\u201cdense\u201d, \u201cattention\u201d)"));
  m_search->setClearButtonEnabled(true);
  m_search->installEventFilter(this);
  layout->addWidget(m_search);

  m_results = new QListWidget;
  m_results->setObjectName("quickAddResults");
  m_results->setItemDelegate(new LayerRowDelegate(m_results));
  m_results->setUniformItemSizes(true);
  m_results->setFocusPolicy(Qt::NoFocus);  // the search field keeps the focus
  m_results->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_results->setSelectionMode(QAbstractItemView::SingleSelection);
  layout->addWidget(m_results);

  auto* hint = new QLabel(tr("\u2191\u2193 choose \u00b7 Enter add \u00b7 Esc close"));
  hint->setObjectName("quickAddHint");
  hint->setForegroundRole(QPalette::PlaceholderText);
  layout->addWidget(hint);

  connect(m_search, &QLineEdit::textChanged, this, &QuickAddPopup::refill);
  connect(m_results, &QListWidget::itemClicked, this,
          [this](QListWidgetItem* item) { choose(item->data(Qt::UserRole).toString()); });

  refill(QString());
  const int rowHeight = m_results->sizeHintForRow(0) > 0 ? m_results->sizeHintForRow(0) : 40;
  m_results->setFixedHeight(rowHeight * kVisibleRows + 2 * m_results->frameWidth());
  setFixedWidth(kPopupWidth);
}

QString QuickAddPopup::highlightedType() const {
  QListWidgetItem* item = m_results->currentItem();
  return item ? item->data(Qt::UserRole).toString() : QString();
}

void QuickAddPopup::showAt(const QPoint& globalPos) {
  m_chosen = false;
  m_search->clear();
  refill(QString());
  adjustSize();
  QPoint pos = globalPos;
  if (QScreen* screen = QGuiApplication::screenAt(globalPos)) {
    const QRect area = screen->availableGeometry();
    pos.setX(std::max(area.left(), std::min(pos.x(), area.right() - width())));
    pos.setY(std::max(area.top(), std::min(pos.y(), area.bottom() - height())));
  }
  move(pos);
  show();
  raise();
  activateWindow();
  m_search->setFocus(Qt::PopupFocusReason);
}

void QuickAddPopup::refill(const QString& query) {
  m_results->clear();
  const auto& registry = core::LayerRegistry::instance();
  for (const std::string& name : core::searchLayerTypes(query.toStdString())) {
    const core::LayerType* type = registry.find(name);
    if (!type) continue;
    auto* item = new QListWidgetItem(QString::fromStdString(name), m_results);
    item->setData(Qt::UserRole, QString::fromStdString(name));
    item->setData(kCategoryRole, QString::fromStdString(type->category()));
    item->setData(kDocRole, firstSentence(type->doc()));
    item->setToolTip(QStringLiteral("<p style='white-space:normal'><b>%1</b> (%2)<br>%3</p>")
                         .arg(QString::fromStdString(name).toHtmlEscaped(),
                              QString::fromStdString(type->category()).toHtmlEscaped(),
                              QString::fromStdString(type->doc()).toHtmlEscaped()));
  }
  if (m_results->count() > 0) m_results->setCurrentRow(0);
}

void QuickAddPopup::moveHighlight(int delta) {
  const int n = m_results->count();
  if (n == 0) return;
  int row = m_results->currentRow() < 0 ? 0 : m_results->currentRow() + delta;
  m_results->setCurrentRow(std::max(0, std::min(n - 1, row)));
  m_results->scrollToItem(m_results->currentItem());
}

void QuickAddPopup::choose(const QString& type) {
  if (type.isEmpty()) return;
  m_chosen = true;
  hide();
  Q_EMIT layerChosen(type);
}

bool QuickAddPopup::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_search && event->type() == QEvent::KeyPress) {
    auto* key = static_cast<QKeyEvent*>(event);
    switch (key->key()) {
      case Qt::Key_Down: moveHighlight(1); return true;
      case Qt::Key_Up: moveHighlight(-1); return true;
      case Qt::Key_PageDown: moveHighlight(kVisibleRows - 1); return true;
      case Qt::Key_PageUp: moveHighlight(-(kVisibleRows - 1)); return true;
      case Qt::Key_Home:
      case Qt::Key_End:
        if (!(key->modifiers() & Qt::ControlModifier)) break;  // plain Home/End move the text cursor
        moveHighlight(key->key() == Qt::Key_Home ? -m_results->count() : m_results->count());
        return true;
      case Qt::Key_Return:
      case Qt::Key_Enter: choose(highlightedType()); return true;
      case Qt::Key_Escape: hide(); return true;
      case Qt::Key_Tab:
      case Qt::Key_Backtab: return true;  // Tab opened the popup: never move the focus out of it
      default: break;
    }
  }
  return QFrame::eventFilter(watched, event);
}

void QuickAddPopup::hideEvent(QHideEvent* event) {
  QFrame::hideEvent(event);
  if (!m_chosen) Q_EMIT dismissed();
  m_chosen = false;
}

}  // namespace nc::widgets

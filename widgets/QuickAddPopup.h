#pragma once
// Quick-add: a small searchable list of layer types that pops up at the cursor (Tab or a
// double-click on the empty canvas). Search by name, category and documentation, with synonyms
// ("dense" finds Linear, "attention" finds TransformerEncoderLayer): core::searchLayerTypes.
//
// Use (the canvas owns one popup and reuses it):
//   auto* popup = new QuickAddPopup(view);
//   connect(popup, &QuickAddPopup::layerChosen, ..., [](const QString& type) { add type at the spot });
//   popup->showAt(QCursor::pos());   // or view->mapToGlobal(viewPos)
//
// Keys while the search field has the focus: typing filters live; Up/Down/PageUp/PageDown/Home/
// End (Home/End with Ctrl) move the highlighted row; Enter chooses it; Esc closes. A click on a
// row chooses it. The popup hides itself before emitting layerChosen; closing any other way
// (Esc, a click outside) emits dismissed() and never layerChosen.
#include <QFrame>

class QLineEdit;
class QListWidget;
class QPoint;

namespace nc::widgets {

class QuickAddPopup : public QFrame {
  Q_OBJECT
 public:
  explicit QuickAddPopup(QWidget* parent = nullptr);

  /// Clears the search, lists every layer type, shows the popup with its top-left corner at
  /// `globalPos` (moved so that it stays on the screen) and focuses the search field.
  void showAt(const QPoint& globalPos);

  /// The search field (has the focus while shown).
  QLineEdit* searchField() const { return m_search; }
  /// The matches, best first; each item's Qt::UserRole holds the type name.
  QListWidget* results() const { return m_results; }

  /// The type under the highlight ("" when nothing matches).
  QString highlightedType() const;

 Q_SIGNALS:
  /// A layer type was chosen (Enter or a click); the popup is already hidden.
  void layerChosen(const QString& type);
  /// Closed without a choice (Esc, a click outside).
  void dismissed();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void hideEvent(QHideEvent* event) override;

 private:
  void refill(const QString& query);
  void moveHighlight(int delta);
  void choose(const QString& type);

  QLineEdit* m_search = nullptr;
  QListWidget* m_results = nullptr;
  bool m_chosen = false;  // hideEvent: whether this hide follows a choice
};

}  // namespace nc::widgets

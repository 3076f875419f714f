#pragma once
// Find node (Ctrl+F): a small bar with a search field that finds nodes of the canvas by name or
// type (substring, case-insensitive), selects the match and centres the view on it.
//
// Use (the window wires the shortcut):
//   auto* find = new FindNodeBar(scene, view);            // an overlay in the view's top-right corner
//   // or: new FindNodeBar(scene, view, someParent) and put it in a layout (e.g. above the view)
//   QAction* findAction = ...; findAction->setShortcut(QKeySequence::Find);   // Ctrl+F
//   connect(findAction, &QAction::triggered, find, &FindNodeBar::activate);
//   // F3 / Shift+F3 outside the bar: connect actions to findNext() / findPrevious().
//
// Keys in the field: typing jumps to the first match (in reading order: top to bottom, then left
// to right); Enter or F3 = next match, Shift+Enter or Shift+F3 = previous (both wrap around);
// Esc closes the bar and gives the focus back to the view. The label reads "2 of 5", "no match",
// or nothing for an empty field.
#include <QFrame>
#include <vector>

#include "core/Graph.h"

class QLabel;
class QLineEdit;
class QToolButton;

namespace nc::widgets {

class GraphScene;
class GraphView;

class FindNodeBar : public QFrame {
  Q_OBJECT
 public:
  /// With no `parent`, the bar is an overlay child of `view`, kept in its top-right corner.
  FindNodeBar(GraphScene* scene, GraphView* view, QWidget* parent = nullptr);

  /// Shows the bar, focuses the field and selects its text (typing replaces the last search);
  /// a search already typed is run again and its current match shown.
  void activate();
  /// Next / previous match (wrapping), selecting it and centring the view on it; activates the
  /// bar first if it is hidden. Return whether there is a match.
  bool findNext();
  bool findPrevious();

  QLineEdit* searchField() const { return m_field; }
  /// "2 of 5", "no match" or "" (tests).
  QString statusText() const;
  /// The nodes matching the current text, in reading order (tests).
  std::vector<core::NodeId> matches() const { return m_matches; }

 Q_SIGNALS:
  /// The bar closed (Esc or its close button).
  void closed();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void recompute();
  void step(int delta);
  void showCurrent();
  void updateStatus();
  void close();
  void placeInView();

  GraphScene* m_scene;
  GraphView* m_view;
  bool m_overlay = false;
  QLineEdit* m_field = nullptr;
  QLabel* m_status = nullptr;
  QToolButton* m_prev = nullptr;
  QToolButton* m_next = nullptr;
  std::vector<core::NodeId> m_matches;
  int m_current = -1;  // index into m_matches
  bool m_stale = true;  // the graph changed since the matches were computed
};

}  // namespace nc::widgets

// Quick-add popup: typed search, keyboard highlight, Enter / click chooses, Esc closes silently.
#include <gtest/gtest.h>

#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QTest>

#include "core/LayerRegistry.h"
#include "widgets/QuickAddPopup.h"

using nc::widgets::QuickAddPopup;

TEST(QuickAddPopup, TypingDenseAndEnterChoosesLinear) {
  QuickAddPopup popup;
  QSignalSpy chosen(&popup, &QuickAddPopup::layerChosen);
  popup.showAt(QPoint(100, 100));
  ASSERT_TRUE(popup.isVisible());
  EXPECT_EQ(popup.results()->count(), int(nc::core::LayerRegistry::instance().all().size()));
  QTest::keyClicks(popup.searchField(), "dense");
  EXPECT_EQ(popup.results()->item(0)->data(Qt::UserRole).toString(), "Linear");
  QTest::keyClick(popup.searchField(), Qt::Key_Return);
  ASSERT_EQ(chosen.count(), 1);
  EXPECT_EQ(chosen.at(0).at(0).toString(), "Linear");
  EXPECT_FALSE(popup.isVisible());
}

TEST(QuickAddPopup, ArrowsMoveTheHighlightWhileTheFieldKeepsTheText) {
  QuickAddPopup popup;
  QSignalSpy chosen(&popup, &QuickAddPopup::layerChosen);
  popup.showAt(QPoint(50, 50));
  QTest::keyClicks(popup.searchField(), "attention");
  ASSERT_GE(popup.results()->count(), 2);
  EXPECT_EQ(popup.highlightedType(), "TransformerEncoderLayer");
  QString second = popup.results()->item(1)->data(Qt::UserRole).toString();
  QTest::keyClick(popup.searchField(), Qt::Key_Down);
  EXPECT_EQ(popup.highlightedType(), second);
  QTest::keyClick(popup.searchField(), Qt::Key_Down);
  QTest::keyClick(popup.searchField(), Qt::Key_Down);  // stops at the last row
  EXPECT_EQ(popup.results()->currentRow(), std::min(popup.results()->count() - 1, 3));
  QTest::keyClick(popup.searchField(), Qt::Key_Up, Qt::ControlModifier);
  QTest::keyClick(popup.searchField(), Qt::Key_Home, Qt::ControlModifier);
  EXPECT_EQ(popup.results()->currentRow(), 0);
  QTest::keyClick(popup.searchField(), Qt::Key_Down);
  EXPECT_EQ(popup.searchField()->text(), "attention");
  QTest::keyClick(popup.searchField(), Qt::Key_Enter);
  ASSERT_EQ(chosen.count(), 1);
  EXPECT_EQ(chosen.at(0).at(0).toString(), second);
}

TEST(QuickAddPopup, EscapeClosesWithoutChoosing) {
  QuickAddPopup popup;
  QSignalSpy chosen(&popup, &QuickAddPopup::layerChosen);
  QSignalSpy dismissed(&popup, &QuickAddPopup::dismissed);
  popup.showAt(QPoint(10, 10));
  QTest::keyClicks(popup.searchField(), "conv");
  QTest::keyClick(popup.searchField(), Qt::Key_Escape);
  EXPECT_FALSE(popup.isVisible());
  EXPECT_EQ(chosen.count(), 0);
  EXPECT_EQ(dismissed.count(), 1);
  // Shown again: a fresh search listing everything.
  popup.showAt(QPoint(10, 10));
  EXPECT_TRUE(popup.searchField()->text().isEmpty());
  EXPECT_EQ(popup.results()->count(), int(nc::core::LayerRegistry::instance().all().size()));
}

TEST(QuickAddPopup, NoMatchAndEnterDoesNothing) {
  QuickAddPopup popup;
  QSignalSpy chosen(&popup, &QuickAddPopup::layerChosen);
  popup.showAt(QPoint(10, 10));
  QTest::keyClicks(popup.searchField(), "zzz");
  EXPECT_EQ(popup.results()->count(), 0);
  QTest::keyClick(popup.searchField(), Qt::Key_Return);
  EXPECT_EQ(chosen.count(), 0);
  EXPECT_TRUE(popup.isVisible());
}

TEST(QuickAddPopup, ClickOnARowChoosesIt) {
  QuickAddPopup popup;
  QSignalSpy chosen(&popup, &QuickAddPopup::layerChosen);
  popup.showAt(QPoint(10, 10));
  QTest::keyClicks(popup.searchField(), "lstm");
  ASSERT_GE(popup.results()->count(), 1);
  QListWidget* list = popup.results();
  QRect rect = list->visualItemRect(list->item(0));
  QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
  ASSERT_EQ(chosen.count(), 1);
  EXPECT_EQ(chosen.at(0).at(0).toString(), "LSTM");
}

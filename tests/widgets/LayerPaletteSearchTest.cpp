// Palette search: the filter uses core::searchLayerTypes, the best match is highlighted, arrows
// move the highlight from the search field, Enter adds the highlighted layer; no name is cut off.
#include <gtest/gtest.h>

#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>
#include <QVBoxLayout>

#include "core/LayerRegistry.h"
#include "widgets/LayerPalette.h"

using nc::widgets::LayerPalette;

namespace {
int shownLeaves(const LayerPalette& palette) {
  int n = 0;
  for (int g = 0; g < palette.topLevelItemCount(); ++g)
    for (int i = 0; i < palette.topLevelItem(g)->childCount(); ++i) n += palette.topLevelItem(g)->child(i)->isHidden() ? 0 : 1;
  return n;
}
}  // namespace

TEST(LayerPaletteSearch, EnterInTheSearchFieldAddsTheBestMatch) {
  QWidget box;
  auto* layout = new QVBoxLayout(&box);
  auto* search = new QLineEdit;
  auto* palette = new LayerPalette;
  layout->addWidget(search);
  layout->addWidget(palette);
  palette->attachSearchField(search);
  box.show();
  QSignalSpy activated(palette, &LayerPalette::layerActivated);

  struct Case {
    const char* typed;
    const char* added;
  };
  for (const Case& c : {Case{"dense", "Linear"}, Case{"attention", "TransformerEncoderLayer"}, Case{"lstm", "LSTM"},
                        Case{"swish", "SiLU"}}) {
    search->clear();
    QTest::keyClicks(search, c.typed);
    EXPECT_EQ(palette->highlightedType(), c.added) << c.typed;
    QTest::keyClick(search, Qt::Key_Return);
    ASSERT_EQ(activated.count(), 1) << c.typed;
    EXPECT_EQ(activated.takeFirst().at(0).toString(), c.added);
    EXPECT_EQ(search->text(), c.typed);  // the field keeps its text and the focus
  }

  // Down moves to the next shown type; Enter adds that one.
  search->clear();
  QTest::keyClicks(search, "pool");
  EXPECT_LT(shownLeaves(*palette), int(nc::core::LayerRegistry::instance().all().size()));
  QString first = palette->highlightedType();
  ASSERT_FALSE(first.isEmpty());
  QTest::keyClick(search, Qt::Key_Down);
  QString second = palette->highlightedType();
  EXPECT_NE(second, first);
  EXPECT_FALSE(second.isEmpty());
  QTest::keyClick(search, Qt::Key_Enter);
  ASSERT_EQ(activated.count(), 1);
  EXPECT_EQ(activated.takeFirst().at(0).toString(), second);

  // No match: nothing shown, Enter adds nothing. Cleared: everything shown, nothing highlighted.
  search->clear();
  QTest::keyClicks(search, "zzz");
  EXPECT_EQ(shownLeaves(*palette), 0);
  QTest::keyClick(search, Qt::Key_Return);
  EXPECT_EQ(activated.count(), 0);
  search->clear();
  EXPECT_EQ(shownLeaves(*palette), int(nc::core::LayerRegistry::instance().all().size()));
  QTest::keyClick(search, Qt::Key_Return);
  EXPECT_EQ(activated.count(), 0);
}

TEST(LayerPaletteSearch, SearchesBeyondNamesWithSynonyms) {
  LayerPalette palette;
  palette.filter("fully connected");
  EXPECT_EQ(palette.highlightedType(), "Linear");
  palette.filter("recurrent");
  EXPECT_GE(shownLeaves(palette), 3);  // LSTM, GRU, RNN
}

TEST(LayerPaletteSearch, EveryNameFitsWithoutEliding) {
  LayerPalette palette;
  palette.resize(palette.minimumWidth(), 600);
  palette.show();
  for (int g = 0; g < palette.topLevelItemCount(); ++g)
    for (int i = 0; i < palette.topLevelItem(g)->childCount(); ++i) {
      QTreeWidgetItem* leaf = palette.topLevelItem(g)->child(i);
      palette.scrollToItem(leaf);
      QRect rect = palette.visualItemRect(leaf);
      int textEnd = rect.left() + palette.iconSize().width() + 8 + palette.fontMetrics().horizontalAdvance(leaf->text(0));
      EXPECT_LE(textEnd, palette.viewport()->width()) << leaf->text(0).toStdString();
    }
}

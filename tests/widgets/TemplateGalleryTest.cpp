// The template gallery: a card per shipped template with a picture and one line; double-click or
// Open returns the template's name.
#include <gtest/gtest.h>

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include "widgets/TemplateGallery.h"

using nc::widgets::TemplateGallery;

namespace {
QString templatesDir() { return QString::fromUtf8(NC_SOURCE_DIR) + "/resources/templates"; }
}  // namespace

TEST(TemplateGallery, ListsTheShippedTemplatesWithPictureTitleAndOneLine) {
  TemplateGallery g(nullptr, templatesDir());
  ASSERT_EQ(g.templates().size(), 6);
  QStringList names;
  for (const auto& t : g.templates()) names << t.name;
  EXPECT_EQ(names, (QStringList{"cnn", "residual_cnn", "lstm", "transformer", "char_lstm", "char_transformer"}));
  g.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&g));
  for (const auto& t : g.templates()) {
    SCOPED_TRACE(t.name.toStdString());
    EXPECT_TRUE(t.ok);
    EXPECT_FALSE(t.description.isEmpty());
    EXPECT_TRUE(t.stats.contains("parameters"));
    QWidget* card = g.card(t.name);
    ASSERT_NE(card, nullptr);
    EXPECT_TRUE(card->isVisible());
    auto* picture = card->findChild<QLabel*>("thumbnail");
    ASSERT_NE(picture, nullptr);
    ASSERT_FALSE(picture->pixmap().isNull());
    EXPECT_GT(picture->pixmap().width(), 150);
    auto* title = card->findChild<QLabel*>("title");
    ASSERT_NE(title, nullptr);
    EXPECT_FALSE(title->text().isEmpty());
    // Word-wrapped labels get the height their text needs: nothing cut off.
    for (auto* label : card->findChildren<QLabel*>())
      if (label->wordWrap()) EXPECT_GE(label->height(), label->heightForWidth(label->width())) << label->text().toStdString();
  }
  EXPECT_TRUE(g.templates()[0].description.contains("Fashion-MNIST"));
  EXPECT_TRUE(g.templates()[1].description.contains("Residual"));
  EXPECT_TRUE(g.templates()[4].description.contains("language model"));
  EXPECT_TRUE(TemplateGallery::templatePath("cnn").endsWith("templates/cnn.json")) << TemplateGallery::templatePath("cnn").toStdString();
}

TEST(TemplateGallery, DoubleClickingACardOrItsOpenButtonChoosesIt) {
  {
    TemplateGallery g(nullptr, templatesDir());
    g.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&g));
    QSignalSpy chosen(&g, &TemplateGallery::templateChosen);
    QWidget* picture = g.card("transformer")->findChild<QLabel*>("thumbnail");
    QTest::mouseDClick(picture, Qt::LeftButton, {}, picture->rect().center());
    ASSERT_EQ(chosen.size(), 1);
    EXPECT_EQ(chosen[0][0].toString(), "transformer");
    EXPECT_EQ(g.chosen(), "transformer");
    EXPECT_EQ(g.result(), QDialog::Accepted);
  }
  {
    TemplateGallery g(nullptr, templatesDir());
    g.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&g));
    auto* open = g.card("char_lstm")->findChild<QPushButton*>("open");
    ASSERT_NE(open, nullptr);
    QTest::mouseClick(open, Qt::LeftButton);
    EXPECT_EQ(g.chosen(), "char_lstm");
  }
  // The modal form returns the double-clicked card's name, nothing on Escape.
  QTimer::singleShot(0, [] {
    auto* g = qobject_cast<TemplateGallery*>(QApplication::activeModalWidget());
    ASSERT_NE(g, nullptr);
    QWidget* card = g->card("lstm");
    QTest::mouseDClick(card, Qt::LeftButton, {}, QPoint(4, 4));
  });
  EXPECT_EQ(TemplateGallery::choose(nullptr).value_or("<none>"), "lstm");
  QTimer::singleShot(0, [] {
    QWidget* g = QApplication::activeModalWidget();
    ASSERT_NE(g, nullptr);
    QTest::keyClick(g, Qt::Key_Escape);
  });
  EXPECT_FALSE(TemplateGallery::choose(nullptr).has_value());
}

TEST(TemplateGallery, Screenshot) {
  const char* dir = std::getenv("NC_SCREENSHOT_DIR");
  if (!dir) GTEST_SKIP() << "set NC_SCREENSHOT_DIR to write the screenshot";
  TemplateGallery g(nullptr, templatesDir());
  g.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&g));
  QTest::qWait(100);
  EXPECT_TRUE(g.grab().save(QString::fromUtf8(dir) + "/template_gallery.png"));
}

// Diagram export: PNG at twice the scene size on white, SVG with the node names and the shape
// labels as text, the selection highlight left out, failures as messages.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include "core/Project.h"
#include "widgets/DiagramExport.h"
#include "widgets/GraphEditor.h"
#include "widgets/GraphScene.h"

using namespace nc;

namespace {

struct Template {
  widgets::GraphEditor editor;
  widgets::GraphScene scene{&editor};
  explicit Template(const char* name) {
    core::ProjectLoad load = core::loadProject(std::string(NC_SOURCE_DIR) + "/resources/templates/" + name + ".json");
    EXPECT_TRUE(load.ok()) << load.error;
    if (load.ok()) editor.setProject(std::move(*load.project));
  }
};

bool hasNonWhite(const QImage& img) {
  for (int y = 0; y < img.height(); y += 2)
    for (int x = 0; x < img.width(); x += 2)
      if ((img.pixel(x, y) & 0xffffff) != 0xffffff) return true;
  return false;
}

}  // namespace

TEST(DiagramExport, PngIsTwiceTheDiagramOnWhiteWithoutSelectionHighlight) {
  QTemporaryDir dir;
  ASSERT_TRUE(dir.isValid());
  for (const char* name : {"cnn", "transformer"}) {
    Template t(name);
    const QString plain = dir.filePath(QString(name) + ".png");
    QString error;
    ASSERT_TRUE(widgets::exportDiagram(&t.scene, plain, &error)) << error.toStdString();
    QImage img(plain);
    ASSERT_FALSE(img.isNull());
    const QRectF r = t.scene.itemsBoundingRect().adjusted(-widgets::kDiagramMargin, -widgets::kDiagramMargin, widgets::kDiagramMargin,
                                                          widgets::kDiagramMargin);
    EXPECT_NEAR(img.width(), 2 * r.width(), 1.5) << name;
    EXPECT_NEAR(img.height(), 2 * r.height(), 1.5) << name;
    EXPECT_NEAR(double(img.width()) / img.height(), r.width() / r.height(), 0.01) << name;
    EXPECT_EQ(img.pixel(1, 1) & 0xffffff, 0xffffffu) << "white margin";
    EXPECT_TRUE(hasNonWhite(img)) << name;

    // With nodes selected the picture is the same, and the selection is still there afterwards.
    std::set<core::NodeId> some;
    for (const auto& [id, node] : t.editor.graph().nodes())
      if (some.size() < 3) some.insert(id);
    t.scene.selectNodes(some);
    const QString selected = dir.filePath(QString(name) + "_selected.png");
    ASSERT_TRUE(widgets::exportDiagram(&t.scene, selected, &error)) << error.toStdString();
    EXPECT_EQ(QImage(selected), img) << name << ": the selection highlight was drawn";
    EXPECT_EQ(t.scene.selectedNodes(), some);
  }
  // Only the two files of each template: no temporary file left behind.
  EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 4);
}

TEST(DiagramExport, SvgIsXmlWithNodeNamesAndShapeLabels) {
  QTemporaryDir dir;
  Template t("cnn");
  const QString path = dir.filePath("cnn.SVG");
  QString error;
  ASSERT_TRUE(widgets::exportDiagram(&t.scene, path, &error)) << error.toStdString();
  if (const char* keep = std::getenv("NC_KEEP_SVG")) QFile::copy(path, QString::fromUtf8(keep));  // to look at it
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::ReadOnly));
  const QByteArray bytes = f.readAll();
  QXmlStreamReader xml(bytes);
  QStringList texts;
  bool svgRoot = false;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isStartElement() && xml.name() == QLatin1String("svg")) svgRoot = true;
    if (xml.isCharacters() && !xml.isWhitespace()) texts << xml.text().toString().trimmed();
  }
  EXPECT_FALSE(xml.hasError()) << xml.errorString().toStdString() << " line " << xml.lineNumber();
  EXPECT_TRUE(svgRoot);
  // Cards are drawn as vectors and text, not as the canvas's cached pixmaps.
  EXPECT_FALSE(bytes.contains("<image"));
  const QString all = texts.join('\n');
  EXPECT_TRUE(all.contains("conv1")) << texts.size() << " texts, " << bytes.size() << " bytes: " << all.toStdString();
  EXPECT_TRUE(all.contains("[B, 10]")) << all.left(2000).toStdString();
  EXPECT_TRUE(all.contains("[B, 32, 28, 28]")) << all.toStdString();
}

TEST(DiagramExport, RefusesUnknownFormatsEmptyScenesAndUnwritableFolders) {
  QTemporaryDir dir;
  Template t("cnn");
  QString error;
  EXPECT_FALSE(widgets::exportDiagram(&t.scene, dir.filePath("model.jpg"), &error));
  EXPECT_TRUE(error.contains(".png or .svg")) << error.toStdString();
  EXPECT_FALSE(widgets::exportDiagram(&t.scene, "/no/such/folder/model.png", &error));
  EXPECT_TRUE(error.contains("/no/such/folder/model.png")) << error.toStdString();
  widgets::GraphEditor empty;
  widgets::GraphScene emptyScene(&empty);
  EXPECT_FALSE(widgets::exportDiagram(&emptyScene, dir.filePath("empty.svg"), &error));
  EXPECT_TRUE(error.contains("empty")) << error.toStdString();
  EXPECT_TRUE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
  // An existing file is replaced whole.
  QFile old(dir.filePath("model.png"));
  ASSERT_TRUE(old.open(QIODevice::WriteOnly));
  old.write("old contents");
  old.close();
  ASSERT_TRUE(widgets::exportDiagram(&t.scene, dir.filePath("model.png"), &error)) << error.toStdString();
  EXPECT_FALSE(QImage(dir.filePath("model.png")).isNull());
}

#include "widgets/DiagramExport.h"

#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>
#include <functional>

namespace nc::widgets {

namespace {

/// While alive: the selection is cleared (signals blocked: the inspector and the analysis table
/// see nothing) and item caches are off, so every item paints itself as vectors and text at the
/// export's scale (a cached pixmap would be blurry in a PNG and an image without text in an SVG).
/// Both are restored afterwards.
class ExportState {
 public:
  explicit ExportState(QGraphicsScene* scene) : m_scene(scene), m_selected(scene->selectedItems()) {
    const bool blocked = m_scene->blockSignals(true);
    for (QGraphicsItem* item : m_selected) item->setSelected(false);
    m_scene->blockSignals(blocked);
    for (QGraphicsItem* item : m_scene->items())
      if (item->cacheMode() != QGraphicsItem::NoCache) {
        m_cached.append({item, item->cacheMode()});
        item->setCacheMode(QGraphicsItem::NoCache);
      }
  }
  ~ExportState() {
    for (const auto& [item, mode] : m_cached) item->setCacheMode(mode);
    const bool blocked = m_scene->blockSignals(true);
    for (QGraphicsItem* item : m_selected) item->setSelected(true);
    m_scene->blockSignals(blocked);
  }

 private:
  QGraphicsScene* m_scene;
  QList<QGraphicsItem*> m_selected;
  QList<QPair<QGraphicsItem*, QGraphicsItem::CacheMode>> m_cached;
};

QRectF diagramRect(QGraphicsScene* scene) {
  QRectF r = scene->itemsBoundingRect();
  return r.isEmpty() ? r : r.adjusted(-kDiagramMargin, -kDiagramMargin, kDiagramMargin, kDiagramMargin);
}

QString fail(QString* error, const QString& message) {
  if (error) *error = message;
  return message;
}

bool writeSaved(const QString& path, QString* error, const std::function<bool(QSaveFile&)>& write) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    fail(error, QObject::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return false;
  }
  if (!write(file)) {
    file.cancelWriting();
    if (error && error->isEmpty()) *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  if (!file.commit()) {
    fail(error, QObject::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return false;
  }
  return true;
}

}  // namespace

QImage renderDiagram(QGraphicsScene* scene, double scale, QSize fitInto) {
  if (!scene) return {};
  const QRectF source = diagramRect(scene);
  if (source.isEmpty()) return {};
  if (fitInto.isValid())
    scale = std::min({scale, fitInto.width() / source.width(), fitInto.height() / source.height()});
  const QSize size(std::max(1, int(std::ceil(source.width() * scale))), std::max(1, int(std::ceil(source.height() * scale))));
  QImage image(size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  ExportState state(scene);
  QPainter painter(&image);
  painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
  scene->render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source, Qt::KeepAspectRatio);
  painter.end();
  return image;
}

bool exportDiagram(QGraphicsScene* scene, const QString& path, QString* error) {
  if (error) error->clear();
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "png" && suffix != "svg") {
    fail(error, QObject::tr("Cannot export %1: the file name must end in .png or .svg").arg(path));
    return false;
  }
  if (!scene || diagramRect(scene).isEmpty()) {
    fail(error, QObject::tr("Cannot export %1: the diagram is empty").arg(path));
    return false;
  }
  if (suffix == "png") {
    const QImage image = renderDiagram(scene, kDiagramPngScale);
    return writeSaved(path, error, [&](QSaveFile& file) {
      if (image.save(&file, "PNG")) return true;
      fail(error, QObject::tr("Cannot write %1: PNG encoding failed").arg(path));
      return false;
    });
  }
  const QRectF source = diagramRect(scene);
  return writeSaved(path, error, [&](QSaveFile& file) {
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(source.size().toSize());
    svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
    svg.setTitle(QFileInfo(path).completeBaseName());
    svg.setDescription(QObject::tr("Model diagram exported by NeuralCanvas"));
    ExportState state(scene);
    QPainter painter;
    if (!painter.begin(&svg)) {
      fail(error, QObject::tr("Cannot write %1: the SVG writer did not start").arg(path));
      return false;
    }
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    painter.fillRect(QRectF(QPointF(0, 0), source.size()), Qt::white);
    scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source, Qt::KeepAspectRatio);
    painter.end();
    return true;
  });
}

}  // namespace nc::widgets

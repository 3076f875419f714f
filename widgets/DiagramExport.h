#pragma once
// Export of the canvas as a picture for papers and slides: every card and edge with the shape
// labels on the edges, on white, without the selection highlight (the selection is restored
// afterwards, without selection signals). The file is written to a temporary file next to the
// target and renamed over it (QSaveFile), so a failed export never leaves half a file.
//
// Wiring (MainWindow, File > Export diagram...):
//   QString error;
//   if (!exportDiagram(scene, path, &error)) showError(tr("Export diagram"), error);
// with a QFileDialog filter "PNG image (*.png);;SVG drawing (*.svg)".
#include <QImage>
#include <QString>

class QGraphicsScene;

namespace nc::widgets {

/// Margin around the items, in scene units, and the PNG scale (2 = crisp on slides).
constexpr double kDiagramMargin = 24;
constexpr double kDiagramPngScale = 2;

/// Writes the scene as PNG (kDiagramPngScale x, white background) or SVG, chosen by the file's
/// extension (.png / .svg, any case). Returns false with a message naming the file on failure
/// (unknown extension, empty scene, unwritable folder).
bool exportDiagram(QGraphicsScene* scene, const QString& path, QString* error = nullptr);

/// The diagram as an image: the items' bounding rectangle plus kDiagramMargin, drawn at `scale`
/// on white, without selection highlight. A null image when the scene has no items. fitInto: scale
/// down to fit that size (never up past `scale`), e.g. for a preview.
QImage renderDiagram(QGraphicsScene* scene, double scale = kDiagramPngScale, QSize fitInto = {});

}  // namespace nc::widgets

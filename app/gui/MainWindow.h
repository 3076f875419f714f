#pragma once
#include <QMainWindow>
#include <QString>

#include "core/Project.h"

class QLabel;
class QListWidget;
class QTableWidget;

namespace nc::widgets {
class LayerPalette;
}

namespace nc::app {

/// The main window. For now: the layer palette, the model as a table of nodes with their
/// output shapes and parameter counts, the summary, and the problems list. The graph canvas
/// replaces the table in the editor issue.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  /// Loads a project file; on failure shows the error and keeps the current project.
  bool openProject(const QString& path);

 private:
  void refresh();

  core::Project m_project;
  QString m_path;
  widgets::LayerPalette* m_palette = nullptr;
  QTableWidget* m_nodes = nullptr;
  QLabel* m_summary = nullptr;
  QListWidget* m_problems = nullptr;
};

}  // namespace nc::app

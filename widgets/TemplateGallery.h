#pragma once
// "New from template" as a gallery: one card per project in resources/templates with a picture of
// its graph (one block per layer in the canvas colours, rows by depth), its name, one line saying what it is, its size,
// and an Open button; double-clicking a card opens it too.
//
// Wiring (MainWindow, File > New from template...):
//   if (auto name = TemplateGallery::choose(this)) newFromTemplate(*name);
// choose() returns the template's file name without ".json" ("cnn", "char_lstm"), the same names
// MainWindow::templatePath() takes; templatePath() below finds the same folder.
#include <QDialog>
#include <QList>
#include <QString>
#include <functional>
#include <optional>

class QGridLayout;

namespace nc::widgets {

struct TemplateInfo {
  QString name;         // file name without .json: "cnn"
  QString path;         // absolute path of the file
  QString title;        // the project's name: "Fashion-MNIST CNN"
  QString description;  // one line: "CNN for 28×28 images (Fashion-MNIST) ..."
  QString stats;        // "15 layers · 421,642 parameters"
  bool ok = true;       // false when the file could not be read (the card says why in stats)
};

class TemplateGallery : public QDialog {
  Q_OBJECT
 public:
  /// Non-modal use (tests): shows the templates of `directory` (default: templatesDirectory()).
  explicit TemplateGallery(QWidget* parent = nullptr, const QString& directory = {});

  /// Modal: the chosen template's name, or nullopt when cancelled.
  static std::optional<QString> choose(QWidget* parent);

  /// resources/templates next to the executable (../resources, ../../resources) or in the source
  /// tree; empty when none exists.
  static QString templatesDirectory();
  /// templatesDirectory()/<name>.json when it exists, else empty.
  static QString templatePath(const QString& name);
  /// The *.json files of `directory`: cnn, lstm, transformer, char_lstm first, then by name.
  static QList<TemplateInfo> listTemplates(const QString& directory);
  /// The built-in one-line description of a shipped template ("" for others).
  static QString describe(const QString& name);

  const QList<TemplateInfo>& templates() const { return m_templates; }
  /// The card showing a template (objectName "card_<name>"), or nullptr.
  QWidget* card(const QString& name) const;
  /// The name chosen by Open or a double-click (empty until then).
  const QString& chosen() const { return m_chosen; }

 Q_SIGNALS:
  void templateChosen(const QString& name);

 private:
  void pick(const QString& name);

  QList<TemplateInfo> m_templates;
  QList<QWidget*> m_cards;
  QString m_chosen;
};

}  // namespace nc::widgets

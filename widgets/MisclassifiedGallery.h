#pragma once
// Every misclassified validation sample of a run (issue 14), from the run folder's
// misclassified.json (core/training/Misclassified.h): filters by true and predicted class, a
// count ("312 of 1,048 misclassified shown"), and a grid that draws only the visible tiles, so
// thousands of samples scroll without freezing. The file is read on a background thread.
#include <QAbstractScrollArea>
#include <QPointer>
#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "core/training/Misclassified.h"

class QComboBox;
class QLabel;
class QThread;

namespace nc::widgets {

/// The scrolling grid of tiles (image or "no image", true and predicted class, confidence and
/// the top-3 probabilities as a tooltip). Draws only what is visible.
class MisclassifiedTiles : public QAbstractScrollArea {
  Q_OBJECT
 public:
  explicit MisclassifiedTiles(QWidget* parent = nullptr);
  void setSamples(std::shared_ptr<const core::MisclassifiedSet> set, std::vector<int> shown);
  int columns() const;
  /// Tiles painted by the last paint event (for tests: stays small however many are shown).
  int lastPaintedTiles() const { return m_lastPainted; }
  /// The position in the shown list of the tile under a viewport point; -1 when none.
  int tileAt(const QPoint& viewportPos) const;
  static constexpr int kTileWidth = 112, kTileHeight = 140;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  bool viewportEvent(QEvent* event) override;

 private:
  void updateScrollRange();
  QString className(int64_t c) const;

  std::shared_ptr<const core::MisclassifiedSet> m_set;
  std::vector<int> m_shown;  // indices into m_set->samples
  int m_lastPainted = 0;
};

class MisclassifiedGallery : public QWidget {
  Q_OBJECT
 public:
  explicit MisclassifiedGallery(QWidget* parent = nullptr);
  ~MisclassifiedGallery() override;

  /// Reads `<runDirectory>/misclassified.json` on a background thread; `loaded` follows.
  /// wait = true reads it before returning (tests). The filters stay on the classes they name.
  void loadRun(const QString& runDirectory, bool wait = false);
  /// Shows this set (e.g. a live run's latest pass) at once.
  void setSet(const core::MisclassifiedSet& set);
  void clear();
  bool isLoading() const { return m_loading > 0; }

  /// -1 = all classes.
  void setFilters(int trueClass, int predictedClass);
  int trueFilter() const;
  int predictedFilter() const;
  QComboBox* trueCombo() const { return m_trueCombo; }
  QComboBox* predictedCombo() const { return m_predictedCombo; }
  MisclassifiedTiles* tiles() const { return m_tiles; }
  int shownCount() const { return int(m_shown.size()); }
  /// Samples listed in the file (all misclassified unless the file was capped).
  int listedCount() const { return m_set ? int(m_set->samples.size()) : 0; }
  QString countText() const;
  const core::MisclassifiedSet* set() const { return m_set.get(); }

 Q_SIGNALS:
  /// A run's file was read (or could not be: `ok` false, message shown in the gallery).
  void loaded(bool ok);

 private:
  void apply(std::shared_ptr<const core::MisclassifiedSet> set, const QString& error);
  void refill();
  void fillCombos();

  std::shared_ptr<const core::MisclassifiedSet> m_set;
  std::vector<int> m_shown;
  QComboBox* m_trueCombo = nullptr;
  QComboBox* m_predictedCombo = nullptr;
  QLabel* m_count = nullptr;
  MisclassifiedTiles* m_tiles = nullptr;
  QString m_error;
  int m_generation = 0, m_loading = 0;
  std::vector<QPointer<QThread>> m_threads;
};

}  // namespace nc::widgets

#pragma once
// After a run: a grid of validation samples, each with its predicted and true class (and the
// image, for image data), read from the run folder's validation_samples.json. Correct
// predictions are framed green, wrong ones red.
#include <QImage>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

namespace nc::widgets {

struct ShownSample {
  int trueClass = 0, predictedClass = 0;
  double confidence = 0;
  QImage image;  // null for non-image data
};

class SampleGridView : public QWidget {
  Q_OBJECT
 public:
  explicit SampleGridView(QWidget* parent = nullptr);
  /// Loads `<runDirectory>/validation_samples.json`; false (and an empty grid with a hint) when
  /// the run has none (no epoch finished, no validation split, not a classification task).
  bool loadRun(const QString& runDirectory);
  void clear();
  const std::vector<ShownSample>& samples() const { return m_samples; }
  const QStringList& classNames() const { return m_classes; }
  int correctCount() const;

  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString className(int index) const;
  int columns() const;

  std::vector<ShownSample> m_samples;
  QStringList m_classes;
  int m_epoch = 0;
};

}  // namespace nc::widgets

#include "app/gui/LrFinderDialog.h"

#include <QChart>
#include <QChartView>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMetaObject>
#include <QPainter>
#include <QPen>
#include <QPushButton>
#include <QSpinBox>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/training/TrainingEvents.h"
#include "widgets/ScientificSpinBox.h"

namespace nc::app {

namespace {

std::mutex g_defaultsMutex;
core::LrFinderOptions g_defaults;

QString rateText(double rate) { return QString::number(rate, 'g', 2); }

}  // namespace

void LrFinderDialog::setDefaultOptions(const core::LrFinderOptions& options) {
  std::lock_guard<std::mutex> lock(g_defaultsMutex);
  g_defaults = options;
}

core::LrFinderOptions LrFinderDialog::defaultOptions() {
  std::lock_guard<std::mutex> lock(g_defaultsMutex);
  return g_defaults;
}

LrFinderDialog::LrFinderDialog(const core::Project& project, std::shared_ptr<const core::Dataset> dataset,
                               QWidget* parent)
    : QDialog(parent), m_project(project), m_dataset(std::move(dataset)) {
  setWindowTitle(tr("Find learning rate"));
  setObjectName("lrFinderDialog");
  const core::LrFinderOptions defaults = defaultOptions();

  auto* intro = new QLabel(
      tr("A copy of the model is trained for a few hundred batches while the learning rate grows "
         "exponentially; the test stops when the loss diverges. The project's model and weights are "
         "not touched. The suggested rate is where the smoothed loss falls fastest, at most a tenth of "
         "where it is lowest."),
      this);
  intro->setWordWrap(true);

  m_steps = new QSpinBox(this);
  m_steps->setObjectName("lrSteps");
  m_steps->setRange(10, 100000);
  m_steps->setValue(int(std::clamp<int64_t>(defaults.steps, 10, 100000)));
  m_steps->setToolTip(tr("Batches in the test (one optimizer step each)"));
  m_minLr = new widgets::ScientificSpinBox(this);
  m_minLr->setObjectName("lrMin");
  m_minLr->setLogarithmicSteps(true);
  m_minLr->setRange(1e-12, 1e6);
  m_minLr->setValue(defaults.minLearningRate);
  m_maxLr = new widgets::ScientificSpinBox(this);
  m_maxLr->setObjectName("lrMax");
  m_maxLr->setLogarithmicSteps(true);
  m_maxLr->setRange(1e-12, 1e6);
  m_maxLr->setValue(defaults.maxLearningRate);
  m_limit = new QSpinBox(this);
  m_limit->setObjectName("lrLimit");
  m_limit->setRange(0, 1 << 30);
  m_limit->setSpecialValueText(tr("project's setting"));
  m_limit->setValue(int(std::clamp<int64_t>(defaults.limit, 0, 1 << 30)));
  m_limit->setToolTip(tr("Load at most this many training samples (0: as the project's data says)"));
  if (m_dataset) m_limit->setEnabled(false);  // preloaded data (tests) is used as it is

  auto* form = new QHBoxLayout;
  auto addField = [&](const QString& label, QWidget* field) {
    auto* l = new QLabel(label, this);
    l->setBuddy(field);
    form->addWidget(l);
    form->addWidget(field);
  };
  addField(tr("Steps"), m_steps);
  addField(tr("From"), m_minLr);
  addField(tr("to"), m_maxLr);
  addField(tr("Samples"), m_limit);
  m_run = new QPushButton(tr("Run again"), this);
  m_run->setObjectName("lrRun");
  m_run->setAutoDefault(false);
  form->addWidget(m_run);
  form->addStretch(1);

  m_chart = new QChart();
  m_chart->setTitle(tr("Loss against the learning rate"));
  m_chart->legend()->setAlignment(Qt::AlignBottom);
  m_raw = new QLineSeries();
  m_raw->setName(tr("loss"));
  m_raw->setPen(QPen(QColor(150, 170, 200, 110), 1));
  m_smoothed = new QLineSeries();
  m_smoothed->setName(tr("smoothed loss"));
  m_smoothed->setPen(QPen(QColor(31, 119, 180), 2.5));
  m_marker = new QLineSeries();
  m_marker->setName(tr("suggested"));
  QPen markerPen(QColor(214, 39, 40), 2, Qt::DashLine);
  m_marker->setPen(markerPen);
  m_chart->addSeries(m_raw);
  m_chart->addSeries(m_smoothed);
  m_chart->addSeries(m_marker);
  m_x = new QLogValueAxis();
  m_x->setBase(10);
  m_x->setLabelFormat("%.0e");
  m_x->setMinorTickCount(-1);
  m_x->setTitleText(tr("learning rate (log scale)"));
  m_y = new QValueAxis();
  m_y->setTitleText(tr("loss"));
  m_y->setLabelFormat("%.2f");
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  for (QLineSeries* s : {m_raw, m_smoothed, m_marker}) {
    s->attachAxis(m_x);
    s->attachAxis(m_y);
  }
  m_view = new QChartView(m_chart, this);
  m_view->setRenderHint(QPainter::Antialiasing);
  m_view->setMinimumSize(640, 360);

  m_status = new QLabel(this);
  m_status->setObjectName("lrStatus");
  m_status->setWordWrap(true);
  m_suggestion = new QLabel(this);
  m_suggestion->setObjectName("lrSuggestion");
  m_suggestion->setWordWrap(true);
  m_suggestion->setTextFormat(Qt::RichText);

  m_stop = new QPushButton(tr("Stop"), this);
  m_stop->setObjectName("lrStop");
  m_stop->setAutoDefault(false);
  m_use = new QPushButton(tr("Use this rate"), this);
  m_use->setObjectName("lrUse");
  m_use->setToolTip(tr("Put the suggested rate into the training settings (Edit > Undo restores the old one)"));
  auto* close = new QPushButton(tr("Close"), this);
  close->setAutoDefault(false);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_stop);
  buttons->addStretch(1);
  buttons->addWidget(m_use);
  buttons->addWidget(close);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addLayout(form);
  layout->addWidget(m_view, 1);
  layout->addWidget(m_status);
  layout->addWidget(m_suggestion);
  layout->addLayout(buttons);
  resize(860, 600);

  connect(m_run, &QPushButton::clicked, this, [this] { start(); });
  connect(m_stop, &QPushButton::clicked, this, &LrFinderDialog::stop);
  connect(close, &QPushButton::clicked, this, &QDialog::reject);
  connect(m_use, &QPushButton::clicked, this, [this] {
    if (!m_result.hasSuggestion() || m_running) return;
    Q_EMIT rateChosen(m_result.suggestedLearningRate);
    accept();
  });
  updateButtons();
}

LrFinderDialog::~LrFinderDialog() {
  if (m_control) m_control->requestStop();
  join();
}

void LrFinderDialog::join() {
  if (m_thread.joinable()) m_thread.join();
}

core::LrFinderOptions LrFinderDialog::optionsFromForm() const {
  core::LrFinderOptions o = defaultOptions();
  o.steps = m_steps->value();
  o.minLearningRate = m_minLr->value();
  o.maxLearningRate = m_maxLr->value();
  o.limit = m_limit->value();
  return o;
}

bool LrFinderDialog::start() {
  if (m_running) return false;
  join();  // the previous test's thread has reported its end; collect it
  const core::LrFinderOptions options = optionsFromForm();
  m_result = core::LrFinderResult{};
  m_raw->clear();
  m_smoothed->clear();
  m_marker->clear();
  m_marker->setName(tr("suggested"));
  m_lowest = m_first = 0;
  m_x->setRange(options.minLearningRate, std::max(options.maxLearningRate, options.minLearningRate * 10));
  m_y->setRange(0, 1);
  m_suggestion->clear();
  m_status->setText(m_dataset || m_project.data.path.empty() ? tr("Running…") : tr("Loading the data…"));
  m_control = std::make_shared<core::TrainingControl>();
  m_running = true;
  updateButtons();
  // The worker gets copies; it reports through queued calls, which Qt drops if this dialog has
  // been deleted meanwhile (the destructor also stops and joins it).
  m_thread = std::thread([this, project = m_project, dataset = m_dataset, control = m_control, options] {
    core::LrFinderResult r = core::findLearningRate(
        project, options, control.get(),
        [this](const core::LrFinderPoint& p) {
          QMetaObject::invokeMethod(this, [this, p] { addPoint(p); }, Qt::QueuedConnection);
        },
        dataset);
    QMetaObject::invokeMethod(this, [this, r] { onFinished(r); }, Qt::QueuedConnection);
  });
  return true;
}

void LrFinderDialog::stop() {
  if (m_control && m_running) {
    m_control->requestStop();
    m_status->setText(tr("Stopping after the current step…"));
  }
}

void LrFinderDialog::addPoint(const core::LrFinderPoint& p) {
  if (!m_running) return;
  m_raw->append(p.learningRate, p.loss);
  m_smoothed->append(p.learningRate, p.smoothedLoss);
  if (m_smoothed->count() == 1) m_first = m_lowest = p.smoothedLoss;
  m_lowest = std::min(m_lowest, p.smoothedLoss);
  fitY();
  m_status->setText(tr("Step %1 of %2: rate %3, loss %4 (smoothed %5)")
                        .arg(p.step)
                        .arg(m_steps->value())
                        .arg(rateText(p.learningRate))
                        .arg(p.loss, 0, 'f', 4)
                        .arg(p.smoothedLoss, 0, 'f', 4));
}

/// From a little below the lowest smoothed loss to a little above its start: the fall fills the
/// chart; the diverging tail (and the raw loss's spikes) leave it at the top.
void LrFinderDialog::fitY() {
  double top = std::max(m_first, m_lowest) + 0.25 * std::max(m_first - m_lowest, 0.05);
  double bottom = std::max(0.0, m_lowest - 0.15 * std::max(m_first - m_lowest, 0.05));
  m_y->setRange(bottom, top);
}

void LrFinderDialog::onFinished(const core::LrFinderResult& r) {
  m_running = false;
  join();
  m_result = r;
  QString seconds = QString::number(r.seconds, 'f', 1);
  if (!r.ok()) {
    m_status->setText(tr("Failed: %1").arg(QString::fromStdString(r.error)));
  } else {
    QString why = QString::fromStdString(r.message);
    m_status->setText(tr("%1 steps in %2 s on %3 training samples, batch %4: %5.")
                          .arg(r.points.size())
                          .arg(seconds)
                          .arg(r.trainingSamples)
                          .arg(r.batchSize)
                          .arg(why));
  }
  if (r.hasSuggestion()) {
    const double lr = r.suggestedLearningRate;
    m_marker->append(lr, m_y->min());
    m_marker->append(lr, m_y->max());
    m_marker->setName(tr("suggested %1").arg(rateText(lr)));
    m_suggestion->setText(tr("<b>Suggested learning rate: %1</b> (%2; the project has %3).")
                              .arg(rateText(lr), QString::fromStdString(r.suggestion).toHtmlEscaped(),
                                   QString::number(m_project.training.learningRate, 'g', 3)));
  } else if (r.ok()) {
    m_suggestion->setText(tr("No suggestion: %1.").arg(QString::fromStdString(r.suggestion).toHtmlEscaped()));
  }
  updateButtons();
  Q_EMIT finished();
}

void LrFinderDialog::updateButtons() {
  m_stop->setEnabled(m_running);
  m_run->setEnabled(!m_running);
  for (QWidget* w : std::initializer_list<QWidget*>{m_steps, m_minLr, m_maxLr}) w->setEnabled(!m_running);
  m_limit->setEnabled(!m_running && !m_dataset);
  m_use->setEnabled(!m_running && m_result.hasSuggestion());
}

}  // namespace nc::app

#include "app/gui/GeneratePanel.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QVBoxLayout>
#include <chrono>
#include <climits>

#include "app/gui/DeployPanel.h"
#include "core/JsonUtil.h"
#include "core/Project.h"
#include "core/deploy/Generate.h"
#include "widgets/RunHistory.h"
#include "widgets/WheelGuard.h"

namespace nc::app {

GeneratePanel::GeneratePanel(QWidget* parent) : QWidget(parent) {
  setObjectName("generatePanel");
  auto* form = new QFormLayout();
  m_prompt = new QLineEdit(QStringLiteral("This program is free software"), this);
  m_prompt->setObjectName("generatePrompt");
  m_prompt->setToolTip(tr("The start of the text; every character must be in the model's vocabulary"));
  m_length = new QSpinBox(this);
  m_length->setObjectName("generateLength");
  m_length->setRange(1, 20000);
  m_length->setValue(300);
  m_length->setSuffix(tr(" characters"));
  m_temperature = new QDoubleSpinBox(this);
  m_temperature->setObjectName("generateTemperature");
  m_temperature->setRange(0, 5);
  m_temperature->setDecimals(2);
  m_temperature->setSingleStep(0.1);
  m_temperature->setValue(0.8);
  m_temperature->setToolTip(tr("0 = greedy (always the most likely character); higher is more random"));
  m_topK = new QSpinBox(this);
  m_topK->setObjectName("generateTopK");
  m_topK->setRange(0, 1 << 16);
  m_topK->setSpecialValueText(tr("all"));
  m_topK->setToolTip(tr("Sample among the K most likely characters only (all: no limit)"));
  m_seed = new QSpinBox(this);
  m_seed->setObjectName("generateSeed");
  m_seed->setRange(-1, INT_MAX);
  m_seed->setValue(-1);
  m_seed->setSpecialValueText(tr("random"));
  m_seed->setToolTip(tr("The same seed gives the same text (with the same model, prompt and settings)"));
  for (QWidget* w : std::initializer_list<QWidget*>{m_length, m_temperature, m_topK, m_seed}) w->setMaximumWidth(200);
  form->addRow(tr("Prompt"), m_prompt);
  form->addRow(tr("Length"), m_length);
  form->addRow(tr("Temperature"), m_temperature);
  form->addRow(tr("Top-k"), m_topK);
  form->addRow(tr("Seed"), m_seed);
  auto* buttons = new QHBoxLayout();
  m_generate = new QPushButton(tr("Generate"), this);
  m_generate->setObjectName("generateButton");
  m_generate->setToolTip(tr("Export the run's best checkpoint to deploy/model.pt (when needed) and write text with it"));
  m_stop = new QPushButton(tr("Stop"), this);
  m_stop->setObjectName("generateStop");
  connect(m_generate, &QPushButton::clicked, this, [this]() { generate(); });
  connect(m_stop, &QPushButton::clicked, this, &GeneratePanel::stop);
  connect(m_prompt, &QLineEdit::returnPressed, this, [this]() { generate(); });
  buttons->addWidget(m_generate);
  buttons->addWidget(m_stop);
  buttons->addStretch(1);
  m_status = new QLabel(this);
  m_status->setObjectName("generateStatus");
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_output = new QPlainTextEdit(this);
  m_output->setObjectName("generateOutput");
  m_output->setReadOnly(true);
  m_output->setFont(QFont(QStringLiteral("monospace")));
  m_output->setPlaceholderText(tr("Generated text appears here as it is written."));
  auto* v = new QVBoxLayout(this);
  v->addLayout(form);
  v->addLayout(buttons);
  v->addWidget(m_status);
  v->addWidget(m_output, 1);
  widgets::guardWheelInTree(this);
  updateButtons();
}

GeneratePanel::~GeneratePanel() {
  if (m_cancel) m_cancel->store(true);
  joinWorker();
}

bool GeneratePanel::isLanguageModelRun(const QString& runDirectory) {
  if (runDirectory.isEmpty()) return false;
  core::ProjectLoad load = core::loadProject(QDir(runDirectory).filePath("project.json").toStdString());
  return load.ok() && load.project->data.kind == "text";
}

void GeneratePanel::setRun(const QString& runDirectory) {
  if (m_running || runDirectory == m_run) return;
  m_run = runDirectory;
  m_status->setText(m_run.isEmpty() ? tr("No run selected.")
                                    : tr("Run %1").arg(QFileInfo(m_run).fileName()));
  updateButtons();
}

void GeneratePanel::setTrainingActive(bool active) {
  m_trainingActive = active;
  if (active) stop();
  updateButtons();
}

void GeneratePanel::updateButtons() {
  const bool hasWeights = !m_run.isEmpty() && !widgets::bestCheckpoint(m_run).isEmpty();
  m_generate->setEnabled(!m_running && !m_trainingActive && hasWeights);
  m_stop->setEnabled(m_running);
  for (QWidget* w : std::initializer_list<QWidget*>{m_prompt, m_length, m_temperature, m_topK, m_seed})
    w->setEnabled(!m_running);
}

QString GeneratePanel::generatedText() const {
  return QString::fromStdString(core::toUtf8(std::string(m_bytes.constData(), size_t(m_bytes.size()))));
}

void GeneratePanel::showText() {
  // The whole text is decoded again: a character of several bytes may arrive in pieces.
  m_output->setPlainText(m_shownPrompt + generatedText());
  m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
}

void GeneratePanel::appendBytes(const QByteArray& bytes) {
  m_bytes += bytes;
  showText();
}

bool GeneratePanel::generate() {
  auto refuse = [this](const QString& message) {
    m_lastError = message;
    m_status->setText(message);
    return false;
  };
  if (m_running) return refuse(tr("Already generating: Stop first"));
  if (m_trainingActive) return refuse(tr("Generate is available once the training run has ended"));
  if (m_run.isEmpty()) return refuse(tr("Select a language-model run (trained on text)"));
  const QString checkpoint = widgets::bestCheckpoint(m_run);
  if (checkpoint.isEmpty()) return refuse(tr("%1 has no checkpoint yet (no epoch finished)").arg(m_run));
  core::GenerateOptions options;
  const QByteArray prompt = m_prompt->text().toUtf8();
  options.prompt.assign(prompt.constData(), size_t(prompt.size()));
  options.length = m_length->value();
  options.temperature = m_temperature->value();
  options.topK = m_topK->value();
  if (m_seed->value() >= 0) options.seed = uint64_t(m_seed->value());
  if (std::string bad = core::checkGenerateOptions(options); !bad.empty()) return refuse(QString::fromStdString(bad));

  joinWorker();
  m_lastError.clear();
  m_bytes.clear();
  m_shownPrompt = m_prompt->text();
  showText();
  m_running = true;
  m_cancel = std::make_shared<std::atomic<bool>>(false);
  m_status->setText(tr("Preparing the model…"));
  updateButtons();
  const QString run = m_run;
  auto flag = m_cancel;
  m_thread = std::thread([this, run, checkpoint, options, flag]() {
    // The destructor joins this thread before the panel goes, so `this` outlives every post.
    auto post = [this](std::function<void()> fn) { QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection); };
    QString error;
    const QString archive = DeployPanel::deployArchive(run, checkpoint, &error);
    if (archive.isEmpty()) {
      post([this, error]() { finish(false, error); });
      return;
    }
    if (flag->load()) {
      post([this]() { finish(true, tr("Stopped")); });
      return;
    }
    post([this]() { m_status->setText(tr("Generating…")); });
    // Text goes to the GUI in batches, at most about 30 times a second.
    QByteArray pending;
    auto last = std::chrono::steady_clock::now();
    auto flush = [&]() {
      if (pending.isEmpty()) return;
      post([this, bytes = pending]() { appendBytes(bytes); });
      pending.clear();
      last = std::chrono::steady_clock::now();
    };
    core::GenerateResult result;
    try {
      result = core::generateText(archive.toStdString(), options, [&](const std::string& piece) {
        pending.append(piece.data(), int(piece.size()));
        if (std::chrono::steady_clock::now() - last > std::chrono::milliseconds(33)) flush();
        return !flag->load();
      });
    } catch (const std::exception& e) {
      result.error = e.what();
    }
    flush();
    const bool ok = result.ok();
    const QString message =
        !ok ? QString::fromStdString(core::toUtf8(result.error))
            : result.cancelled ? tr("Stopped after %1 characters").arg(result.text.size())
                               : tr("Wrote %1 characters (seed %2)").arg(result.text.size()).arg(result.seed);
    post([this, ok, message]() { finish(ok, message); });
  });
  return true;
}

void GeneratePanel::stop() {
  if (!m_running || !m_cancel) return;
  m_cancel->store(true);
  m_status->setText(tr("Stopping…"));
  m_stop->setEnabled(false);
}

void GeneratePanel::finish(bool ok, const QString& message) {
  joinWorker();
  m_running = false;
  if (!ok) m_lastError = message;
  m_status->setText(message);
  updateButtons();
  Q_EMIT finished(ok);
}

void GeneratePanel::joinWorker() {
  if (m_thread.joinable()) m_thread.join();
}

}  // namespace nc::app

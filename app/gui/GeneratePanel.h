#pragma once
// The Generate panel (issue 13): text from a language-model run (data kind "text", one next
// character per position). The run's best (else last) checkpoint is exported to
// <run>/deploy/model.pt as the Deploy tab's benchmark does (reused while newer than the
// checkpoint), then core::generateText samples from it on a worker thread; the text appears as
// it streams and Stop ends it at the next character.
#include <QString>
#include <QWidget>
#include <atomic>
#include <memory>
#include <thread>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace nc::app {

class GeneratePanel : public QWidget {
  Q_OBJECT
 public:
  explicit GeneratePanel(QWidget* parent = nullptr);
  /// Stops a generation under way and joins its thread.
  ~GeneratePanel() override;

  /// True when the run's project reads text data (a character-level language model).
  static bool isLanguageModelRun(const QString& runDirectory);

  /// The run to generate from (empty: none). Ignored while generating.
  void setRun(const QString& runDirectory);
  QString run() const { return m_run; }
  /// While a run trains nothing is generated (it would take the trainer's cores).
  void setTrainingActive(bool active);

  /// Starts generating with the fields' settings; false when refused (lastError() says why).
  bool generate();
  /// Asks the generation under way to stop after its current character.
  void stop();
  bool isRunning() const { return m_running; }

  /// The generated text so far (bytes decoded as UTF-8, invalid bytes as Latin-1), without the prompt.
  QString generatedText() const;
  const QString& lastError() const { return m_lastError; }

  QLineEdit* promptField() const { return m_prompt; }
  QSpinBox* lengthField() const { return m_length; }
  QDoubleSpinBox* temperatureField() const { return m_temperature; }
  QSpinBox* topKField() const { return m_topK; }
  QSpinBox* seedField() const { return m_seed; }
  QPushButton* generateButton() const { return m_generate; }
  QPushButton* stopButton() const { return m_stop; }
  QPlainTextEdit* output() const { return m_output; }
  QLabel* statusLabel() const { return m_status; }

 Q_SIGNALS:
  /// A generation ended: ok = it wrote all it was asked to or was stopped; false on an error.
  void finished(bool ok);

 private:
  void updateButtons();
  void showText();
  void appendBytes(const QByteArray& bytes);
  void finish(bool ok, const QString& message);
  void joinWorker();

  QLineEdit* m_prompt = nullptr;
  QSpinBox* m_length = nullptr;
  QDoubleSpinBox* m_temperature = nullptr;
  QSpinBox* m_topK = nullptr;
  QSpinBox* m_seed = nullptr;
  QPushButton* m_generate = nullptr;
  QPushButton* m_stop = nullptr;
  QPlainTextEdit* m_output = nullptr;
  QLabel* m_status = nullptr;

  QString m_run;
  QString m_shownPrompt;
  QByteArray m_bytes;  // generated so far, as the model wrote them
  bool m_running = false;
  bool m_trainingActive = false;
  QString m_lastError;
  std::thread m_thread;
  std::shared_ptr<std::atomic<bool>> m_cancel;
};

}  // namespace nc::app

#include "app/gui/CompressDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/deploy/Pruning.h"
#include "widgets/WheelGuard.h"

namespace nc::app {
namespace {

QString count(int64_t n) { return QLocale(QLocale::English).toString(qlonglong(n)); }

QString ratioText(int64_t after, int64_t before) {
  if (before <= 0) return QStringLiteral("—");
  return QString::number(double(after) / double(before), 'f', 2) + QStringLiteral("×");
}

}  // namespace

CompressDialog::CompressDialog(const core::Project& project, QWidget* parent) : QDialog(parent), m_project(project) {
  setObjectName("compressDialog");
  setWindowTitle(tr("Compress the model"));
  m_prune = new QDoubleSpinBox(this);
  m_prune->setObjectName("pruneFraction");
  m_prune->setRange(0, 90);
  m_prune->setDecimals(0);
  m_prune->setSingleStep(10);
  m_prune->setSuffix(tr(" % of channels"));
  m_prune->setSpecialValueText(tr("off"));
  m_prune->setValue(50);
  m_prune->setToolTip(tr("Structured pruning: the share of output channels (Conv2d) or features (Linear) removed "
                         "from each prunable node, the weakest by L1 norm; the graph is rewritten. 0 = off."));
  m_sparsity = new QDoubleSpinBox(this);
  m_sparsity->setObjectName("sparsity");
  m_sparsity->setRange(0, 99);
  m_sparsity->setDecimals(1);
  m_sparsity->setSingleStep(10);
  m_sparsity->setSuffix(tr(" % of weights zeroed"));
  m_sparsity->setSpecialValueText(tr("off"));
  m_sparsity->setValue(0);
  m_sparsity->setToolTip(tr("Magnitude pruning: this share of all Conv/Linear/recurrent/attention weights, the smallest "
                            "in absolute value across the model, set to zero (kept zero while fine-tuning). The graph "
                            "is unchanged: stored dense, the file is not smaller and inference not faster; a "
                            "compressed copy is smaller. 0 = off."));
  m_fineTune = new QSpinBox(this);
  m_fineTune->setObjectName("fineTuneEpochs");
  m_fineTune->setRange(0, 100);
  m_fineTune->setValue(1);
  m_fineTune->setSpecialValueText(tr("none"));
  m_fineTune->setToolTip(tr("Epochs of training after pruning (for each pruned variant), starting from the pruned "
                            "weights"));
  m_int8 = new QCheckBox(tr("int8 (dynamic)"), this);
  m_int8->setObjectName("quantizeInt8");
  m_int8->setChecked(true);
  m_int8->setToolTip(tr("Linear, LSTM, GRU and Transformer feed-forward weights as int8 (activations quantized on the fly); other layers stay float"));
  m_evalLimit = new QSpinBox(this);
  m_evalLimit->setObjectName("evalLimit");
  m_evalLimit->setRange(0, 10'000'000);
  m_evalLimit->setSingleStep(1000);
  m_evalLimit->setSpecialValueText(tr("all test samples"));
  m_evalLimit->setValue(0);
  m_evalLimit->setToolTip(tr("Test samples each variant's accuracy is measured on (0 = all)"));
  m_evalLimit->setGroupSeparatorShown(true);

  m_preview = new QLabel(this);
  m_preview->setObjectName("prunePreview");
  m_preview->setWordWrap(true);
  m_preview->setTextFormat(Qt::RichText);
  m_preview->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* previewScroll = new QScrollArea(this);
  previewScroll->setWidget(m_preview);
  previewScroll->setWidgetResizable(true);
  previewScroll->setMinimumHeight(170);
  m_output = new QLabel(this);
  m_output->setWordWrap(true);
  m_output->setStyleSheet("color: #555");

  auto* form = new QFormLayout();
  form->addRow(tr("Prune"), m_prune);
  form->addRow(tr("Sparsity"), m_sparsity);
  form->addRow(tr("Fine-tune epochs"), m_fineTune);
  form->addRow(tr("Quantize"), m_int8);
  form->addRow(tr("Evaluate on"), m_evalLimit);
  m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Compress"));
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(new QLabel(tr("Pruning plan:"), this));
  layout->addWidget(previewScroll, 1);
  layout->addWidget(m_output);
  layout->addWidget(m_buttons);
  widgets::guardWheelInTree(this);
  resize(560, 480);

  m_debounce.setSingleShot(true);
  m_debounce.setInterval(150);
  connect(&m_debounce, &QTimer::timeout, this, &CompressDialog::updatePreview);
  auto pruningChanged = [this]() {
    m_fineTune->setEnabled(m_prune->value() > 0 || m_sparsity->value() > 0);
    m_debounce.start();
  };
  connect(m_prune, &QDoubleSpinBox::valueChanged, this, pruningChanged);
  connect(m_sparsity, &QDoubleSpinBox::valueChanged, this, pruningChanged);
  updatePreview();
}

void CompressDialog::setOutputFolder(const QString& folder) {
  m_output->setText(tr("Writes the variants and report.json into %1").arg(folder));
}

core::CompressOptions CompressDialog::options() const {
  core::CompressOptions o;
  o.pruneFraction = m_prune->value() / 100.0;
  o.sparsity = m_sparsity->value() / 100.0;
  o.fineTuneEpochs = o.pruneFraction > 0 || o.sparsity > 0 ? m_fineTune->value() : 0;
  o.quantize = m_int8->isChecked() ? core::QuantizeMode::DynamicInt8 : core::QuantizeMode::None;
  o.evalLimit = m_evalLimit->value();
  return o;
}

QString CompressDialog::previewText() const { return m_preview->text(); }

void CompressDialog::updatePreview() {
  m_debounce.stop();
  const double fraction = m_prune->value() / 100.0;
  const QString sparse =
      m_sparsity->value() > 0
          ? tr("<p><b>Sparse</b>: the smallest %1% of the Conv/Linear/recurrent/attention weights zeroed%2. Same "
               "graph, stored dense: the file is not smaller and inference not faster (a compressed copy is).</p>")
                .arg(QString::number(m_sparsity->value(), 'f', m_sparsity->value() == int(m_sparsity->value()) ? 0 : 1),
                     m_fineTune->value() > 0 ? tr(", then fine-tuned with the zeros held") : QString())
          : QString();
  if (!(fraction > 0)) {
    m_preview->setText((m_sparsity->value() > 0 ? QString() : tr("No pruning: the variants are FP32%1.")
                                                                   .arg(m_int8->isChecked() ? tr(" and int8") : QString())) +
                       sparse);
    return;
  }
  core::ChannelPruneOptions options;
  options.fraction = fraction;
  core::ChannelPruneResult plan;
  try {
    plan = core::planChannelPruning(m_project, options);
  } catch (const std::exception& e) {
    plan.status = core::Status::error(e.what());
  }
  QString html;
  if (!plan.status.ok()) {
    html += tr("<p style='color:#c53030'>Cannot prune: %1</p>").arg(QString::fromStdString(plan.status.message()).toHtmlEscaped());
  }
  const core::ChannelPruneReport& r = plan.report;
  if (!r.pruned.empty()) {
    html += tr("<b>Cut</b><ul style='margin-top:0'>");
    for (const std::string& line : r.pruned) html += "<li>" + QString::fromStdString(line).toHtmlEscaped() + "</li>";
    html += "</ul>";
  } else if (plan.status.ok()) {
    html += tr("<p>Nothing to cut at this share.</p>");
  }
  if (!r.skipped.empty()) {
    html += tr("<b>Left alone</b><ul style='margin-top:0; color:#7a5a00'>");
    for (const std::string& line : r.skipped) html += "<li>" + QString::fromStdString(line).toHtmlEscaped() + "</li>";
    html += "</ul>";
  }
  if (r.paramsBefore > 0 || r.flopsBefore > 0)
    html += tr("<p>Parameters %1 → %2 (%3) · FLOPs/sample %4 → %5 (%6)</p>")
                .arg(count(r.paramsBefore), count(r.paramsAfter), ratioText(r.paramsAfter, r.paramsBefore),
                     count(r.flopsBefore), count(r.flopsAfter), ratioText(r.flopsAfter, r.flopsBefore));
  m_preview->setText(html + sparse);
}

}  // namespace nc::app

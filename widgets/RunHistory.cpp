#include "widgets/RunHistory.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTextStream>
#include <algorithm>
#include <limits>

#include "core/Project.h"

namespace nc::widgets {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QJsonObject readJsonObject(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

double number(const QJsonValue& v) { return v.isDouble() ? v.toDouble() : kNaN; }

QString settingsSummary(const core::TrainConfig& t) {
  return QString(t.epochs == 1 ? "%1 lr %2 · batch %3 · %4 epoch%5" : "%1 lr %2 · batch %3 · %4 epochs%5")
      .arg(QString::fromStdString(t.optimizer))
      .arg(t.learningRate, 0, 'g', 3)
      .arg(t.batchSize)
      .arg(t.epochs)
      .arg(t.schedule == "constant" ? QString() : " · " + QString::fromStdString(t.schedule));
}

QDateTime startTime(const QString& directory) {
  static const QRegularExpression stamp("(\\d{8}-\\d{6})$");
  QString name = QFileInfo(directory).fileName();
  if (auto m = stamp.match(name); m.hasMatch()) {
    QDateTime t = QDateTime::fromString(m.captured(1), "yyyyMMdd-HHmmss");
    if (t.isValid()) return t;
  }
  QFileInfo project(QDir(directory).filePath("project.json"));
  return project.birthTime().isValid() ? project.birthTime() : project.lastModified();
}

void readJsonLines(QFile& f, RunCurves& curves) {
  while (!f.atEnd()) {
    QJsonObject o = QJsonDocument::fromJson(f.readLine()).object();
    QString kind = o.value("kind").toString();
    if (kind == "step") {
      core::StepMetrics m;
      m.epoch = o.value("epoch").toInteger();
      m.step = o.value("step").toInteger();
      m.loss = number(o.value("loss"));
      m.accuracy = number(o.value("accuracy"));
      m.learningRate = number(o.value("learning_rate"));
      m.samplesPerSecond = number(o.value("samples_per_s"));
      m.elapsedSeconds = number(o.value("seconds"));
      curves.steps.push_back(m);
    } else if (kind == "epoch") {
      core::EpochMetrics m;
      m.epoch = o.value("epoch").toInteger();
      m.step = o.value("step").toInteger();
      m.trainLoss = number(o.value("train_loss"));
      m.trainAccuracy = number(o.value("train_accuracy"));
      m.valLoss = number(o.value("val_loss"));
      m.valAccuracy = number(o.value("val_accuracy"));
      m.samplesPerSecond = number(o.value("samples_per_s"));
      m.seconds = number(o.value("seconds"));
      m.best = o.value("best").toBool();
      curves.epochs.push_back(m);
    }
  }
}

/// kind,epoch,step,loss,accuracy,learning_rate,samples_per_s,val_loss,val_accuracy,seconds
void readCsv(QFile& f, RunCurves& curves) {
  QTextStream in(&f);
  in.readLine();  // header
  auto num = [](const QString& s) {
    bool ok = false;
    double v = s.toDouble(&ok);
    return ok ? v : kNaN;
  };
  while (!in.atEnd()) {
    QStringList c = in.readLine().split(',');
    if (c.size() < 10) continue;
    if (c[0] == "step") {
      core::StepMetrics m;
      m.epoch = c[1].toLongLong();
      m.step = c[2].toLongLong();
      m.loss = num(c[3]);
      m.accuracy = num(c[4]);
      m.learningRate = num(c[5]);
      m.samplesPerSecond = num(c[6]);
      m.elapsedSeconds = num(c[9]);
      curves.steps.push_back(m);
    } else if (c[0] == "epoch") {
      core::EpochMetrics m;
      m.epoch = c[1].toLongLong();
      m.step = c[2].toLongLong();
      m.trainLoss = num(c[3]);
      m.trainAccuracy = num(c[4]);
      m.samplesPerSecond = num(c[6]);
      m.valLoss = num(c[7]);
      m.valAccuracy = num(c[8]);
      m.seconds = num(c[9]);
      curves.epochs.push_back(m);
    }
  }
}

}  // namespace

QString runFolderStem(const QString& name) {
  static const QRegularExpression other("[^A-Za-z0-9_.-]+");
  QString stem = name;
  stem.replace(other, "_");
  return stem;
}

QString stemOfRunFolder(const QString& folderName) {
  static const QRegularExpression stamped("^(.*)-\\d{8}-\\d{6}(-\\d+)?$");
  auto m = stamped.match(folderName);
  return m.hasMatch() ? m.captured(1) : QString();
}

bool RunOwner::owns(const RunSummary& run) const {
  if (!run.stem.isEmpty() && stems.contains(run.stem)) return true;
  return !projectName.isEmpty() && run.projectName == projectName;
}

QStringList findRunDirectories(const QString& root) {
  QDir dir(root);
  std::vector<std::pair<QDateTime, QString>> found;
  for (const QFileInfo& sub : dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    QString path = sub.absoluteFilePath();
    if (QFileInfo::exists(QDir(path).filePath("project.json"))) found.emplace_back(startTime(path), path);
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  QStringList out;
  for (const auto& [time, path] : found) out << path;
  return out;
}

RunSummary readRunSummary(const QString& directory) {
  RunSummary s;
  QDir dir(directory);
  s.directory = dir.absolutePath();
  s.name = QFileInfo(s.directory).fileName();
  s.started = startTime(directory);
  s.stem = stemOfRunFolder(s.name);
  core::ProjectLoad project = core::loadProject(dir.filePath("project.json").toStdString());
  if (project.ok()) {
    s.projectName = QString::fromStdString(project.project->name);
    s.settings = settingsSummary(project.project->training);
    s.epochsPlanned = project.project->training.epochs;
  }
  s.hasCheckpoint = QFileInfo::exists(dir.filePath("checkpoints/last.pt"));
  QJsonObject result = readJsonObject(dir.filePath("result.json"));
  if (result.isEmpty()) {
    s.status = "running";
  } else {
    s.status = result.value("status").toString();
    s.message = result.value("message").toString();
    s.epochsCompleted = result.value("epochs_completed").toInteger();
    s.bestValAccuracy = result.value("best_val_accuracy").toDouble(-1);
    s.testAccuracy = result.value("test_accuracy").toDouble(-1);
  }
  if (s.bestValAccuracy <= 0) {
    // A running or interrupted run: the best so far from its metrics.
    RunCurves curves = readRunCurves(directory);
    for (const auto& e : curves.epochs)
      if (e.valAccuracy == e.valAccuracy) s.bestValAccuracy = std::max(s.bestValAccuracy, e.valAccuracy);
    if (result.isEmpty()) s.epochsCompleted = int64_t(curves.epochs.size());
  }
  return s;
}

RunCurves readRunCurves(const QString& directory) {
  RunCurves curves;
  QDir dir(directory);
  curves.directory = dir.absolutePath();
  curves.name = QFileInfo(curves.directory).fileName();
  QFile jsonl(dir.filePath("metrics.jsonl"));
  if (jsonl.open(QIODevice::ReadOnly)) {
    readJsonLines(jsonl, curves);
    return curves;
  }
  QFile csv(dir.filePath("metrics.csv"));
  if (csv.open(QIODevice::ReadOnly)) readCsv(csv, curves);
  return curves;
}

core::RunResult readRunResult(const QString& directory) {
  core::RunResult r;
  QJsonObject o = readJsonObject(QDir(directory).filePath("result.json"));
  r.runDirectory = directory.toStdString();
  QString status = o.value("status").toString();
  r.status = status == "completed" ? core::RunStatus::Completed
             : status == "stopped" ? core::RunStatus::Stopped
                                   : core::RunStatus::Failed;
  r.message = o.value("message").toString().toStdString();
  r.epochsCompleted = o.value("epochs_completed").toInteger();
  r.bestValidationAccuracy = o.value("best_val_accuracy").toDouble(0);
  r.testAccuracy = o.value("test_accuracy").toDouble(-1);
  r.testLoss = o.value("test_loss").toDouble(-1);
  for (const QJsonValue& name : o.value("class_names").toArray()) r.classNames.push_back(name.toString().toStdString());
  for (const QJsonValue& row : o.value("confusion").toArray()) {
    std::vector<int64_t> counts;
    for (const QJsonValue& c : row.toArray()) counts.push_back(c.toInteger());
    r.confusion.push_back(std::move(counts));
  }
  return r;
}

QString bestCheckpoint(const QString& directory) {
  QDir dir(directory);
  for (const char* name : {"checkpoints/best.pt", "checkpoints/last.pt"})
    if (QFileInfo::exists(dir.filePath(name))) return dir.filePath(name);
  return {};
}

}  // namespace nc::widgets

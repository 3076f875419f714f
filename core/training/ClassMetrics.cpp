#include "core/training/ClassMetrics.h"

#include <algorithm>
#include <cstdio>

#include "core/JsonUtil.h"

namespace nc::core {

namespace {

double ratio(int64_t num, int64_t den) { return den > 0 ? double(num) / double(den) : 0.0; }

double harmonic(double p, double r) { return p + r > 0 ? 2.0 * p * r / (p + r) : 0.0; }

/// The first `maxChars` code points of valid UTF-8 text (a cut never splits a character).
std::string cutUtf8(const std::string& s, size_t maxChars) {
  size_t chars = 0, i = 0;
  while (i < s.size()) {
    if (chars == maxChars) return s.substr(0, i) + "…";
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++chars;
  }
  return s;
}

size_t utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string padRight(const std::string& s, size_t width) {
  size_t n = utf8Length(s);
  return n >= width ? s : s + std::string(width - n, ' ');
}

std::string padLeft(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

ClassMetrics computeClassMetrics(const std::vector<std::vector<int64_t>>& confusion,
                                 const std::vector<std::string>& classNames) {
  ClassMetrics m;
  const size_t n = confusion.size();
  auto cell = [&](size_t t, size_t p) -> int64_t {
    return p < confusion[t].size() ? std::max<int64_t>(confusion[t][p], 0) : 0;
  };
  m.classes.resize(n);
  int64_t diagonal = 0;
  for (size_t t = 0; t < n; ++t)
    for (size_t p = 0; p < n; ++p) {
      int64_t c = cell(t, p);
      m.classes[t].support += c;
      m.classes[p].predicted += c;
      m.samples += c;
      if (t == p) diagonal += c;
    }
  m.misclassified = m.samples - diagonal;
  m.accuracy = ratio(diagonal, m.samples);
  for (size_t i = 0; i < n; ++i) {
    ClassScore& s = m.classes[i];
    s.name = i < classNames.size() && !classNames[i].empty() ? classNames[i] : std::to_string(i);
    s.truePositives = cell(i, i);
    s.noPredictions = s.predicted == 0;
    s.noSamples = s.support == 0;
    s.precision = ratio(s.truePositives, s.predicted);
    s.recall = ratio(s.truePositives, s.support);
    s.f1 = harmonic(s.precision, s.recall);
    m.macro.precision += s.precision;
    m.macro.recall += s.recall;
    m.macro.f1 += s.f1;
    m.weighted.precision += s.precision * double(s.support);
    m.weighted.recall += s.recall * double(s.support);
    m.weighted.f1 += s.f1 * double(s.support);
  }
  if (n > 0) {
    m.macro.precision /= double(n);
    m.macro.recall /= double(n);
    m.macro.f1 /= double(n);
  }
  if (m.samples > 0) {
    m.weighted.precision /= double(m.samples);
    m.weighted.recall /= double(m.samples);
    m.weighted.f1 /= double(m.samples);
  }
  m.macro.support = m.weighted.support = m.samples;
  return m;
}

nlohmann::json classMetricsJson(const ClassMetrics& m) {
  nlohmann::json perClass = nlohmann::json::array();
  for (const ClassScore& s : m.classes) {
    nlohmann::json j = {{"class", toUtf8(s.name)}, {"precision", s.precision}, {"recall", s.recall},
                        {"f1", s.f1},              {"support", s.support}};
    std::string note = s.noSamples && s.noPredictions ? "no samples and no predictions"
                       : s.noSamples                  ? "no samples"
                       : s.noPredictions              ? "no predictions"
                                                      : "";
    if (!note.empty()) j["note"] = note;
    perClass.push_back(std::move(j));
  }
  auto average = [](const AverageScore& a) {
    return nlohmann::json{{"precision", a.precision}, {"recall", a.recall}, {"f1", a.f1}, {"support", a.support}};
  };
  return {{"per_class", perClass},
          {"macro_avg", average(m.macro)},
          {"weighted_avg", average(m.weighted)},
          {"accuracy", m.accuracy}};
}

std::string classMetricsTable(const ClassMetrics& m) {
  size_t nameWidth = 12;
  std::vector<std::string> names;
  for (const ClassScore& s : m.classes) {
    names.push_back(cutUtf8(toUtf8(s.name), 24));
    nameWidth = std::max(nameWidth, utf8Length(names.back()));
  }
  auto row = [&](const std::string& name, const std::string& p, const std::string& r, const std::string& f,
                 const std::string& support, const std::string& note) {
    std::string line = padRight(name, nameWidth) + "  " + padLeft(p, 9) + "  " + padLeft(r, 9) + "  " +
                       padLeft(f, 9) + "  " + padLeft(support, 8);
    if (!note.empty()) line += "  (" + note + ")";
    return line + "\n";
  };
  std::string out = row("class", "precision", "recall", "F1", "support", "");
  for (size_t i = 0; i < m.classes.size(); ++i) {
    const ClassScore& s = m.classes[i];
    std::string note = s.noSamples && s.noPredictions ? "no samples, no predictions"
                       : s.noSamples                  ? "no samples"
                       : s.noPredictions              ? "no predictions"
                                                      : "";
    out += row(names[i], number(s.precision), number(s.recall), number(s.f1), std::to_string(s.support), note);
  }
  out += row("macro avg", number(m.macro.precision), number(m.macro.recall), number(m.macro.f1),
             std::to_string(m.macro.support), "");
  out += row("weighted avg", number(m.weighted.precision), number(m.weighted.recall), number(m.weighted.f1),
             std::to_string(m.weighted.support), "");
  return out;
}

}  // namespace nc::core

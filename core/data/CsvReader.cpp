// CSV: numeric feature columns plus one label column (strings or numbers).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>

#include "core/JsonUtil.h"
#include "core/data/Dataset.h"
#include "core/data/ReadUtil.h"

namespace nc::core {
namespace {

using namespace readutil;

struct Row {
  int64_t line = 0;  // 1-based line in the file
  std::vector<std::string> cells;
};


/// Comma, unless the first line has none but has semicolons or tabs.
char detectSeparator(std::string_view firstLine) {
  if (firstLine.find(',') != std::string_view::npos) return ',';
  if (firstLine.find(';') != std::string_view::npos) return ';';
  if (firstLine.find('\t') != std::string_view::npos) return '\t';
  return ',';
}

/// The non-blank lines of a text one at a time, split into cells (the separator is detected
/// on the first of them).
class RowReader {
 public:
  explicit RowReader(std::string_view text) : m_text(text) {}

  bool next(Row& row) {
    while (m_start < m_text.size()) {
      size_t end = std::min(m_text.find('\n', m_start), m_text.size());
      std::string_view content = m_text.substr(m_start, end - m_start);
      m_start = end + 1;
      ++m_line;
      if (content.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (m_separator == 0) m_separator = detectSeparator(content);
      if (size_t(std::count(content.begin(), content.end(), m_separator)) >= kMaxCsvColumns) {
        m_error = "line " + std::to_string(m_line) + ": more than " + std::to_string(kMaxCsvColumns) + " columns";
        m_start = m_text.size();
        return false;
      }
      row.line = m_line;
      row.cells = splitCsvCells(content, m_separator);
      return true;
    }
    return false;
  }

  /// Why next() stopped early ("" at the end of the text).
  const std::string& error() const { return m_error; }

 private:
  std::string_view m_text;
  std::string m_error;
  size_t m_start = 0;
  int64_t m_line = 0;
  char m_separator = 0;
};

/// A finite number (locale-independent), the whole cell. 1e400 (beyond double) is not one.
bool parseNumber(const std::string& cell, double& value) {
  const char* first = cell.data();
  const char* last = cell.data() + cell.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, value);
  return first != last && ec == std::errc() && end == last && std::isfinite(value);
}

bool parseIndex(const std::string& text, size_t& index) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

bool hasNonNumericFeature(const Row& row, size_t labelIndex) {
  double value = 0;
  for (size_t c = 0; c < row.cells.size(); ++c)
    if (c != labelIndex && !parseNumber(row.cells[c], value)) return true;
  return false;
}

/// Where the label is and whether the first row is a header.
struct Layout {
  size_t labelIndex = 0;
  bool header = false;
  std::string error;
};

/// The header's names for a message: printable, at most 20 of them.
std::string columnList(const Row& header) {
  std::string list;
  size_t shown = std::min<size_t>(header.cells.size(), 20);
  for (size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + printable(header.cells[i], 40);
  if (shown < header.cells.size()) list += ", ... (" + std::to_string(header.cells.size()) + " columns)";
  return list;
}

/// labelColumn is a 0-based index when it is a whole number (then the first row is a header if
/// a feature cell in it is not a number), else a name in the header row.
Layout findLayout(const std::string& file, const Row& first, const std::string& labelColumn) {
  Layout layout;
  auto named = std::find(first.cells.begin(), first.cells.end(), labelColumn);
  if (parseIndex(labelColumn, layout.labelIndex)) {
    if (layout.labelIndex >= first.cells.size())
      layout.error = file + ": label column " + printable(labelColumn) + " is out of range (" +
                     std::to_string(first.cells.size()) + " columns, counted from 0)";
    layout.header = hasNonNumericFeature(first, layout.labelIndex);
  } else if (named != first.cells.end()) {
    layout.labelIndex = size_t(named - first.cells.begin());
    layout.header = true;
  } else if (hasNonNumericFeature(first, first.cells.size())) {
    layout.error = file + ": no column named '" + printable(labelColumn) + "' (columns: " + columnList(first) + ")";
  } else {
    layout.error = file + ": no header row, so the label column '" + printable(labelColumn) +
                   "' must be given as a 0-based column index";
  }
  if (layout.error.empty() && first.cells.size() < 2)
    layout.error = file + ": needs at least one feature column besides the label";
  return layout;
}

/// Class names (sorted distinct labels; numerically when all are numbers) and each label's index.
struct Classes {
  std::vector<std::string> names;
  std::vector<int64_t> indices;
};

Classes stringClasses(const std::vector<std::string>& labels) {
  Classes c;
  std::map<std::string, int64_t> index;
  for (const std::string& s : labels) index.emplace(s, 0);
  for (auto& [name, i] : index) {
    i = int64_t(c.names.size());
    c.names.push_back(name);
  }
  for (const std::string& s : labels) c.indices.push_back(index[s]);
  return c;
}

/// All labels are numbers: "1" and "1.0" are one class, named by its first spelling.
Classes numericClasses(const std::vector<double>& values, const std::vector<std::string>& labels) {
  Classes c;
  std::map<double, int64_t> index;
  std::map<double, std::string> spelling;
  for (size_t i = 0; i < values.size(); ++i) spelling.emplace(values[i], labels[i]);
  for (const auto& [value, name] : spelling) {
    index[value] = int64_t(c.names.size());
    c.names.push_back(name);
  }
  for (double v : values) c.indices.push_back(index[v]);
  return c;
}

Classes findClasses(const std::vector<std::string>& labels) {
  std::vector<double> values(labels.size());
  for (size_t i = 0; i < labels.size(); ++i)
    if (!parseNumber(labels[i], values[i])) return stringClasses(labels);
  return numericClasses(values, labels);
}

struct Table {
  std::vector<float> features;
  std::vector<std::string> labels;
  int64_t featureCount = 0;
  std::string error;
};

/// Why a cell is not a feature value.
std::string notANumber(const std::string& cell) {
  double value = 0;
  const char* first = cell.data() + (!cell.empty() && cell[0] == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(first, cell.data() + cell.size(), value);
  if (ec == std::errc::result_out_of_range && end == cell.data() + cell.size())
    return "'" + printable(cell) + "' is outside the range of a 32-bit float (at most about 3.4e38)";
  if (ec == std::errc() && end == cell.data() + cell.size())
    return "'" + printable(cell) + "' is not a finite number";
  return cell.empty() ? "empty cell, expected a number" : "'" + printable(cell) + "' is not a number";
}

std::string cellError(const std::string& file, const Row& row, size_t column, const std::string& what) {
  return file + " line " + std::to_string(row.line) + ", column " + std::to_string(column + 1) + ": " + what;
}

/// Features and label of one data row, appended to the table; returns an error or "".
std::string appendRow(const std::string& file, const Row& row, size_t columns, size_t labelIndex, Table& t) {
  if (row.cells.size() != columns)
    return file + " line " + std::to_string(row.line) + ": " + std::to_string(row.cells.size()) +
           " columns, expected " + std::to_string(columns);
  for (size_t c = 0; c < columns; ++c) {
    double value = 0;
    if (c == labelIndex && row.cells[c].empty()) return cellError(file, row, c, "empty label");
    if (c == labelIndex) t.labels.push_back(toUtf8(row.cells[c]));  // class names end up in JSON
    else if (!parseNumber(row.cells[c], value)) return cellError(file, row, c, notANumber(row.cells[c]));
    else if (std::fabs(value) > double(std::numeric_limits<float>::max()))
      return cellError(file, row, c, "'" + printable(row.cells[c]) +
                                         "' is outside the range of a 32-bit float (at most about 3.4e38)");
    else t.features.push_back(float(value));
  }
  return "";
}

/// The data rows: `first` (unless it is the header) and the rest of the reader's rows.
Table readTable(const std::string& file, const Row& first, RowReader& reader, const Layout& layout) {
  Table t;
  size_t columns = first.cells.size();
  t.featureCount = int64_t(columns) - 1;
  if (!layout.header) t.error = appendRow(file, first, columns, layout.labelIndex, t);
  for (Row row; t.error.empty() && reader.next(row);) t.error = appendRow(file, row, columns, layout.labelIndex, t);
  if (t.error.empty() && !reader.error().empty()) t.error = file + " " + reader.error();
  if (t.error.empty() && t.labels.empty()) t.error = file + ": no data rows";
  return t;
}

DatasetLoad buildDataset(const std::string& file, Table& t) {
  Dataset d;
  Classes classes = findClasses(t.labels);
  int64_t n = int64_t(t.labels.size());
  d.classNames = std::move(classes.names);
  d.trainTargets = torch::tensor(classes.indices, torch::kInt64);
  d.trainInputs = torch::from_blob(t.features.data(), {n, t.featureCount}, torch::kFloat32).clone();
  d.sampleShape.dims = {t.featureCount};
  d.description = describe(d, displayName("csv", file), "csv");
  return success(std::move(d));
}

DatasetLoad readCsvData(const std::string& file, const std::string& labelColumn) {
  Bytes bytes = readWholeFile(file, kMaxCsvBytes);
  if (!bytes.ok()) return failure(bytes.error);
  std::string_view text(reinterpret_cast<const char*>(bytes.data.data()), bytes.data.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark is not part of a name
  RowReader reader(text);
  Row first;
  if (!reader.next(first)) return failure(reader.error().empty() ? file + ": empty file" : file + " " + reader.error());
  Layout layout = findLayout(file, first, trim(labelColumn));
  if (!layout.error.empty()) return failure(layout.error);
  Table table = readTable(file, first, reader, layout);
  if (!table.error.empty()) return failure(table.error);
  return buildDataset(file, table);
}

}  // namespace

DatasetLoad readCsv(const std::string& file, const std::string& labelColumn) {
  return guarded(file, [&] { return readCsvData(file, labelColumn); });
}

}  // namespace nc::core

#include "common/shape_table.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "common/input_error.hpp"

namespace dlbench {

namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// Labels become part of benchmark names, which users paste into --benchmark_filter: keep them to characters that
// need no quoting in a shell or escaping in a regex beyond '.', and no separators of the CSV itself.
bool valid_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == '/' || c == '+' || c == '=';
}

}  // namespace

std::vector<std::string> split_csv_record(std::string_view line, const std::string& where) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (was_quoted && c != ',') {
      if (c == ' ' || c == '\t' || c == '\r') continue;  // padding after a quoted field is not part of it
      throw InputError(where + ": unexpected '" + std::string(1, c) + "' after a closing quote");
    } else if (c == '"' && trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : std::string(trim(field)));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) throw InputError(where + ": unterminated quoted field");
  fields.push_back(was_quoted ? field : std::string(trim(field)));
  return fields;
}

ShapeTable ShapeTable::load(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open shape table");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path, name);
}

ShapeTable ShapeTable::parse(std::string_view text, const std::string& source, const std::string& name,
                             bool labelled) {
  auto header = std::make_shared<TableHeader>();
  header->source = source;
  std::vector<ShapeRow> rows;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = std::min(text.find('\n', pos), text.size());
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = source + ":" + std::to_string(line_no);
    auto fields = split_csv_record(line, where);
    if (header->columns.empty()) {
      for (auto& f : fields) {
        if (f.empty()) throw InputError(where + ": header has an empty column name");
        if (std::count(fields.begin(), fields.end(), f) > 1)
          throw InputError(where + ": header names column '" + f + "' twice");
      }
      header->columns = std::move(fields);
      header->line = line_no;
      continue;
    }
    if (fields.size() != header->columns.size())
      throw InputError(where + ": expected " + std::to_string(header->columns.size()) + " fields (one per header " +
                       "column), found " + std::to_string(fields.size()));
    rows.emplace_back(header, line_no, std::move(fields));
  }
  if (header->columns.empty()) throw InputError(source + ": empty shape table (no header row)");
  if (rows.empty()) throw InputError(source + ": shape table has a header but no rows");
  if (!labelled) {
    ShapeTable table(name, std::move(header));
    table.rows_ = std::move(rows);
    return table;
  }
  if (!header->column_index("label"))
    throw InputError(source + ":" + std::to_string(header->line) + ": missing column 'label'");
  std::map<std::string, int> label_lines;
  for (const auto& row : rows) {
    const std::string& label = row.label();
    if (label.empty()) row.fail("label", "empty label: every row must say which model and layer it comes from");
    // A leading = + - or @ would make a spreadsheet read the label as a formula.
    if (!std::isalnum(static_cast<unsigned char>(label.front())))
      row.fail("label", "'" + label + "' must start with a letter or digit");
    for (char c : label)
      if (!valid_label_char(c))
        row.fail("label", "character '" + std::string(1, c) +
                              "' is not allowed in a label (use letters, digits and . _ - / + =)");
    auto [it, inserted] = label_lines.emplace(label, row.line());
    if (!inserted) row.fail("label", "label '" + label + "' already used on line " + std::to_string(it->second));
  }
  ShapeTable table(name, std::move(header));
  table.rows_ = std::move(rows);
  return table;
}

void ShapeTable::check_columns(std::span<const std::string_view> required,
                               std::span<const std::string_view> optional) const {
  const std::string where = header_->source + ":" + std::to_string(header_->line);
  for (auto col : required)
    if (!header_->column_index(col)) throw InputError(where + ": missing column '" + std::string(col) + "'");
  for (const auto& col : header_->columns) {
    const bool known = col == "label" || std::find(required.begin(), required.end(), col) != required.end() ||
                       std::find(optional.begin(), optional.end(), col) != optional.end();
    if (!known) {
      std::string valid = "label";
      for (auto c : required) valid += ", " + std::string(c);
      for (auto c : optional) valid += ", " + std::string(c);
      throw InputError(where + ": unknown column '" + col + "' (valid columns: " + valid + ")");
    }
  }
}

std::optional<std::size_t> TableHeader::column_index(std::string_view column) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == column) return i;
  return std::nullopt;
}

const std::string& ShapeRow::label() const { return fields_[*header_->column_index("label")]; }

std::optional<std::string_view> ShapeRow::text(std::string_view column) const {
  const auto idx = header_->column_index(column);
  if (!idx || fields_[*idx].empty()) return std::nullopt;
  return fields_[*idx];
}

void ShapeRow::fail(std::string_view column, const std::string& message) const {
  throw InputError(header_->source + ":" + std::to_string(line_) + ": field '" + std::string(column) + "': " +
                   message);
}

std::string_view ShapeRow::required_text(std::string_view column, bool has_fallback) const {
  const auto t = text(column);
  if (!t && !has_fallback) fail(column, "missing value");
  return t.value_or(std::string_view{});
}

std::int64_t ShapeRow::positive_integer(std::string_view column, std::optional<std::int64_t> fallback) const {
  const auto t = required_text(column, fallback.has_value());
  if (t.empty()) return *fallback;
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size())
    fail(column, "expected a positive integer, got '" + std::string(t) + "'");
  if (v <= 0) fail(column, "must be positive, got " + std::string(t));
  return v;
}

double ShapeRow::number(std::string_view column, std::optional<double> fallback) const {
  const auto t = required_text(column, fallback.has_value());
  if (t.empty()) return *fallback;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v))
    fail(column, "expected a finite number, got '" + std::string(t) + "'");
  return v;
}

std::size_t ShapeRow::choice(std::string_view column, std::span<const std::string_view> choices,
                             std::optional<std::size_t> fallback) const {
  const auto t = required_text(column, fallback.has_value());
  if (t.empty()) return *fallback;
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == t) return i;
  std::string valid;
  for (auto c : choices) valid += (valid.empty() ? "" : ", ") + std::string(c);
  fail(column, "unknown value '" + std::string(t) + "' (valid: " + valid + ")");
}

}  // namespace dlbench

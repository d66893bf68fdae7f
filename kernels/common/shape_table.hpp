// Reader for shape tables: CSV files with `#` comments, one header row of named columns and one labelled row per
// problem. It knows nothing about any kernel; a kernel asks it for typed fields by column name, and every error it
// raises names the file, the line and the field, so a user can fix a table without reading code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dlbench {

// What every row of a table needs to know about it: where it came from and its columns.
struct TableHeader {
  std::string source;
  int line = 0;
  std::vector<std::string> columns;
  std::optional<std::size_t> column_index(std::string_view column) const;
};

// One data row. Accessors validate the field and throw InputError("file:line: field 'x': ...") when it is bad.
class ShapeRow {
 public:
  ShapeRow(std::shared_ptr<const TableHeader> header, int line, std::vector<std::string> fields)
      : header_(std::move(header)), line_(line), fields_(std::move(fields)) {}

  int line() const { return line_; }
  const std::string& label() const;  // the row's `label` column

  // The field's text, or nullopt when the column is absent from the file or the field is empty.
  std::optional<std::string_view> text(std::string_view column) const;
  std::int64_t positive_integer(std::string_view column, std::optional<std::int64_t> fallback = {}) const;
  double number(std::string_view column, std::optional<double> fallback = {}) const;
  // A field whose value must be one of `choices`; returns its index.
  std::size_t choice(std::string_view column, std::span<const std::string_view> choices,
                     std::optional<std::size_t> fallback = {}) const;

  [[noreturn]] void fail(std::string_view column, const std::string& message) const;

 private:
  std::string_view required_text(std::string_view column, bool has_fallback) const;

  std::shared_ptr<const TableHeader> header_;
  int line_;
  std::vector<std::string> fields_;
};

class ShapeTable {
 public:
  // Reads `path`; `name` is how benchmark names and CSV rows refer to the table (usually the file's stem).
  static ShapeTable load(const std::string& path, const std::string& name);
  // Parses text already in memory; `source` stands in for the file name in errors. A table of something other
  // than problems (hardware targets) passes labelled = false: its rows need no `label` column.
  static ShapeTable parse(std::string_view text, const std::string& source, const std::string& name,
                          bool labelled = true);

  // Checks the header: every required column present, nothing outside required+optional (a misspelt optional
  // column would otherwise be silently ignored and its default used).
  void check_columns(std::span<const std::string_view> required, std::span<const std::string_view> optional) const;

  const std::string& name() const { return name_; }
  const std::string& source() const { return header_->source; }
  const std::vector<std::string>& columns() const { return header_->columns; }
  const std::vector<ShapeRow>& rows() const { return rows_; }

 private:
  ShapeTable(std::string name, std::shared_ptr<const TableHeader> header)
      : name_(std::move(name)), header_(std::move(header)) {}

  std::string name_;
  std::shared_ptr<const TableHeader> header_;
  std::vector<ShapeRow> rows_;
};

// Splits one CSV record (RFC 4180 quoting; no embedded newlines). Throws InputError on an unterminated quote.
std::vector<std::string> split_csv_record(std::string_view line, const std::string& where);

}  // namespace dlbench

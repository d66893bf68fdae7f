// The project's CSV output: one row per case, appended and flushed as each case finishes so an interrupted run
// keeps what it measured. RFC 4180 quoting and CRLF line ends, which LibreOffice and Excel open without a dialog.
#pragma once

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace dlbench {

using CsvRow = std::vector<std::pair<std::string, std::string>>;

class CsvWriter {
 public:
  // Creates (truncates) `path` and writes the header. Throws InputError naming the path if it cannot.
  CsvWriter(const std::string& path, std::vector<std::string> columns);

  // Writes one row; columns the row does not set stay empty. A key that is not a column is a programming error
  // (a column added in code but not to the header) and throws std::logic_error rather than being dropped.
  void write(const CsvRow& row);

  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::ofstream out_;
  std::string path_;
  std::vector<std::string> columns_;
};

// Quotes a field when RFC 4180 requires it (comma, quote, CR or LF) or when leading/trailing spaces would be lost.
std::string csv_escape(const std::string& field);

}  // namespace dlbench

#include "harness/csv_writer.hpp"

#include <stdexcept>

#include "common/input_error.hpp"

namespace dlbench {

std::string csv_escape(const std::string& field) {
  const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string::npos ||
                            (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

CsvWriter::CsvWriter(const std::string& path, std::vector<std::string> columns)
    : out_(path, std::ios::binary | std::ios::trunc), path_(path), columns_(std::move(columns)) {
  if (!out_) throw InputError("--csv: cannot write '" + path + "'");
  for (std::size_t i = 0; i < columns_.size(); ++i) out_ << (i ? "," : "") << csv_escape(columns_[i]);
  out_ << "\r\n" << std::flush;
}

void CsvWriter::write(const CsvRow& row) {
  std::vector<std::string> fields(columns_.size());
  for (const auto& [key, value] : row) {
    std::size_t i = 0;
    while (i < columns_.size() && columns_[i] != key) ++i;
    if (i == columns_.size()) throw std::logic_error("CSV row sets unknown column '" + key + "'");
    fields[i] = value;
  }
  for (std::size_t i = 0; i < fields.size(); ++i) out_ << (i ? "," : "") << csv_escape(fields[i]);
  out_ << "\r\n" << std::flush;
  if (!out_) throw std::runtime_error("writing " + path_ + " failed");
}

}  // namespace dlbench

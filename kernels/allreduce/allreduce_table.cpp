#include "allreduce/allreduce_table.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include "common/input_error.hpp"

namespace dlbench {

std::optional<std::int64_t> AllReduceTableRow::count_in(DataType type, std::string* why) const {
  if (count) return count;
  const auto size = static_cast<std::int64_t>(size_of(type));
  if (*bytes % size != 0) {
    if (why)
      *why = std::to_string(*bytes) + " bytes is not a whole number of " + std::to_string(size) + "-byte elements";
    return std::nullopt;
  }
  return *bytes / size;
}

std::vector<AllReduceTableRow> read_allreduce_rows(const ShapeTable& table) {
  static constexpr std::array<std::string_view, 0> required{};
  static constexpr std::array<std::string_view, 2> optional{"bytes", "count"};
  table.check_columns(required, optional);
  const auto& cols = table.columns();
  const bool has_bytes = std::find(cols.begin(), cols.end(), "bytes") != cols.end();
  const bool has_count = std::find(cols.begin(), cols.end(), "count") != cols.end();
  if (!has_bytes && !has_count)
    throw InputError(table.source() + ": the header needs a 'bytes' or a 'count' column (each rank's buffer size)");

  std::vector<AllReduceTableRow> rows;
  for (const auto& row : table.rows()) {
    AllReduceTableRow r;
    r.label = row.label();
    r.line = row.line();
    const bool bytes_given = has_bytes && row.text("bytes").has_value();
    const bool count_given = has_count && row.text("count").has_value();
    if (bytes_given == count_given)
      row.fail(bytes_given ? "count" : "bytes", "give exactly one of 'bytes' and 'count' (" +
                                                    std::string(bytes_given ? "both" : "neither") + " given)");
    if (bytes_given) r.bytes = row.positive_integer("bytes");
    else r.count = row.positive_integer("count");
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string size_label(std::int64_t bytes) {
  static constexpr std::array<const char*, 4> units{"B", "KiB", "MiB", "GiB"};
  std::size_t u = 0;
  while (u + 1 < units.size() && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + units[u];
}

std::int64_t parse_byte_size(const std::string& text, const std::string& where) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  const auto fail = [&]() -> std::int64_t {
    throw InputError(where + ": '" + text + "' is not a size (a positive integer with an optional K, M or G, e.g. 8, "
                                            "64K, 1GiB)");
  };
  if (ec != std::errc() || value <= 0) return fail();
  // A unit letter (K, M, G in either case), then optionally "B" or "iB"; or "B" alone; or nothing.
  std::string suffix(ptr, end);
  std::int64_t scale = 1;
  if (!suffix.empty() && std::string("KkMmGg").find(suffix.front()) != std::string::npos) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(suffix.front())));
    scale = std::int64_t{1} << (unit == 'K' ? 10 : unit == 'M' ? 20 : 30);
    suffix.erase(0, 1);
    if (suffix == "iB" || suffix == "B") suffix.clear();
  } else if (suffix == "B") {
    suffix.clear();
  }
  if (!suffix.empty()) return fail();
  if (value > std::numeric_limits<std::int64_t>::max() / scale) return fail();
  return value * scale;
}

std::vector<AllReduceTableRow> sweep_rows(const std::string& spec, const std::string& where) {
  const auto first = spec.find(':');
  const auto second = first == std::string::npos ? first : spec.find(':', first + 1);
  if (second == std::string::npos)
    throw InputError(where + ": '" + spec + "': expected MIN:MAX:FACTOR, e.g. 8:1G:2");
  const std::int64_t lo = parse_byte_size(spec.substr(0, first), where);
  const std::int64_t hi = parse_byte_size(spec.substr(first + 1, second - first - 1), where);
  const std::string factor_text = spec.substr(second + 1);
  std::int64_t factor = 0;
  const auto [ptr, ec] = std::from_chars(factor_text.data(), factor_text.data() + factor_text.size(), factor);
  if (ec != std::errc() || ptr != factor_text.data() + factor_text.size() || factor < 2)
    throw InputError(where + ": '" + spec + "': the factor must be an integer of at least 2");
  if (hi < lo) throw InputError(where + ": '" + spec + "': MAX is smaller than MIN");
  std::vector<AllReduceTableRow> rows;
  for (std::int64_t b = lo; b <= hi; b *= factor) {
    rows.push_back({"sweep/" + size_label(b), 0, b, std::nullopt});
    if (b > hi / factor) break;  // the next size would pass MAX (or overflow)
  }
  return rows;
}

}  // namespace dlbench

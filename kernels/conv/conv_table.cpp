#include "conv/conv_table.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace dlbench {

namespace {

// A non-negative integer field (padding may be 0), or `fallback` when the column is absent or the field empty.
std::int64_t non_negative(const ShapeRow& row, std::string_view column, std::int64_t fallback) {
  const auto t = row.text(column);
  if (!t) return fallback;
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
  if (ec != std::errc() || ptr != t->data() + t->size())
    row.fail(column, "expected a non-negative integer, got '" + std::string(*t) + "'");
  if (v < 0) row.fail(column, "must not be negative, got " + std::string(*t));
  return v;
}

// A pair of fields given either as one column for both spatial dimensions (`pad`) or as two (`pad_h`, `pad_w`),
// never both: a table with both would leave a reader guessing which one counts.
void read_pair(const ShapeTable& table, const ShapeRow& row, std::string_view both, std::string_view hname,
               std::string_view wname, bool positive, std::int64_t fallback, std::int64_t& h, std::int64_t& w) {
  const auto read = [&](std::string_view column) {
    return positive ? row.positive_integer(column, fallback) : non_negative(row, column, fallback);
  };
  const auto has = [&](std::string_view column) {
    return std::find(table.columns().begin(), table.columns().end(), column) != table.columns().end();
  };
  if (has(both)) {
    if (has(hname) || has(wname))
      row.fail(hname, "give either '" + std::string(both) + "' or '" + std::string(hname) + "'/'" +
                          std::string(wname) + "', not both");
    h = w = read(both);
    return;
  }
  h = read(hname);
  w = read(wname);
}

}  // namespace

std::vector<ConvDirection> phase_directions(Phase phase) {
  if (phase == Phase::inference) return {ConvDirection::fwd};
  return {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter};
}

std::vector<ConvTableRow> read_conv_rows(const ShapeTable& table) {
  static constexpr std::array<std::string_view, 8> required{"n", "c", "h", "w", "k", "r", "s", "phase"};
  static constexpr std::array<std::string_view, 10> optional{"pad",      "pad_h", "pad_w", "stride", "stride_h",
                                                             "stride_w", "dilation", "dil_h", "dil_w", "groups"};
  table.check_columns(required, optional);

  std::vector<ConvTableRow> rows;
  for (const auto& row : table.rows()) {
    ConvTableRow r;
    r.label = row.label();
    r.line = row.line();
    r.phase = static_cast<Phase>(row.choice("phase", kPhaseNames));
    ConvProblem& p = r.problem;
    p.n = row.positive_integer("n");
    p.c = row.positive_integer("c");
    p.h = row.positive_integer("h");
    p.w = row.positive_integer("w");
    p.k = row.positive_integer("k");
    p.r = row.positive_integer("r");
    p.s = row.positive_integer("s");
    read_pair(table, row, "pad", "pad_h", "pad_w", false, 0, p.pad_h, p.pad_w);
    read_pair(table, row, "stride", "stride_h", "stride_w", true, 1, p.stride_h, p.stride_w);
    read_pair(table, row, "dilation", "dil_h", "dil_w", true, 1, p.dil_h, p.dil_w);
    p.groups = row.positive_integer("groups", 1);
    if (p.c % p.groups != 0 || p.k % p.groups != 0)
      row.fail("groups", std::to_string(p.groups) + " must divide both c=" + std::to_string(p.c) + " and k=" +
                             std::to_string(p.k));
    if (p.p() <= 0)
      row.fail("r", "the filter spans " + std::to_string(p.dil_h * (p.r - 1) + 1) + " rows (dilated), more than the " +
                        std::to_string(p.h + 2 * p.pad_h) + " of the padded input");
    if (p.q() <= 0)
      row.fail("s", "the filter spans " + std::to_string(p.dil_w * (p.s - 1) + 1) +
                        " columns (dilated), more than the " + std::to_string(p.w + 2 * p.pad_w) +
                        " of the padded input");
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace dlbench

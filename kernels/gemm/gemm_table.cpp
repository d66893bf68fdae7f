#include "gemm/gemm_table.hpp"

#include <array>

namespace dlbench {

std::vector<GemmTableRow> read_gemm_rows(const ShapeTable& table) {
  static constexpr std::array<std::string_view, 5> required{"m", "n", "k", "trans_a", "trans_b"};
  static constexpr std::array<std::string_view, 3> optional{"batch", "alpha", "beta"};
  static constexpr std::array<std::string_view, 2> transpose{"n", "t"};
  table.check_columns(required, optional);

  std::vector<GemmTableRow> rows;
  for (const auto& row : table.rows()) {
    GemmTableRow r;
    r.label = row.label();
    r.line = row.line();
    r.problem.m = row.positive_integer("m");
    r.problem.n = row.positive_integer("n");
    r.problem.k = row.positive_integer("k");
    r.problem.trans_a = row.choice("trans_a", transpose) == 1;
    r.problem.trans_b = row.choice("trans_b", transpose) == 1;
    r.problem.batch = row.positive_integer("batch", 1);
    r.problem.alpha = row.number("alpha", 1.0);
    r.problem.beta = row.number("beta", 0.0);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace dlbench

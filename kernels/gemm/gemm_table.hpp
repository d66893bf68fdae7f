// GEMM rows of a shape table: the columns a GEMM table has and how each row becomes a problem.
//
// Columns: label, m, n, k, trans_a, trans_b (n|t) are required; batch (default 1), alpha (1) and beta (0) are
// optional. A table holds shapes only: the precision is chosen on the command line and set by the caller.
#pragma once

#include <string>
#include <vector>

#include "common/shape_table.hpp"
#include "gemm/gemm_problem.hpp"

namespace dlbench {

struct GemmTableRow {
  std::string label;
  int line = 0;
  GemmProblem problem;  // precision left at its default; the caller sets it per case
};

std::vector<GemmTableRow> read_gemm_rows(const ShapeTable& table);

}  // namespace dlbench

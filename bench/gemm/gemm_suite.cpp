#include "gemm/gemm_suite.hpp"

#include "common/input_error.hpp"
#include "gemm/gemm_case.hpp"
#include "gemm/gemm_table.hpp"

namespace dlbench {

namespace {

struct ShapeSource {
  std::string table, label;
  GemmProblem problem;
  bool precision_fixed = false;  // a --problem that named its precision runs in that precision only
};

std::vector<ShapeSource> collect_shapes(const CommonOptions& o) {
  std::vector<ShapeSource> shapes;
  if (!o.problems.empty()) {
    // --problem replaces the tables: the user asked for exactly these problems.
    for (const auto& text : o.problems) {
      bool given = false;
      const GemmProblem p = GemmProblem::parse(text, "--problem", &given);
      shapes.push_back({"cli", p.to_string(false), p, given});
    }
    return shapes;
  }
  for_each_table(o, "gemm", [&](const ShapeTable& table) {
    for (auto& row : read_gemm_rows(table)) shapes.push_back({table.name(), row.label, row.problem, false});
  });
  return shapes;
}

}  // namespace

void GemmSuite::add_flags(FlagSet& flags) {
  flags.add_choice("b_layout", {"plain", "packed", "both"},
                   "B (weights) as given, or in the library's packed layout prepared outside the timed region",
                   &b_layout_);
}

std::vector<std::string> GemmSuite::columns() const { return GemmCase::column_names(); }

std::vector<std::unique_ptr<Case>> GemmSuite::build(const CommonOptions& o) {
  const auto backends = backends_.select(o, "gemm");
  const auto precisions = select_precisions(o);
  const auto shapes = collect_shapes(o);
  std::vector<BLayout> layouts;
  if (b_layout_ != "packed") layouts.push_back(BLayout::plain);
  if (b_layout_ != "plain") layouts.push_back(BLayout::packed);

  std::vector<std::unique_ptr<Case>> cases;
  for (const auto& [name, backend] : backends) {
    for (Precision precision : precisions) {
      for (const auto& shape : shapes) {
        if (shape.precision_fixed && shape.problem.precision != precision) continue;
        GemmProblem problem = shape.problem;
        problem.precision = precision;
        const std::uint64_t seed = case_seed(problem.to_string(), o.seed);
        for (BLayout layout : layouts) {
          CaseId id{"gemm", name, std::string(to_string(precision)), shape.table, shape.label,
                    layout == BLayout::packed ? "b_packed" : ""};
          cases.push_back(std::make_unique<GemmCase>(std::move(id), problem, GemmConfig{layout}, backend, seed,
                                                     o.verify_samples));
        }
      }
    }
  }
  // Every --problem named a precision that --precisions excludes: say so rather than run nothing.
  if (!o.problems.empty() && cases.empty())
    throw InputError("--problem: no case left after --precisions (the problem names its own precision)");
  return cases;
}

std::vector<Suite::BackendInfo> GemmSuite::backends() const { return backends_.infos(); }

}  // namespace dlbench

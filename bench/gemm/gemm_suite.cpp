#include "gemm/gemm_suite.hpp"

#include <set>

#include "common/input_error.hpp"
#include "gemm/gemm_case.hpp"
#include "gemm/gemm_table.hpp"
#include "harness/shape_paths.hpp"

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
  std::set<std::string> seen;
  for (const auto& spec : o.shapes) {
    const TableRef ref = resolve_table(spec, "gemm", o.shapes_dir);
    if (!seen.insert(ref.name).second) throw InputError("--shapes: table '" + ref.name + "' given twice");
    const ShapeTable table = ShapeTable::load(ref.path, ref.name);
    for (auto& row : read_gemm_rows(table)) shapes.push_back({ref.name, row.label, row.problem, false});
  }
  return shapes;
}

std::vector<Precision> select_precisions(const CommonOptions& o) {
  std::vector<Precision> out;
  if (o.precisions.empty()) {
    for (const auto& i : all_precisions()) out.push_back(i.precision);
    return out;
  }
  for (const auto& name : o.precisions) {
    const auto p = parse_precision(name);
    if (!p) throw InputError("--precisions: unknown precision '" + name + "' (valid: " + precision_choices() + ")");
    out.push_back(*p);
  }
  return out;
}

}  // namespace

void GemmSuite::add_flags(FlagSet& flags) {
  flags.add_choice("b_layout", {"plain", "packed", "both"},
                   "B (weights) as given, or in the library's packed layout prepared outside the timed region",
                   &b_layout_);
}

std::vector<std::string> GemmSuite::columns() const { return GemmCase::column_names(); }

std::vector<std::unique_ptr<Case>> GemmSuite::build(const CommonOptions& o) {
  const auto& registry = Registry<GemmBackend>::instance();
  std::vector<std::string> names = o.backends.empty() ? registry.names() : o.backends;
  if (names.empty())
    throw InputError("this gemm_bench was built without any GEMM backend (the CMake summary says why each was "
                     "disabled)");
  for (const auto& name : names) {
    if (!registry.contains(name)) {
      std::string valid;
      for (const auto& n : registry.names()) valid += (valid.empty() ? "" : ", ") + n;
      throw InputError("--backends: unknown backend '" + name + "' (built into this binary: " + valid + ")");
    }
  }
  const auto precisions = select_precisions(o);
  const auto shapes = collect_shapes(o);
  std::vector<BLayout> layouts;
  if (b_layout_ != "packed") layouts.push_back(BLayout::plain);
  if (b_layout_ != "plain") layouts.push_back(BLayout::packed);

  const BackendSettings settings{o.threads, o.device, o.autotune, static_cast<std::size_t>(o.workspace_mb) << 20};
  std::vector<std::unique_ptr<Case>> cases;
  for (const auto& name : names) {
    auto& backend = backends_[name];
    if (!backend) backend = registry.create(name, settings);
    for (Precision precision : precisions) {
      for (const auto& shape : shapes) {
        if (shape.precision_fixed && shape.problem.precision != precision) continue;
        GemmProblem problem = shape.problem;
        problem.precision = precision;
        // Every backend gets the same inputs for the same problem, so their errors are comparable.
        const std::string key = problem.to_string();
        const std::uint64_t seed = hash64(key.data(), key.size(), static_cast<std::uint64_t>(o.seed));
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

std::vector<Suite::BackendInfo> GemmSuite::backends() const {
  std::vector<BackendInfo> out;
  for (const auto& [name, backend] : backends_) {
    const Availability a = backend->availability();
    out.push_back({name, backend->library(), backend->device(), a.available ? "" : a.reason, backend->context()});
  }
  return out;
}

}  // namespace dlbench

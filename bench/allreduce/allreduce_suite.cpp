#include "allreduce/allreduce_suite.hpp"

#include <algorithm>

#include "allreduce/allreduce_case.hpp"
#include "allreduce/allreduce_table.hpp"
#include "common/input_error.hpp"

namespace dlbench {

namespace {

struct Shape {
  std::string table, label;
  AllReduceTableRow row;
  std::optional<AllReduceProblem> fixed;  // a --problem names its type, reduction and placement
};

std::vector<DataType> parse_types(const std::vector<std::string>& names) {
  std::vector<DataType> out;
  if (names.empty()) {
    for (auto n : allreduce_type_names()) out.push_back(*parse_allreduce_type(n));
    return out;
  }
  for (const auto& n : names) {
    const auto t = parse_allreduce_type(n);
    if (!t) throw InputError("--precisions: '" + n + "' is not an allreduce type (valid: " + allreduce_type_choices() + ")");
    out.push_back(*t);
  }
  return out;
}

std::vector<ReduceOp> parse_ops(const std::vector<std::string>& names) {
  if (names.empty()) return {ReduceOp::sum};
  std::vector<ReduceOp> out;
  for (const auto& n : names) {
    const auto op = parse_reduce_op(n);
    if (!op) throw InputError("--ops: unknown reduction '" + n + "' (valid: " + reduce_op_choices() + ")");
    out.push_back(*op);
  }
  return out;
}

std::vector<Shape> collect_shapes(const CommonOptions& o, const std::string& sweep) {
  std::vector<Shape> shapes;
  if (!o.problems.empty()) {
    for (const auto& text : o.problems) {
      const AllReduceProblem p = AllReduceProblem::parse(text, "--problem");
      shapes.push_back({"cli", p.to_string(), {p.to_string(), 0, std::nullopt, p.count}, p});
    }
    return shapes;
  }
  if (!sweep.empty()) {
    for (auto& row : sweep_rows(sweep, "--sweep")) shapes.push_back({"sweep", row.label, row, std::nullopt});
    return shapes;
  }
  for_each_table(o, "allreduce", [&](const ShapeTable& table) {
    for (auto& row : read_allreduce_rows(table)) shapes.push_back({table.name(), row.label, row, std::nullopt});
  });
  return shapes;
}

}  // namespace

void AllReduceSuite::add_flags(FlagSet& flags) {
  flags.add_list("ops", "reductions to run, of sum, max, min, avg (default sum)", &ops_);
  flags.add_choice("inplace", {"both", "false", "true"},
                   "out of place (false: separate input and output buffers), in place (true) or both, as "
                   "nccl-tests reports both",
                   &inplace_);
  flags.add_string("sweep", "MIN:MAX:FACTOR",
                   "run the sizes MIN, MIN*FACTOR, ... up to MAX bytes per rank instead of tables (nccl-tests' "
                   "-b/-e/-f; sizes take K, M, G), e.g. 8:64M:2",
                   &sweep_);
  flags.add_int("gpus",
                "NCCL in a single process: devices this process drives, one rank each (ncclCommInitAll); under "
                "MPI each rank drives one device",
                &gpus_, 1);
}

std::vector<std::string> AllReduceSuite::columns() const { return AllReduceCase::column_names(); }

std::vector<ConsoleColumn> AllReduceSuite::console_columns() const {
  return {{"algbw(GB/s)", "algbw_gbps", 11, 3}, {"busbw(GB/s)", "busbw_gbps", 11, 3}, {"Roof%", "roof%", 7, 1, false, true},
          {"wrong", "wrong", 7, 0}};
}

std::vector<std::unique_ptr<Case>> AllReduceSuite::build(const CommonOptions& o) {
  const auto types = parse_types(o.precisions);
  const auto ops = parse_ops(ops_);
  std::vector<bool> placements;
  if (inplace_ != "true") placements.push_back(false);
  if (inplace_ != "false") placements.push_back(true);
  if (!o.problems.empty() && !sweep_.empty())
    throw InputError("--sweep and --problem both name the sizes to run: give one");
  BackendSettings settings = backend_settings(o);
  settings.devices_per_process = gpus_;
  const auto backends = backends_.select(o, "allreduce", settings);
  const auto shapes = collect_shapes(o, sweep_);

  std::vector<std::unique_ptr<Case>> cases;
  const auto add = [&](const std::string& backend_name, const std::shared_ptr<AllReduceBackend>& backend,
                       const Shape& shape, const AllReduceProblem& p, const std::string& note) {
    // A row whose bytes are not whole elements of this type still gets its (skipped) row, with the table's size.
    CaseId id{"allreduce", backend_name, std::string(allreduce_type_name(p.type)), shape.table, shape.label,
              std::string(to_string(p.op)) + (p.inplace ? "_inplace" : "")};
    cases.push_back(std::make_unique<AllReduceCase>(std::move(id), p, backend, *o.group,
                                                    case_seed(p.to_string(), o.seed), note,
                                                    note.empty() ? 0 : shape.row.bytes.value_or(0)));
  };
  const auto contains = [](const auto& list, const auto& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  for (const auto& [name, backend] : backends) {
    for (DataType type : types) {
      for (const auto& shape : shapes) {
        if (shape.fixed) {
          // A --problem names its type, reduction and placement: it runs unless a flag given explicitly leaves
          // that out.
          const AllReduceProblem& p = *shape.fixed;
          if (p.type == type && (ops_.empty() || contains(ops, p.op)) && contains(placements, p.inplace))
            add(name, backend, shape, p, "");
          continue;
        }
        std::string note;
        const auto count = shape.row.count_in(type, &note);
        for (ReduceOp op : ops)
          for (bool inplace : placements) add(name, backend, shape, {count.value_or(1), type, op, inplace}, note);
      }
    }
  }
  if (cases.empty() && !o.problems.empty())
    throw InputError("--problem: no case left after --precisions, --ops and --inplace (the problem names its own)");
  return cases;
}

std::vector<Suite::BackendInfo> AllReduceSuite::backends() const { return backends_.infos(); }

}  // namespace dlbench

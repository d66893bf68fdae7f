#include "rnn/rnn_suite.hpp"

#include <algorithm>

#include "common/input_error.hpp"
#include "rnn/rnn_case.hpp"
#include "rnn/rnn_table.hpp"

namespace dlbench {

namespace {

struct ShapeSource {
  std::string table, label, phase;
  RnnProblem problem;
  std::vector<RnnPass> passes;
  bool precision_fixed = false;  // a --problem that named its precision runs in that precision only
};

bool selected(const std::vector<RnnPass>& passes, RnnPass pass) {
  return std::find(passes.begin(), passes.end(), pass) != passes.end();
}

std::vector<RnnPass> parse_passes(const std::vector<std::string>& items) {
  std::vector<RnnPass> out;
  for (const auto& item : items) {
    const auto pass = parse_rnn_pass(item);
    if (!pass)
      throw InputError("--passes: unknown value '" + item + "' (valid: inference, training_fwd, training_bwd)");
    if (!selected(out, *pass)) out.push_back(*pass);
  }
  return out;
}

std::vector<ShapeSource> collect_shapes(const CommonOptions& o, const std::vector<RnnPass>& passes,
                                        bool passes_given) {
  std::vector<ShapeSource> shapes;
  if (!o.problems.empty()) {
    // --problem replaces the tables. A token the string leaves out (direction, pass, precision) comes from the
    // defaults and flags; a pass it names runs unless --passes, given, leaves it out.
    for (const auto& text : o.problems) {
      RnnProblem::Given given;
      const RnnProblem p = RnnProblem::parse(text, "--problem", &given);
      ShapeSource s{"cli", p.shape_string(), "", p, passes, given.precision};
      if (given.pass) s.passes = (!passes_given || selected(passes, p.pass)) ? std::vector{p.pass} : std::vector<RnnPass>{};
      shapes.push_back(std::move(s));
    }
    return shapes;
  }
  for_each_table(o, "rnn", [&](const ShapeTable& table) {
    for (auto& row : read_rnn_rows(table)) {
      std::vector<RnnPass> run;
      for (RnnPass pass : phase_passes(row.phase))
        if (selected(passes, pass)) run.push_back(pass);
      shapes.push_back({table.name(), row.label, std::string(to_string(row.phase)), row.problem, run, false});
    }
  });
  return shapes;
}

}  // namespace

void RnnSuite::add_flags(FlagSet& flags) {
  flags.add_list("passes",
                 "passes to run, of inference, training_fwd, training_bwd (default all: training rows run "
                 "training_fwd and training_bwd, inference rows inference)",
                 &passes_);
}

std::vector<std::string> RnnSuite::columns() const { return RnnCase::column_names(); }

std::vector<std::unique_ptr<Case>> RnnSuite::build(const CommonOptions& o) {
  const bool passes_given = !passes_.empty();
  const std::vector<RnnPass> passes =
      passes_given ? parse_passes(passes_)
                   : std::vector{RnnPass::inference, RnnPass::training_fwd, RnnPass::training_bwd};
  const auto backends = backends_.select(o, "rnn");
  const auto precisions = select_precisions(o);
  const auto shapes = collect_shapes(o, passes, passes_given);

  std::vector<std::unique_ptr<Case>> cases;
  for (const auto& [name, backend] : backends) {
    for (Precision precision : precisions) {
      for (const auto& shape : shapes) {
        if (shape.precision_fixed && shape.problem.precision != precision) continue;
        for (RnnPass pass : shape.passes) {
          RnnProblem problem = shape.problem;
          problem.precision = precision;
          problem.pass = pass;
          // Every backend gets the same inputs for the same problem, whatever table or row it came from.
          const std::uint64_t seed = case_seed(problem.to_string(), o.seed);
          CaseId id{"rnn", name, std::string(to_string(precision)), shape.table, shape.label,
                    std::string(to_string(pass))};
          cases.push_back(std::make_unique<RnnCase>(std::move(id), problem, shape.phase, backend, seed));
        }
      }
    }
  }
  // Say why nothing would run rather than report an empty filter match.
  if (cases.empty()) {
    if (!o.problems.empty())
      throw InputError("--problem: no case left after --precisions and --passes (the problem names its own)");
    throw InputError("--passes: no case left (training rows run training_fwd and training_bwd, inference rows "
                     "inference)");
  }
  return cases;
}

std::vector<Suite::BackendInfo> RnnSuite::backends() const { return backends_.infos(); }

}  // namespace dlbench

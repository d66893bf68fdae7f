#include "conv/conv_suite.hpp"

#include <algorithm>

#include "common/input_error.hpp"
#include "conv/conv_case.hpp"
#include "conv/conv_table.hpp"

namespace dlbench {

namespace {

struct ShapeSource {
  std::string table, label, phase;
  ConvProblem problem;
  std::vector<ConvLayout> layouts;
  std::vector<ConvDirection> directions;
  bool precision_fixed = false;  // a --problem that named its precision runs in that precision only
};

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The items of a list flag, each one of `choices` (parsed by `parse`); repeated items count once.
template <class T, class Parse>
std::vector<T> parse_choices(const std::vector<std::string>& items, const std::string& flag, const std::string& valid,
                             Parse parse) {
  std::vector<T> out;
  for (const auto& item : items) {
    const auto v = parse(item);
    if (!v) throw InputError(flag + ": unknown value '" + item + "' (valid: " + valid + ")");
    if (!contains(out, *v)) out.push_back(*v);
  }
  return out;
}

// The layouts and directions the flags select, and whether the user gave each flag.
struct Selection {
  std::vector<ConvLayout> layouts;
  std::vector<ConvDirection> directions;
  bool layouts_given = false, directions_given = false;
};

// What a --problem runs for a token it names: that value, unless the user gave the flag without it.
template <class T>
std::vector<T> named(T value, const std::vector<T>& selected, bool flag_given) {
  if (flag_given && !contains(selected, value)) return {};
  return {value};
}

std::vector<ShapeSource> collect_shapes(const CommonOptions& o, const Selection& sel) {
  std::vector<ShapeSource> shapes;
  if (!o.problems.empty()) {
    // --problem replaces the tables: the user asked for exactly these problems. A token the string leaves out
    // (layout, direction, precision) comes from the flags; one it names runs if the flags, where given, allow it.
    for (const auto& text : o.problems) {
      ConvProblem::Given given;
      const ConvProblem p = ConvProblem::parse(text, "--problem", &given);
      if (p.c % p.groups != 0 || p.k % p.groups != 0 || p.p() <= 0 || p.q() <= 0)
        throw InputError("--problem: '" + text + "': " + *p.unsupported_reason());
      ShapeSource s{"cli", p.shape_string(), "", p, sel.layouts, sel.directions, given.precision};
      if (given.layout) s.layouts = named(p.layout, sel.layouts, sel.layouts_given);
      if (given.direction) s.directions = named(p.direction, sel.directions, sel.directions_given);
      shapes.push_back(std::move(s));
    }
    return shapes;
  }
  for_each_table(o, "conv", [&](const ShapeTable& table) {
    for (auto& row : read_conv_rows(table)) {
      std::vector<ConvDirection> dirs;
      for (ConvDirection d : phase_directions(row.phase))
        if (contains(sel.directions, d)) dirs.push_back(d);
      shapes.push_back({table.name(), row.label, std::string(to_string(row.phase)), row.problem, sel.layouts, dirs,
                        false});
    }
  });
  return shapes;
}

}  // namespace

void ConvSuite::add_flags(FlagSet& flags) {
  flags.add_list("directions",
                 "directions to run, of fwd, bwd_data, bwd_filter (default all: training rows run these, inference "
                 "rows fwd only)",
                 &directions_);
  flags.add_list("layouts", "tensor layouts to run, of nhwc, nchw (default nhwc; weights KRSC or KCRS to match)",
                 &layouts_);
}

std::vector<std::string> ConvSuite::columns() const { return ConvCase::column_names(); }

std::vector<std::unique_ptr<Case>> ConvSuite::build(const CommonOptions& o) {
  Selection sel;
  sel.directions_given = !directions_.empty();
  sel.layouts_given = !layouts_.empty();
  sel.directions = sel.directions_given
                       ? parse_choices<ConvDirection>(directions_, "--directions", "fwd, bwd_data, bwd_filter",
                                                      [](const std::string& s) { return parse_conv_direction(s); })
                       : std::vector{ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter};
  sel.layouts = sel.layouts_given ? parse_choices<ConvLayout>(layouts_, "--layouts", "nhwc, nchw",
                                                              [](const std::string& s) { return parse_conv_layout(s); })
                                  : std::vector{ConvLayout::nhwc};
  const auto backends = backends_.select(o, "conv");
  const auto precisions = select_precisions(o);
  const auto shapes = collect_shapes(o, sel);

  std::vector<std::unique_ptr<Case>> cases;
  for (const auto& [name, backend] : backends) {
    for (Precision precision : precisions) {
      for (const auto& shape : shapes) {
        if (shape.precision_fixed && shape.problem.precision != precision) continue;
        for (ConvLayout layout : shape.layouts) {
          for (ConvDirection direction : shape.directions) {
            ConvProblem problem = shape.problem;
            problem.precision = precision;
            problem.layout = layout;
            problem.direction = direction;
            // Every backend gets the same inputs for the same problem, whatever table or row it came from.
            const std::uint64_t seed = case_seed(problem.to_string(), o.seed);
            CaseId id{"conv", name, std::string(to_string(precision)), shape.table, shape.label,
                      std::string(to_string(layout)) + "_" + std::string(to_string(direction))};
            cases.push_back(std::make_unique<ConvCase>(std::move(id), problem, shape.phase, backend, seed,
                                                       o.verify_samples));
          }
        }
      }
    }
  }
  // Say why nothing would run rather than report an empty filter match.
  if (cases.empty()) {
    if (!o.problems.empty())
      throw InputError("--problem: no case left after --precisions, --layouts and --directions (the problem names "
                       "its own)");
    throw InputError("--directions: no case left (inference rows run fwd only)");
  }
  return cases;
}

std::vector<Suite::BackendInfo> ConvSuite::backends() const { return backends_.infos(); }

}  // namespace dlbench

#include "harness/suite_support.hpp"

#include <set>

#include "common/host_buffer.hpp"
#include "harness/shape_paths.hpp"

namespace dlbench {

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

BackendSettings backend_settings(const CommonOptions& o) {
  return {o.threads, o.device, o.autotune, static_cast<std::size_t>(o.workspace_mb) << 20};
}

void for_each_table(const CommonOptions& o, const std::string& kernel,
                    const std::function<void(const ShapeTable&)>& visit) {
  std::set<std::string> seen;
  for (const auto& spec : o.shapes) {
    const TableRef ref = resolve_table(spec, kernel, o.shapes_dir);
    if (!seen.insert(ref.name).second) throw InputError("--shapes: table '" + ref.name + "' given twice");
    visit(ShapeTable::load(ref.path, ref.name));
  }
}

std::uint64_t case_seed(const std::string& problem_key, int seed) {
  return hash64(problem_key.data(), problem_key.size(), static_cast<std::uint64_t>(seed));
}

}  // namespace dlbench

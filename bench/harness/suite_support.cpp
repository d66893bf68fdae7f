#include "harness/suite_support.hpp"

#include <fstream>
#include <set>
#include <sstream>

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
  BackendSettings s;
  s.threads = o.threads;
  s.device = o.device;
  s.autotune = o.autotune;
  s.workspace_bytes = static_cast<std::size_t>(o.workspace_mb) << 20;
  s.group = o.group;
  return s;
}

void for_each_table(const CommonOptions& o, const std::string& kernel,
                    const std::function<void(const ShapeTable&)>& visit) {
  SingleProcess alone;
  ProcessGroup& group = o.group ? *o.group : alone;
  std::set<std::string> seen;
  for (const auto& spec : o.shapes) {
    // Rank 0 finds and reads the table; the other ranks parse its text, so every rank builds the same cases even
    // when the file exists only where rank 0 runs.
    const std::string found = on_root(group, [&] {
      const TableRef ref = resolve_table(spec, kernel, o.shapes_dir);
      std::ifstream in(ref.path, std::ios::binary);
      if (!in) throw InputError(ref.path + ": cannot open shape table");
      std::stringstream text;
      text << in.rdbuf();
      return ref.name + '\n' + ref.path + '\n' + text.str();
    });
    const std::size_t a = found.find('\n'), b = found.find('\n', a + 1);
    const std::string name = found.substr(0, a), path = found.substr(a + 1, b - a - 1);
    if (!seen.insert(name).second) throw InputError("--shapes: table '" + name + "' given twice");
    visit(ShapeTable::parse(std::string_view(found).substr(b + 1), path, name));
  }
}

std::uint64_t case_seed(const std::string& problem_key, int seed) {
  return hash64(problem_key.data(), problem_key.size(), static_cast<std::uint64_t>(seed));
}

}  // namespace dlbench

#include "harness/shape_paths.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "common/input_error.hpp"

namespace fs = std::filesystem;

namespace dlbench {

std::vector<std::string> shape_search_dirs(const std::string& flag_dir) {
  std::vector<std::string> dirs;
  if (!flag_dir.empty()) dirs.push_back(flag_dir);
  if (const char* env = std::getenv("DLBENCH_SHAPES_DIR"); env && *env) dirs.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back((exe.parent_path() / ".." / "shapes").lexically_normal().string());
    dirs.push_back((exe.parent_path() / ".." / "share" / "dlbench" / "shapes").lexically_normal().string());
  }
#ifdef DLBENCH_SOURCE_SHAPES_DIR
  dirs.emplace_back(DLBENCH_SOURCE_SHAPES_DIR);
#endif
  return dirs;
}

std::vector<std::string> available_tables(const std::string& kernel, const std::string& flag_dir) {
  for (const auto& dir : shape_search_dirs(flag_dir)) {
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(fs::path(dir) / kernel, ec))
      if (entry.path().extension() == ".csv") names.push_back(entry.path().stem().string());
    if (!names.empty()) {
      std::sort(names.begin(), names.end());
      return names;
    }
  }
  return {};
}

TableRef resolve_table(const std::string& spec, const std::string& kernel, const std::string& flag_dir) {
  if (spec.find('/') != std::string::npos || fs::path(spec).extension() == ".csv") {
    if (!fs::is_regular_file(spec)) throw InputError("--shapes: no such file '" + spec + "'");
    return {spec, fs::path(spec).stem().string()};
  }
  std::string searched;
  for (const auto& dir : shape_search_dirs(flag_dir)) {
    const fs::path candidate = fs::path(dir) / kernel / (spec + ".csv");
    if (fs::is_regular_file(candidate)) return {candidate.string(), spec};
    searched += (searched.empty() ? "" : ", ") + (fs::path(dir) / kernel).string();
  }
  std::string valid;
  for (const auto& name : available_tables(kernel, flag_dir)) valid += (valid.empty() ? "" : ", ") + name;
  throw InputError("--shapes: unknown " + kernel + " table '" + spec + "' (valid: " +
                   (valid.empty() ? "none found" : valid) + "; searched " + searched + ")");
}

}  // namespace dlbench

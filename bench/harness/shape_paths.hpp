// Finds shape tables. `--shapes=NAME` looks for `<dir>/<kernel>/NAME.csv` in, in order: --shapes_dir, the
// DLBENCH_SHAPES_DIR environment variable, `<binary>/../shapes` (a bundle), `<binary>/../share/dlbench/shapes`
// (an install) and the source tree the binary was built from. Anything with a '/' or ending in .csv is a path.
#pragma once

#include <string>
#include <vector>

namespace dlbench {

struct TableRef {
  std::string path;
  std::string name;  // the file's stem: how names and CSV rows refer to the table
};

std::vector<std::string> shape_search_dirs(const std::string& flag_dir);
TableRef resolve_table(const std::string& spec, const std::string& kernel, const std::string& flag_dir);
// Table names available for `kernel` in the first search directory that has any, for error messages and --list.
std::vector<std::string> available_tables(const std::string& kernel, const std::string& flag_dir);

}  // namespace dlbench

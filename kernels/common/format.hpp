// Number formatting shared by names, problem strings and CSV files.
#pragma once

#include <string>

namespace dlbench {

// Shortest decimal text that reads back to the same double ("0.5", "1e-05", "68719476736").
std::string format_number(double v);

}  // namespace dlbench

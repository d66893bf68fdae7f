// Number formatting shared by names, problem strings and CSV files.
#pragma once

#include <string>

namespace dlbench {

// Shortest decimal text that reads back to the same double ("0.5", "1e-05", "68719476736").
std::string format_number(double v);
// `v` rounded to `digits` significant digits, then as format_number writes it ("1308", "0.8767"); "" for NaN.
// For figures not known better than that: peaks, roofs, percentages.
std::string format_significant(double v, int digits = 4);

}  // namespace dlbench

// A hardware target: the ceilings of one part, from its datasheet (`spec`) or measured on it by peak_bench
// (`measured`), and how to recognise the part on a machine. Targets are data: the built-in table
// (bench/target/specs.csv), the user's own files and peak_bench's output all have the format read here.
#pragma once

#include <cmath>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "target/hardware.hpp"

namespace dlbench {

// The compute peaks a target may list, one column each: TFLOP/s, dense, decimal; int8 in TOPS.
std::span<const std::string_view> peak_keys();
// The peak a row of `precision` runs against: fp8e4m3 and fp8e5m2 → fp8, the others by their own name; "" for a
// precision no peak is listed for (int32).
std::string peak_key_of(std::string_view precision);

struct Target {
  std::string id, name;
  std::string match;   // "pci:10de:2330|name:NVIDIA H100 80GB HBM3|cpu:<model name>": any alternative identifies it
  std::string kind;    // gpu | cpu
  std::string source;  // spec | measured
  int units = 0;
  double clock_mhz = NAN;
  std::map<std::string, double> peaks;  // by peak key; absent = unknown or not supported
  double memory_gbps = NAN, l2_mb = NAN, link_gbps = NAN;
  std::string citation;
  std::string origin;  // where it was read from ("built-in", a file:line), for the context and errors

  // The peak for `key`, NaN when the target does not list it.
  double peak(const std::string& key) const;
  bool matches(const DeviceIdentity& device) const;
};

// The columns of a target file, in order.
std::span<const std::string_view> target_columns();

// Parses a target file's text (CSV, `#` comments, the columns above; `source` names it in errors). Throws
// InputError naming the file, line and field for anything malformed: an unknown column, a kind or source not in
// its set, a negative or non-numeric figure, a match alternative without a known prefix, an id given twice.
std::vector<Target> parse_targets(std::string_view text, const std::string& source);
// Reads a target file; InputError if it cannot be read or parsed.
std::vector<Target> load_targets(const std::string& path);
// The file text for `targets` (a comment block `header` first, each line prefixed with "# "), which
// parse_targets reads back to the same figures.
std::string format_targets(const std::vector<Target>& targets, const std::string& header);

}  // namespace dlbench

// A result's position on the roofline of its device (MEASURE.md §4): the roof at the row's arithmetic intensity,
// min(compute peak, intensity × bandwidth), whether the row is compute- or memory-bound, and how much of the roof
// it reaches. Every row gets it against the spec roof and, when peak_bench has measured the part, against the
// measured one; collectives are placed against the link bandwidth instead of the FLOP roofline.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "harness/csv_writer.hpp"
#include "target/hardware.hpp"
#include "target/target_set.hpp"

namespace dlbench {

// What a row is placed against, as its case says (Case::roof_query()).
struct RoofQuery {
  std::string peak;         // the peak key of the row's math (peak_key_of(precision)); compute roofs only
  bool link = false;        // a collective: its bus bandwidth against the link, not the FLOP roofline
  double link_factor = 1;   // bus bytes per byte of the row's `gbps` (allreduce: 2(n-1)/n; 0 for one rank)
  // Ranks on one host exchange through host memory: a CPU target's memory bandwidth stands in for its link.
  bool link_is_host_memory = false;
};

struct Roof {
  double tflops = NAN;  // the compute peak (TFLOP/s; TOPS for int8); unused for link roofs
  double gbps = NAN;    // memory (or link) bandwidth, decimal GB/s
};

// The roof of `target` for `query` on `device`: a CPU target's compute peak scaled to the row's threads
// (min(threads, units) / units); link roofs take the target's link bandwidth (or host memory, see RoofQuery).
Roof roof_of(const Target& target, const RoofQuery& query, const DeviceIdentity& device);

struct RoofPosition {
  bool placed = false;      // false when the roof lacks a figure the row needs
  double ridge = NAN;       // FLOP/byte where the roof bends
  std::string bound;        // compute | memory | link
  double roof_tflops = NAN; // the roof at the row's intensity
  double pct = NAN;         // of the roof, in percent; NaN until the row is timed
};

// Places a row of `intensity` FLOP/byte that reached `tflops` and `gbps` (NaN when not timed) under `roof`.
// A memory-bound row's percentage is of the bandwidth (gbps / peak), which equals tflops / roof when it does
// FLOPs and still means something for a copy, which does none.
RoofPosition place(const Roof& roof, const RoofQuery& query, double intensity, double tflops, double gbps);

struct RooflineColumns {
  CsvRow columns;       // target, peak_source, peak_*, ridge, bound, roof_tflops, roofline_pct, spec_*, above_roof
  std::string remarks;  // for the row's reason: a roof exceeded, or why there is no roof
  double pct = NAN;     // roofline_pct as a number (the console's Roof%); NaN when the row has none
};

// The roofline columns of one row. `tflops`/`gbps` are NaN for a row that was not timed (skipped, failed): it
// still gets its target, peaks, ridge and bound.
RooflineColumns roofline_columns(const ResolvedTarget& target, const RoofQuery& query, const DeviceIdentity& device,
                                 double intensity, double tflops, double gbps);

// The roofline column names, in the order the CSV has them.
const std::vector<std::string>& roofline_column_names();

}  // namespace dlbench

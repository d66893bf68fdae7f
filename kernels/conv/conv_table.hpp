// Convolution rows of a shape table: the columns a convolution table has and how each row becomes a problem.
//
// Columns: label, n, c, h, w, k, r, s and phase are required. Optional: pad (or pad_h and pad_w; default 0),
// stride (or stride_h and stride_w; default 1), dilation (or dil_h and dil_w; default 1) and groups (default 1).
// `phase` says what the row is for: `training` rows run fwd, bwd_data and bwd_filter, `inference` rows fwd only.
// A table holds shapes only: layout, direction and precision are chosen on the command line and set per case.
#pragma once

#include <string>
#include <vector>

#include "common/phase.hpp"
#include "common/shape_table.hpp"
#include "conv/conv_problem.hpp"

namespace dlbench {

// The directions a step of this phase runs: all three for training, fwd for inference.
std::vector<ConvDirection> phase_directions(Phase phase);

struct ConvTableRow {
  std::string label;
  int line = 0;
  Phase phase = Phase::training;
  ConvProblem problem;  // layout, direction and precision left at their defaults; the caller sets them per case
};

// Reads every row; a bad field throws InputError("file:line: field 'x': ..."), including geometry that is not a
// convolution (channels not divisible by groups, a dilated filter larger than the padded input).
std::vector<ConvTableRow> read_conv_rows(const ShapeTable& table);

}  // namespace dlbench

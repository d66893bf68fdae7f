// RNN rows of a shape table: the columns an RNN table has and how each row becomes a problem.
//
// Columns: label, cell (rnn_relu, rnn_tanh, lstm, gru), hidden, input, batch, steps and phase are required;
// layers (default 1) and direction (uni or bi, default uni) are optional. `phase` says what the row is for:
// `training` rows run the training_fwd and training_bwd passes, `inference` rows the inference pass. A table holds
// shapes only: the precision is chosen on the command line. tools/rnn_common.py reads the same format.
#pragma once

#include <string>
#include <vector>

#include "common/phase.hpp"
#include "common/shape_table.hpp"
#include "rnn/rnn_problem.hpp"

namespace dlbench {

// The passes a step of this phase runs: training_fwd and training_bwd for training, inference for inference.
std::vector<RnnPass> phase_passes(Phase phase);

struct RnnTableRow {
  std::string label;
  int line = 0;
  Phase phase = Phase::training;
  RnnProblem problem;  // pass and precision left at their defaults; the caller sets them per case
};

// Reads every row; a bad field throws InputError("file:line: field 'x': ...").
std::vector<RnnTableRow> read_rnn_rows(const ShapeTable& table);

}  // namespace dlbench

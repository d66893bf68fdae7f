#include "rnn/rnn_table.hpp"

#include <array>

namespace dlbench {

namespace {

constexpr std::array<std::string_view, 2> kDirections{"uni", "bi"};

}  // namespace

std::vector<RnnPass> phase_passes(Phase phase) {
  if (phase == Phase::inference) return {RnnPass::inference};
  return {RnnPass::training_fwd, RnnPass::training_bwd};
}

std::vector<RnnTableRow> read_rnn_rows(const ShapeTable& table) {
  static constexpr std::array<std::string_view, 6> required{"cell", "hidden", "input", "batch", "steps", "phase"};
  static constexpr std::array<std::string_view, 2> optional{"layers", "direction"};
  table.check_columns(required, optional);
  // The table's cell names are the canonical name's, so a row and its --problem spelling agree.
  std::array<std::string_view, 4> cells;
  for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = to_string(static_cast<RnnCell>(i));

  std::vector<RnnTableRow> rows;
  for (const auto& row : table.rows()) {
    RnnTableRow r;
    r.label = row.label();
    r.line = row.line();
    r.phase = static_cast<Phase>(row.choice("phase", kPhaseNames));
    RnnProblem& p = r.problem;
    p.cell = static_cast<RnnCell>(row.choice("cell", cells));
    p.hidden = row.positive_integer("hidden");
    p.input = row.positive_integer("input");
    p.batch = row.positive_integer("batch");
    p.steps = row.positive_integer("steps");
    p.layers = row.positive_integer("layers", 1);
    p.bidirectional = row.choice("direction", kDirections, 0) == 1;
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace dlbench

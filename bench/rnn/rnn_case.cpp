#include "rnn/rnn_case.hpp"

#include "common/format.hpp"
#include "rnn/rnn_reference.hpp"

namespace dlbench {

RnnCase::RnnCase(CaseId id, RnnProblem problem, std::string phase, std::shared_ptr<RnnBackend> backend,
                 std::uint64_t seed)
    : id_(std::move(id)), problem_(problem), phase_(std::move(phase)), backend_(std::move(backend)), seed_(seed) {}

std::vector<std::string> RnnCase::column_names() {
  return {"cell",      "hidden",       "input",            "batch",           "steps",
          "layers",    "direction",    "phase",            "pass",            "algorithm",
          "workspace_mb", "flops_convention", "flops_deepbench", "tflops_deepbench", "problem"};
}

CsvRow RnnCase::columns() const {
  const auto& p = problem_;
  return {{"cell", std::string(to_string(p.cell))},
          {"hidden", std::to_string(p.hidden)},
          {"input", std::to_string(p.input)},
          {"batch", std::to_string(p.batch)},
          {"steps", std::to_string(p.steps)},
          {"layers", std::to_string(p.layers)},
          {"direction", p.bidirectional ? "bi" : "uni"},
          {"phase", phase_},
          {"pass", std::string(to_string(p.pass))},
          // `flops` and `tflops` count both GEMMs of every step; DeepBench's figures count the recurrent GEMMs only
          // and are lower by (I_l + H) / H, so a comparison with DeepBench's published tables uses the last two.
          {"flops_convention", "full_layer"},
          {"flops_deepbench", format_number(p.flops_deepbench())},
          {"problem", p.to_string()}};
}

CsvRow RnnCase::timed_columns(const Measurement& m) const {
  const double seconds_per_call = m.per_run.median;
  if (!(seconds_per_call > 0)) return {};
  return {{"tflops_deepbench", format_number(problem_.flops_deepbench() / seconds_per_call / 1e12)}};
}

Support RnnCase::support() {
  const Availability a = backend_->availability();
  if (!a.available) return Support::no(a.reason);
  if (auto why = problem_.unsupported_reason()) return Support::no(*why);
  return backend_->supports(problem_);
}

Prepared RnnCase::prepare() {
  const RnnProblem& p = problem_;
  RnnData data(p, seed_);
  const std::vector<std::int64_t> entries = rnn_check_entries(p, seed_ + 100);
  // A large training_bwd is verified with output gradients on the checked entries only (rnn_reference.hpp), then
  // timed with the full random gradients: the work per call is the same, only the values differ.
  const bool restricted = p.pass == RnnPass::training_bwd && static_cast<std::int64_t>(entries.size()) < p.batch;
  if (restricted) data.keep_output_gradients_of(p, entries);

  auto op = backend_->prepare(p, data.inputs());
  op->run();  // the verified call; timed calls come later from the sampler
  RnnOutputs out = make_rnn_outputs(p);
  op->read_outputs(out);
  const OutputCheck check = check_rnn(p, data.inputs(), out, entries);
  if (restricted) {
    data.restore_output_gradients(p);
    op->load_output_gradients(data.inputs());
  }

  Prepared prepared;
  prepared.check = verification_of(check);
  prepared.implementation = op->implementation();
  prepared.details = algorithm_details(op->algorithm(), op->workspace_bytes());
  prepared.op = std::move(op);
  return prepared;
}

}  // namespace dlbench

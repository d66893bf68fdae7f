#include "gemm/gemm_case.hpp"

#include "common/format.hpp"

namespace dlbench {

std::string to_string(BLayout layout) { return layout == BLayout::packed ? "packed" : "plain"; }

GemmCase::GemmCase(CaseId id, GemmProblem problem, GemmConfig config, std::shared_ptr<GemmBackend> backend,
                   std::uint64_t seed, int verify_samples)
    : id_(std::move(id)),
      problem_(problem),
      config_(config),
      backend_(std::move(backend)),
      seed_(seed),
      verify_samples_(verify_samples) {}

std::vector<std::string> GemmCase::column_names() {
  return {"m", "n", "k", "trans_a", "trans_b", "batch", "alpha", "beta", "b_layout", "problem"};
}

CsvRow GemmCase::columns() const {
  const auto& p = problem_;
  return {{"m", std::to_string(p.m)},
          {"n", std::to_string(p.n)},
          {"k", std::to_string(p.k)},
          {"trans_a", p.trans_a ? "t" : "n"},
          {"trans_b", p.trans_b ? "t" : "n"},
          {"batch", std::to_string(p.batch)},
          {"alpha", format_number(p.alpha)},
          {"beta", format_number(p.beta)},
          {"b_layout", to_string(config_.b_layout)},
          {"problem", p.to_string()}};
}

Support GemmCase::support() {
  const Availability a = backend_->availability();
  if (!a.available) return Support::no(a.reason);
  if (auto why = problem_.unsupported_reason()) return Support::no(*why);
  return backend_->supports(problem_, config_);
}

Prepared GemmCase::prepare() {
  const auto& t = problem_.types();
  const std::uint64_t seed_a = seed_ + 1, seed_b = seed_ + 2, seed_c = seed_ + 3;
  // A backend that generates its operands on its device gets buffers generated on demand when the check only
  // samples the output: the reference then reads a few rows and columns, not the whole operands.
  const bool lazy = !backend_->reads_host_operands() && !gemm_check_is_full(problem_);
  const auto make = [&](DataType type, std::int64_t count, std::uint64_t seed) {
    if (lazy) return HostBuffer::generated(type, static_cast<std::size_t>(count), seed);
    HostBuffer buffer(type, static_cast<std::size_t>(count));
    fill_random(buffer, seed);
    return buffer;
  };
  const HostBuffer a = make(t.input, problem_.a_elements(), seed_a);
  const HostBuffer b = make(t.input, problem_.b_elements(), seed_b);
  // With beta = 0 the output starts as poison: an element the kernel never writes cannot pass as correct. (A lazy
  // backend poisons its own output; neither it nor the reference reads C then.)
  HostBuffer c = problem_.beta != 0 || lazy ? make(t.output, problem_.c_elements(), seed_c)
                                            : HostBuffer(t.output, static_cast<std::size_t>(problem_.c_elements()));
  if (problem_.beta == 0 && !lazy) fill_poison(c);

  const GemmOperands operands{a, b, c, {seed_a, seed_b, seed_c, true}};
  auto op = backend_->prepare(problem_, config_, operands);
  op->run();  // the verified call; timed calls come later from the sampler
  HostBuffer d(t.output, problem_.c_elements());
  op->read_output(d);
  const GemmCheck check = check_gemm(problem_, operands, d, seed_ + 4, verify_samples_);

  Prepared prepared;
  prepared.check = verification_of(check);
  prepared.implementation = op->implementation();
  prepared.op = std::move(op);
  return prepared;
}

}  // namespace dlbench

#include "conv/conv_case.hpp"

#include "conv/conv_reference.hpp"

namespace dlbench {

ConvCase::ConvCase(CaseId id, ConvProblem problem, std::string phase, std::shared_ptr<ConvBackend> backend,
                   std::uint64_t seed, int verify_samples)
    : id_(std::move(id)),
      problem_(problem),
      phase_(std::move(phase)),
      backend_(std::move(backend)),
      seed_(seed),
      verify_samples_(verify_samples) {}

std::vector<std::string> ConvCase::column_names() {
  return {"n",        "c",        "h",     "w",     "k",      "r",         "s",     "p",
          "q",        "pad_h",    "pad_w", "stride_h", "stride_w", "dil_h", "dil_w", "groups",
          "layout",   "direction", "phase", "algorithm", "workspace_mb", "problem"};
}

CsvRow ConvCase::columns() const {
  const auto& p = problem_;
  return {{"n", std::to_string(p.n)},
          {"c", std::to_string(p.c)},
          {"h", std::to_string(p.h)},
          {"w", std::to_string(p.w)},
          {"k", std::to_string(p.k)},
          {"r", std::to_string(p.r)},
          {"s", std::to_string(p.s)},
          {"p", std::to_string(p.p())},
          {"q", std::to_string(p.q())},
          {"pad_h", std::to_string(p.pad_h)},
          {"pad_w", std::to_string(p.pad_w)},
          {"stride_h", std::to_string(p.stride_h)},
          {"stride_w", std::to_string(p.stride_w)},
          {"dil_h", std::to_string(p.dil_h)},
          {"dil_w", std::to_string(p.dil_w)},
          {"groups", std::to_string(p.groups)},
          {"layout", std::string(to_string(p.layout))},
          {"direction", std::string(to_string(p.direction))},
          {"phase", phase_},
          {"problem", p.to_string()}};
}

Support ConvCase::support() {
  const Availability a = backend_->availability();
  if (!a.available) return Support::no(a.reason);
  if (auto why = problem_.unsupported_reason()) return Support::no(*why);
  return backend_->supports(problem_);
}

Prepared ConvCase::prepare() {
  const ConvProblem& p = problem_;
  const auto& t = p.types();
  // The direction's two inputs hold random values in the input type; its output, in the output type, starts as
  // poison, so an element the kernel never writes cannot pass as correct.
  const auto make = [&](bool is_output, std::int64_t count, std::uint64_t seed) {
    HostBuffer buffer(is_output ? t.output : t.input, static_cast<std::size_t>(count));
    if (is_output) {
      fill_poison(buffer);
    } else {
      fill_random(buffer, seed);
    }
    return buffer;
  };
  const HostBuffer src = make(p.direction == ConvDirection::bwd_data, p.src_elements(), seed_ + 1);
  const HostBuffer weights = make(p.direction == ConvDirection::bwd_filter, p.weight_elements(), seed_ + 2);
  const HostBuffer dst = make(p.direction == ConvDirection::fwd, p.dst_elements(), seed_ + 3);

  auto op = backend_->prepare(p, ConvTensors{src, weights, dst});
  op->run();  // the verified call; timed calls come later from the sampler
  HostBuffer out(t.output, static_cast<std::size_t>(p.output_elements()));
  op->read_output(out);
  const OutputCheck check = check_conv(p, src, weights, dst, out, seed_ + 4, verify_samples_);

  Prepared prepared;
  prepared.check = verification_of(check);
  prepared.implementation = op->implementation();
  prepared.details = algorithm_details(op->algorithm(), op->workspace_bytes());
  prepared.op = std::move(op);
  return prepared;
}

}  // namespace dlbench

#include "allreduce/allreduce_case.hpp"

#include <unistd.h>

#include <cmath>

#include "allreduce/allreduce_data.hpp"
#include "common/element_codec.hpp"
#include "common/format.hpp"
#include "common/host_buffer.hpp"

namespace dlbench {

namespace {

std::string gib(double bytes) { return format_number(std::round(bytes / (1 << 30) * 10) / 10) + " GiB"; }

}  // namespace

AllReduceCase::AllReduceCase(CaseId id, AllReduceProblem problem, std::shared_ptr<AllReduceBackend> backend,
                             ProcessGroup& group, std::uint64_t seed, std::string bytes_note, std::int64_t row_bytes)
    : id_(std::move(id)),
      problem_(problem),
      backend_(std::move(backend)),
      group_(group),
      seed_(seed),
      bytes_note_(std::move(bytes_note)),
      row_bytes_(row_bytes) {}

std::vector<std::string> AllReduceCase::column_names() {
  return {"count",      "op",         "inplace",          "ranks",            "gpus_per_process",
          "buffers",    "algbw_gbps", "busbw_gbps",       "wrong",            "time_ms_rank_avg",
          "time_ms_rank_min", "time_ms_rank_max", "problem"};
}

CsvRow AllReduceCase::columns() const {
  const bool whole = bytes_note_.empty();  // else there is no count, and so no problem name
  return {{"count", whole ? std::to_string(problem_.count) : ""},
          {"op", std::string(to_string(problem_.op))},
          {"inplace", problem_.inplace ? "true" : "false"},
          {"ranks", std::to_string(backend_->ranks())},
          {"gpus_per_process", backend_->buffers() == "device" ? std::to_string(backend_->ranks_per_process()) : "0"},
          {"buffers", backend_->buffers()},
          {"problem", whole ? problem_.to_string() : ""}};
}

Support AllReduceCase::support() {
  if (!bytes_note_.empty()) return Support::no(bytes_note_);
  const Availability a = backend_->availability();
  if (!a.available) return Support::no(a.reason);
  if (auto why = ExactInputs::unsupported_reason(problem_, backend_->ranks())) return Support::no(*why);
  // The case holds each local rank's input and output image on the host while preparing, and a host backend two
  // buffers more: a size that cannot fit is a skip with the figures, not an out-of-memory kill of every rank.
  const double needed = 4.0 * problem_.bytes() * backend_->ranks_per_process() * group_.local_size();
  const double have = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (have > 0 && needed > have)
    return Support::no("needs about " + gib(needed) + " of host memory (4 buffers of " + gib(problem_.bytes()) +
                       " for each of the " + std::to_string(backend_->ranks_per_process() * group_.local_size()) +
                       " ranks on this host), which has " + gib(have));
  return backend_->supports(problem_);
}

Prepared AllReduceCase::prepare() {
  const int local = backend_->ranks_per_process();
  const int first_rank = group_.rank() * local;
  auto inputs = std::make_shared<ExactInputs>(problem_, backend_->ranks(), seed_);
  std::unique_ptr<AllReduceOperation> op;
  {
    // The inputs' host images live only until the backend has copied them.
    std::vector<HostBuffer> images;
    std::vector<const void*> pointers;
    for (int k = 0; k < local; ++k) {
      images.emplace_back(problem_.type, static_cast<std::size_t>(problem_.count));
      inputs->fill(first_rank + k, images.back().data());
    }
    for (const auto& image : images) pointers.push_back(image.data());
    HostBuffer poison(problem_.type, static_cast<std::size_t>(problem_.count));
    fill_poison(poison);
    op = backend_->prepare(problem_, pointers, poison.data());
  }

  Prepared prepared;
  prepared.implementation = op->implementation();
  // The verified call is a collective, so the harness makes it only once every rank has prepared.
  prepared.verify = [this, inputs, local, raw = op.get()] {
    raw->run();
    // The error is absolute here: the largest |got − expected| over every element, inputs being integers.
    Verification v;
    v.mode = "full";
    v.wrong = 0;
    HostBuffer out(problem_.type, static_cast<std::size_t>(problem_.count));
    for (int k = 0; k < local; ++k) {
      raw->read_output(k, out.data());
      const AllReduceCheck c = inputs->check(out.data());
      if (c.wrong > 0 && v.detail.empty())
        v.detail = "first wrong element " + std::to_string(c.first_wrong) +
                   (local > 1 ? " of local rank " + std::to_string(k) : "") + ": got " + format_number(c.first_got) +
                   ", expected " + format_number(c.first_expected);
      v.wrong += c.wrong;
      v.error = std::max(v.error, c.max_error);
      v.tolerance = c.tolerance;
    }
    v.passed = v.wrong == 0;
    return v;
  };
  prepared.op = std::move(op);
  return prepared;
}

CsvRow AllReduceCase::checked_columns(const Verification& agreed) const {
  return {{"wrong", std::to_string(agreed.wrong)}};
}

CsvRow AllReduceCase::timed_columns(const Measurement& m) const {
  const double algbw = algbw_gbps(problem_.bytes(), m.per_run.median);
  return {{"algbw_gbps", format_number(algbw)},
          {"busbw_gbps", format_number(algbw * busbw_factor(backend_->ranks()))},
          {"time_ms_rank_avg", format_number(m.rank_median_avg * 1e3)},
          {"time_ms_rank_min", format_number(m.rank_median_min * 1e3)},
          {"time_ms_rank_max", format_number(m.rank_median_max * 1e3)}};
}

RoofQuery AllReduceCase::roof_query() const {
  RoofQuery q;
  q.link = true;
  q.link_factor = busbw_factor(backend_->ranks());
  q.link_is_host_memory = group_.local_size() == group_.size();
  return q;
}

std::string AllReduceCase::remarks() const {
  if (backend_->ranks() == 1) return "one rank: busbw is 0, no data crosses a link";
  return {};
}

}  // namespace dlbench

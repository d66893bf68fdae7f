#include "allreduce/allreduce_data.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/element_codec.hpp"

namespace dlbench {

namespace {

// Significand bits (with the implicit one) of the floating types.
int significand_bits(DataType t) {
  switch (t) {
    case DataType::f64: return 53;
    case DataType::f32: return 24;
    case DataType::f16: return 11;
    case DataType::bf16: return 8;
    default: return 0;
  }
}

bool sums(ReduceOp op) { return op == ReduceOp::sum || op == ReduceOp::avg; }

bool power_of_two(int n) { return n > 0 && (n & (n - 1)) == 0; }

}  // namespace

double ExactInputs::exact_integer_limit(DataType type) {
  if (type == DataType::s32) return 2147483647.0;
  return std::ldexp(1.0, significand_bits(type));
}

std::optional<std::string> ExactInputs::unsupported_reason(const AllReduceProblem& p, int ranks) {
  if (sums(p.op) && exact_integer_limit(p.type) < ranks)
    return std::string(allreduce_type_name(p.type)) + " has exact integers only up to " +
           std::to_string(static_cast<long long>(exact_integer_limit(p.type))) + ": a " +
           std::string(to_string(p.op)) + " over " + std::to_string(ranks) + " ranks cannot be checked exactly";
  return std::nullopt;
}

ExactInputs::ExactInputs(const AllReduceProblem& problem, int ranks, std::uint64_t seed)
    : problem_(problem), ranks_(ranks), seed_(seed) {
  if (auto why = unsupported_reason(problem, ranks)) throw std::invalid_argument(*why);
  const double limit = exact_integer_limit(problem.type);
  // Sums need room for n of them; max and min only for one.
  m_ = static_cast<std::int64_t>(sums(problem.op) ? std::floor(limit / ranks) : limit);
  if (problem.op == ReduceOp::avg && problem.type != DataType::s32 && !power_of_two(ranks))
    tolerance_ = 2.0 * ranks * static_cast<double>(m_) * std::ldexp(1.0, -significand_bits(problem.type));
}

std::int64_t ExactInputs::value(int rank, std::int64_t i) const {
  // A stream per rank: the seed mixed with the rank, so ranks differ and a rank's values do not depend on n.
  const std::uint64_t stream = codec::splitmix64_at(seed_, 0xa11ed0ceull + static_cast<std::uint64_t>(rank));
  const std::uint64_t r = codec::splitmix64_at(stream, static_cast<std::uint64_t>(i));
  return static_cast<std::int64_t>(r % static_cast<std::uint64_t>(2 * m_ + 1)) - m_;
}

double ExactInputs::expected(std::int64_t i) const {
  std::int64_t acc = value(0, i);
  for (int r = 1; r < ranks_; ++r) {
    const std::int64_t v = value(r, i);
    switch (problem_.op) {
      case ReduceOp::max: acc = std::max(acc, v); break;
      case ReduceOp::min: acc = std::min(acc, v); break;
      default: acc += v; break;
    }
  }
  if (problem_.op != ReduceOp::avg) return static_cast<double>(acc);
  if (problem_.type == DataType::s32) return static_cast<double>(acc / ranks_);  // C division truncates
  return static_cast<double>(acc) / ranks_;
}

void ExactInputs::fill(int rank, void* buffer) const {
  for (std::int64_t i = 0; i < problem_.count; ++i)
    store_bits(problem_.type, buffer, static_cast<std::size_t>(i),
               codec::encode(problem_.type, static_cast<double>(value(rank, i))));
}

AllReduceCheck ExactInputs::check(const void* output) const {
  AllReduceCheck total;
  total.tolerance = tolerance_;
  total.checked = problem_.count;
  // Each thread counts its own chunk and merges once: parallel_values() (output_check.hpp) would hold a double per
  // element, gigabytes for the largest buffers.
  std::mutex merge;
  const auto threads = static_cast<std::int64_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
  const std::int64_t chunk = (problem_.count + threads - 1) / threads;
  std::vector<std::thread> pool;
  for (std::int64_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      AllReduceCheck part;
      const std::int64_t end = std::min(problem_.count, (t + 1) * chunk);
      for (std::int64_t i = t * chunk; i < end; ++i) {
        const double want = expected(i);
        const double got = load(problem_.type, output, static_cast<std::size_t>(i));
        const double diff = std::fabs(got - want);
        // NaN compares false both ways: it is wrong, and its error is infinite.
        if (!(diff <= tolerance_)) {
          if (part.wrong++ == 0) {
            part.first_wrong = i;
            part.first_got = got;
            part.first_expected = want;
          }
        }
        part.max_error = std::max(part.max_error, diff == diff ? diff : INFINITY);
      }
      const std::lock_guard<std::mutex> lock(merge);
      total.wrong += part.wrong;
      total.max_error = std::max(total.max_error, part.max_error);
      if (part.first_wrong >= 0 && (total.first_wrong < 0 || part.first_wrong < total.first_wrong)) {
        total.first_wrong = part.first_wrong;
        total.first_got = part.first_got;
        total.first_expected = part.first_expected;
      }
    });
  for (auto& th : pool) th.join();
  return total;
}

}  // namespace dlbench

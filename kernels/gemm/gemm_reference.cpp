#include "gemm/gemm_reference.hpp"

#include <vector>

#include "common/error_metric.hpp"

namespace dlbench {

namespace {

std::int64_t a_index(const GemmProblem& p, std::int64_t b, std::int64_t i, std::int64_t q) {
  return b * p.m * p.k + (p.trans_a ? q * p.m + i : i * p.k + q);
}
std::int64_t b_index(const GemmProblem& p, std::int64_t b, std::int64_t q, std::int64_t j) {
  return b * p.k * p.n + (p.trans_b ? j * p.k + q : q * p.n + j);
}
std::int64_t c_index(const GemmProblem& p, std::int64_t b, std::int64_t i, std::int64_t j) {
  return b * p.m * p.n + i * p.n + j;
}

}  // namespace

double gemm_reference_element(const GemmProblem& p, const GemmOperands& in, std::int64_t b, std::int64_t i,
                              std::int64_t j) {
  double acc = 0;
  for (std::int64_t q = 0; q < p.k; ++q) acc += in.a.get(a_index(p, b, i, q)) * in.b.get(b_index(p, b, q, j));
  double r = p.alpha * acc;
  if (p.beta != 0) r += p.beta * in.c.get(c_index(p, b, i, j));
  return r;
}

std::string GemmCheck::mode() const { return full ? "full" : "sampled"; }

GemmCheck check_gemm(const GemmProblem& p, const GemmOperands& in, const HostBuffer& d, std::uint64_t seed,
                     std::int64_t samples, double full_limit_macs) {
  GemmCheck check;
  check.tolerance = p.types().tolerance;
  ErrorMetric metric;
  const double macs = p.flops() / 2;
  check.full = macs <= full_limit_macs;
  if (check.full) {
    // Decode the operands once: the per-element decode dominates a naive triple loop otherwise.
    std::vector<double> a(static_cast<std::size_t>(p.a_elements())), bm(static_cast<std::size_t>(p.b_elements()));
    for (std::size_t x = 0; x < a.size(); ++x) a[x] = in.a.get(x);
    for (std::size_t x = 0; x < bm.size(); ++x) bm[x] = in.b.get(x);
    for (std::int64_t b = 0; b < p.batch; ++b)
      for (std::int64_t i = 0; i < p.m; ++i)
        for (std::int64_t j = 0; j < p.n; ++j) {
          double acc = 0;
          for (std::int64_t q = 0; q < p.k; ++q) acc += a[a_index(p, b, i, q)] * bm[b_index(p, b, q, j)];
          double r = p.alpha * acc;
          if (p.beta != 0) r += p.beta * in.c.get(c_index(p, b, i, j));
          metric.add(d.get(c_index(p, b, i, j)), r);
        }
  } else {
    Rng rng(seed);
    for (std::int64_t s = 0; s < samples; ++s) {
      const auto b = static_cast<std::int64_t>(rng.below(p.batch));
      const auto i = static_cast<std::int64_t>(rng.below(p.m));
      const auto j = static_cast<std::int64_t>(rng.below(p.n));
      metric.add(d.get(c_index(p, b, i, j)), gemm_reference_element(p, in, b, i, j));
    }
  }
  check.error = metric.relative_l2();
  check.checked = metric.checked();
  return check;
}

}  // namespace dlbench

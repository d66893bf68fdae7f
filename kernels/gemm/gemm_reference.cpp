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

bool gemm_check_is_full(const GemmProblem& p, double full_limit_macs) { return p.flops() / 2 <= full_limit_macs; }

GemmCheck check_gemm(const GemmProblem& p, const GemmOperands& in, const HostBuffer& d, std::uint64_t seed,
                     std::int64_t samples, double full_limit_macs) {
  GemmCheck check;
  check.tolerance = p.types().tolerance;
  ErrorMetric metric;
  check.full = gemm_check_is_full(p, full_limit_macs);
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
    struct At {
      std::int64_t b, i, j;
    };
    Rng rng(seed);
    std::vector<At> at(static_cast<std::size_t>(samples));
    for (auto& x : at) {
      x.b = static_cast<std::int64_t>(rng.below(p.batch));
      x.i = static_cast<std::int64_t>(rng.below(p.m));
      x.j = static_cast<std::int64_t>(rng.below(p.n));
    }
    // Each sample is a k-long dot product, and operands generated on demand cost ~10 ns per element read.
    const std::vector<double> ref = parallel_values(
        at.size(), [&](std::size_t s) { return gemm_reference_element(p, in, at[s].b, at[s].i, at[s].j); });
    for (std::size_t s = 0; s < at.size(); ++s) metric.add(d.get(c_index(p, at[s].b, at[s].i, at[s].j)), ref[s]);
  }
  check.error = metric.relative_l2();
  check.checked = metric.checked();
  return check;
}

}  // namespace dlbench

#include "triad.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "common/element_codec.hpp"

namespace dlbench::cpu {

template <class F>
void Triad::parallel(F f) const {
  // A thread per part per call: ~50 µs of start-up against a call of tens of milliseconds over arrays several
  // times the last-level cache.
  std::vector<std::thread> pool;
  for (int t = 0; t < threads_; ++t) {
    const std::size_t lo = n_ * t / threads_, hi = n_ * (t + 1) / threads_;
    pool.emplace_back([=] { f(lo, hi); });
  }
  for (auto& th : pool) th.join();
}

Triad::Triad(std::size_t elements, int threads, std::uint64_t seed)
    : n_(elements), threads_(threads < 1 ? 1 : threads), seed_(seed),
      a_(new double[elements]), b_(new double[elements]), c_(new double[elements]) {
  double* a = a_.get();
  double* b = b_.get();
  double* c = c_.get();
  parallel([=](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      a[i] = std::numeric_limits<double>::quiet_NaN();
      b[i] = 2.0 * (static_cast<double>(codec::splitmix64_at(seed, 2 * i) >> 11) * 0x1.0p-53) - 1.0;
      c[i] = 2.0 * (static_cast<double>(codec::splitmix64_at(seed, 2 * i + 1) >> 11) * 0x1.0p-53) - 1.0;
    }
  });
}

void Triad::run(double s) {
  double* __restrict a = a_.get();
  const double* __restrict b = b_.get();
  const double* __restrict c = c_.get();
  parallel([=](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) a[i] = b[i] + s * c[i];
  });
}

double Triad::max_relative_error(double s, int samples) const {
  double worst = 0;
  for (int k = 0; k < samples; ++k) {
    const std::size_t i = codec::splitmix64_at(seed_ ^ 0x5eed, k) % n_;
    const long double expected = static_cast<long double>(b_[i]) + static_cast<long double>(s) * c_[i];
    // Relative to the terms' magnitudes, not the sum's: b ≈ -s·c cancels, and a correct sum then has a large
    // error relative to itself.
    const long double scale = std::fabs(static_cast<long double>(b_[i])) + std::fabs(static_cast<long double>(s) * c_[i]);
    const double got = a_[i];
    // NaN (an element never written) must fail: compare so that NaN gives infinity.
    const double err = std::isnan(got) ? std::numeric_limits<double>::infinity()
                                       : static_cast<double>(std::fabs(got - expected) / std::max(scale, 1e-300L));
    worst = std::max(worst, err);
  }
  return worst;
}

}  // namespace dlbench::cpu

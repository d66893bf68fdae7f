// The STREAM triad, a[i] = b[i] + s·c[i] in fp64, split over threads: the memory-bandwidth probe of a CPU.
// STREAM's convention counts 24 bytes per element (two reads, one write; the write-allocate read of `a` is not
// counted), so figures compare with published STREAM results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace dlbench::cpu {

class Triad {
 public:
  // Three arrays of `elements` doubles; b and c random in [-1, 1) from `seed`, a poisoned (NaN). Each thread first
  // touches the part it will later stream, so pages land on its memory node.
  Triad(std::size_t elements, int threads, std::uint64_t seed);
  void run(double s);
  // Largest error of `samples` elements spread over the array against b + s·c computed in long double, relative
  // to |b| + |s·c|; NaN (never written) counts as infinite.
  double max_relative_error(double s, int samples) const;
  std::size_t elements() const { return n_; }

 private:
  template <class F>
  void parallel(F f) const;

  std::size_t n_;
  int threads_;
  std::uint64_t seed_;
  std::unique_ptr<double[]> a_, b_, c_;
};

}  // namespace dlbench::cpu

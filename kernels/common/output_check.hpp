// The verdict of comparing a kernel's output with its float64 reference, and the parallel loop references use.
// Every kernel's check returns an OutputCheck, so the harness reports all of them the same way.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace dlbench {

struct OutputCheck {
  double error = 0;        // relative L2 error of the checked elements (ErrorMetric)
  double tolerance = 0;    // the budget a correct result stays within
  std::int64_t checked = 0;
  bool full = true;        // every output element, or a random sample of them
  bool passed() const { return error <= tolerance; }
  std::string mode() const { return full ? "full" : "sampled"; }
};

// Returns {f(0), ..., f(n-1)} computed on every hardware thread. The values come back in index order, so a
// reduction over them (ErrorMetric) gives the same result whatever the thread count.
template <class F>
std::vector<double> parallel_values(std::size_t n, F f) {
  std::vector<double> out(n);
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 64);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < std::min(threads, n); ++t)
    pool.emplace_back([&, t] {
      for (std::size_t i = t; i < n; i += threads) out[i] = f(i);
    });
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace dlbench

#include "harness/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dlbench {

SampleStats summarize(std::vector<double> values) {
  SampleStats s;
  s.samples = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.median = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  s.min = values.front();
  s.max = values.back();
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  if (n > 1) {
    double ss = 0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.stdev = std::sqrt(ss / static_cast<double>(n - 1));
  }
  return s;
}

void RunningStats::add(double x) {
  ++n_;
  const double d = x - mean_;
  mean_ += d / n_;
  m2_ += d * (x - mean_);
}

double RunningStats::cov() const {
  if (n_ < 2 || mean_ <= 0) return 0;
  return std::sqrt(m2_ / (n_ - 1)) / mean_;
}

}  // namespace dlbench

// Summary statistics of timing samples.
#pragma once

#include <vector>

namespace dlbench {

struct SampleStats {
  int samples = 0;
  double median = 0, mean = 0, min = 0, max = 0, stdev = 0;
  double cov() const { return mean > 0 ? stdev / mean : 0; }  // coefficient of variation, a fraction
};

SampleStats summarize(std::vector<double> values);

// Running mean and variance (Welford), so the stopping rule can test the noise after every sample cheaply.
class RunningStats {
 public:
  void add(double x);
  int count() const { return n_; }
  double mean() const { return mean_; }
  double cov() const;  // sample stdev / mean

 private:
  int n_ = 0;
  double mean_ = 0, m2_ = 0;
};

}  // namespace dlbench

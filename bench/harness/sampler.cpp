#include "harness/sampler.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace dlbench {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Measurement measure(Operation& op, const SamplerConfig& config) {
  auto timer = op.make_timer();

  // Warm-up: at least two calls (the first may carry one-time costs), then until warmup_s has passed. The last
  // call's time estimates how many calls make a sample.
  const auto warm_start = std::chrono::steady_clock::now();
  double last = 0;
  for (int i = 0; i < 2 || seconds_since(warm_start) < config.warmup_s; ++i) {
    timer->start();
    op.run();
    last = timer->stop();
    if (seconds_since(warm_start) > config.max_time_s) break;  // one call longer than the case limit
  }

  Measurement m;
  m.runs_per_sample = last > 0 ? std::max(1, static_cast<int>(std::ceil(config.sample_s / last))) : 1;

  std::vector<double> per_run;
  RunningStats running;
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    timer->start();
    for (int r = 0; r < m.runs_per_sample; ++r) op.run();
    const double t = timer->stop();
    m.measured_s += t;
    per_run.push_back(t / m.runs_per_sample);
    running.add(per_run.back());

    const bool enough = running.count() >= config.min_samples && m.measured_s >= config.min_time_s;
    if (enough && running.cov() * 100.0 <= config.noise_pct) {
      m.converged = true;
      break;
    }
    if (seconds_since(start) >= config.max_time_s) break;
  }
  m.per_run = summarize(std::move(per_run));
  return m;
}

}  // namespace dlbench

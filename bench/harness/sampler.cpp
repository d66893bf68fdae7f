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
  Measurement m;
  m.cache = config.cache.value_or(timer->default_mode());
  m.cache_bytes = timer->cache_bytes();
  m.rated_clock_hz = timer->rated_clock_hz();
  m.throttle_fraction = config.throttle_fraction;

  // Warm-up: at least two calls (the first may carry one-time costs), then until warmup_s has passed, in the
  // sampling mode so that its own one-time costs (a device graph, say) stay out too. The last call's time
  // estimates how many calls make a hot sample.
  const auto warm_start = std::chrono::steady_clock::now();
  double last = 0;
  for (int i = 0; i < 2 || seconds_since(warm_start) < config.warmup_s; ++i) {
    last = timer->time(op, 1, m.cache).seconds;
    if (seconds_since(warm_start) > config.max_time_s) break;  // one call longer than the case limit
  }

  if (m.cache == CacheMode::hot && last > 0) {
    const double wanted = std::ceil(config.sample_s / last);
    m.runs_per_sample = static_cast<int>(std::clamp(wanted, 1.0, double(timer->max_runs_per_sample())));
  }

  std::vector<double> per_run, clocks;
  RunningStats running;
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    const SampleTime s = timer->time(op, m.runs_per_sample, m.cache);
    m.measured_s += s.seconds;
    per_run.push_back(s.seconds / m.runs_per_sample);
    running.add(per_run.back());
    if (s.clock_hz > 0) {
      clocks.push_back(s.clock_hz);
      if (m.rated_clock_hz > 0 && s.clock_hz < config.throttle_fraction * m.rated_clock_hz) ++m.throttled_samples;
    }

    const bool enough = running.count() >= config.min_samples && m.measured_s >= config.min_time_s;
    if (enough && running.cov() * 100.0 <= config.noise_pct) {
      m.converged = true;
      break;
    }
    if (seconds_since(start) >= config.max_time_s) break;
  }
  m.per_run = summarize(std::move(per_run));
  m.clock_hz = summarize(std::move(clocks)).median;  // 0 when the timer measured no clock
  m.notes = timer->notes();
  return m;
}

}  // namespace dlbench

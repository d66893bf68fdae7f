#include "harness/sampler.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <vector>

#include "harness/collective_timer.hpp"

namespace dlbench {

namespace {

// Seconds since `t0` on this process's clock, or, in a group, the largest over the ranks: the wall-clock rules
// below (warm-up length, the case's time limit) must come out the same on every rank.
double seconds_since(std::chrono::steady_clock::time_point t0, ProcessGroup& group) {
  const double mine = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return group.size() > 1 ? group.max(mine) : mine;
}

}  // namespace

Measurement measure(Operation& op, const SamplerConfig& config, ProcessGroup* group_or_null) {
  SingleProcess alone;
  ProcessGroup& group = group_or_null ? *group_or_null : alone;
  std::unique_ptr<Timer> timer = op.make_timer();
  CollectiveTimer* collective = nullptr;
  if (group.size() > 1) {
    auto wrapped = std::make_unique<CollectiveTimer>(std::move(timer), group);
    collective = wrapped.get();
    timer = std::move(wrapped);
  }
  Measurement m;
  m.cache = config.cache.value_or(timer->default_mode());
  m.cache_bytes = timer->cache_bytes();
  m.rated_clock_hz = timer->rated_clock_hz();
  m.throttle_fraction = config.throttle_fraction;

  // Warm-up: at least two calls (the first may carry one-time costs), then until warmup_s has passed, in the
  // sampling mode so that its own one-time costs (a device graph, say) stay out too. The median of the warm-up
  // calls after the first estimates how many calls make a hot sample: one call disturbed by the host (or, in a
  // collective, by a late rank) would otherwise set the sample size for the whole case.
  const auto warm_start = std::chrono::steady_clock::now();
  std::vector<double> warm;
  for (int i = 0;; ++i) {
    warm.push_back(timer->time(op, 1, m.cache).seconds);
    const double elapsed = seconds_since(warm_start, group);
    if (elapsed > config.max_time_s) break;  // one call longer than the case limit
    if (i >= 1 && elapsed >= config.warmup_s) break;
  }
  if (collective) collective->clear_own();

  const double last = summarize(warm.size() > 1 ? std::vector<double>(warm.begin() + 1, warm.end()) : warm).median;
  if (m.cache == CacheMode::hot && last > 0) {  // the typical warm-up call
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
    if (seconds_since(start, group) >= config.max_time_s) break;
  }
  m.per_run = summarize(std::move(per_run));
  m.clock_hz = summarize(std::move(clocks)).median;  // 0 when the timer measured no clock
  m.notes = timer->notes();

  m.ranks = group.size();
  m.rank_median_min = m.rank_median_avg = m.rank_median_max = m.per_run.median;
  if (collective) {
    const double own = summarize(collective->own_per_run()).median;
    std::array<double, 2> extremes{own, -own};
    group.all_reduce(extremes, Reduction::max);
    m.rank_median_max = extremes[0];
    m.rank_median_min = -extremes[1];
    m.rank_median_avg = group.sum(own) / group.size();
  }
  return m;
}

}  // namespace dlbench

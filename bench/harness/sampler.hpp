// The measurement loop every case goes through (MEASURE.md §1): warm-up, then samples until the noise target is
// met or the case's time runs out. The cache state (cold/hot) and the clock check come from the operation's timer.
#pragma once

#include <optional>
#include <string>

#include "harness/operation.hpp"
#include "harness/stats.hpp"

namespace dlbench {

struct SamplerConfig {
  double warmup_s = 0.1;     // untimed runs first: page faults, JIT, caches, clocks and thread pools settle
  double sample_s = 0.005;   // hot mode: each sample repeats the call until it lasts about this long
  int min_samples = 10;
  double min_time_s = 0.5;   // measured time to collect at least, even when the noise target is met sooner
  double max_time_s = 5.0;   // per-case limit: stop here even when the noise target is not met
  double noise_pct = 0.5;    // target coefficient of variation of the samples, in percent
  std::optional<CacheMode> cache;  // unset: the timer's default (cold on devices, hot on the CPU)
  // A sample whose measured clock is below this fraction of the rated clock counts as throttled (nvbench: 75 %).
  double throttle_fraction = 0.75;
};

struct Measurement {
  SampleStats per_run;         // seconds per call, over the samples
  int runs_per_sample = 1;
  bool converged = false;      // noise target met within the limits
  double measured_s = 0;       // time inside timed regions
  CacheMode cache = CacheMode::hot;
  double cache_bytes = 0;      // the timer's last-level cache size (0 unknown)
  double clock_hz = 0;         // median measured clock over the samples; 0 when not measured
  double rated_clock_hz = 0;
  double throttle_fraction = 0.75;
  int throttled_samples = 0;   // samples whose clock fell under throttle_fraction of the rated clock
  std::string notes;           // from the timer
  bool throttled() const { return throttled_samples * 2 > per_run.samples; }
};

Measurement measure(Operation& op, const SamplerConfig& config);

}  // namespace dlbench

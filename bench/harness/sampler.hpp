// The measurement loop every case goes through (MEASURE.md §1): warm-up, then samples until the noise target is
// met or the case's time runs out. The cache state (cold/hot) and the clock check come from the operation's timer.
#pragma once

#include <optional>
#include <string>

#include "harness/operation.hpp"
#include "harness/process_group.hpp"
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
  // Under a process group, per_run holds the slowest rank's time sample by sample (collective_timer.hpp). These are
  // each rank's own median time per call, taken across the ranks: their spread shows how long ranks wait for each
  // other. With one rank all three equal per_run.median.
  int ranks = 1;
  double rank_median_min = 0, rank_median_avg = 0, rank_median_max = 0;
  bool throttled() const { return throttled_samples * 2 > per_run.samples; }
};

// Measures `op`. With a `group` of more than one process this is a collective: every rank calls it for the same
// case, every sample is timed on all ranks together, and every decision (warm-up length, sample size, when to
// stop) comes out the same on every rank.
Measurement measure(Operation& op, const SamplerConfig& config, ProcessGroup* group = nullptr);

}  // namespace dlbench

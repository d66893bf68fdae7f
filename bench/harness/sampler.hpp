// The measurement loop every case goes through (MEASURE.md §1): warm-up, then samples until the noise target is
// met or the case's time runs out.
#pragma once

#include "harness/operation.hpp"
#include "harness/stats.hpp"

namespace dlbench {

struct SamplerConfig {
  double warmup_s = 0.1;     // untimed runs first: page faults, JIT, caches and thread pools settle
  double sample_s = 0.005;   // each sample repeats the call until it lasts about this long
  int min_samples = 10;
  double min_time_s = 0.5;   // measured time to collect at least, even when the noise target is met sooner
  double max_time_s = 5.0;   // per-case limit: stop here even when the noise target is not met
  double noise_pct = 0.5;    // target coefficient of variation of the samples, in percent
};

struct Measurement {
  SampleStats per_run;         // seconds per call, over the samples
  int runs_per_sample = 1;
  bool converged = false;      // noise target met within the limits
  double measured_s = 0;       // time inside timed regions
};

Measurement measure(Operation& op, const SamplerConfig& config);

}  // namespace dlbench

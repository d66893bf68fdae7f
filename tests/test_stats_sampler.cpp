// Statistics and the sampler's stopping rule, driven by a scripted clock so nothing here depends on real time.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <thread>

#include "harness/case_runner.hpp"
#include "harness/sampler.hpp"
#include "harness/stats.hpp"

namespace dlbench {
namespace {

TEST(Stats, MedianMinMaxMeanOfOddAndEvenCounts) {
  const SampleStats odd = summarize({5, 1, 3});
  EXPECT_EQ(odd.samples, 3);
  EXPECT_DOUBLE_EQ(odd.median, 3);
  EXPECT_DOUBLE_EQ(odd.min, 1);
  EXPECT_DOUBLE_EQ(odd.max, 5);
  EXPECT_DOUBLE_EQ(odd.mean, 3);
  EXPECT_DOUBLE_EQ(odd.stdev, 2);  // sample stdev of 1,3,5
  EXPECT_DOUBLE_EQ(odd.cov(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(summarize({4, 1, 3, 2}).median, 2.5);
}

TEST(Stats, EmptyAndSingle) {
  EXPECT_EQ(summarize({}).samples, 0);
  const SampleStats one = summarize({7});
  EXPECT_DOUBLE_EQ(one.median, 7);
  EXPECT_DOUBLE_EQ(one.stdev, 0);
}

TEST(Stats, RunningCovMatchesBatch) {
  const std::vector<double> v{1.0, 1.1, 0.9, 1.05, 0.95, 1.2};
  RunningStats r;
  for (double x : v) r.add(x);
  EXPECT_NEAR(r.cov(), summarize(v).cov(), 1e-12);
  EXPECT_NEAR(r.mean(), summarize(v).mean, 1e-12);
}

// An operation whose "duration" is scripted: each run() adds the next scripted time to a virtual clock, and the
// timer reads that clock. Real time still passes, so max_time limits are set far above what the tests need.
struct ScriptedOp final : Operation {
  std::deque<double> script;
  double fallback = 1e-3;
  bool alternate = false;  // after the script: fallback and 3·fallback in turn (CoV ~50 %)
  double clock = 0;
  int runs = 0;
  void run() override {
    ++runs;
    double t = alternate && runs % 2 ? 3 * fallback : fallback;
    if (!script.empty()) {
      t = script.front();
      script.pop_front();
    }
    clock += t;
  }
  // What the timer saw, for the cache-mode tests.
  std::vector<int> sample_runs;
  std::vector<CacheMode> sample_modes;
  double clock_hz = 0, rated_hz = 0;
  CacheMode default_mode = CacheMode::hot;
  struct VirtualTimer final : Timer {
    ScriptedOp* op;
    explicit VirtualTimer(ScriptedOp* o) : op(o) {}
    SampleTime time(Operation& o, int runs, CacheMode mode) override {
      op->sample_runs.push_back(runs);
      op->sample_modes.push_back(mode);
      const double t0 = op->clock;
      for (int r = 0; r < runs; ++r) o.run();
      return {op->clock - t0, op->clock_hz};
    }
    CacheMode default_mode() const override { return op->default_mode; }
    double rated_clock_hz() const override { return op->rated_hz; }
    int max_runs_per_sample() const override { return 50; }
    double cache_bytes() const override { return 1e6; }
  };
  std::unique_ptr<Timer> make_timer() override { return std::make_unique<VirtualTimer>(this); }
};

TEST(Sampler, SteadyOperationConvergesAtTheMinimums) {
  ScriptedOp op;
  op.fallback = 1e-3;
  const SamplerConfig c{
      .warmup_s = 0, .sample_s = 1e-3, .min_samples = 10, .min_time_s = 0.02, .max_time_s = 60, .noise_pct = 0.5};
  const Measurement m = measure(op, c);
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.runs_per_sample, 1);
  EXPECT_EQ(m.per_run.samples, 20);  // min_time (20 ms) binds after min_samples (10)
  EXPECT_DOUBLE_EQ(m.per_run.median, 1e-3);
  EXPECT_NEAR(m.measured_s, 0.02, 1e-12);
}

TEST(Sampler, ShortCallsAreBatchedIntoSamples) {
  ScriptedOp op;
  op.fallback = 1e-4;
  const SamplerConfig c{.warmup_s = 0, .sample_s = 1e-3, .min_samples = 5, .min_time_s = 0, .max_time_s = 60};
  const Measurement m = measure(op, c);
  EXPECT_EQ(m.cache, CacheMode::hot);  // the timer's default
  EXPECT_EQ(m.runs_per_sample, 10);
  EXPECT_NEAR(m.per_run.median, 1e-4, 1e-15);
  EXPECT_EQ(m.per_run.samples, 5);
}

TEST(Sampler, HotBatchesAreCappedByTheTimer) {
  ScriptedOp op;
  op.fallback = 1e-6;  // 1000 calls would fill a sample; this timer takes at most 50
  const SamplerConfig c{.warmup_s = 0, .sample_s = 1e-3, .min_samples = 3, .min_time_s = 0, .max_time_s = 60};
  EXPECT_EQ(measure(op, c).runs_per_sample, 50);
}

TEST(Sampler, ColdModeTimesOneCallPerSampleEvenWhenShort) {
  ScriptedOp op;
  op.fallback = 1e-6;
  op.default_mode = CacheMode::cold;  // a device timer's default
  const SamplerConfig c{.warmup_s = 0, .sample_s = 1e-3, .min_samples = 4, .min_time_s = 0, .max_time_s = 60};
  const Measurement m = measure(op, c);
  EXPECT_EQ(m.cache, CacheMode::cold);
  EXPECT_EQ(m.runs_per_sample, 1);
  for (int runs : op.sample_runs) EXPECT_EQ(runs, 1);
  for (CacheMode mode : op.sample_modes) EXPECT_EQ(mode, CacheMode::cold);  // warm-up too
}

TEST(Sampler, UserChoiceOverridesTheTimersDefault) {
  ScriptedOp op;
  op.default_mode = CacheMode::cold;
  SamplerConfig c{.warmup_s = 0, .sample_s = 1e-3, .min_samples = 3, .min_time_s = 0, .max_time_s = 60};
  c.cache = CacheMode::hot;
  op.fallback = 1e-4;
  const Measurement m = measure(op, c);
  EXPECT_EQ(m.cache, CacheMode::hot);
  EXPECT_EQ(m.runs_per_sample, 10);
}

TEST(Sampler, ClockBelowThresholdMarksTheCaseThrottled) {
  ScriptedOp op;
  op.rated_hz = 2.0e9;
  const SamplerConfig c{.warmup_s = 0, .sample_s = 0, .min_samples = 5, .min_time_s = 0, .max_time_s = 60};
  op.clock_hz = 1.6e9;  // 80 % of rated: normal under load
  Measurement m = measure(op, c);
  EXPECT_DOUBLE_EQ(m.clock_hz, 1.6e9);
  EXPECT_FALSE(m.throttled());
  EXPECT_EQ(m.throttled_samples, 0);
  op.clock_hz = 1.4e9;  // 70 %: under nvbench's 75 % threshold
  m = measure(op, c);
  EXPECT_TRUE(m.throttled());
  EXPECT_EQ(m.throttled_samples, m.per_run.samples);
  EXPECT_NE(measurement_remarks(m, 1e9).find("throttled: median clock 1400 MHz"), std::string::npos)
      << measurement_remarks(m, 1e9);
}

TEST(Sampler, HotRowsOnCacheResidentOperandsSaySo) {
  ScriptedOp op;
  const SamplerConfig c{.warmup_s = 0, .sample_s = 0, .min_samples = 3, .min_time_s = 0, .max_time_s = 60};
  const Measurement m = measure(op, c);  // hot; this timer's cache is 1 MB
  EXPECT_NE(measurement_remarks(m, 5e5).find("fit in the 1 MB last-level cache"), std::string::npos)
      << measurement_remarks(m, 5e5);
  EXPECT_EQ(measurement_remarks(m, 5e6).find("last-level cache"), std::string::npos);
}

TEST(Sampler, WarmupRunsAreNotSampled) {
  ScriptedOp op;
  op.script = {0.5, 0.5};  // two slow warm-up calls (first-call costs) must not reach the statistics
  op.fallback = 1e-3;
  const SamplerConfig c{.warmup_s = 0, .sample_s = 0, .min_samples = 3, .min_time_s = 0, .max_time_s = 60};
  const Measurement m = measure(op, c);
  EXPECT_NEAR(m.per_run.max, 1e-3, 1e-12);
}

TEST(Sampler, NoisyOperationStopsAtMaxTimeUnconverged) {
  ScriptedOp op;
  op.fallback = 1e-6;
  op.alternate = true;
  // max_time_s is real seconds: the loop must end by itself.
  const SamplerConfig c{.warmup_s = 0, .sample_s = 0, .min_samples = 2, .min_time_s = 0, .max_time_s = 0.05};
  const Measurement m = measure(op, c);
  EXPECT_FALSE(m.converged);
  EXPECT_GT(m.per_run.cov(), 0.3);
}

// An operation whose before_call() takes 20 ms and whose calls take none: the host timer must run it before each
// sample and leave it out of the time, and must not call it between the calls of a hot sample.
class RestoringOp final : public Operation {
 public:
  int restores = 0, runs = 0, runs_since_restore = 0, max_runs_between = 0;
  void before_call() override {
    ++restores;
    runs_since_restore = 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  void run() override {
    ++runs;
    max_runs_between = std::max(max_runs_between, ++runs_since_restore);
  }
};

TEST(HostTimer, RunsBeforeCallOutsideTheTimedRegionOncePerSample) {
  RestoringOp op;
  HostTimer timer;
  const SampleTime cold = timer.time(op, 1, CacheMode::cold);
  EXPECT_LT(cold.seconds, 0.01);  // the flush and the 20 ms restore both precede the clock
  const SampleTime hot = timer.time(op, 5, CacheMode::hot);
  EXPECT_LT(hot.seconds, 0.01);
  EXPECT_EQ(op.restores, 2);
  EXPECT_EQ(op.runs, 6);
  EXPECT_EQ(op.max_runs_between, 5);  // a hot sample's calls follow each other
}

}  // namespace
}  // namespace dlbench

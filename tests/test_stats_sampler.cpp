// Statistics and the sampler's stopping rule, driven by a scripted clock so nothing here depends on real time.
#include <gtest/gtest.h>

#include <cmath>
#include <deque>

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
  struct VirtualTimer final : Timer {
    ScriptedOp* op;
    double t0 = 0;
    explicit VirtualTimer(ScriptedOp* o) : op(o) {}
    void start() override { t0 = op->clock; }
    double stop() override { return op->clock - t0; }
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
  op.fallback = 1e-5;
  const SamplerConfig c{.warmup_s = 0, .sample_s = 1e-3, .min_samples = 5, .min_time_s = 0, .max_time_s = 60};
  const Measurement m = measure(op, c);
  EXPECT_EQ(m.runs_per_sample, 100);
  EXPECT_NEAR(m.per_run.median, 1e-5, 1e-15);
  EXPECT_EQ(m.per_run.samples, 5);
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

}  // namespace
}  // namespace dlbench

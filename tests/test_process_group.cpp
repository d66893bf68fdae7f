// The process group the harness takes its run-wide decisions through, without MPI: how ranks' outcomes combine
// (combine_statuses, agree_status), first_mismatch, on_root, the single-process group, and the collective timing
// of harness/collective_timer.hpp and measure() under a scripted two-rank group whose other rank is slower, faster
// or failing.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "harness/collective_timer.hpp"
#include "harness/process_group.hpp"
#include "harness/sampler.hpp"

namespace dlbench {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// combine_statuses

RankStatus ok() { return {}; }
RankStatus skipped(const std::string& why) { return {RankStatus::skipped, why}; }
RankStatus failed(const std::string& why) { return {RankStatus::failed, why}; }

void expect_status(const RankStatus& got, RankStatus::Code code, const std::string& reason) {
  EXPECT_EQ(got.code, code);
  EXPECT_EQ(got.reason, reason);
}

TEST(CombineStatuses, AllOkIsOk) {
  expect_status(combine_statuses({ok(), ok(), ok()}), RankStatus::ok, "");
  expect_status(combine_statuses({ok()}), RankStatus::ok, "");
  expect_status(combine_statuses({}), RankStatus::ok, "");
}

TEST(CombineStatuses, TheWorstCodeWinsWithTheReasonOfTheFirstRankThatHasIt) {
  expect_status(combine_statuses({ok(), skipped("no fp16 here")}), RankStatus::skipped, "rank 1: no fp16 here");
  expect_status(combine_statuses({skipped("a"), failed("b"), failed("c")}), RankStatus::failed, "rank 1: b");
  expect_status(combine_statuses({failed("boom"), skipped("later"), ok()}), RankStatus::failed, "rank 0: boom");
  expect_status(combine_statuses({ok(), ok(), ok(), failed("out of memory")}), RankStatus::failed,
                "rank 3: out of memory");
}

TEST(CombineStatuses, NoRankPrefixWhenEveryRankGaveTheSameReason) {
  expect_status(combine_statuses({skipped("MPI has no fp16 datatype"), skipped("MPI has no fp16 datatype")}),
                RankStatus::skipped, "MPI has no fp16 datatype");
  expect_status(combine_statuses({failed("x"), failed("x"), failed("x")}), RankStatus::failed, "x");
  // One rank alone is never prefixed.
  expect_status(combine_statuses({failed("x")}), RankStatus::failed, "x");
}

TEST(CombineStatuses, AnEmptyReasonIsPassedOverForOneThatSaysWhy) {
  // Rank 0 failed only because rank 1 did (a PeerFailure gives no reason): rank 1's reason is the one to report.
  expect_status(combine_statuses({failed(""), failed("MPI_Allreduce failed with error 15")}), RankStatus::failed,
                "rank 1: MPI_Allreduce failed with error 15");
  expect_status(combine_statuses({failed(""), failed(""), failed("why"), failed("other")}), RankStatus::failed,
                "rank 2: why");
  // ... but a worse code still wins over a better one that has a reason.
  expect_status(combine_statuses({skipped("a reason"), failed(""), failed("timer")}), RankStatus::failed,
                "rank 2: timer");
}

TEST(AgreeStatus, OneProcessAgreesWithItself) {
  SingleProcess alone;
  expect_status(agree_status(alone, failed("mine")), RankStatus::failed, "mine");
  expect_status(agree_status(alone, ok()), RankStatus::ok, "");
}

// ---------------------------------------------------------------------------------------------------------------
// A two-rank group in one process: this rank is `my_rank`; the other rank's side of each collective is scripted.

class FakeGroup final : public ProcessGroup {
 public:
  explicit FakeGroup(int rank = 0) : my_rank(rank) {}

  int my_rank;
  // The other rank's values in an all_reduce, given this rank's: by default a rank whose every figure is `scale`
  // times this one's (times, clocks and, in the timer's reduction, its failure flag, which stays 0 or non-zero), so
  // the fake needs to know nothing of what each reduction carries.
  double scale = 1;
  std::function<std::vector<double>(std::span<const double> mine, Reduction op)> other_values;
  std::string other_text;    // the other rank's all_gather contribution
  std::string root_message;  // what broadcast delivers when this rank is not the root
  int barriers = 0, reductions = 0, gathers = 0, broadcasts = 0;
  std::vector<std::string> broadcast_sent;

  int rank() const override { return my_rank; }
  int size() const override { return 2; }
  int local_rank() const override { return my_rank; }
  int local_size() const override { return 2; }
  std::string host() const override { return "fake"; }
  std::string describe() const override { return "2 fake ranks"; }

  void all_reduce(std::span<double> values, Reduction op) override {
    ++reductions;
    std::vector<double> other(values.begin(), values.end());
    if (other_values) {
      other = other_values(values, op);
    } else {
      for (double& v : other)
        if (std::fabs(v) < 1e299) v *= scale;  // -1e300 stands for "no clock measured" and stays so
    }
    EXPECT_EQ(other.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (op == Reduction::sum) values[i] += other[i];
      if (op == Reduction::max) values[i] = std::max(values[i], other[i]);
      if (op == Reduction::min) values[i] = std::min(values[i], other[i]);
    }
  }
  std::vector<std::string> all_gather(const std::string& mine) override {
    ++gathers;
    return my_rank == 0 ? std::vector<std::string>{mine, other_text} : std::vector<std::string>{other_text, mine};
  }
  std::string broadcast(const std::string& text) override {
    ++broadcasts;
    broadcast_sent.push_back(text);
    return my_rank == 0 ? text : root_message;
  }
  void barrier() override { ++barriers; }
};

TEST(AgreeStatus, EveryRanksOutcomeIsGatheredAndCombined) {
  FakeGroup group;
  group.other_text = "2MPI_Allreduce failed";  // the code, then the reason: the wire form of agree_status
  expect_status(agree_status(group, ok()), RankStatus::failed, "rank 1: MPI_Allreduce failed");
  EXPECT_EQ(group.gathers, 1);
  group.other_text = "1no fp16";
  expect_status(agree_status(group, skipped("no fp16")), RankStatus::skipped, "no fp16");
  group.other_text = "0";
  expect_status(agree_status(group, ok()), RankStatus::ok, "");
  // Round trip of this rank's own status through the same encoding (as rank 1).
  FakeGroup second(1);
  second.other_text = "2";  // rank 0 failed only because another did
  expect_status(agree_status(second, failed("rank 1's own reason")), RankStatus::failed,
                "rank 1: rank 1's own reason");
}

TEST(FirstMismatch, FindsTheFirstRankThatDiffersFromRankZero) {
  FakeGroup group;
  group.other_text = "--shapes=smoke";
  EXPECT_EQ(first_mismatch(group, "--shapes=smoke"), -1);
  std::string zero, other;
  group.other_text = "--shapes=sweep";
  EXPECT_EQ(first_mismatch(group, "--shapes=smoke", &zero, &other), 1);
  EXPECT_EQ(zero, "--shapes=smoke");
  EXPECT_EQ(other, "--shapes=sweep");
  SingleProcess alone;
  EXPECT_EQ(first_mismatch(alone, "anything"), -1);
}

// ---------------------------------------------------------------------------------------------------------------
// SingleProcess and on_root

TEST(SingleProcess, EveryCollectiveIsTheIdentity) {
  SingleProcess g;
  EXPECT_EQ(g.rank(), 0);
  EXPECT_EQ(g.size(), 1);
  EXPECT_EQ(g.local_rank(), 0);
  EXPECT_EQ(g.local_size(), 1);
  EXPECT_TRUE(g.is_root());
  EXPECT_FALSE(g.host().empty());
  EXPECT_EQ(g.describe(), "single process");
  for (Reduction op : {Reduction::sum, Reduction::min, Reduction::max}) {
    std::array<double, 3> v{1.5, -2, 1e300};
    g.all_reduce(v, op);
    EXPECT_EQ(v, (std::array<double, 3>{1.5, -2, 1e300}));
  }
  EXPECT_EQ(g.max(3.5), 3.5);
  EXPECT_EQ(g.sum(3.5), 3.5);
  EXPECT_TRUE(g.any(true));
  EXPECT_FALSE(g.any(false));
  EXPECT_EQ(g.all_gather("mine"), std::vector<std::string>{"mine"});
  EXPECT_EQ(g.broadcast("text"), "text");
  g.barrier();
}

TEST(ProcessGroupHelpers, MaxSumAndAnyGoThroughAllReduce) {
  FakeGroup g;
  g.scale = 3;
  EXPECT_EQ(g.max(2), 6);
  EXPECT_EQ(g.sum(2), 8);
  g.scale = 0;
  EXPECT_TRUE(g.any(true));    // mine
  EXPECT_FALSE(g.any(false));  // neither
  g.other_values = [](std::span<const double>, Reduction) { return std::vector<double>{1}; };
  EXPECT_TRUE(g.any(false));   // the other rank's
  EXPECT_EQ(g.reductions, 5);
}

TEST(OnRoot, RunsOnRootAndReturnsItsResult) {
  SingleProcess alone;
  int calls = 0;
  EXPECT_EQ(on_root(alone,
                    [&] {
                      ++calls;
                      return std::string("table text");
                    }),
            "table text");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(on_root(alone, [] { return std::string(); }), "");  // an empty result is a result
}

TEST(OnRoot, RethrowsAnInputErrorWithItsText) {
  SingleProcess alone;
  try {
    on_root(alone, []() -> std::string { throw InputError("shapes/x.csv:3: field 'bytes': must be positive"); });
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "shapes/x.csv:3: field 'bytes': must be positive");
  }
}

TEST(OnRoot, RootBroadcastsItsResultOrItsError) {
  FakeGroup root;
  EXPECT_EQ(on_root(root, [] { return std::string("label,bytes\n"); }), "label,bytes\n");
  ASSERT_EQ(root.broadcasts, 1);
  const std::string sent = root.broadcast_sent.back();
  // The error travels to the other ranks too, so that none waits for a table that will never come.
  EXPECT_THROW(on_root(root, []() -> std::string { throw InputError("--shapes: unknown table"); }), InputError);
  EXPECT_EQ(root.broadcasts, 2);
  const std::string error_sent = root.broadcast_sent.back();
  EXPECT_NE(error_sent.find("--shapes: unknown table"), std::string::npos);

  // Rank 1 never calls produce(): it receives what rank 0 sent, results and errors alike.
  FakeGroup other(1);
  bool called = false;
  other.root_message = sent;
  const auto produce = [&] {
    called = true;
    return std::string("rank 1's own");
  };
  EXPECT_EQ(on_root(other, produce), "label,bytes\n");
  EXPECT_FALSE(called);
  other.root_message = error_sent;
  try {
    on_root(other, produce);
    ADD_FAILURE() << "no exception on rank 1";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "--shapes: unknown table");
  }
  EXPECT_FALSE(called);
}

// ---------------------------------------------------------------------------------------------------------------
// Collective timing

// A timer whose samples take `seconds_per_call` per call at `clock_hz`, with no real work: it records how many
// barriers the group had seen when each sample started, to show the barrier comes first and once per sample.
struct FixedOp final : Operation {
  FakeGroup* group = nullptr;
  double seconds_per_call = 1e-3;
  double warmup_seconds_per_call = 0;  // when set: calls of a one-call sample (the warm-up's) take this long
  double clock_hz = 0;
  int fail_at_call = -1;  // this rank's timer throws on that sample
  std::vector<int> barriers_before_sample;
  std::vector<int> runs_per_sample;
  void run() override {}
  struct FixedTimer final : Timer {
    FixedOp* op;
    explicit FixedTimer(FixedOp* o) : op(o) {}
    SampleTime time(Operation&, int runs, CacheMode) override {
      op->barriers_before_sample.push_back(op->group ? op->group->barriers : 0);
      op->runs_per_sample.push_back(runs);
      if (static_cast<int>(op->runs_per_sample.size()) - 1 == op->fail_at_call)
        throw std::runtime_error("device lost");
      const double per_call =
          runs == 1 && op->warmup_seconds_per_call > 0 ? op->warmup_seconds_per_call : op->seconds_per_call;
      return {runs * per_call, op->clock_hz};
    }
  };
  std::unique_ptr<Timer> make_timer() override { return std::make_unique<FixedTimer>(this); }
};

// Warm-up of two calls, 1 ms samples of one call, stopping at 5 samples (the times never vary).
const SamplerConfig kConfig{
    .warmup_s = 0, .sample_s = 1e-3, .min_samples = 5, .min_time_s = 0, .max_time_s = 60, .noise_pct = 0.5};

TEST(CollectiveTimer, BarrierFirstThenTheSlowestRanksTimeAndTheLowestClock) {
  FakeGroup group;
  FixedOp op;
  op.group = &group;
  op.clock_hz = 2e9;
  CollectiveTimer timer(op.make_timer(), group);
  group.scale = 3;  // the other rank takes 3 ms per call, at 6 GHz
  SampleTime s = timer.time(op, 4, CacheMode::hot);
  EXPECT_EQ(group.barriers, 1);
  EXPECT_EQ(op.barriers_before_sample, std::vector<int>{1});  // the barrier is outside the timed region
  EXPECT_DOUBLE_EQ(s.seconds, 12e-3);
  EXPECT_DOUBLE_EQ(s.clock_hz, 2e9);
  group.scale = 0.5;  // now faster, at 1 GHz
  s = timer.time(op, 4, CacheMode::hot);
  EXPECT_EQ(op.barriers_before_sample, (std::vector<int>{1, 2}));
  EXPECT_DOUBLE_EQ(s.seconds, 4e-3);
  EXPECT_DOUBLE_EQ(s.clock_hz, 1e9);
  // Each rank keeps its own time per call.
  EXPECT_EQ(timer.own_per_run(), (std::vector<double>{1e-3, 1e-3}));
  timer.clear_own();
  EXPECT_TRUE(timer.own_per_run().empty());
  // A timer that measures no clock reports none, whatever the scale.
  op.clock_hz = 0;
  EXPECT_EQ(timer.time(op, 1, CacheMode::hot).clock_hz, 0);
}

TEST(CollectiveTimer, ThisRanksFailureStillTakesPartInTheReduction) {
  FakeGroup group;
  FixedOp op;
  op.group = &group;
  op.fail_at_call = 0;
  CollectiveTimer timer(op.make_timer(), group);
  try {
    timer.time(op, 1, CacheMode::hot);
    ADD_FAILURE() << "no exception";
  } catch (const PeerFailure&) {
    ADD_FAILURE() << "this rank's own failure reported as a peer's";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "device lost");
  }
  // The other rank is told: it is waiting in the same reduction.
  EXPECT_EQ(group.reductions, 1);
}

TEST(CollectiveTimer, AnotherRanksFailureIsAPeerFailure) {
  FakeGroup group;
  FixedOp op;
  op.group = &group;
  // The other rank's timer failed: whatever it measured, its contribution says so. The timer's one reduction
  // carries {seconds, -clock, failed} (collective_timer.cpp).
  group.other_values = [](std::span<const double> mine, Reduction op) {
    EXPECT_EQ(op, Reduction::max);
    std::vector<double> v(mine.begin(), mine.end());
    if (v.size() == 3) v[2] = 1;
    return v;
  };
  CollectiveTimer timer(op.make_timer(), group);
  EXPECT_THROW(timer.time(op, 1, CacheMode::hot), PeerFailure);
  EXPECT_EQ(group.barriers, 1);
}

TEST(MeasureInAGroup, PerRunIsTheSlowerRanksTimeAndTheSpreadShowsBothRanks) {
  FakeGroup group;
  group.scale = 3;  // the other rank: 3 ms per call where this one takes 1 ms
  FixedOp op;
  op.group = &group;
  const Measurement m = measure(op, kConfig, &group);
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.ranks, 2);
  EXPECT_EQ(m.per_run.samples, 5);
  EXPECT_DOUBLE_EQ(m.per_run.median, 3e-3);
  EXPECT_DOUBLE_EQ(m.per_run.min, 3e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_min, 1e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_max, 3e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_avg, 2e-3);
  // One barrier per sample, warm-up included, each before its sample.
  EXPECT_EQ(op.runs_per_sample.size(), 2u + 5u);
  EXPECT_EQ(group.barriers, 7);
  for (std::size_t k = 0; k < op.barriers_before_sample.size(); ++k)
    EXPECT_EQ(op.barriers_before_sample[k], static_cast<int>(k) + 1);
}

TEST(MeasureInAGroup, AFasterOtherRankLeavesThisRanksTime) {
  FakeGroup group;
  group.scale = 0.5;
  FixedOp op;
  op.group = &group;
  op.clock_hz = 2e9;
  const Measurement m = measure(op, kConfig, &group);
  EXPECT_DOUBLE_EQ(m.per_run.median, 1e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_min, 0.5e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_max, 1e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_avg, 0.75e-3);
  EXPECT_DOUBLE_EQ(m.clock_hz, 1e9);  // the lowest clock of any rank, so throttling anywhere shows
}

TEST(MeasureInAGroup, BatchSizeComesFromTheSlowestRanksWarmUpCall) {
  FakeGroup group;
  group.scale = 3;
  FixedOp op;
  op.group = &group;
  SamplerConfig c = kConfig;
  c.sample_s = 10e-3;  // 10 of this rank's calls, but only 4 of the slowest rank's (3 ms each): every rank picks 4
  const Measurement m = measure(op, c, &group);
  EXPECT_EQ(m.runs_per_sample, 4);
  EXPECT_DOUBLE_EQ(m.per_run.median, 3e-3);
  for (std::size_t k = 2; k < op.runs_per_sample.size(); ++k) EXPECT_EQ(op.runs_per_sample[k], 4);
}

TEST(MeasureInAGroup, RankSpreadLeavesOutTheWarmUp) {
  FakeGroup group;
  FixedOp op;
  op.group = &group;
  op.warmup_seconds_per_call = 50e-3;  // one-time costs: warm-up calls are slow
  SamplerConfig c = kConfig;
  c.warmup_s = 0.02;  // real time: many warm-up calls, more than there are samples
  c.sample_s = 0.1;   // two of the 50 ms warm-up calls: samples of 2 calls, told apart from the warm-up's 1
  const Measurement m = measure(op, c, &group);
  const auto warmups = std::count(op.runs_per_sample.begin(), op.runs_per_sample.end(), 1);
  ASSERT_GT(warmups, m.per_run.samples) << "the premise: warm-up times would outvote the samples' in a median";
  EXPECT_EQ(m.runs_per_sample, 2);
  EXPECT_DOUBLE_EQ(m.per_run.median, 1e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_min, 1e-3);
  EXPECT_DOUBLE_EQ(m.rank_median_max, 1e-3);
}

TEST(MeasureInAGroup, OtherRanksFailureThrowsPeerFailure) {
  FakeGroup group;
  group.other_values = [](std::span<const double> mine, Reduction) {
    std::vector<double> v(mine.begin(), mine.end());
    if (v.size() == 3) v[2] = 1;  // the timer's failure flag (collective_timer.cpp)
    return v;
  };
  FixedOp op;
  op.group = &group;
  EXPECT_THROW(measure(op, kConfig, &group), PeerFailure);
  EXPECT_EQ(op.runs_per_sample.size(), 1u);  // it stops at the first sample the other rank failed
}

TEST(MeasureInAGroup, ThisRanksFailureIsItsOwnError) {
  FakeGroup group;
  FixedOp op;
  op.group = &group;
  op.fail_at_call = 4;
  try {
    measure(op, kConfig, &group);
    ADD_FAILURE() << "no exception";
  } catch (const PeerFailure&) {
    ADD_FAILURE() << "reported as a peer's failure";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "device lost");
  }
  EXPECT_EQ(op.runs_per_sample.size(), 5u);
}

TEST(MeasureAlone, OneRankHasNoBarrierAndNoSpread) {
  FixedOp op;
  const Measurement m = measure(op, kConfig);
  EXPECT_EQ(m.ranks, 1);
  EXPECT_DOUBLE_EQ(m.per_run.median, 1e-3);
  EXPECT_EQ(m.rank_median_min, m.per_run.median);
  EXPECT_EQ(m.rank_median_avg, m.per_run.median);
  EXPECT_EQ(m.rank_median_max, m.per_run.median);
  // A SingleProcess given explicitly is the same: no collective timer in between.
  SingleProcess alone;
  const Measurement same = measure(op, kConfig, &alone);
  EXPECT_EQ(same.ranks, 1);
  EXPECT_DOUBLE_EQ(same.per_run.median, 1e-3);
}

}  // namespace
}  // namespace dlbench

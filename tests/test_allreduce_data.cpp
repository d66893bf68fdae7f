// ExactInputs, the inputs whose allreduce is known exactly, and the check that counts wrong elements: the exact
// integer range of each type; values within [-m, m] with m as large as allowed, varied, different on every rank;
// sums accumulated in the type itself (every partial sum rounded to fp16, bf16, fp32...) in many orders landing
// exactly on expected(); max, min and both kinds of average; which problems have no exact inputs; and check() on
// correct, corrupted, NaN and poisoned outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "allreduce/allreduce_data.hpp"
#include "common/dtype.hpp"
#include "common/host_buffer.hpp"

namespace dlbench {
namespace {

constexpr DataType kTypes[] = {DataType::f32, DataType::f16, DataType::bf16, DataType::f64, DataType::s32};
constexpr std::uint64_t kSeed = 1234;

AllReduceProblem ar(std::int64_t count, DataType type, ReduceOp op = ReduceOp::sum) {
  return AllReduceProblem{count, type, op, false};
}

// v rounded to the type, as a library holding it in that type would store it.
double in_type(DataType t, double v) {
  std::uint64_t storage = 0;
  store(t, &storage, 0, v);
  return load(t, &storage, 0);
}

// The exact sum of every rank's value at element i, in 64-bit integers.
std::int64_t exact_sum(const ExactInputs& in, int ranks, std::int64_t i) {
  std::int64_t s = 0;
  for (int r = 0; r < ranks; ++r) s += in.value(r, i);
  return s;
}

TEST(ExactInputs, ExactIntegerLimitOfEachType) {
  EXPECT_EQ(ExactInputs::exact_integer_limit(DataType::f32), 16777216.0);  // 2^24
  EXPECT_EQ(ExactInputs::exact_integer_limit(DataType::f16), 2048.0);      // 2^11
  EXPECT_EQ(ExactInputs::exact_integer_limit(DataType::bf16), 256.0);      // 2^8
  EXPECT_EQ(ExactInputs::exact_integer_limit(DataType::f64), 9007199254740992.0);  // 2^53
  EXPECT_EQ(ExactInputs::exact_integer_limit(DataType::s32), 2147483647.0);
  // The limit is exact in the type and the next integer is not (for the floating types): the limit is tight.
  for (DataType t : {DataType::f32, DataType::f16, DataType::bf16}) {
    const double limit = ExactInputs::exact_integer_limit(t);
    EXPECT_EQ(in_type(t, limit), limit) << to_string(t);
    EXPECT_EQ(in_type(t, limit - 1), limit - 1) << to_string(t);
    EXPECT_NE(in_type(t, limit + 1), limit + 1) << to_string(t);
  }
}

TEST(ExactInputs, MagnitudeIsTheLargestThatKeepsEveryPartialSumExact) {
  for (DataType t : kTypes)
    for (int n : {1, 2, 3, 8, 256}) {
      const double limit = ExactInputs::exact_integer_limit(t);
      if (ExactInputs::unsupported_reason(ar(8, t), n)) continue;
      SCOPED_TRACE(std::string(to_string(t)) + " n=" + std::to_string(n));
      const auto m = ExactInputs(ar(8, t), n, kSeed).magnitude();
      EXPECT_EQ(m, static_cast<std::int64_t>(std::floor(limit / n)));
      // In integers: (m + 1)·n near 2^53 is not exact in double.
      const auto exact = static_cast<std::int64_t>(limit);
      EXPECT_LE(m * n, exact);
      EXPECT_GT((m + 1) * n, exact);
      EXPECT_EQ(ExactInputs(ar(8, t, ReduceOp::avg), n, kSeed).magnitude(), m);
      // max and min never add: one value's worth of room.
      EXPECT_EQ(ExactInputs(ar(8, t, ReduceOp::max), n, kSeed).magnitude(), static_cast<std::int64_t>(limit));
      EXPECT_EQ(ExactInputs(ar(8, t, ReduceOp::min), n, kSeed).magnitude(), static_cast<std::int64_t>(limit));
    }
}

TEST(ExactInputs, ValuesSpanTheRangeVaryAndDifferBetweenRanks) {
  const std::int64_t count = 4096;
  for (DataType t : kTypes)
    for (ReduceOp op : {ReduceOp::sum, ReduceOp::max})
      for (int n : {2, 8}) {
        SCOPED_TRACE(std::string(to_string(t)) + " " + std::string(to_string(op)) + " n=" + std::to_string(n));
        const ExactInputs in(ar(count, t, op), n, kSeed);
        const std::int64_t m = in.magnitude();
        std::set<std::int64_t> distinct;
        std::int64_t largest = 0, differ = 0;
        bool negative = false, positive = false;
        for (std::int64_t i = 0; i < count; ++i) {
          for (int r = 0; r < n; ++r) {
            const std::int64_t v = in.value(r, i);
            ASSERT_LE(std::abs(v), m) << "rank " << r << " element " << i;
            EXPECT_EQ(in_type(t, static_cast<double>(v)), static_cast<double>(v)) << "not exact in the type";
            distinct.insert(v);
            largest = std::max(largest, std::abs(v));
            negative = negative || v < 0;
            positive = positive || v > 0;
          }
          differ += in.value(0, i) != in.value(1, i);
        }
        EXPECT_GT(distinct.size(), std::min<std::size_t>(static_cast<std::size_t>(2 * m + 1), 100u) / 2);
        EXPECT_TRUE(negative && positive);
        EXPECT_GE(largest, m * 9 / 10) << "the inputs do not reach the range they are allowed";
        EXPECT_GT(differ, count / 2) << "ranks contribute the same values";
      }
}

TEST(ExactInputs, ValuesAreReproducibleFromTheSeed) {
  const ExactInputs a(ar(64, DataType::f32), 4, kSeed), b(ar(64, DataType::f32), 4, kSeed),
      other(ar(64, DataType::f32), 4, kSeed + 1);
  int same_seed_differs = 0, other_seed_differs = 0;
  for (std::int64_t i = 0; i < 64; ++i)
    for (int r = 0; r < 4; ++r) {
      same_seed_differs += a.value(r, i) != b.value(r, i);
      other_seed_differs += a.value(r, i) != other.value(r, i);
    }
  EXPECT_EQ(same_seed_differs, 0);
  EXPECT_GT(other_seed_differs, 200);
  // A rank's values do not depend on how many ranks there are (max and min, whose range does not either).
  const ExactInputs two(ar(64, DataType::f32, ReduceOp::max), 2, kSeed),
      eight(ar(64, DataType::f32, ReduceOp::max), 8, kSeed);
  for (std::int64_t i = 0; i < 64; ++i) EXPECT_EQ(two.value(1, i), eight.value(1, i));
}

TEST(ExactInputs, FillWritesEachRanksValuesInTheType) {
  for (DataType t : kTypes) {
    const ExactInputs in(ar(1001, t), 3, kSeed);
    HostBuffer buffer(t, 1001);
    for (int r = 0; r < 3; ++r) {
      in.fill(r, buffer.data());
      int mismatches = 0;
      for (std::size_t i = 0; i < 1001; ++i) mismatches += buffer.get(i) != static_cast<double>(in.value(r, i));
      EXPECT_EQ(mismatches, 0) << to_string(t) << " rank " << r;
    }
  }
}

// The claim the whole check rests on: a library adding in the type, in any order or tree, gets exactly expected().
TEST(ExactInputs, SumIsExactWhenAccumulatedInTheTypeInAnyOrder) {
  // The helper really rounds: in fp16, 2049 is not representable, so a range one too large would show.
  ASSERT_NE(in_type(DataType::f16, 2049), 2049.0);
  ASSERT_NE(in_type(DataType::bf16, 257), 257.0);
  std::mt19937 rng(7);
  for (DataType t : kTypes)
    for (int n : {2, 3, 8, 256}) {
      if (ExactInputs::unsupported_reason(ar(1, t), n)) continue;
      SCOPED_TRACE(std::string(to_string(t)) + " n=" + std::to_string(n));
      const std::int64_t count = n > 8 ? 256 : 2048;
      const ExactInputs in(ar(count, t), n, kSeed);
      std::vector<int> order(static_cast<std::size_t>(n));
      int wrong = 0;
      for (std::int64_t i = 0; i < count; ++i) {
        const double want = in.expected(i);
        ASSERT_EQ(want, static_cast<double>(exact_sum(in, n, i)));
        // Rank order, reversed, and random orders, one partial sum at a time.
        for (int pass = 0; pass < 5; ++pass) {
          std::iota(order.begin(), order.end(), 0);
          if (pass == 1) std::reverse(order.begin(), order.end());
          if (pass >= 2) std::shuffle(order.begin(), order.end(), rng);
          double acc = in_type(t, static_cast<double>(in.value(order[0], i)));
          for (int k = 1; k < n; ++k) acc = in_type(t, acc + static_cast<double>(in.value(order[k], i)));
          wrong += acc != want;
        }
        // A tree (what a recursive-halving or NVLS reduction does), pairs of partial sums.
        std::vector<double> level;
        for (int r = 0; r < n; ++r) level.push_back(static_cast<double>(in.value(r, i)));
        while (level.size() > 1) {
          std::vector<double> next;
          for (std::size_t k = 0; k + 1 < level.size(); k += 2) next.push_back(in_type(t, level[k] + level[k + 1]));
          if (level.size() % 2) next.push_back(level.back());
          level.swap(next);
        }
        wrong += level[0] != want;
      }
      EXPECT_EQ(wrong, 0);
    }
}

TEST(ExactInputs, MaxAndMinAreTheLargestAndSmallestRankValue) {
  for (DataType t : kTypes) {
    const ExactInputs mx(ar(512, t, ReduceOp::max), 5, kSeed), mn(ar(512, t, ReduceOp::min), 5, kSeed);
    for (std::int64_t i = 0; i < 512; ++i) {
      std::int64_t hi = mx.value(0, i), lo = mn.value(0, i);
      for (int r = 1; r < 5; ++r) {
        hi = std::max(hi, mx.value(r, i));
        lo = std::min(lo, mn.value(r, i));
      }
      ASSERT_EQ(mx.expected(i), static_cast<double>(hi)) << to_string(t) << " " << i;
      ASSERT_EQ(mn.expected(i), static_cast<double>(lo)) << to_string(t) << " " << i;
    }
    EXPECT_EQ(mx.tolerance(), 0);
    EXPECT_EQ(mn.tolerance(), 0);
  }
}

TEST(ExactInputs, Int32AverageTruncatesTowardsZero) {
  const int n = 3;
  const ExactInputs in(ar(4096, DataType::s32, ReduceOp::avg), n, kSeed);
  EXPECT_EQ(in.tolerance(), 0);
  int negative_inexact = 0, positive_inexact = 0;
  for (std::int64_t i = 0; i < 4096; ++i) {
    const std::int64_t sum = exact_sum(in, n, i);
    ASSERT_EQ(in.expected(i), static_cast<double>(sum / n)) << i;
    if (sum % n != 0) {
      // Towards zero, not down: -7 / 3 is -2, not -3.
      if (sum < 0) {
        ++negative_inexact;
        EXPECT_EQ(in.expected(i), std::ceil(static_cast<double>(sum) / n));
      } else {
        ++positive_inexact;
        EXPECT_EQ(in.expected(i), std::floor(static_cast<double>(sum) / n));
      }
    }
  }
  EXPECT_GT(negative_inexact, 100);  // the case that tells truncation from flooring is exercised
  EXPECT_GT(positive_inexact, 100);
}

TEST(ExactInputs, FloatingAverageIsTheSumOverNWithATolerancePreciselyWhenNIsNotAPowerOfTwo) {
  for (DataType t : {DataType::f32, DataType::f16, DataType::bf16, DataType::f64}) {
    SCOPED_TRACE(to_string(t));
    const ExactInputs three(ar(256, t, ReduceOp::avg), 3, kSeed), four(ar(256, t, ReduceOp::avg), 4, kSeed);
    EXPECT_GT(three.tolerance(), 0);
    EXPECT_EQ(four.tolerance(), 0);
    for (std::int64_t i = 0; i < 256; ++i) {
      ASSERT_EQ(three.expected(i), static_cast<double>(exact_sum(three, 3, i)) / 3);
      ASSERT_EQ(four.expected(i), static_cast<double>(exact_sum(four, 4, i)) / 4);
      // Over a power of two the average is exact in the type.
      ASSERT_EQ(in_type(t, four.expected(i)), four.expected(i));
    }
  }
  // fp32 over 3 ranks: 2·n·m·2^-24 with m = floor(2^24 / 3).
  EXPECT_DOUBLE_EQ(ExactInputs(ar(8, DataType::f32, ReduceOp::avg), 3, kSeed).tolerance(),
                   2.0 * 3 * 5592405 / 16777216.0);
}

// The tolerance covers both ways libraries average in the type: scale each input by 1/n first (NCCL's
// premultiplied sum), or divide the sum.
TEST(ExactInputs, FloatingAverageToleranceCoversPremultipliedAndDividedSums) {
  std::mt19937 rng(11);
  for (DataType t : {DataType::f32, DataType::f16, DataType::bf16})
    for (int n : {3, 5, 6, 7}) {
      SCOPED_TRACE(std::string(to_string(t)) + " n=" + std::to_string(n));
      const ExactInputs in(ar(2048, t, ReduceOp::avg), n, kSeed);
      const double scale = in_type(t, 1.0 / n);
      std::vector<int> order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      double worst = 0;
      for (std::int64_t i = 0; i < 2048; ++i) {
        std::shuffle(order.begin(), order.end(), rng);
        double premul = 0, sum = 0;
        for (int r : order) {
          premul = in_type(t, premul + in_type(t, static_cast<double>(in.value(r, i)) * scale));
          sum = in_type(t, sum + static_cast<double>(in.value(r, i)));
        }
        const double divided = in_type(t, sum / n);
        worst = std::max({worst, std::fabs(premul - in.expected(i)), std::fabs(divided - in.expected(i))});
      }
      EXPECT_LE(worst, in.tolerance());
      EXPECT_GT(worst, 0);  // the rounding is real: a tolerance of 0 would fail libraries that are right
    }
}

TEST(ExactInputs, ProblemsWithoutExactInputsSaySo) {
  const auto why = ExactInputs::unsupported_reason(ar(8, DataType::bf16), 257);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "bf16 has exact integers only up to 256: a sum over 257 ranks cannot be checked exactly");
  EXPECT_FALSE(ExactInputs::unsupported_reason(ar(8, DataType::bf16), 256).has_value());
  EXPECT_TRUE(ExactInputs::unsupported_reason(ar(8, DataType::bf16, ReduceOp::avg), 257).has_value());
  EXPECT_TRUE(ExactInputs::unsupported_reason(ar(8, DataType::f16), 2049).has_value());
  EXPECT_FALSE(ExactInputs::unsupported_reason(ar(8, DataType::f16), 2048).has_value());
  EXPECT_TRUE(ExactInputs::unsupported_reason(ar(8, DataType::f32), 16777217).has_value());
  // max and min never add, so any number of ranks is fine.
  for (DataType t : kTypes)
    for (ReduceOp op : {ReduceOp::max, ReduceOp::min})
      EXPECT_FALSE(ExactInputs::unsupported_reason(ar(8, t, op), 1 << 30).has_value()) << to_string(t);
  EXPECT_FALSE(ExactInputs::unsupported_reason(ar(8, DataType::s32), 1 << 20).has_value());
  // The constructor refuses with the same words.
  try {
    const ExactInputs refused(ar(8, DataType::bf16), 257, kSeed);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), *why);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// check()

// The correct result of `in` over `ranks`, written in the type from the values alone (not from expected()).
HostBuffer correct_output(const ExactInputs& in, const AllReduceProblem& p, int ranks) {
  HostBuffer out(p.type, static_cast<std::size_t>(p.count));
  for (std::int64_t i = 0; i < p.count; ++i)
    out.set(static_cast<std::size_t>(i), static_cast<double>(exact_sum(in, ranks, i)));
  return out;
}

TEST(AllReduceCheck, CorrectOutputHasNothingWrong) {
  for (DataType t : kTypes) {
    const AllReduceProblem p = ar(10007, t);
    const ExactInputs in(p, 3, kSeed);
    const AllReduceCheck c = in.check(correct_output(in, p, 3).data());
    EXPECT_EQ(c.wrong, 0) << to_string(t);
    EXPECT_EQ(c.checked, 10007);
    EXPECT_EQ(c.max_error, 0);
    EXPECT_EQ(c.tolerance, 0);
    EXPECT_EQ(c.first_wrong, -1);
  }
}

TEST(AllReduceCheck, CountsEachWrongElementAndReportsTheFirst) {
  for (DataType t : kTypes) {
    SCOPED_TRACE(to_string(t));
    const AllReduceProblem p = ar(10007, t);
    const ExactInputs in(p, 3, kSeed);
    HostBuffer out = correct_output(in, p, 3);
    out.set(17, in.expected(17) + 1);  // |expected| < the exact limit: one more is still exact in the type
    AllReduceCheck c = in.check(out.data());
    EXPECT_EQ(c.wrong, 1);
    EXPECT_EQ(c.first_wrong, 17);
    EXPECT_EQ(c.first_got, in.expected(17) + 1);
    EXPECT_EQ(c.first_expected, in.expected(17));
    EXPECT_EQ(c.max_error, 1);
    // Wrong elements far apart (in different threads' chunks), the last one included: all counted, the lowest
    // index first, the largest error kept. Zero (or one where zero is right) is exact in every type.
    double largest = 1;
    for (std::int64_t i : {9000, 3000, 10006}) {
      const double w = in.expected(i) == 0 ? 1 : 0;
      out.set(static_cast<std::size_t>(i), w);
      largest = std::max(largest, std::fabs(w - in.expected(i)));
    }
    c = in.check(out.data());
    EXPECT_EQ(c.wrong, 4);
    EXPECT_EQ(c.first_wrong, 17);
    EXPECT_EQ(c.max_error, largest);
    out.set(17, in.expected(17));
    c = in.check(out.data());
    EXPECT_EQ(c.wrong, 3);
    EXPECT_EQ(c.first_wrong, 3000);
    EXPECT_EQ(c.first_expected, in.expected(3000));
  }
}

TEST(AllReduceCheck, NaNIsWrongWithInfiniteError) {
  for (DataType t : {DataType::f32, DataType::f16, DataType::bf16, DataType::f64}) {
    const AllReduceProblem p = ar(1001, t);
    const ExactInputs in(p, 2, kSeed);
    HostBuffer out = correct_output(in, p, 2);
    out.set(5, std::numeric_limits<double>::quiet_NaN());
    const AllReduceCheck c = in.check(out.data());
    EXPECT_EQ(c.wrong, 1) << to_string(t);
    EXPECT_EQ(c.first_wrong, 5);
    EXPECT_TRUE(std::isinf(c.max_error));
    // Infinity too (an fp16 sum that overflowed).
    out.set(5, in.expected(5));
    out.set(6, std::numeric_limits<double>::infinity());
    EXPECT_EQ(in.check(out.data()).wrong, 1);
    EXPECT_EQ(in.check(out.data()).first_wrong, 6);
  }
}

TEST(AllReduceCheck, AnUnwrittenPoisonedOutputIsWrongEverywhere) {
  for (DataType t : kTypes)
    for (ReduceOp op : {ReduceOp::sum, ReduceOp::max, ReduceOp::min, ReduceOp::avg}) {
      const AllReduceProblem p = ar(4099, t, op);
      const ExactInputs in(p, 3, kSeed);
      HostBuffer out(t, 4099);
      fill_poison(out);
      const AllReduceCheck c = in.check(out.data());
      EXPECT_EQ(c.wrong, 4099) << to_string(t) << " " << to_string(op);
      EXPECT_EQ(c.first_wrong, 0);
    }
}

TEST(AllReduceCheck, FloatingAverageAllowsItsToleranceAndNoMore) {
  const AllReduceProblem p = ar(64, DataType::f64, ReduceOp::avg);
  const ExactInputs in(p, 3, kSeed);
  const double tol = in.tolerance();
  ASSERT_GT(tol, 0.5);  // about 2 with m = 2^53 / 3; fp64 holds expected ± fractions of it exactly
  HostBuffer out(p.type, 64);
  for (std::size_t i = 0; i < 64; ++i) out.set(i, in.expected(static_cast<std::int64_t>(i)));
  EXPECT_EQ(in.check(out.data()).wrong, 0);
  out.set(10, in.expected(10) + 0.75 * tol);
  AllReduceCheck c = in.check(out.data());
  EXPECT_EQ(c.wrong, 0);
  EXPECT_GT(c.max_error, 0);
  EXPECT_EQ(c.tolerance, tol);
  out.set(20, in.expected(20) - 1.5 * tol);
  c = in.check(out.data());
  EXPECT_EQ(c.wrong, 1);
  EXPECT_EQ(c.first_wrong, 20);
}

}  // namespace
}  // namespace dlbench

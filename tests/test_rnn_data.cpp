// RnnData and make_rnn_outputs: which tensors each pass and cell has, in which types and sizes; the weights'
// power-of-two scale per layer; distinct, seeded streams; keep_output_gradients_of zeroing exactly the other
// entries and restore_output_gradients bringing the originals back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "common/dtype.hpp"
#include "rnn_test_util.hpp"

namespace dlbench {
namespace {

using test::rnn;
using test::values_of;

constexpr RnnCell kCells[] = {RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru};
constexpr RnnPass kPasses[] = {RnnPass::inference, RnnPass::training_fwd, RnnPass::training_bwd};

TEST(RnnData, TensorsOfEveryPassAndCell) {
  for (RnnCell cell : kCells)
    for (RnnPass pass : kPasses) {
      // fp8 in, bf16 out: the one precision whose input and output types differ (RnnData does not refuse it).
      const RnnProblem p = rnn(cell, 3, 2, 4, 5, 2, true, pass, Precision::fp8e4m3);
      const std::string name = p.to_string();
      const RnnData d(p, 1);
      const bool bwd = pass == RnnPass::training_bwd, lstm = cell == RnnCell::lstm;
      const auto size = [](const HostBuffer& b) { return static_cast<std::int64_t>(b.count()); };
      EXPECT_EQ(size(d.x), p.x_elements()) << name;
      EXPECT_EQ(size(d.hx), p.state_elements()) << name;
      EXPECT_EQ(size(d.cx), lstm ? p.state_elements() : 0) << name;
      EXPECT_EQ(size(d.weights), p.weight_elements()) << name;
      EXPECT_EQ(size(d.dy), bwd ? p.y_elements() : 0) << name;
      EXPECT_EQ(size(d.dhy), bwd ? p.state_elements() : 0) << name;
      EXPECT_EQ(size(d.dcy), bwd && lstm ? p.state_elements() : 0) << name;
      for (const HostBuffer* b : {&d.x, &d.hx, &d.weights}) EXPECT_EQ(b->type(), DataType::f8_e4m3) << name;
      if (bwd) {
        EXPECT_EQ(d.dy.type(), DataType::bf16) << name;  // gradients are in the output type
      }

      const RnnOutputs o = make_rnn_outputs(p);
      EXPECT_EQ(size(o.y), bwd ? 0 : p.y_elements()) << name;
      EXPECT_EQ(size(o.hy), bwd ? 0 : p.state_elements()) << name;
      EXPECT_EQ(size(o.cy), !bwd && lstm ? p.state_elements() : 0) << name;
      EXPECT_EQ(size(o.dx), bwd ? p.x_elements() : 0) << name;
      EXPECT_EQ(size(o.dhx), bwd ? p.state_elements() : 0) << name;
      EXPECT_EQ(size(o.dcx), bwd && lstm ? p.state_elements() : 0) << name;
      EXPECT_EQ(size(o.dweights), bwd ? p.weight_elements() : 0) << name;
      for (const HostBuffer* b : {&o.y, &o.hy, &o.cy, &o.dx, &o.dhx, &o.dcx, &o.dweights}) {
        EXPECT_EQ(b->type(), DataType::bf16) << name;
        for (std::size_t i = 0; i < b->count(); ++i) ASSERT_TRUE(std::isnan(b->get(i))) << name;  // poisoned
      }
    }
}

TEST(RnnData, RandomInputsAreUniformSeededAndDistinct) {
  const RnnProblem p = rnn(RnnCell::lstm, 8, 8, 4, 5, 1, false, RnnPass::training_bwd);
  const RnnData a(p, 5), b(p, 5), c(p, 6);
  for (const HostBuffer* t : {&a.x, &a.hx, &a.cx, &a.dy, &a.dhy, &a.dcy}) {
    double lo = 1, hi = -1;
    for (double v : values_of(*t)) lo = std::min(lo, v), hi = std::max(hi, v);
    EXPECT_GE(lo, -1.0);
    EXPECT_LE(hi, 1.0);  // [-1, 1) before rounding to the type
    EXPECT_LT(lo, -0.5);  // spread over the range, not a constant
    EXPECT_GT(hi, 0.5);
  }
  EXPECT_EQ(values_of(a.x), values_of(b.x));
  EXPECT_EQ(values_of(a.weights), values_of(b.weights));
  EXPECT_NE(values_of(a.x), values_of(c.x));
  // Each tensor its own stream: hx, cx, dhy and dcy have the same shape and must still differ.
  EXPECT_NE(values_of(a.hx), values_of(a.cx));
  EXPECT_NE(values_of(a.dhy), values_of(a.dcy));
  EXPECT_NE(values_of(a.hx), values_of(a.dhy));
}

TEST(RnnData, WeightsAreScaledByAPowerOfTwoPerLayer) {
  // Layer 0: fan-in I + H = 60 + 2 = 62, log2 √62 = 2.98 → s = 2^-3. Layer 1 reads D·H = 4: fan-in 6, log2 √6 =
  // 1.29 → s = 2^-1.
  const RnnProblem p = rnn(RnnCell::lstm, 2, 60, 1, 1, 2, true, RnnPass::inference, Precision::bf16);
  const RnnData d(p, 3);
  for (std::int64_t l = 0; l < 2; ++l) {
    const double s = l == 0 ? 0.125 : 0.5;
    double largest = 0;
    for (std::int64_t dir = 0; dir < 2; ++dir) {
      const RnnProblem::WeightOffsets o = p.weight_offsets(l, dir);
      for (std::int64_t i = o.w; i < o.end; ++i) {
        const double w = d.weights.get(static_cast<std::size_t>(i));
        ASSERT_LE(std::fabs(w), s) << l;  // ≤: a draw just below 1 may round to 1 in bf16
        largest = std::max(largest, std::fabs(w));
        // w/s is still a bf16 value: the scale moved the exponent only.
        EXPECT_EQ(decode_bf16(encode_bf16(w / s)), w / s) << l << " " << i;
      }
    }
    EXPECT_GT(largest, 0.75 * s) << l;  // uniform over [-s, s), not a smaller range
  }
}

TEST(RnnData, KeepOutputGradientsOfZeroesTheOtherEntriesAndRestoreUndoes) {
  const RnnProblem p = rnn(RnnCell::lstm, 3, 2, 4, 5, 2, true, RnnPass::training_bwd);
  RnnData d(p, 11);
  const auto dy = values_of(d.dy), dhy = values_of(d.dhy), dcy = values_of(d.dcy);
  const std::int64_t keep[] = {1, 3};
  d.keep_output_gradients_of(p, keep);
  // dy is T × N × D·H (rows of 6), dhy and dcy L × D × N × H (rows of 3); the entry is the row modulo N = 4.
  const auto expect_kept = [](const HostBuffer& now, const std::vector<double>& before, std::size_t width,
                              const char* name) {
    for (std::size_t i = 0; i < before.size(); ++i) {
      const std::size_t entry = (i / width) % 4;
      EXPECT_EQ(now.get(i), entry == 1 || entry == 3 ? before[i] : 0.0) << name << "[" << i << "]";
    }
  };
  expect_kept(d.dy, dy, 6, "dy");
  expect_kept(d.dhy, dhy, 3, "dhy");
  expect_kept(d.dcy, dcy, 3, "dcy");
  d.restore_output_gradients(p);
  EXPECT_EQ(values_of(d.dy), dy);
  EXPECT_EQ(values_of(d.dhy), dhy);
  EXPECT_EQ(values_of(d.dcy), dcy);
}

}  // namespace
}  // namespace dlbench

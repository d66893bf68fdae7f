// The float64 RNN reference: one step of each cell computed by hand (gate order, weight and batch layouts), a
// 2-layer bidirectional stack whose second layer reads both directions, every cell's backward pass against central
// finite differences of the forward reference, and the independence of batch entries that sampled checks rely on.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "rnn_test_util.hpp"

namespace dlbench {
namespace {

using test::all_entries;
using test::buffer_of;
using test::HandInputs;
using test::rnn;

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

// ---------------------------------------------------------------------------------------------------------------
// By hand

TEST(RnnReferenceByHand, ReluTwoStepsOneUnit) {
  // W 0.5, R −0.25, b_W 0.125, b_R 0.0625, h0 = 0.5, x = (1, −1):
  //   step 0: a = 0.5 + 0.125 − 0.125 + 0.0625 = 0.5625 → h = 0.5625
  //   step 1: a = −0.5 + 0.125 − 0.140625 + 0.0625 = −0.453125 → h = 0
  const RnnProblem p = rnn(RnnCell::rnn_relu, 1, 1, 1, 2);
  const HandInputs in{buffer_of({1, -1}), buffer_of({0.5}), {}, buffer_of({0.5, -0.25, 0.125, 0.0625}), {}};
  const RnnReference r = rnn_reference(p, in.inputs(), all_entries(p));
  EXPECT_EQ(r.y, (std::vector<double>{0.5625, 0}));
  EXPECT_EQ(r.hy, (std::vector<double>{0}));
  EXPECT_TRUE(r.cy.empty());
}

TEST(RnnReferenceByHand, TanhOneStep) {
  const RnnProblem p = rnn(RnnCell::rnn_tanh, 1, 1, 1, 1);
  const HandInputs in{buffer_of({1}), buffer_of({0.5}), {}, buffer_of({0.5, -0.25, 0.125, 0.0625}), {}};
  EXPECT_DOUBLE_EQ(rnn_reference(p, in.inputs(), all_entries(p)).y[0], std::tanh(0.5625));
}

TEST(RnnReferenceByHand, WeightRowsAndBatchEntries) {
  // H = 2, I = 2, N = 2: W = |1 2|, R = |0.5  0|, b_W = (1, 0), b_R = (0, −1).
  //                          |3 4|      |0   −1|
  // entry 0: x (1, −1), h (1, 2):    a0 = 1 − 2 + 1 + 0.5 = 0.5,   a1 = 3 − 4 − 2 − 1 = −4    → h (0.5, 0)
  // entry 1: x (2, 1), h (−2, 0.5):  a0 = 2 + 2 + 1 − 1 = 4,       a1 = 6 + 4 − 0.5 − 1 = 8.5 → h (4, 8.5)
  const RnnProblem p = rnn(RnnCell::rnn_relu, 2, 2, 2, 1);
  const HandInputs in{buffer_of({1, -1, 2, 1}), buffer_of({1, 2, -2, 0.5}), {},
                      buffer_of({1, 2, 3, 4, 0.5, 0, 0, -1, 1, 0, 0, -1}), {}};
  const RnnReference r = rnn_reference(p, in.inputs(), all_entries(p));
  EXPECT_EQ(r.y, (std::vector<double>{0.5, 0, 4, 8.5}));
  EXPECT_EQ(r.hy, r.y);
  // Entry 1 alone: the same row.
  const std::int64_t one[] = {1};
  EXPECT_EQ(rnn_reference(p, in.inputs(), one).y, (std::vector<double>{4, 8.5}));
}

TEST(RnnReferenceByHand, LstmGateOrderIFGO) {
  // W = (0.5, −0.5, 1, 0.25), R = (0.125, 0.25, −0.5, 1), b_W = (0.1, 0.2, 0.3, 0.4), b_R = (−0.05, 0.05, 0.1,
  // −0.1); x = 1, h = 0.5, c = −0.5. Pre-activations W·x + b_W + R·h + b_R:
  //   i 0.5 + 0.1 + 0.0625 − 0.05 = 0.6125    f −0.5 + 0.2 + 0.125 + 0.05 = −0.125
  //   g 1 + 0.3 − 0.25 + 0.1 = 1.15            o 0.25 + 0.4 + 0.5 − 0.1 = 1.05
  const RnnProblem p = rnn(RnnCell::lstm, 1, 1, 1, 1);
  const HandInputs in{buffer_of({1}), buffer_of({0.5}), buffer_of({-0.5}),
                      buffer_of({0.5, -0.5, 1, 0.25, 0.125, 0.25, -0.5, 1, 0.1, 0.2, 0.3, 0.4, -0.05, 0.05, 0.1, -0.1}),
                      {}};
  const RnnReference r = rnn_reference(p, in.inputs(), all_entries(p));
  const double c = sigmoid(-0.125) * -0.5 + sigmoid(0.6125) * std::tanh(1.15);
  // The buffers are float, so 0.1 and friends are off by ~1e-9.
  EXPECT_NEAR(r.cy[0], c, 1e-7);
  EXPECT_NEAR(r.hy[0], sigmoid(1.05) * std::tanh(c), 1e-7);
  EXPECT_EQ(r.y, r.hy);
}

TEST(RnnReferenceByHand, GruLinearBeforeReset) {
  // W = (0.5, −0.25, 1), R = (0.25, 0.5, −1), b_W = (0.1, 0.2, 0.3), b_R = (0.05, −0.1, 0.2); x = 1, h = 0.5:
  //   r = σ(0.5 + 0.1 + 0.125 + 0.05) = σ(0.775),  z = σ(−0.25 + 0.2 + 0.25 − 0.1) = σ(0.1)
  //   m = R_n·h + b_Rn = −0.5 + 0.2 = −0.3,  n = tanh(1 + 0.3 + r·m),  h' = (1 − z)·n + z·0.5
  const RnnProblem p = rnn(RnnCell::gru, 1, 1, 1, 1);
  const HandInputs in{buffer_of({1}), buffer_of({0.5}), {},
                      buffer_of({0.5, -0.25, 1, 0.25, 0.5, -1, 0.1, 0.2, 0.3, 0.05, -0.1, 0.2}), {}};
  const double z = sigmoid(0.1), n = std::tanh(1.3 + sigmoid(0.775) * -0.3);
  EXPECT_NEAR(rnn_reference(p, in.inputs(), all_entries(p)).hy[0], (1 - z) * n + z * 0.5, 1e-7);
}

TEST(RnnReferenceByHand, TwoLayersBidirectionalSecondLayerReadsBothDirections) {
  // ReLU, H = 1, I = 1, T = 2, x = (1, 2); hx = (0.5, 1, 0, 0.5) for (l0 fwd, l0 bwd, l1 fwd, l1 bwd).
  // l0 fwd: W 1, R 0.5:     t0 1 + 0.25 = 1.25;          t1 2 + 0.625 = 2.625
  // l0 bwd: W 2, R 0.25:    t1 4 + 0.25 = 4.25;          t0 2 + 1.0625 = 3.0625
  //   layer 0's output: t0 (1.25, 3.0625), t1 (2.625, 4.25)
  // l1 fwd: W (1, −0.5), R 0.5, b_W 0.25:  t0 1.25 − 1.53125 + 0.25 = −0.03125 → 0;  t1 2.625 − 2.125 + 0.25 = 0.75
  // l1 bwd: W (0.5, 0.5), R −0.5, b_R 0.125: t1 1.3125 + 2.125 − 0.25 + 0.125 = 3.3125;
  //                                          t0 0.625 + 1.53125 − 1.65625 + 0.125 = 0.625
  const RnnProblem p = rnn(RnnCell::rnn_relu, 1, 1, 1, 2, 2, true);
  ASSERT_EQ(p.weight_elements(), 18);
  const HandInputs in{buffer_of({1, 2}), buffer_of({0.5, 1, 0, 0.5}), {},
                      buffer_of({1, 0.5, 0, 0,  2, 0.25, 0, 0,  1, -0.5, 0.5, 0.25, 0,  0.5, 0.5, -0.5, 0, 0.125}),
                      {}};
  const RnnReference r = rnn_reference(p, in.inputs(), all_entries(p));
  EXPECT_EQ(r.y, (std::vector<double>{0, 0.625, 0.75, 3.3125}));  // T × N × D·H
  EXPECT_EQ(r.hy, (std::vector<double>{2.625, 3.0625, 0.75, 0.625}));
}

// ---------------------------------------------------------------------------------------------------------------
// Backward against finite differences

// L = Σ dy·y + Σ dhy·hy + Σ dcy·cy from the forward reference of every entry.
double loss(const RnnProblem& bwd, const RnnData& d) {
  RnnProblem fwd = bwd;
  fwd.pass = RnnPass::inference;
  const RnnReference r = rnn_reference(fwd, d.inputs(), all_entries(fwd));
  double l = 0;
  for (std::size_t i = 0; i < r.y.size(); ++i) l += d.dy.get(i) * r.y[i];
  for (std::size_t i = 0; i < r.hy.size(); ++i) l += d.dhy.get(i) * r.hy[i];
  for (std::size_t i = 0; i < r.cy.size(); ++i) l += d.dcy.get(i) * r.cy[i];
  return l;
}

// Every element of `b` against a central difference. The step is rounded to the buffer's type (f32) and the
// difference divides by the step actually taken, so the rounding costs nothing. With a step of 1e-5 the
// truncation error is ~1e-10 and float64 cancellation ~1e-11; a ReLU pre-activation within ~1e-5 of zero would
// put a kink inside the step (probability ~1e-3 over the 48 pre-activations here, and these seeds have none).
void expect_matches_differences(const RnnProblem& p, RnnData& d, HostBuffer& b, const std::vector<double>& grad,
                                const std::string& name) {
  ASSERT_EQ(grad.size(), b.count()) << name;
  for (std::size_t i = 0; i < b.count(); ++i) {
    const double at = b.get(i);
    b.set(i, at + 1e-5);
    const double up = b.get(i), l_up = loss(p, d);
    b.set(i, at - 1e-5);
    const double down = b.get(i), l_down = loss(p, d);
    b.set(i, at);
    const double fd = (l_up - l_down) / (up - down);
    EXPECT_NEAR(grad[i], fd, 1e-7 + 1e-6 * std::fabs(fd)) << p.to_string() << " " << name << "[" << i << "]";
  }
}

class RnnBackward : public ::testing::TestWithParam<RnnCell> {};

TEST_P(RnnBackward, MatchesFiniteDifferencesOfTheForwardPass) {
  // Two layers, both directions, I ≠ H (layer 1 reads D·H = 4 ≠ I), three steps, two entries.
  const RnnProblem p = rnn(GetParam(), 2, 3, 2, 3, 2, true, RnnPass::training_bwd);
  RnnData d(p, 20260127);
  const RnnReference g = rnn_reference(p, d.inputs(), all_entries(p));
  expect_matches_differences(p, d, d.x, g.dx, "dx");
  expect_matches_differences(p, d, d.hx, g.dhx, "dhx");
  if (p.has_cell_state()) expect_matches_differences(p, d, d.cx, g.dcx, "dcx");
  expect_matches_differences(p, d, d.weights, g.dweights, "dweights");
}

INSTANTIATE_TEST_SUITE_P(EveryCell, RnnBackward,
                         ::testing::Values(RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru),
                         [](const ::testing::TestParamInfo<RnnCell>& cell) { return std::string(to_string(cell.param)); });

// ---------------------------------------------------------------------------------------------------------------
// Batch entries are independent

// Rows of `full` (cycles of N rows of `width`) for the entries {1, 3} of N = 4.
std::vector<double> rows_of_1_and_3(const std::vector<double>& full, std::int64_t width) {
  std::vector<double> out;
  for (std::size_t row = 0; row < full.size() / static_cast<std::size_t>(width); ++row)
    if (row % 4 == 1 || row % 4 == 3)
      out.insert(out.end(), full.begin() + static_cast<std::ptrdiff_t>(row) * width,
                 full.begin() + static_cast<std::ptrdiff_t>(row + 1) * width);
  return out;
}

TEST(RnnReferenceSubset, EntriesGiveTheRowsOfTheFullBatch) {
  const std::int64_t subset[] = {1, 3};
  for (RnnCell cell : {RnnCell::lstm, RnnCell::gru}) {
    const RnnProblem p = rnn(cell, 3, 2, 4, 3, 2, true, RnnPass::training_bwd);
    RnnData d(p, 7);
    const RnnReference full = rnn_reference(p, d.inputs(), all_entries(p));
    const RnnReference part = rnn_reference(p, d.inputs(), subset);
    EXPECT_EQ(part.y, rows_of_1_and_3(full.y, 6));
    EXPECT_EQ(part.hy, rows_of_1_and_3(full.hy, 3));
    EXPECT_EQ(part.cy, rows_of_1_and_3(full.cy, 3));
    EXPECT_EQ(part.dx, rows_of_1_and_3(full.dx, 2));
    EXPECT_EQ(part.dhx, rows_of_1_and_3(full.dhx, 3));
    EXPECT_EQ(part.dcx, rows_of_1_and_3(full.dcx, 3));
    // dweights sums over entries: equal once the other entries' output gradients are zero, as the harness makes
    // them; and then the full batch's dx is exactly zero on entries 0 and 2.
    EXPECT_NE(part.dweights, full.dweights);
    d.keep_output_gradients_of(p, subset);
    const RnnReference kept = rnn_reference(p, d.inputs(), all_entries(p));
    ASSERT_EQ(part.dweights.size(), kept.dweights.size());
    for (std::size_t i = 0; i < part.dweights.size(); ++i)
      EXPECT_DOUBLE_EQ(part.dweights[i], kept.dweights[i]) << to_string(cell) << " dweights[" << i << "]";
    for (std::size_t i = 0; i < kept.dx.size(); ++i)
      if ((i / 2) % 4 == 0 || (i / 2) % 4 == 2) {
        EXPECT_EQ(kept.dx[i], 0.0) << i;
      }
  }
}

}  // namespace
}  // namespace dlbench

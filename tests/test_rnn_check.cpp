// check_rnn and rnn_check_entries: the reference written in the output type passes in every cell, pass and
// precision; one wrong element, a NaN left unwritten and a non-zero gradient on an unchecked entry fail; the ReLU
// backward's kink allowance appears only when a pre-activation sits next to zero; the entries a check covers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "rnn_test_util.hpp"

namespace dlbench {
namespace {

using test::all_entries;
using test::buffer_of;
using test::rnn;
using test::write_reference;

constexpr RnnCell kCells[] = {RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru};
constexpr RnnPass kPasses[] = {RnnPass::inference, RnnPass::training_fwd, RnnPass::training_bwd};

// The problem's data and the outputs a correct backend would write for it (the full-batch reference).
struct Case {
  RnnProblem p;
  RnnData data;
  RnnOutputs out;
  explicit Case(const RnnProblem& problem, std::span<const std::int64_t> keep = {})
      : p(problem), data(problem, 99), out(make_rnn_outputs(problem)) {
    if (!keep.empty()) data.keep_output_gradients_of(p, keep);
    write_reference(rnn_reference(p, data.inputs(), all_entries(p)), out);
  }
  OutputCheck check(std::span<const std::int64_t> entries) const { return check_rnn(p, data.inputs(), out, entries); }
  OutputCheck check() const { return check(all_entries(p)); }
};

TEST(CheckRnn, TheReferenceInTheOutputTypePasses) {
  for (RnnCell cell : kCells)
    for (RnnPass pass : kPasses)
      for (Precision prec : {Precision::fp32, Precision::bf16, Precision::fp16}) {
        const Case c(rnn(cell, 3, 2, 3, 4, 2, true, pass, prec));
        const OutputCheck r = c.check();
        EXPECT_TRUE(r.passed()) << c.p.to_string() << ": " << r.error << " > " << r.tolerance;
        EXPECT_TRUE(r.full);
        EXPECT_GE(r.tolerance, c.p.types().tolerance * std::sqrt(2.0));  // two layers: ×√2
        if (prec == Precision::fp32) {
          EXPECT_LT(r.error, 1e-6) << c.p.to_string();  // only the float rounding
        }
        // Every output element of the pass is compared: y, hy (and cy), or dx, dhx (dcx) and dweights.
        const std::int64_t states = c.p.state_elements() * (c.p.has_cell_state() ? 2 : 1);
        const std::int64_t expected = pass == RnnPass::training_bwd
                                          ? c.p.x_elements() + states + c.p.weight_elements()
                                          : c.p.y_elements() + states;
        EXPECT_EQ(r.checked, expected) << c.p.to_string();
      }
}

TEST(CheckRnn, OneWrongElementFails) {
  Case fwd(rnn(RnnCell::lstm, 3, 2, 3, 4, 2, true, RnnPass::training_fwd));
  fwd.out.y.set(17, fwd.out.y.get(17) * 1.01);  // 1% off, one element of 72
  EXPECT_FALSE(fwd.check().passed()) << fwd.check().error;
  EXPECT_GT(fwd.check().error, 1e-4);

  Case cell(rnn(RnnCell::lstm, 3, 2, 3, 4, 2, true, RnnPass::inference));
  cell.out.cy.set(0, -cell.out.cy.get(0));  // cy is checked on its own, not drowned by y
  EXPECT_FALSE(cell.check().passed());

  for (RnnCell c : kCells) {
    Case bwd(rnn(c, 3, 2, 3, 4, 2, true, RnnPass::training_bwd));
    bwd.out.dweights.set(5, bwd.out.dweights.get(5) + 0.5);
    EXPECT_FALSE(bwd.check().passed()) << bwd.p.to_string();
  }
}

TEST(CheckRnn, AnUnwrittenElementFails) {
  Case c(rnn(RnnCell::gru, 3, 2, 3, 4, 2, true, RnnPass::inference));
  HostBuffer poison(DataType::f32, 1);
  fill_poison(poison);
  c.out.hy.set(7, poison.get(0));
  EXPECT_EQ(c.check().error, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(c.check().passed());
}

TEST(CheckRnn, SampledEntriesAndZeroGradientsElsewhere) {
  const std::int64_t checked[] = {1, 3};
  Case c(rnn(RnnCell::lstm, 3, 2, 4, 4, 2, true, RnnPass::training_bwd), checked);
  const OutputCheck ok = c.check(checked);
  EXPECT_TRUE(ok.passed()) << ok.error;
  EXPECT_FALSE(ok.full);
  // Every dx, dhx, dcx element is checked (half against the reference, half for zero), and all of dweights.
  EXPECT_EQ(ok.checked, c.p.x_elements() + 2 * c.p.state_elements() + c.p.weight_elements());

  // A gradient on an unchecked entry is wrong however small: its output gradients were zero.
  c.out.dx.set(2 * 4 + 0, 1e-30);  // step 1, entry 0, i = 0 (T × N × I with N = 4, I = 2)
  EXPECT_EQ(c.check(checked).error, std::numeric_limits<double>::infinity());
  c.out.dx.set(8, 0.0);
  EXPECT_TRUE(c.check(checked).passed());
  c.out.dcx.set(3 * 2, std::numeric_limits<double>::quiet_NaN());  // layer 0, forward direction, entry 2
  EXPECT_FALSE(c.check(checked).passed());

  // A forward pass checks only the sampled entries' rows.
  Case fwd(rnn(RnnCell::lstm, 3, 2, 4, 4, 2, true, RnnPass::inference));
  fwd.out.y.set(0, 123.0);  // step 0, entry 0
  EXPECT_TRUE(fwd.check(checked).passed());
  EXPECT_FALSE(fwd.check().passed());
}

// ReLU backward: x = (1, x1), W 0.5, R −0.25, b_W 0.125, b_R 0.125, h0 = 0. Step 0: a = 0.75 → h = 0.75; step 1:
// a = 0.5·x1 + 0.125 − 0.1875 + 0.125 = 0.5·x1 + 0.0625, which x1 = −0.125 + 2^-19 puts at 2^-20, inside the band
// 2·1e-4·rms(a) ≈ 1e-4 where a library's rounding may take either side of the kink.
OutputCheck relu_check(double x1) {
  const RnnProblem p = rnn(RnnCell::rnn_relu, 1, 1, 1, 2, 1, false, RnnPass::training_bwd);
  const HostBuffer x = buffer_of({1, x1}), hx = buffer_of({0}), none, w = buffer_of({0.5, -0.25, 0.125, 0.125});
  const HostBuffer dy = buffer_of({1, 1}), dhy = buffer_of({1});
  const RnnInputs in{x, hx, none, w, dy, dhy, none};
  RnnOutputs out = make_rnn_outputs(p);
  write_reference(rnn_reference(p, in, all_entries(p)), out);
  return check_rnn(p, in, out, all_entries(p));
}

TEST(CheckRnn, ReluBackwardAllowsForTheKinkOnlyNextToIt) {
  const OutputCheck far = relu_check(-1);  // a = −0.4375 at step 1
  EXPECT_EQ(far.tolerance, 1e-4);
  EXPECT_TRUE(far.passed());
  const OutputCheck near = relu_check(-0.125 + 0x1p-19);
  // Flipping step 1's derivative drops dh = dy + dhy = 2 there: an O(1) change of every gradient.
  EXPECT_GT(near.tolerance, 0.1);
  EXPECT_TRUE(near.passed());
}

// ---------------------------------------------------------------------------------------------------------------
// Entries

TEST(RnnCheckEntries, SmallProblemsCheckEveryEntry) {
  EXPECT_EQ(rnn_check_entries(rnn(RnnCell::lstm, 8, 8, 5, 4), 1), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  // A GRU of 3·(512 + 512)·512·25 = 3.9·10^7 MACs per entry: one entry is within 2^26 = 6.7·10^7, two are not.
  EXPECT_EQ(rnn_check_entries(rnn(RnnCell::gru, 512, 512, 1, 25), 1), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(rnn_check_entries(rnn(RnnCell::gru, 512, 512, 2, 25), 1).size(), 1u);
}

TEST(RnnCheckEntries, LargeProblemsSampleAsManyAsFit) {
  // GNMT's LSTM: 4·(1024 + 1024)·1024·50 = 4.19·10^8 MACs per entry forward, 3× that for training_bwd.
  const RnnProblem inf = rnn(RnnCell::lstm, 1024, 1024, 64, 50);
  const RnnProblem bwd = rnn(RnnCell::lstm, 1024, 1024, 64, 50, 1, false, RnnPass::training_bwd);
  EXPECT_EQ(rnn_check_entries(inf, 1).size(), 1u);          // at least one, even over the 2^26 budget
  EXPECT_EQ(rnn_check_entries(inf, 1, 1e9).size(), 2u);     // ⌊1e9 / 4.19e8⌋
  EXPECT_EQ(rnn_check_entries(inf, 1, 1e10).size(), 4u);    // 23 fit, max_entries 4
  EXPECT_EQ(rnn_check_entries(inf, 1, 1e10, 6).size(), 6u);
  EXPECT_EQ(rnn_check_entries(bwd, 1, 3e9).size(), 2u);     // ⌊3e9 / 1.26e9⌋
  // ReLU's backward also runs the kink allowance's second backward pass: 5·2048·1024·50 = 5.2·10^8.
  EXPECT_EQ(rnn_check_entries(rnn(RnnCell::rnn_relu, 1024, 1024, 64, 50, 1, false, RnnPass::training_bwd), 1, 1.1e9)
                .size(),
            2u);
}

TEST(RnnCheckEntries, SortedUniqueInRangeAndSeeded) {
  // Five entries of 4.19·10^8 MACs with a budget for four: a draw of 4 distinct entries out of 5.
  const RnnProblem p = rnn(RnnCell::lstm, 1024, 1024, 5, 50);
  std::set<std::vector<std::int64_t>> draws;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const std::vector<std::int64_t> e = rnn_check_entries(p, seed, 1.8e9);
    ASSERT_EQ(e.size(), 4u);
    EXPECT_TRUE(std::is_sorted(e.begin(), e.end()));
    EXPECT_EQ(std::set<std::int64_t>(e.begin(), e.end()).size(), 4u);
    EXPECT_GE(e.front(), 0);
    EXPECT_LT(e.back(), 5);
    EXPECT_EQ(rnn_check_entries(p, seed, 1.8e9), e);  // the same seed, the same entries
    draws.insert(e);
  }
  EXPECT_GT(draws.size(), 2u);  // and the seed matters (5 possible draws)
}

}  // namespace
}  // namespace dlbench

// RnnProblem: gates and element counts, the weight layout on a hand-computed 2-layer bidirectional LSTM, both FLOP
// conventions and min_bytes by hand for every cell and pass, the canonical name (round trips over every cell, pass,
// direction and precision; optional tokens with Given; errors naming the bad text) and which precisions run.
#include <gtest/gtest.h>

#include <string>

#include "rnn/rnn_problem.hpp"
#include "test_util.hpp"

namespace dlbench {
namespace {

using test::contains;
using test::input_error_of;

RnnProblem rnn(RnnCell cell, std::int64_t h, std::int64_t i, std::int64_t n, std::int64_t t, std::int64_t l = 1,
               bool bi = false, RnnPass pass = RnnPass::inference, Precision prec = Precision::fp32) {
  RnnProblem p;
  p.cell = cell, p.hidden = h, p.input = i, p.batch = n, p.steps = t, p.layers = l;
  p.bidirectional = bi, p.pass = pass, p.precision = prec;
  return p;
}

constexpr RnnCell kCells[] = {RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru};
constexpr RnnPass kPasses[] = {RnnPass::inference, RnnPass::training_fwd, RnnPass::training_bwd};

// ---------------------------------------------------------------------------------------------------------------
// Shapes

TEST(RnnProblemShape, GatesDirectionsAndElementCounts) {
  EXPECT_EQ(rnn(RnnCell::rnn_relu, 2, 3, 5, 7).gates(), 1);
  EXPECT_EQ(rnn(RnnCell::rnn_tanh, 2, 3, 5, 7).gates(), 1);
  EXPECT_EQ(rnn(RnnCell::lstm, 2, 3, 5, 7).gates(), 4);
  EXPECT_EQ(rnn(RnnCell::gru, 2, 3, 5, 7).gates(), 3);
  EXPECT_TRUE(rnn(RnnCell::lstm, 2, 3, 5, 7).has_cell_state());
  EXPECT_FALSE(rnn(RnnCell::gru, 2, 3, 5, 7).has_cell_state());

  const RnnProblem p = rnn(RnnCell::lstm, 2, 3, 5, 7, 2, true);
  EXPECT_EQ(p.directions(), 2);
  EXPECT_EQ(p.layer_input(0), 3);
  EXPECT_EQ(p.layer_input(1), 4);      // D·H: the next layer reads both directions
  EXPECT_EQ(p.x_elements(), 105);      // T·N·I = 7·5·3
  EXPECT_EQ(p.y_elements(), 140);      // T·N·D·H = 7·5·2·2
  EXPECT_EQ(p.state_elements(), 40);   // L·D·N·H = 2·2·5·2
  EXPECT_EQ(rnn(RnnCell::lstm, 2, 3, 5, 7).directions(), 1);
}

TEST(RnnProblemShape, WeightOffsetsOfATwoLayerBidirectionalLstm) {
  // G·H = 8. Layer 0 reads I = 3: W 8·3 = 24, R 8·2 = 16, b_W 8, b_R 8 → 56 per direction.
  // Layer 1 reads D·H = 4: W 8·4 = 32, R 16, biases 16 → 64 per direction. Total 2·56 + 2·64 = 240.
  const RnnProblem p = rnn(RnnCell::lstm, 2, 3, 5, 7, 2, true);
  const auto expect = [&](std::int64_t l, std::int64_t d, std::int64_t w, std::int64_t r, std::int64_t bw,
                          std::int64_t br, std::int64_t end) {
    const RnnProblem::WeightOffsets o = p.weight_offsets(l, d);
    EXPECT_EQ(o.w, w) << l << d;
    EXPECT_EQ(o.r, r) << l << d;
    EXPECT_EQ(o.b_w, bw) << l << d;
    EXPECT_EQ(o.b_r, br) << l << d;
    EXPECT_EQ(o.end, end) << l << d;
  };
  expect(0, 0, 0, 24, 40, 48, 56);
  expect(0, 1, 56, 80, 96, 104, 112);
  expect(1, 0, 112, 144, 160, 168, 176);
  expect(1, 1, 176, 208, 224, 232, 240);
  EXPECT_EQ(p.weight_elements(), 240);
  // GRU, one layer, unidirectional, h2 i3: 6·3 + 6·2 + 6 + 6 = 42; vanilla 2·3 + 2·2 + 2 + 2 = 14.
  EXPECT_EQ(rnn(RnnCell::gru, 2, 3, 5, 7).weight_elements(), 42);
  EXPECT_EQ(rnn(RnnCell::rnn_tanh, 2, 3, 5, 7).weight_elements(), 14);
}

// ---------------------------------------------------------------------------------------------------------------
// FLOPs and bytes

TEST(RnnProblemFormulas, FlopsOfEveryCellAndPass) {
  // h4 i3 n2 t5, one layer: 2·G·N·(I + H)·H·T = 2·G·2·7·4·5 = 560·G.
  const double fwd[] = {560, 560, 2240, 1680};  // relu, tanh, lstm (G 4), gru (G 3)
  // DeepBench: vanilla 2·T·N·H² + T·N·H = 320 + 40; LSTM 8·T·N·H² = 1280; GRU 6·T·N·H² = 960.
  const double deepbench[] = {360, 360, 1280, 960};
  for (int c = 0; c < 4; ++c)
    for (RnnPass pass : kPasses) {
      const RnnProblem p = rnn(kCells[c], 4, 3, 2, 5, 1, false, pass);
      const double times = pass == RnnPass::training_bwd ? 2 : 1;  // backward data + weights
      EXPECT_EQ(p.flops(), fwd[c] * times) << p.to_string();
      EXPECT_EQ(p.flops_deepbench(), deepbench[c] * times) << p.to_string();
    }
}

TEST(RnnProblemFormulas, FlopsCountEveryLayerAndDirection) {
  // lstm h2 i3 n5 t7 l2 bi: layer 0 2·4·5·(3+2)·2·7 = 2800, layer 1 2·4·5·(4+2)·2·7 = 3360; ×2 directions.
  const RnnProblem p = rnn(RnnCell::lstm, 2, 3, 5, 7, 2, true);
  EXPECT_EQ(p.flops(), 12320.0);
  EXPECT_EQ(rnn(RnnCell::lstm, 2, 3, 5, 7, 2, true, RnnPass::training_bwd).flops(), 24640.0);
  // DeepBench ignores the input GEMM: 8·7·5·2² = 1120 per layer and direction, ×4.
  EXPECT_EQ(p.flops_deepbench(), 4480.0);
  // GNMT's encoder layer, exact in double: 2·4·64·2048·1024·50.
  EXPECT_EQ(rnn(RnnCell::lstm, 1024, 1024, 64, 50).flops(), 2.0 * 4 * 64 * 2048 * 1024 * 50);
}

TEST(RnnProblemFormulas, MinBytes) {
  // lstm h2 i3 n5 t7 l2 bi: x 105, states (h and c) 2·40 = 80, weights 240, y 140.
  //   forward:  reads (x + states + weights)·4 = 425·4, writes (y + states)·4 = 220·4 → 2580
  //   backward: reads x, states, weights (1700), y and dy, dhy, dcy ((140 + 140 + 80)·4 = 1440),
  //             writes dx, dhx, dcx, dweights (1700) → 4840
  for (RnnPass pass : {RnnPass::inference, RnnPass::training_fwd})
    EXPECT_EQ(rnn(RnnCell::lstm, 2, 3, 5, 7, 2, true, pass).min_bytes(), 2580.0);
  EXPECT_EQ(rnn(RnnCell::lstm, 2, 3, 5, 7, 2, true, RnnPass::training_bwd).min_bytes(), 4840.0);
  // bf16 GRU h2 i3 n5 t7: x 105, states 10 (no cell state), weights 42, y 70 → (157 + 80)·2 = 474.
  const RnnProblem gru = rnn(RnnCell::gru, 2, 3, 5, 7, 1, false, RnnPass::inference, Precision::bf16);
  EXPECT_EQ(gru.min_bytes(), 474.0);
  EXPECT_DOUBLE_EQ(gru.intensity(), gru.flops() / 474.0);
}

// ---------------------------------------------------------------------------------------------------------------
// Canonical names

TEST(RnnProblemName, CanonicalForms) {
  EXPECT_EQ(rnn(RnnCell::lstm, 1024, 1024, 64, 25, 1, false, RnnPass::inference, Precision::fp16).to_string(),
            "lstm_h1024i1024n64t25_uni_inference_fp16");
  const RnnProblem p = rnn(RnnCell::gru, 2, 3, 5, 7, 2, true, RnnPass::training_bwd, Precision::bf16);
  EXPECT_EQ(p.to_string(), "gru_h2i3n5t7l2_bi_training_bwd_bf16");
  EXPECT_EQ(p.to_string(false), "gru_h2i3n5t7l2_bi_training_bwd");
  EXPECT_EQ(p.shape_string(), "gru_h2i3n5t7l2_bi");
  EXPECT_EQ(rnn(RnnCell::rnn_relu, 1, 1, 1, 1).shape_string(), "rnn_relu_h1i1n1t1_uni");  // l1 is left out
}

TEST(RnnProblemName, RoundTripsForEveryCellPassDirectionAndPrecision) {
  for (RnnCell cell : kCells)
    for (RnnPass pass : kPasses)
      for (const auto& prec : all_precisions())
        for (bool bi : {false, true})
          for (std::int64_t layers : {1, 3}) {
            const RnnProblem p = rnn(cell, 1760, 32, 16, 50, layers, bi, pass, prec.precision);
            const std::string name = p.to_string();
            EXPECT_EQ(RnnProblem::parse(name), p) << name;
            EXPECT_EQ(RnnProblem::parse(name).to_string(), name);
          }
  // l1 written out parses to the same problem (and prints without it).
  EXPECT_EQ(RnnProblem::parse("lstm_h8i4n2t3l1_uni_inference_fp32").to_string(), "lstm_h8i4n2t3_uni_inference_fp32");
}

TEST(RnnProblemName, OptionalTokensWithGiven) {
  RnnProblem::Given given;
  const RnnProblem bare = RnnProblem::parse("gru_h8i4n2t3", "row", &given);
  EXPECT_FALSE(given.direction || given.pass || given.precision);
  EXPECT_EQ(bare, rnn(RnnCell::gru, 8, 4, 2, 3));  // the defaults: uni, inference, fp32

  const RnnProblem some = RnnProblem::parse("rnn_tanh_h8i4n2t3_bi_bf16", "row", &given);
  EXPECT_TRUE(given.direction);
  EXPECT_FALSE(given.pass);
  EXPECT_TRUE(given.precision);
  EXPECT_EQ(some, rnn(RnnCell::rnn_tanh, 8, 4, 2, 3, 1, true, RnnPass::inference, Precision::bf16));

  RnnProblem::parse("lstm_h8i4n2t3_training_fwd", "row", &given);
  EXPECT_TRUE(!given.direction && given.pass && !given.precision);
  // Without Given every token is required.
  EXPECT_TRUE(contains(input_error_of([] { RnnProblem::parse("lstm_h8i4n2t3_bi_inference"); }),
                       "needs its direction (uni|bi), pass and precision"));
}

TEST(RnnProblemName, ErrorsNameTheTextAndTheReason) {
  const auto error = [](const std::string& text) {
    return input_error_of([&] { RnnProblem::parse(text, "--problem"); });
  };
  const std::string unknown_cell = error("vanilla_h8i4n2t3_uni_inference_fp32");
  EXPECT_TRUE(contains(unknown_cell, "--problem: 'vanilla_h8i4n2t3_uni_inference_fp32'"));
  EXPECT_TRUE(contains(unknown_cell, "expected the cell first"));
  EXPECT_TRUE(contains(unknown_cell, "rnn_relu|rnn_tanh|lstm|gru"));  // the form is spelled out
  EXPECT_TRUE(contains(error("lstm_i4n2t3_uni_inference_fp32"), "missing 'h'"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2_uni_inference_fp32"), "missing 't'"));
  EXPECT_TRUE(contains(error("lstm_h0i4n2t3_uni_inference_fp32"), "'h' must be positive"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2t3l0_uni_inference_fp32"), "'l' must be positive"));
  EXPECT_TRUE(contains(error("lstm_h8h9i4n2t3_uni_inference_fp32"), "'h' given twice"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2t3k5_uni_inference_fp32"), "unknown token 'k'"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2t-3_uni_inference_fp32"), "'t' needs a non-negative integer"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2tx_uni_inference_fp32"), "'tx' needs a non-negative integer"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2t3_uni_inference_fp64"), "unexpected 'fp64'"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2t3_sideways_inference_fp32"), "unexpected 'sideways_inference_fp32'"));
  EXPECT_TRUE(contains(error("lstm_h8i4n2t3_uni_training_fp32"), "unexpected 'training_fp32'"));
  // Tokens out of order are not recognised in the wrong place.
  EXPECT_TRUE(contains(error("lstm_h8i4n2t3_inference_uni_fp32"), "unexpected 'uni_fp32'"));
  EXPECT_TRUE(contains(error(""), "expected the cell first"));
}

// ---------------------------------------------------------------------------------------------------------------
// Support

TEST(RnnProblemSupport, IntegerAndFp8NeedScalesThisSuiteDoesNotModel) {
  for (const auto& prec : all_precisions()) {
    const RnnProblem p = rnn(RnnCell::lstm, 8, 4, 2, 3, 1, false, RnnPass::inference, prec.precision);
    const bool quantised = prec.precision == Precision::int8 || prec.precision == Precision::fp8e4m3 ||
                           prec.precision == Precision::fp8e5m2;
    ASSERT_EQ(p.unsupported_reason().has_value(), quantised) << prec.name;
    if (quantised) {
      EXPECT_TRUE(contains(*p.unsupported_reason(), "RNNs in " + std::string(prec.name)));
      EXPECT_TRUE(contains(*p.unsupported_reason(), "quantisation scales"));
    }
  }
}

}  // namespace
}  // namespace dlbench

// ConvProblem and the convolution shape tables: output sizes, FLOP and byte formulas per direction, element
// counts, the canonical name and its parser (round trips, errors naming the bad token), the table reader (every
// column, its defaults, errors naming file:line:field) and every table shipped in shapes/conv/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "common/shape_table.hpp"
#include "conv/conv_problem.hpp"
#include "conv/conv_reference.hpp"
#include "conv/conv_table.hpp"
#include "test_util.hpp"

namespace dlbench {
namespace {

using test::contains;

// A problem from its geometry; padding, stride and dilation apply to both spatial dimensions.
ConvProblem conv(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t k, std::int64_t r,
                 std::int64_t s, std::int64_t pad = 0, std::int64_t stride = 1, std::int64_t dil = 1,
                 std::int64_t groups = 1) {
  ConvProblem p;
  p.n = n, p.c = c, p.h = h, p.w = w, p.k = k, p.r = r, p.s = s;
  p.pad_h = p.pad_w = pad;
  p.stride_h = p.stride_w = stride;
  p.dil_h = p.dil_w = dil;
  p.groups = groups;
  return p;
}

ConvProblem with(ConvProblem p, ConvDirection d, Precision prec = Precision::fp32,
                 ConvLayout layout = ConvLayout::nhwc) {
  p.direction = d;
  p.precision = prec;
  p.layout = layout;
  return p;
}

constexpr ConvDirection kDirections[] = {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter};

// ---------------------------------------------------------------------------------------------------------------
// Output size

TEST(ConvProblemOutputSize, PaddingStrideAndDilation) {
  EXPECT_EQ(conv(1, 1, 5, 5, 1, 3, 3).p(), 3);           // (5 − 2 − 1)/1 + 1
  EXPECT_EQ(conv(1, 1, 5, 5, 1, 3, 3, 1).p(), 5);        // (5 + 2 − 2 − 1)/1 + 1: "same" padding
  EXPECT_EQ(conv(1, 1, 7, 7, 1, 3, 3, 1, 2).p(), 4);     // (7 + 2 − 2 − 1)/2 + 1 = 3 + 1
  EXPECT_EQ(conv(1, 1, 8, 8, 1, 3, 3, 1, 2).p(), 4);     // (8 + 2 − 3)/2 = 3.5, floored: 3 + 1
  EXPECT_EQ(conv(1, 1, 56, 56, 1, 1, 1, 0, 2).p(), 28);  // a 1×1 stride-2 downsample
  EXPECT_EQ(conv(1, 1, 224, 224, 1, 7, 7, 3, 2).p(), 112);  // ResNet-50's stem
  EXPECT_EQ(conv(1, 1, 7, 7, 1, 3, 3, 0, 1, 2).p(), 3);  // dilation 2: the filter spans 5 rows
  EXPECT_EQ(conv(1, 1, 7, 7, 1, 3, 3, 2, 1, 2).p(), 7);  // ... and padding 2 keeps the size
  EXPECT_EQ(conv(1, 1, 3, 3, 1, 3, 3, 0, 1, 2).p(), 0);  // 5 rows of filter over 3 of input: empty
  EXPECT_EQ(conv(1, 1, 2, 2, 1, 3, 3).p(), 0);
}

TEST(ConvProblemOutputSize, HeightAndWidthAreIndependent) {
  // DeepSpeech2's first layer: 161 frequency bins × 300 frames, 41×11 filter, padding 20×5, stride 2×2.
  ConvProblem p = conv(1, 1, 161, 300, 32, 41, 11);
  p.pad_h = 20, p.pad_w = 5, p.stride_h = 2, p.stride_w = 2;
  EXPECT_EQ(p.p(), 81);   // (161 + 40 − 40 − 1)/2 + 1
  EXPECT_EQ(p.q(), 150);  // (300 + 10 − 10 − 1)/2 + 1 = 149 + 1
  // Only the width is dilated.
  ConvProblem d = conv(1, 1, 9, 9, 1, 3, 3);
  d.dil_w = 3;
  EXPECT_EQ(d.p(), 7);
  EXPECT_EQ(d.q(), 3);  // (9 − 6 − 1)/1 + 1
}

// ---------------------------------------------------------------------------------------------------------------
// FLOPs, bytes, element counts

TEST(ConvProblemFormulas, FlopsAreTheSameInEveryDirection) {
  // n2 c3 5×5, k4 3×3: P = Q = 3 → 2·N·K·P·Q·C·R·S = 2·2·4·3·3·3·3·3 = 3888.
  const ConvProblem plain = conv(2, 3, 5, 5, 4, 3, 3);
  for (ConvDirection d : kDirections) EXPECT_EQ(with(plain, d).flops(), 3888.0) << to_string(d);
  // Padded 1: P = Q = 5 → 2·2·4·25·27 = 10800.
  EXPECT_EQ(conv(2, 3, 5, 5, 4, 3, 3, 1).flops(), 10800.0);
  // Strided 2 with padding 1 over 7×7: P = Q = 4 → 2·1·8·16·(2·9) = 4608.
  EXPECT_EQ(conv(1, 2, 7, 7, 8, 3, 3, 1, 2).flops(), 4608.0);
  // Dilated 2 over 7×7: P = Q = 3 → 2·1·1·9·9 = 162.
  EXPECT_EQ(conv(1, 1, 7, 7, 1, 3, 3, 0, 1, 2).flops(), 162.0);
  // Grouped: c8 k6 g2, 1×1 over 4×4 → each filter sees 4 channels: 2·1·6·16·4 = 768.
  EXPECT_EQ(conv(1, 8, 4, 4, 6, 1, 1, 0, 1, 1, 2).flops(), 768.0);
  // Depthwise: c = k = g = 16, 3×3 padded over 8×8: 2·1·16·64·1·9 = 18432.
  EXPECT_EQ(conv(1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 16).flops(), 18432.0);
  // Independent of the precision and layout.
  EXPECT_EQ(with(plain, ConvDirection::fwd, Precision::int8, ConvLayout::nchw).flops(), 3888.0);
  // ResNet-50 layer1 3×3 at batch 64 (2·64·64·56·56·64·9 = 14.8 GFLOP), exact in double.
  EXPECT_EQ(conv(64, 64, 56, 56, 64, 3, 3, 1).flops(), 2.0 * 64 * 64 * 56 * 56 * 64 * 9);
}

TEST(ConvProblemFormulas, ElementCounts) {
  const ConvProblem p = conv(2, 3, 5, 5, 4, 3, 3);
  EXPECT_EQ(p.src_elements(), 150);    // 2·3·5·5
  EXPECT_EQ(p.weight_elements(), 108);  // 4·3·3·3
  EXPECT_EQ(p.dst_elements(), 72);     // 2·4·3·3
  // Groups shrink the filters to C/G channels: k6·(8/2)·1·1 = 24; depthwise k16·1·3·3 = 144.
  EXPECT_EQ(conv(1, 8, 4, 4, 6, 1, 1, 0, 1, 1, 2).weight_elements(), 24);
  EXPECT_EQ(conv(1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 16).weight_elements(), 144);
  EXPECT_EQ(conv(1, 8, 4, 4, 6, 1, 1, 0, 1, 1, 2).c_per_group(), 4);
  EXPECT_EQ(conv(1, 8, 4, 4, 6, 1, 1, 0, 1, 1, 2).k_per_group(), 3);
  // The output of each direction.
  EXPECT_EQ(with(p, ConvDirection::fwd).output_elements(), 72);
  EXPECT_EQ(with(p, ConvDirection::bwd_data).output_elements(), 150);
  EXPECT_EQ(with(p, ConvDirection::bwd_filter).output_elements(), 108);
}

TEST(ConvProblemFormulas, MinBytesReadTheDirectionsInputsAndWriteItsOutput) {
  // x 150, w 108, y 72 elements.
  const ConvProblem p = conv(2, 3, 5, 5, 4, 3, 3);
  // fp32 and bf16: every tensor has the same element size in every direction: 330·4 = 1320, 330·2 = 660.
  for (ConvDirection d : kDirections) {
    EXPECT_EQ(with(p, d, Precision::fp32).min_bytes(), 1320.0);
    EXPECT_EQ(with(p, d, Precision::tf32).min_bytes(), 1320.0);
    EXPECT_EQ(with(p, d, Precision::bf16).min_bytes(), 660.0);
    EXPECT_EQ(with(p, d, Precision::fp16).min_bytes(), 660.0);
  }
  // fp8 (1-byte inputs, 2-byte output) tells the directions apart:
  //   fwd        reads x, w, writes y:  (150 + 108)·1 + 72·2  = 402
  //   bwd_data   reads dy, w, writes dx: (72 + 108)·1 + 150·2 = 480
  //   bwd_filter reads x, dy, writes dw: (150 + 72)·1 + 108·2 = 438
  EXPECT_EQ(with(p, ConvDirection::fwd, Precision::fp8e4m3).min_bytes(), 402.0);
  EXPECT_EQ(with(p, ConvDirection::bwd_data, Precision::fp8e4m3).min_bytes(), 480.0);
  EXPECT_EQ(with(p, ConvDirection::bwd_filter, Precision::fp8e5m2).min_bytes(), 438.0);
  // int8 forward: s8 in, s32 out: 258 + 72·4 = 546.
  EXPECT_EQ(with(p, ConvDirection::fwd, Precision::int8).min_bytes(), 546.0);
  EXPECT_DOUBLE_EQ(with(p, ConvDirection::fwd).intensity(), 3888.0 / 1320.0);
}

TEST(ConvProblemFormulas, MinBytesOfStridedPaddedDilatedAndGroupedConvs) {
  // Strided: n1 c2 7×7 → k8 4×4 (pad 1, stride 2): x 98, w 8·2·9 = 144, y 8·16 = 128; fp32 (98+144+128)·4.
  EXPECT_EQ(conv(1, 2, 7, 7, 8, 3, 3, 1, 2).min_bytes(), 1480.0);
  // Dilated 2, no padding: n1 c1 7×7 → 3×3: x 49, w 9, y 9 → 67·4.
  EXPECT_EQ(conv(1, 1, 7, 7, 1, 3, 3, 0, 1, 2).min_bytes(), 268.0);
  // Depthwise bf16 bwd_filter: x 16·64 = 1024, dy 1024, dw 144 → 2192·2.
  EXPECT_EQ(with(conv(1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 16), ConvDirection::bwd_filter, Precision::bf16).min_bytes(),
            4384.0);
  // Grouped fp8 bwd_data: dy 6·16 = 96 and w 24 at 1 byte, dx 8·16 = 128 at 2 → 376.
  EXPECT_EQ(with(conv(1, 8, 4, 4, 6, 1, 1, 0, 1, 1, 2), ConvDirection::bwd_data, Precision::fp8e4m3).min_bytes(),
            376.0);
}

TEST(ConvProblemFormulas, MacsPerOutputElement) {
  const ConvProblem p = conv(2, 8, 9, 9, 12, 3, 3, 1, 1, 1, 4);  // C/G = 2, K/G = 3, P = Q = 9
  EXPECT_EQ(with(p, ConvDirection::fwd).macs_per_output(), 18.0);         // 2·3·3
  EXPECT_EQ(with(p, ConvDirection::bwd_data).macs_per_output(), 27.0);    // 3·3·3 / (1·1)
  EXPECT_EQ(with(p, ConvDirection::bwd_filter).macs_per_output(), 162.0);  // 2·9·9
  // Stride 2 in both dimensions: each input element is touched by a quarter of the taps.
  EXPECT_EQ(with(conv(1, 4, 8, 8, 8, 3, 3, 1, 2), ConvDirection::bwd_data).macs_per_output(), 18.0);  // 8·9/4
}

TEST(ConvProblemSupport, InvalidGeometryAndInt8BackwardAreRefused) {
  EXPECT_FALSE(conv(1, 8, 4, 4, 8, 1, 1).unsupported_reason());
  EXPECT_TRUE(contains(*conv(1, 6, 4, 4, 8, 1, 1, 0, 1, 1, 4).unsupported_reason(), "not divisible by groups=4"));
  EXPECT_TRUE(contains(*conv(1, 8, 4, 4, 6, 1, 1, 0, 1, 1, 4).unsupported_reason(), "not divisible by groups=4"));
  EXPECT_TRUE(contains(*conv(1, 1, 2, 2, 1, 3, 3).unsupported_reason(), "empty output"));
  const ConvProblem p = conv(1, 4, 4, 4, 4, 3, 3, 1);
  EXPECT_FALSE(with(p, ConvDirection::fwd, Precision::int8).unsupported_reason());
  EXPECT_TRUE(contains(*with(p, ConvDirection::bwd_data, Precision::int8).unsupported_reason(),
                       "int8 is an inference precision: no bwd_data convolution"));
  EXPECT_TRUE(with(p, ConvDirection::bwd_filter, Precision::int8).unsupported_reason());
  EXPECT_FALSE(with(p, ConvDirection::bwd_filter, Precision::fp8e4m3).unsupported_reason());
}

// ---------------------------------------------------------------------------------------------------------------
// Canonical names

TEST(ConvProblemName, CanonicalForms) {
  EXPECT_EQ(with(conv(16, 64, 56, 56, 64, 3, 3, 1), ConvDirection::fwd, Precision::bf16).to_string(),
            "n16c64h56w56k64r3s3p1u1_nhwc_fwd_bf16");
  EXPECT_EQ(with(conv(32, 144, 56, 56, 144, 3, 3, 1, 2, 1, 144), ConvDirection::bwd_data, Precision::fp32,
                 ConvLayout::nchw)
                .to_string(),
            "n32c144h56w56k144r3s3p1u2g144_nchw_bwd_data_fp32");
  ConvProblem ds2 = conv(8, 1, 161, 300, 32, 41, 11);
  ds2.pad_h = 20, ds2.pad_w = 5, ds2.stride_h = 2, ds2.stride_w = 1, ds2.dil_w = 2;
  EXPECT_EQ(with(ds2, ConvDirection::bwd_filter, Precision::fp16).to_string(),
            "n8c1h161w300k32r41s11ph20pw5uh2uw1dh1dw2_nhwc_bwd_filter_fp16");
  EXPECT_EQ(conv(1, 2, 3, 4, 5, 1, 1, 0, 1, 3).shape_string(), "n1c2h3w4k5r1s1p0u1d3");
  EXPECT_EQ(with(conv(1, 2, 3, 4, 5, 1, 1), ConvDirection::fwd, Precision::int8).to_string(false),
            "n1c2h3w4k5r1s1p0u1_nhwc_fwd");
}

std::vector<ConvProblem> grid() {
  std::vector<ConvProblem> out;
  for (const auto& info : all_precisions())
    for (ConvDirection d : kDirections)
      for (ConvLayout layout : {ConvLayout::nchw, ConvLayout::nhwc}) {
        out.push_back(with(conv(1, 1, 1, 1, 1, 1, 1), d, info.precision, layout));
        out.push_back(with(conv(64, 256, 56, 56, 512, 1, 1, 0, 2), d, info.precision, layout));
        out.push_back(with(conv(3, 96, 17, 9, 96, 3, 3, 1, 1, 2, 96), d, info.precision, layout));
        ConvProblem odd = conv(2, 6, 15, 9, 4, 5, 3, 0, 1, 1, 2);
        odd.pad_h = 2, odd.pad_w = 0, odd.stride_h = 1, odd.stride_w = 3, odd.dil_h = 2, odd.dil_w = 1;
        out.push_back(with(odd, d, info.precision, layout));
      }
  return out;
}

TEST(ConvProblemParse, RoundTripsToStringOverAGridOfProblems) {
  int checked = 0;
  for (const ConvProblem& p : grid()) {
    const std::string s = p.to_string();
    ConvProblem back;
    ASSERT_NO_THROW(back = ConvProblem::parse(s)) << s;
    ASSERT_EQ(back, p) << s << " parsed back as " << back.to_string();
    ASSERT_EQ(back.to_string(), s);
    // The shape alone parses when the caller accepts missing tokens, and says none was given.
    ConvProblem::Given given{true, true, true};
    ConvProblem shape;
    ASSERT_NO_THROW(shape = ConvProblem::parse(p.shape_string(), "problem", &given)) << p.shape_string();
    EXPECT_FALSE(given.layout || given.direction || given.precision);
    shape.layout = p.layout, shape.direction = p.direction, shape.precision = p.precision;
    ASSERT_EQ(shape, p);
    ++checked;
  }
  EXPECT_EQ(checked, 7 * 3 * 2 * 4);
}

TEST(ConvProblemParse, OptionalTokensAndWhatWasGiven) {
  ConvProblem::Given given;
  ConvProblem p = ConvProblem::parse("n2c4h8w8k4r3s3p1u1_bwd_filter", "problem", &given);
  EXPECT_FALSE(given.layout);
  EXPECT_TRUE(given.direction);
  EXPECT_FALSE(given.precision);
  EXPECT_EQ(p.direction, ConvDirection::bwd_filter);
  p = ConvProblem::parse("n2c4h8w8k4r3s3p1u1_nchw_bf16", "problem", &given);
  EXPECT_TRUE(given.layout && !given.direction && given.precision);
  EXPECT_EQ(p.layout, ConvLayout::nchw);
  EXPECT_EQ(p.precision, Precision::bf16);
  // Padding, stride and dilation default to 0, 1 and 1 when left out; groups to 1.
  p = ConvProblem::parse("n1c2h3w4k5r1s1", "problem", &given);
  EXPECT_EQ(p, conv(1, 2, 3, 4, 5, 1, 1));
  // Asymmetric pairs may give one side only; the other keeps its default.
  p = ConvProblem::parse("n1c2h9w9k5r3s3pw1uh2", "problem", &given);
  EXPECT_EQ(p.pad_h, 0);
  EXPECT_EQ(p.pad_w, 1);
  EXPECT_EQ(p.stride_h, 2);
  EXPECT_EQ(p.stride_w, 1);
}

std::string parse_error(const std::string& text, ConvProblem::Given* given = nullptr) {
  return test::input_error_of([&] { ConvProblem::parse(text, "--problem", given); });
}

TEST(ConvProblemParse, ErrorsNameTheBadToken) {
  const std::string form = "(form: n<N>c<C>h<H>w<W>k<K>r<R>s<S>p<P>u<U>";
  std::string e = parse_error("n1c1h1w1k1r1s1x3_nhwc_fwd_fp32");
  EXPECT_TRUE(contains(e, "--problem: 'n1c1h1w1k1r1s1x3_nhwc_fwd_fp32': unknown token 'x'")) << e;
  EXPECT_TRUE(contains(e, form)) << e;
  EXPECT_TRUE(contains(parse_error("n1c1h1w1r1s1_nhwc_fwd_fp32"), "missing 'k'"));
  EXPECT_TRUE(contains(parse_error("n1c0h1w1k1r1s1_nhwc_fwd_fp32"), "'c' must be positive"));
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1u0_nhwc_fwd_fp32"), "'u' must be positive"));
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1d0_nhwc_fwd_fp32"), "'d' must be positive"));
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1p1ph1_nhwc_fwd_fp32"), "'p' and 'ph'/'pw' together"));
  EXPECT_TRUE(contains(parse_error("n1c1h1n1w1k1r1s1_nhwc_fwd_fp32"), "'n' given twice"));
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1_nhwc_fwd_fp33"), "unexpected 'fp33'"));
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1_nhwc_sideways_fp32"), "unexpected 'sideways_fp32'"));
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1_chwn_fwd_fp32"), "unexpected 'chwn_fwd_fp32'"));
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s-1_nhwc_fwd_fp32"), "'s' needs a non-negative integer"));
  EXPECT_TRUE(contains(parse_error("N1c1h1w1k1r1s1_nhwc_fwd_fp32"), "expected a letter at 'N1c1h1w1k1r1s1'"));
  // Without the out-parameter every suffix is required.
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1_fwd_fp32"), "needs its layout, direction and precision"));
  ConvProblem::Given given;
  EXPECT_EQ(parse_error("n1c1h1w1k1r1s1_fwd_fp32", &given), "<no exception>");
  // The order of the suffixes is fixed: layout, direction, precision.
  EXPECT_TRUE(contains(parse_error("n1c1h1w1k1r1s1_fwd_nhwc_fp32", &given), "unexpected 'nhwc_fp32'"));
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

const std::string kSource = "mem.csv";

std::vector<ConvTableRow> rows_of(const std::string& text) {
  return read_conv_rows(ShapeTable::parse(text, kSource, "mem"));
}

std::string table_error(const std::string& text) {
  return test::input_error_of([&] { rows_of(text); });
}

TEST(ConvTableRows, MapsEveryColumnToTheProblem) {
  const auto rows = rows_of(
      "# comment\n"
      "label,n,c,h,w,k,r,s,pad_h,pad_w,stride_h,stride_w,dil_h,dil_w,groups,phase\n"
      "m/a/training_b2,2,8,15,9,12,5,3,2,1,2,1,1,2,4,training\n"
      "m/b/inference_b1,1,16,8,8,16,3,3,1,1,1,1,1,1,16,inference\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].label, "m/a/training_b2");
  EXPECT_EQ(rows[0].line, 3);
  EXPECT_EQ(rows[0].phase, Phase::training);
  ConvProblem want = conv(2, 8, 15, 9, 12, 5, 3, 0, 1, 1, 4);
  want.pad_h = 2, want.pad_w = 1, want.stride_h = 2, want.stride_w = 1, want.dil_h = 1, want.dil_w = 2;
  EXPECT_EQ(rows[0].problem, want);
  EXPECT_EQ(rows[1].phase, Phase::inference);
  EXPECT_EQ(rows[1].problem, conv(1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 16));
}

TEST(ConvTableRows, SymmetricColumnsAndDefaults) {
  auto rows = rows_of("label,n,c,h,w,k,r,s,pad,stride,dilation,phase\nm/a/x,1,2,9,9,4,3,3,2,2,2,training\n");
  EXPECT_EQ(rows[0].problem, conv(1, 2, 9, 9, 4, 3, 3, 2, 2, 2));
  // Optional columns left out, or left empty: padding 0, stride 1, dilation 1, groups 1.
  rows = rows_of("label,n,c,h,w,k,r,s,phase\nm/a/x,1,2,9,9,4,3,3,inference\n");
  EXPECT_EQ(rows[0].problem, conv(1, 2, 9, 9, 4, 3, 3));
  rows = rows_of("label,n,c,h,w,k,r,s,pad_h,pad_w,groups,phase\nm/a/x,1,2,9,9,4,3,3,,1,,training\n");
  EXPECT_EQ(rows[0].problem.pad_h, 0);
  EXPECT_EQ(rows[0].problem.pad_w, 1);
  EXPECT_EQ(rows[0].problem.groups, 1);
}

TEST(ConvTablePhase, DirectionsOfEachPhase) {
  EXPECT_EQ(phase_directions(Phase::training),
            (std::vector<ConvDirection>{ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter}));
  EXPECT_EQ(phase_directions(Phase::inference), std::vector<ConvDirection>{ConvDirection::fwd});
  EXPECT_EQ(parse_phase("training"), Phase::training);
  EXPECT_EQ(parse_phase("inference"), Phase::inference);
  EXPECT_FALSE(parse_phase("train"));
  EXPECT_EQ(to_string(Phase::inference), "inference");
}

struct BadTable {
  std::string text, message;
};

TEST(ConvTableErrors, NameFileLineAndField) {
  const std::string h = "label,n,c,h,w,k,r,s,pad,stride,groups,phase\n";
  const std::vector<BadTable> cases{
      {"label,n,c,h,w,k,r,s\nm/a/x,1,1,1,1,1,1,1\n", "mem.csv:1: missing column 'phase'"},
      {"label,n,c,h,w,k,r,s,phase,padding\nm/a/x,1,1,1,1,1,1,1,training,1\n",
       "mem.csv:1: unknown column 'padding' (valid columns: label, n, c, h, w, k, r, s, phase, pad, pad_h"},
      {h + "m/a/x,1,4,8,8,4,3,3,1,1,1,train\n",
       "mem.csv:2: field 'phase': unknown value 'train' (valid: training, inference)"},
      {h + "m/a/x,1,4,8,8,4,3,3,1,1,1,\n", "mem.csv:2: field 'phase': missing value"},
      {h + "m/a/x,1,4,8,8,4,3,3,-1,1,1,training\n", "mem.csv:2: field 'pad': must not be negative, got -1"},
      {h + "m/a/x,1,4,8,8,4,3,3,one,1,1,training\n",
       "mem.csv:2: field 'pad': expected a non-negative integer, got 'one'"},
      {h + "m/a/x,1,4,8,8,4,3,3,1,0,1,training\n", "mem.csv:2: field 'stride': must be positive, got 0"},
      {h + "# two\nm/a/x,1,4,8,8,4,3,3,1,1,1,training\nm/b/x,1,4,8,8,0,3,3,1,1,1,training\n",
       "mem.csv:4: field 'k': must be positive, got 0"},
      {h + "m/a/x,1,4,8,8,4,3,x3,1,1,1,training\n", "mem.csv:2: field 's': expected a positive integer, got 'x3'"},
      {h + "m/a/x,1,6,8,8,6,3,3,1,1,4,training\n", "mem.csv:2: field 'groups': 4 must divide both c=6 and k=6"},
      {h + "m/a/x,1,4,8,8,6,3,3,1,1,4,training\n", "mem.csv:2: field 'groups': 4 must divide both c=4 and k=6"},
      {h + "m/a/x,1,4,2,8,4,5,3,1,1,1,inference\n",
       "mem.csv:2: field 'r': the filter spans 5 rows (dilated), more than the 4 of the padded input"},
      {"label,n,c,h,w,k,r,s,dil_w,phase\nm/a/x,1,4,8,5,4,3,3,3,inference\n",
       "mem.csv:2: field 's': the filter spans 7 columns (dilated), more than the 5 of the padded input"},
      {"label,n,c,h,w,k,r,s,pad,pad_h,phase\nm/a/x,1,4,8,8,4,3,3,1,1,training\n",
       "mem.csv:2: field 'pad_h': give either 'pad' or 'pad_h'/'pad_w', not both"},
      {"label,n,c,h,w,k,r,s,stride,stride_w,phase\nm/a/x,1,4,8,8,4,3,3,1,1,training\n",
       "mem.csv:2: field 'stride_h': give either 'stride' or 'stride_h'/'stride_w', not both"},
      {h + "m/a/x,1,4,8,8,4,3,3,1,1,1,training\nm/a/x,2,4,8,8,4,3,3,1,1,1,training\n",
       "mem.csv:3: field 'label': label 'm/a/x' already used on line 2"},
      {h + "m/a/x,1,4,8,8,4,3,3,1,1,training\n", "mem.csv:2: expected 12 fields"},
  };
  for (const auto& c : cases) {
    const std::string e = table_error(c.text);
    EXPECT_TRUE(contains(e, c.message)) << c.text;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The tables shipped with the suite

std::vector<std::filesystem::path> shipped_conv_tables() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(DLBENCH_SHAPES_SOURCE "/conv"))
    if (entry.is_regular_file() && entry.path().extension() == ".csv") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<ConvTableRow> load(const std::filesystem::path& path) {
  return read_conv_rows(ShapeTable::load(path.string(), path.stem().string()));
}

TEST(ShippedConvTables, NamedTablesExist) {
  for (const char* name : {"smoke", "default", "resnet50", "vgg16", "mobilenet_v2", "deepspeech2"}) {
    const auto path = std::filesystem::path(DLBENCH_SHAPES_SOURCE) / "conv" / (std::string(name) + ".csv");
    EXPECT_TRUE(std::filesystem::is_regular_file(path)) << path;
  }
}

// README: labels are model/layer/<phase>_b<batch>, the phase and batch agreeing with the row's columns; a model
// table lists each distinct layer shape once per batch.
TEST(ShippedConvTables, EveryTableLoadsAndLabelsSayPhaseAndBatch) {
  const auto paths = shipped_conv_tables();
  EXPECT_GE(paths.size(), 6u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path.string());
    std::vector<ConvTableRow> rows;
    ASSERT_NO_THROW(rows = load(path));
    EXPECT_GE(rows.size(), 1u);
    std::set<std::string> shapes;
    for (const auto& row : rows) {
      SCOPED_TRACE(row.label);
      const auto slash = row.label.rfind('/');
      ASSERT_NE(slash, std::string::npos);
      EXPECT_NE(row.label.find('/'), slash) << "expected model/layer/phase";
      const std::string tail = row.label.substr(slash + 1);
      EXPECT_EQ(tail, std::string(to_string(row.phase)) + "_b" + std::to_string(row.problem.n));
      if (path.stem() != "default" && path.stem() != "smoke") {
        const std::string model = row.label.substr(0, row.label.find('/'));
        EXPECT_TRUE(shapes.insert(model + " " + tail + " " + row.problem.shape_string()).second)
            << "the same layer shape twice in one model and batch";
      }
    }
  }
}

// README: the smoke table is checked element by element and covers the geometry that breaks kernels.
TEST(ShippedConvTables, SmokeTableIsSmallAndCoversTheCornerCases) {
  const auto rows = load(DLBENCH_SHAPES_SOURCE "/conv/smoke.csv");
  bool stride2 = false, padding = false, dilation = false, groups = false, depthwise = false, pointwise = false,
       non_square = false, odd = false, inference = false, training = false;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.label);
    const ConvProblem& p = row.problem;
    for (ConvDirection d : kDirections) {
      EXPECT_LE(p.flops() / 2, 2.1e6);
      EXPECT_TRUE(conv_check_is_full(with(p, d)));
    }
    stride2 = stride2 || p.stride_h == 2 || p.stride_w == 2;
    padding = padding || p.pad_h > 0 || p.pad_w > 0;
    dilation = dilation || p.dil_h > 1 || p.dil_w > 1;
    groups = groups || (p.groups > 1 && p.groups < p.c);
    depthwise = depthwise || (p.groups == p.c && p.groups == p.k);
    pointwise = pointwise || (p.r == 1 && p.s == 1);
    non_square = non_square || p.h != p.w || p.r != p.s;
    odd = odd || (p.h % 2 == 1 && p.c % 2 == 1);
    inference = inference || row.phase == Phase::inference;
    training = training || row.phase == Phase::training;
  }
  EXPECT_TRUE(stride2 && padding && dilation && groups && depthwise && pointwise && non_square && odd);
  EXPECT_TRUE(inference && training);
}

}  // namespace
}  // namespace dlbench

// GemmProblem: the FLOP and byte formulas, the canonical name and its parser, and which problems a precision
// cannot express.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "common/precision.hpp"
#include "gemm/gemm_problem.hpp"
#include "test_util.hpp"

namespace dlbench {
namespace {

using test::contains;

GemmProblem make(std::int64_t m, std::int64_t n, std::int64_t k, Precision prec = Precision::fp32,
                 bool trans_a = false, bool trans_b = false, std::int64_t batch = 1, double alpha = 1.0,
                 double beta = 0.0) {
  return test::gemm(m, n, k, prec, trans_a, trans_b, batch, alpha, beta);
}

std::string parse_error(const std::string& text, const std::string& where = "problem",
                        bool* precision_given = nullptr) {
  return test::input_error_of([&] { GemmProblem::parse(text, where, precision_given); });
}

// ---------------------------------------------------------------------------------------------------------------
// flops() and min_bytes()

TEST(GemmProblemFormulas, FlopsAreTwoMnkTimesBatch) {
  EXPECT_EQ(make(2, 3, 4).flops(), 48.0);  // 2·2·3·4
  EXPECT_EQ(make(2, 3, 4, Precision::int8).flops(), 48.0);  // independent of the precision
  EXPECT_EQ(make(2, 3, 4, Precision::fp32, false, false, 5).flops(), 240.0);  // 48·5
  EXPECT_EQ(make(1, 1, 1).flops(), 2.0);
  // 2·4096³ = 2^37 = 137438953472, exact in double.
  EXPECT_EQ(make(4096, 4096, 4096, Precision::bf16).flops(), 137438953472.0);
  // 2·8192·57344·28672·3 ≈ 8.1e13 < 2^53: exact.
  EXPECT_EQ(make(8192, 57344, 28672, Precision::bf16, false, false, 3).flops(), 2.0 * 8192 * 57344 * 28672 * 3);
}

TEST(GemmProblemFormulas, MinBytesFp32ReadsAAndBWritesD) {
  // m=2, n=3, k=4, fp32 (4-byte in and out): A 2·4 + B 4·3 + D 2·3 = 26 elements · 4 B = 104.
  EXPECT_EQ(make(2, 3, 4).min_bytes(), 104.0);
  // tf32 keeps fp32 storage: same 104.
  EXPECT_EQ(make(2, 3, 4, Precision::tf32).min_bytes(), 104.0);
  // Transposes change the layout, not the traffic.
  EXPECT_EQ(make(2, 3, 4, Precision::fp32, true, true).min_bytes(), 104.0);
  EXPECT_DOUBLE_EQ(make(2, 3, 4).intensity(), 48.0 / 104.0);
}

TEST(GemmProblemFormulas, MinBytesAddsTheReadOfCWhenBetaIsNonZero) {
  // fp32, beta 1: 104 + C 2·3·4 = 24 → 128.
  EXPECT_EQ(make(2, 3, 4, Precision::fp32, false, false, 1, 1.0, 1.0).min_bytes(), 128.0);
  EXPECT_EQ(make(2, 3, 4, Precision::fp32, false, false, 1, 1.0, -0.5).min_bytes(), 128.0);
  // alpha alone does not add traffic.
  EXPECT_EQ(make(2, 3, 4, Precision::fp32, false, false, 1, 0.5, 0.0).min_bytes(), 104.0);
}

TEST(GemmProblemFormulas, MinBytesUsesEachPrecisionsElementSizes) {
  // bf16 / fp16 (2-byte in, 2-byte out): (8 + 12) · 2 + 6 · 2 = 52; with beta: + 6 · 2 = 64.
  EXPECT_EQ(make(2, 3, 4, Precision::bf16).min_bytes(), 52.0);
  EXPECT_EQ(make(2, 3, 4, Precision::fp16).min_bytes(), 52.0);
  EXPECT_EQ(make(2, 3, 4, Precision::bf16, false, false, 1, 1.0, 1.0).min_bytes(), 64.0);
  // int8 (1-byte in, 4-byte int32 out): (8 + 12) · 1 + 6 · 4 = 44; with beta: + 6 · 4 = 68.
  EXPECT_EQ(make(2, 3, 4, Precision::int8).min_bytes(), 44.0);
  EXPECT_EQ(make(2, 3, 4, Precision::int8, false, false, 1, 1.0, 1.0).min_bytes(), 68.0);
  // fp8 (1-byte in, bf16 out): (8 + 12) · 1 + 6 · 2 = 32; with beta: + 6 · 2 = 44.
  EXPECT_EQ(make(2, 3, 4, Precision::fp8e4m3).min_bytes(), 32.0);
  EXPECT_EQ(make(2, 3, 4, Precision::fp8e5m2).min_bytes(), 32.0);
  EXPECT_EQ(make(2, 3, 4, Precision::fp8e4m3, false, false, 1, 1.0, 2.0).min_bytes(), 44.0);
}

TEST(GemmProblemFormulas, MinBytesScaleWithBatch) {
  // fp32, batch 3: 104 · 3 = 312; with beta: 128 · 3 = 384.
  EXPECT_EQ(make(2, 3, 4, Precision::fp32, false, false, 3).min_bytes(), 312.0);
  EXPECT_EQ(make(2, 3, 4, Precision::fp32, false, false, 3, 1.0, 1.0).min_bytes(), 384.0);
  // int8, batch 2: 44 · 2 = 88.
  EXPECT_EQ(make(2, 3, 4, Precision::int8, false, false, 2).min_bytes(), 88.0);
  // Square 4096 bf16: 3 matrices of 4096² elements · 2 B = 100663296.
  EXPECT_EQ(make(4096, 4096, 4096, Precision::bf16).min_bytes(), 100663296.0);
}

TEST(GemmProblemFormulas, ElementCountsIncludeTheBatch) {
  const GemmProblem p = make(2, 3, 4, Precision::fp32, true, false, 5);
  EXPECT_EQ(p.a_elements(), 40);  // 5 · 2 · 4
  EXPECT_EQ(p.b_elements(), 60);  // 5 · 4 · 3
  EXPECT_EQ(p.c_elements(), 30);  // 5 · 2 · 3
}

// ---------------------------------------------------------------------------------------------------------------
// to_string()

TEST(GemmProblemName, CanonicalForms) {
  EXPECT_EQ(make(4096, 4096, 4096, Precision::bf16, false, true).to_string(), "m4096n4096k4096_nt_bf16");
  EXPECT_EQ(make(64, 64, 64, Precision::fp32, false, false, 8, 0.5, 1.0).to_string(),
            "m64n64k64b8_nn_fp32_alpha0.5_beta1");
  EXPECT_EQ(make(1, 2, 3, Precision::int8, true, false).to_string(), "m1n2k3_tn_int8");
  EXPECT_EQ(make(1, 2, 3, Precision::fp8e4m3, true, true).to_string(), "m1n2k3_tt_fp8e4m3");
  EXPECT_EQ(make(100, 36, 45, Precision::fp16, false, true, 1, 2.0, -0.5).to_string(),
            "m100n36k45_nt_fp16_alpha2_beta-0.5");
  EXPECT_EQ(make(5, 6, 7, Precision::tf32, false, false, 1, 1.0, 1e-05).to_string(), "m5n6k7_nn_tf32_beta1e-05");
  EXPECT_EQ(GemmProblem{}.to_string(), "m1n1k1_nn_fp32");
}

TEST(GemmProblemName, WithoutPrecisionNamesTheShapeOnly) {
  EXPECT_EQ(make(4096, 4096, 4096, Precision::bf16, false, true).to_string(false), "m4096n4096k4096_nt");
  EXPECT_EQ(make(64, 64, 64, Precision::fp32, false, false, 8, 0.5, 1.0).to_string(false),
            "m64n64k64b8_nn_alpha0.5_beta1");
}

TEST(GemmProblemName, TransposesAreNOrTForAThenB) {
  EXPECT_EQ(make(1, 1, 1, Precision::fp32, false, false).transposes(), "nn");
  EXPECT_EQ(make(1, 1, 1, Precision::fp32, false, true).transposes(), "nt");
  EXPECT_EQ(make(1, 1, 1, Precision::fp32, true, false).transposes(), "tn");
  EXPECT_EQ(make(1, 1, 1, Precision::fp32, true, true).transposes(), "tt");
}

// ---------------------------------------------------------------------------------------------------------------
// parse()

TEST(GemmProblemParse, ReadsTheCanonicalExamples) {
  const GemmProblem a = GemmProblem::parse("m4096n4096k4096_nt_bf16");
  EXPECT_EQ(a, make(4096, 4096, 4096, Precision::bf16, false, true));

  const GemmProblem b = GemmProblem::parse("m64n64k64b8_nn_fp32_alpha0.5_beta1");
  EXPECT_EQ(b.m, 64);
  EXPECT_EQ(b.n, 64);
  EXPECT_EQ(b.k, 64);
  EXPECT_EQ(b.batch, 8);
  EXPECT_FALSE(b.trans_a);
  EXPECT_FALSE(b.trans_b);
  EXPECT_EQ(b.precision, Precision::fp32);
  EXPECT_EQ(b.alpha, 0.5);
  EXPECT_EQ(b.beta, 1.0);

  const GemmProblem c = GemmProblem::parse("m3n5k7_tn_int8_beta-2");
  EXPECT_TRUE(c.trans_a);
  EXPECT_FALSE(c.trans_b);
  EXPECT_EQ(c.precision, Precision::int8);
  EXPECT_EQ(c.alpha, 1.0);
  EXPECT_EQ(c.beta, -2.0);
}

TEST(GemmProblemParse, RoundTripsToStringOverAGridOfProblems) {
  const std::vector<std::array<std::int64_t, 3>> dims = {{1, 1, 1}, {3, 5, 7}, {4096, 4096, 4096},
                                                        {8192, 57344, 28672}};
  const double alphas[] = {1.0, 0.5, 0.1, -2.5, 1e-05, 3.0, 1e20};
  const double betas[] = {0.0, 1.0, -0.5, 0.1, 1e-05, 2.5, -1e-300};
  int checked = 0;
  for (const auto& info : all_precisions())
    for (const auto& d : dims)
      for (int t = 0; t < 4; ++t)
        for (std::int64_t batch : {1, 7})
          for (double alpha : alphas)
            for (double beta : betas) {
              const GemmProblem p = make(d[0], d[1], d[2], info.precision, t & 1, t & 2, batch, alpha, beta);
              const std::string s = p.to_string();
              GemmProblem back;
              ASSERT_NO_THROW(back = GemmProblem::parse(s)) << s;
              ASSERT_EQ(back, p) << s << " parsed back as " << back.to_string();
              ASSERT_EQ(back.to_string(), s);

              // The shape-only name parses when the caller accepts a missing precision.
              const std::string shape = p.to_string(false);
              bool given = true;
              GemmProblem shape_back;
              ASSERT_NO_THROW(shape_back = GemmProblem::parse(shape, "problem", &given)) << shape;
              EXPECT_FALSE(given) << shape;
              shape_back.precision = p.precision;
              ASSERT_EQ(shape_back, p) << shape;
              ++checked;
            }
  EXPECT_EQ(checked, 7 * 4 * 4 * 2 * 7 * 7);
}

TEST(GemmProblemParse, PrecisionMayBeOmittedOnlyWhenTheCallerAsks) {
  // No out-parameter: the precision is required.
  const std::string msg = parse_error("m1n2k3_nn");
  EXPECT_TRUE(contains(msg, "problem: 'm1n2k3_nn': missing precision"));
  EXPECT_TRUE(contains(msg, precision_choices()));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_alpha2"), "missing precision"));

  // With it, the precision is optional and *precision_given says whether it was there.
  bool given = true;
  GemmProblem p = GemmProblem::parse("m1n2k3_nn", "problem", &given);
  EXPECT_FALSE(given);
  EXPECT_EQ(p.m, 1);
  EXPECT_EQ(p.n, 2);
  EXPECT_EQ(p.k, 3);

  given = true;
  p = GemmProblem::parse("m1n2k3_nt_alpha2_beta0.5", "problem", &given);
  EXPECT_FALSE(given);
  EXPECT_TRUE(p.trans_b);
  EXPECT_EQ(p.alpha, 2.0);
  EXPECT_EQ(p.beta, 0.5);

  given = false;
  p = GemmProblem::parse("m1n2k3_nn_bf16", "problem", &given);
  EXPECT_TRUE(given);
  EXPECT_EQ(p.precision, Precision::bf16);
}

TEST(GemmProblemParse, UnknownPrecisionListsTheValidChoices) {
  const std::string msg = parse_error("m1n2k3_nn_fp33", "--problem");
  EXPECT_TRUE(contains(msg, "--problem: "));
  EXPECT_TRUE(contains(msg, "unknown precision 'fp33'"));
  EXPECT_TRUE(contains(msg, "fp32, tf32, fp16, bf16, fp8e4m3, fp8e5m2, int8"));
  // Also when the precision is optional: a token in its place must still be a precision.
  bool given = false;
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp33", "problem", &given), "unknown precision 'fp33'"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_FP32"), "unknown precision 'FP32'"));
}

TEST(GemmProblemParse, RejectsBadTransposes) {
  for (const char* text : {"m1n2k3_nx_fp32", "m1n2k3_xn_fp32", "m1n2k3_n_fp32", "m1n2k3_ntt_fp32",
                           "m1n2k3_fp32", "m1n2k3", "m1n2k3__fp32", "m1n2k3_NT_fp32"}) {
    SCOPED_TRACE(text);
    const std::string msg = parse_error(text);
    EXPECT_TRUE(contains(msg, "expected transposes nn, nt, tn or tt"));
    EXPECT_TRUE(contains(msg, std::string("'") + text + "'"));  // quotes the offending text
  }
}

TEST(GemmProblemParse, RejectsZeroNegativeAndMissingDimensions) {
  EXPECT_TRUE(contains(parse_error("m0n2k3_nn_fp32"), "'m' needs a positive integer"));
  EXPECT_TRUE(contains(parse_error("m1n-2k3_nn_fp32"), "'n' needs a positive integer"));
  EXPECT_TRUE(contains(parse_error("m1n2k0_nn_fp32"), "'k' needs a positive integer"));
  EXPECT_TRUE(contains(parse_error("m1n2k3b0_nn_fp32"), "'b' needs a positive integer"));
  EXPECT_TRUE(contains(parse_error("m1n2k3b-4_nn_fp32"), "'b' needs a positive integer"));
  EXPECT_TRUE(contains(parse_error("mn2k3_nn_fp32"), "'m' needs a positive integer"));
  EXPECT_TRUE(contains(parse_error("m99999999999999999999n2k3_nn_fp32"), "'m' needs a positive integer"));
  EXPECT_TRUE(contains(parse_error("m1k3_nn_fp32"), "expected 'n<positive integer>'"));
  EXPECT_TRUE(contains(parse_error("n2k3m1_nn_fp32"), "expected 'm<positive integer>'"));
  EXPECT_TRUE(contains(parse_error("m1n2_nn_fp32"), "expected 'k<positive integer>'"));
  EXPECT_TRUE(contains(parse_error(""), "expected 'm<positive integer>'"));
  // The expected form is spelled out for the user.
  EXPECT_TRUE(contains(parse_error("x"), "m<M>n<N>k<K>[b<batch>]_<nn|nt|tn|tt>_<precision>"));
}

TEST(GemmProblemParse, RejectsTrailingGarbage) {
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_extra"), "unexpected 'extra'"));
  EXPECT_TRUE(contains(parse_error("m1n2k3x_nn_fp32"), "expected 'b<positive integer>'"));  // only a batch may follow
  EXPECT_TRUE(contains(parse_error("m1n2k3b2b3_nn_fp32"), "unexpected 'b3' after the sizes"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_"), "unexpected ''"));
  // alpha and beta come in that order, once each.
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_beta1_alpha2"), "unexpected 'alpha2'"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_alpha2_alpha3"), "unexpected 'alpha3'"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_bf16"), "unexpected 'bf16'"));
}

TEST(GemmProblemParse, RejectsMalformedScalars) {
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_alpha"), "'alpha': expected alpha<number>"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_alphax"), "expected alpha<number>"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_alpha1.5x"), "expected alpha<number>"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_betainf"), "expected beta<number>"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_betanan"), "expected beta<number>"));
  EXPECT_TRUE(contains(parse_error("m1n2k3_nn_fp32_beta1e999"), "expected beta<number>"));
}

TEST(GemmProblemParse, EveryErrorIsAnInputErrorPrefixedWithWhere) {
  for (const char* text : {"", "m1n2k3_nn", "m1n2k3_nn_fp33", "m1n2k3_nx_fp32", "m0n2k3_nn_fp32",
                           "m1n2k3_nn_fp32_zz", "m1n2k3_nn_fp32_alphaq"}) {
    SCOPED_TRACE(text);
    EXPECT_THROW(GemmProblem::parse(text, "shapes.csv:4"), InputError);
    EXPECT_EQ(parse_error(text, "shapes.csv:4").rfind("shapes.csv:4: ", 0), 0u) << parse_error(text, "shapes.csv:4");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// unsupported_reason()

TEST(GemmProblemSupport, Int8NeedsIntegerScalars) {
  const auto reason = make(8, 8, 8, Precision::int8, false, false, 1, 0.5, 0.0).unsupported_reason();
  ASSERT_TRUE(reason.has_value());
  EXPECT_TRUE(contains(*reason, "integers"));
  EXPECT_TRUE(contains(*reason, "int8"));
  EXPECT_TRUE(make(8, 8, 8, Precision::int8, false, false, 1, 1.0, 0.25).unsupported_reason().has_value());

  EXPECT_FALSE(make(8, 8, 8, Precision::int8, false, false, 1, 2.0, 0.0).unsupported_reason().has_value());
  EXPECT_FALSE(make(8, 8, 8, Precision::int8, false, false, 1, 2.0, -1.0).unsupported_reason().has_value());
  EXPECT_FALSE(make(8, 8, 8, Precision::int8).unsupported_reason().has_value());
}

TEST(GemmProblemSupport, FloatingPrecisionsTakeAnyScalars) {
  for (const auto& info : all_precisions()) {
    if (info.precision == Precision::int8) continue;
    SCOPED_TRACE(std::string(info.name));
    EXPECT_FALSE(make(8, 8, 8, info.precision, false, false, 1, 0.5, 0.0).unsupported_reason().has_value());
    EXPECT_FALSE(make(8, 8, 8, info.precision, false, false, 1, 0.1, -2.5).unsupported_reason().has_value());
  }
}

}  // namespace
}  // namespace dlbench

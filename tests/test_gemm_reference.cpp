// The GEMM reference and the check of a result against it: hand-computed products in every layout, batches and
// scaling, what check_gemm catches (wrong values, NaN, unwritten outputs) in its full and sampled modes, and the
// random fills every input uses.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

#include "common/host_buffer.hpp"
#include "common/precision.hpp"
#include "gemm/gemm_problem.hpp"
#include "gemm/gemm_reference.hpp"
#include "test_util.hpp"

namespace dlbench {
namespace {

HostBuffer buffer_of(DataType type, const std::vector<double>& values) {
  HostBuffer b(type, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) b.set(i, values[i]);
  return b;
}

GemmProblem problem(std::int64_t m, std::int64_t n, std::int64_t k, bool trans_a, bool trans_b,
                    Precision prec = Precision::fp32, std::int64_t batch = 1, double alpha = 1.0,
                    double beta = 0.0) {
  return test::gemm(m, n, k, prec, trans_a, trans_b, batch, alpha, beta);
}

// All of D for `batch`, row-major m×n, from gemm_reference_element.
std::vector<double> reference_matrix(const GemmProblem& p, const GemmOperands& in, std::int64_t batch) {
  std::vector<double> d;
  for (std::int64_t i = 0; i < p.m; ++i)
    for (std::int64_t j = 0; j < p.n; ++j) d.push_back(gemm_reference_element(p, in, batch, i, j));
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// gemm_reference_element on hand-computed products
//
// op(A) = | 1 2 3 |   op(B) = |  7  8 |   op(A)·op(B) = | 1·7+2·9+3·11  1·8+2·10+3·12 | = |  58  64 |
//         | 4 5 6 |           |  9 10 |                 | 4·7+5·9+6·11  4·8+5·10+6·12 |   | 139 154 |
//                             | 11 12 |
// Storage is row-major: A is m×k = 2×3, or k×m = 3×2 when transposed; B is k×n = 3×2, or n×k = 2×3 when
// transposed.

const std::vector<double> kA = {1, 2, 3, 4, 5, 6};     // op(A) stored as is
const std::vector<double> kAt = {1, 4, 2, 5, 3, 6};    // op(A)ᵀ stored: rows are the columns of op(A)
const std::vector<double> kB = {7, 8, 9, 10, 11, 12};  // op(B) stored as is
const std::vector<double> kBt = {7, 9, 11, 8, 10, 12};  // op(B)ᵀ stored
const std::vector<double> kProduct = {58, 64, 139, 154};

TEST(GemmReferenceElement, HandComputedProductInEveryLayout) {
  const HostBuffer c(DataType::f32, 4);
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    const GemmProblem p = problem(2, 2, 3, ta, tb);
    SCOPED_TRACE(p.to_string());
    const HostBuffer a = buffer_of(DataType::f32, ta ? kAt : kA);
    const HostBuffer b = buffer_of(DataType::f32, tb ? kBt : kB);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), kProduct);
  }
}

TEST(GemmReferenceElement, NonSquareProductsInEveryLayout) {
  // m, n and k all differ, so that a mix-up of them in the index arithmetic cannot cancel out.
  // m=2, n=1, k=3: op(B) = (1, 0, 2)ᵀ → D = (1·1+2·0+3·2, 4·1+5·0+6·2) = (7, 16). B stored 3×1 or 1×3
  // holds the same numbers in the same order.
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    const GemmProblem p = problem(2, 1, 3, ta, tb);
    const HostBuffer a = buffer_of(DataType::f32, ta ? kAt : kA);
    const HostBuffer b = buffer_of(DataType::f32, {1, 0, 2});
    const HostBuffer c(DataType::f32, 2);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), (std::vector<double>{7, 16})) << p.to_string();
  }
  // m=1, n=2, k=3: op(A) = (1, 2, 3) → D = (1·7+2·9+3·11, 1·8+2·10+3·12) = (58, 64).
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    const GemmProblem p = problem(1, 2, 3, ta, tb);
    const HostBuffer a = buffer_of(DataType::f32, {1, 2, 3});
    const HostBuffer b = buffer_of(DataType::f32, tb ? kBt : kB);
    const HostBuffer c(DataType::f32, 2);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), (std::vector<double>{58, 64})) << p.to_string();
  }
}

TEST(GemmReferenceElement, IntegerAndReducedTypesUseTheStoredValues) {
  // int8: same product, int32 output.
  {
    const GemmProblem p = problem(2, 2, 3, false, true, Precision::int8);
    const HostBuffer a = buffer_of(DataType::s8, kA), b = buffer_of(DataType::s8, kBt);
    const HostBuffer c(DataType::s32, 4);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), kProduct);
  }
  // fp8 e5m2 has 2 mantissa bits: 9 is stored as 8 and 11 as 12 (ties to even; 1..8, 10 and 12 are exact), so
  // the reference sees op(B) = | 7 8 |   and D = | 1·7+2·8+3·12  1·8+2·10+3·12 | = |  59  64 |
  //                            | 8 10 |          | 4·7+5·8+6·12  4·8+5·10+6·12 |   | 140 154 |
  //                            | 12 12 |
  {
    const GemmProblem p = problem(2, 2, 3, false, false, Precision::fp8e5m2);
    const HostBuffer a = buffer_of(DataType::f8_e5m2, kA), b = buffer_of(DataType::f8_e5m2, kB);
    ASSERT_EQ(b.get(2), 8.0);
    ASSERT_EQ(b.get(4), 12.0);
    const HostBuffer c(DataType::bf16, 4);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), (std::vector<double>{59, 64, 140, 154}));
  }
}

TEST(GemmReferenceElement, BatchesAreConsecutiveMatrices) {
  // Batch 1: op(A) = | -1 0 2 |  op(B) = | 1 2 |  → D = | -1+0+10  -2+0+12 | = | 9 10 |
  //                  |  1 1 1 |          | 3 4 |        |  1+3+5    2+4+6  |   | 9 12 |
  //                                      | 5 6 |
  {
    const GemmProblem p = problem(2, 2, 3, false, false, Precision::fp32, 2);
    const HostBuffer a = buffer_of(DataType::f32, {1, 2, 3, 4, 5, 6, /* batch 1 */ -1, 0, 2, 1, 1, 1});
    const HostBuffer b = buffer_of(DataType::f32, {7, 8, 9, 10, 11, 12, /* batch 1 */ 1, 2, 3, 4, 5, 6});
    const HostBuffer c(DataType::f32, 8);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), kProduct);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 1), (std::vector<double>{9, 10, 9, 12}));
  }
  // The same two products with both operands transposed.
  {
    const GemmProblem p = problem(2, 2, 3, true, true, Precision::fp32, 2);
    const HostBuffer a = buffer_of(DataType::f32, {1, 4, 2, 5, 3, 6, /* batch 1 */ -1, 1, 0, 1, 2, 1});
    const HostBuffer b = buffer_of(DataType::f32, {7, 9, 11, 8, 10, 12, /* batch 1 */ 1, 3, 5, 2, 4, 6});
    const HostBuffer c(DataType::f32, 8);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), kProduct);
    EXPECT_EQ(reference_matrix(p, {a, b, c}, 1), (std::vector<double>{9, 10, 9, 12}));
  }
}

TEST(GemmReferenceElement, AppliesAlphaAndBetaWithTheRightBatchOfC) {
  // alpha 0.5, beta 2, C = | 1 -1 | → D = 0.5·| 58  64 | + 2·C = | 29+2  32-2 | = | 31    30 |
  //                        | 0.5 3 |         | 139 154 |          | 69.5+1 77+6 |   | 70.5  83 |
  const GemmProblem p = problem(2, 2, 3, false, false, Precision::fp32, 2, 0.5, 2.0);
  const HostBuffer a = buffer_of(DataType::f32, {1, 2, 3, 4, 5, 6, /* batch 1 */ 1, 2, 3, 4, 5, 6});
  const HostBuffer b = buffer_of(DataType::f32, {7, 8, 9, 10, 11, 12, /* batch 1 */ 7, 8, 9, 10, 11, 12});
  const HostBuffer c = buffer_of(DataType::f32, {0, 0, 0, 0, /* batch 1 */ 1, -1, 0.5, 3});
  EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), (std::vector<double>{29, 32, 69.5, 77}));
  EXPECT_EQ(reference_matrix(p, {a, b, c}, 1), (std::vector<double>{31, 30, 70.5, 83}));
}

TEST(GemmReferenceElement, DoesNotReadCWhenBetaIsZero) {
  const GemmProblem p = problem(2, 2, 3, false, false);
  const HostBuffer a = buffer_of(DataType::f32, kA), b = buffer_of(DataType::f32, kB);
  HostBuffer c(DataType::f32, 4);
  fill_poison(c);  // NaN: would poison the result if read
  EXPECT_EQ(reference_matrix(p, {a, b, c}, 0), kProduct);
}

// ---------------------------------------------------------------------------------------------------------------
// check_gemm

// A problem with random inputs and D set to the reference, rounded to the output type as a kernel's would be.
struct Case {
  GemmProblem p;
  HostBuffer a, b, c, d;

  explicit Case(const GemmProblem& problem)
      : p(problem),
        a(p.types().input, static_cast<std::size_t>(p.a_elements())),
        b(p.types().input, static_cast<std::size_t>(p.b_elements())),
        c(p.types().output, static_cast<std::size_t>(p.c_elements())),
        d(p.types().output, static_cast<std::size_t>(p.c_elements())) {
    fill_random(a, 11);
    fill_random(b, 22);
    fill_random(c, 33);
    for (std::int64_t bt = 0; bt < p.batch; ++bt)
      for (std::int64_t i = 0; i < p.m; ++i)
        for (std::int64_t j = 0; j < p.n; ++j)
          d.set(static_cast<std::size_t>(bt * p.m * p.n + i * p.n + j), gemm_reference_element(p, ops(), bt, i, j));
  }
  GemmOperands ops() const { return {a, b, c}; }
  GemmCheck check(std::int64_t samples = 2048, double full_limit_macs = 1 << 24) const {
    return check_gemm(p, ops(), d, 99, samples, full_limit_macs);
  }
};

GemmProblem scaled_problem(Precision prec) {
  // int8 scalars must be integers.
  const bool integer = prec == Precision::int8;
  return problem(17, 9, 23, true, false, prec, 2, 2.0, integer ? -1.0 : -0.5);
}

TEST(CheckGemm, PassesTheCorrectOutputInEveryPrecision) {
  for (const auto& info : all_precisions()) {
    SCOPED_TRACE(std::string(info.name));
    const Case cs(scaled_problem(info.precision));
    const GemmCheck check = cs.check();
    EXPECT_TRUE(check.passed()) << "error " << check.error << " > tolerance " << check.tolerance;
    EXPECT_EQ(check.tolerance, info.tolerance);
    EXPECT_EQ(check.checked, cs.p.c_elements());
    EXPECT_TRUE(check.full);
    EXPECT_EQ(check.mode(), "full");
  }
}

TEST(CheckGemm, Int8ErrorIsExactlyZero) {
  const Case cs(scaled_problem(Precision::int8));
  const GemmCheck check = cs.check();
  EXPECT_EQ(check.error, 0.0);
  EXPECT_EQ(check.tolerance, 0.0);
  EXPECT_TRUE(check.passed());
}

TEST(CheckGemm, FlagsASingleWrongElement) {
  for (Precision prec : {Precision::fp32, Precision::bf16, Precision::fp16}) {
    Case cs(scaled_problem(prec));
    SCOPED_TRACE(cs.p.to_string());
    cs.d.set(5, cs.d.get(5) + 100.0);
    const GemmCheck check = cs.check();
    EXPECT_GT(check.error, check.tolerance);
    EXPECT_FALSE(check.passed());
  }
  // For int8 an element off by one already fails.
  Case cs(scaled_problem(Precision::int8));
  cs.d.set(7, cs.d.get(7) + 1.0);
  const GemmCheck check = cs.check();
  EXPECT_GT(check.error, 0.0);
  EXPECT_FALSE(check.passed());
}

TEST(CheckGemm, FlagsANaNOrInfiniteElement) {
  Case cs(scaled_problem(Precision::fp32));
  cs.d.set(3, std::numeric_limits<double>::quiet_NaN());
  GemmCheck check = cs.check();
  EXPECT_EQ(check.error, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(check.passed());

  Case inf(scaled_problem(Precision::fp32));
  inf.d.set(0, -std::numeric_limits<double>::infinity());
  check = inf.check();
  EXPECT_EQ(check.error, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(check.passed());

  // A NaN in a reduced-precision output is caught the same way.
  Case bf16(scaled_problem(Precision::bf16));
  bf16.d.set(bf16.d.count() - 1, std::numeric_limits<double>::quiet_NaN());
  check = bf16.check();
  EXPECT_EQ(check.error, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(check.passed());
}

TEST(CheckGemm, FlagsAnUnwrittenPoisonedOutput) {
  for (const auto& info : all_precisions()) {
    SCOPED_TRACE(std::string(info.name));
    Case cs(scaled_problem(info.precision));
    fill_poison(cs.d);
    const GemmCheck check = cs.check();
    EXPECT_FALSE(check.passed()) << "error " << check.error;
    if (info.precision != Precision::int8) {
      EXPECT_EQ(check.error, std::numeric_limits<double>::infinity());
    }
  }
}

TEST(CheckGemm, PoisonIsNaNForFloatsAndInt32MinForIntegers) {
  for (DataType t : {DataType::f64, DataType::f32, DataType::f16, DataType::bf16, DataType::f8_e4m3,
                     DataType::f8_e5m2}) {
    HostBuffer b(t, 5);
    fill_poison(b);
    for (std::size_t i = 0; i < b.count(); ++i) EXPECT_TRUE(std::isnan(b.get(i))) << to_string(t) << " " << i;
  }
  HostBuffer s32(DataType::s32, 5);
  fill_poison(s32);
  for (std::size_t i = 0; i < s32.count(); ++i) EXPECT_EQ(s32.get(i), -2147483648.0);
}

TEST(CheckGemm, SampledModeCatchesAnOutputThatIsWrongEverywhere) {
  for (const auto& info : all_precisions()) {
    SCOPED_TRACE(std::string(info.name));
    Case cs(scaled_problem(info.precision));

    const GemmCheck good = cs.check(200, 0);  // full_limit_macs = 0 forces sampling
    EXPECT_FALSE(good.full);
    EXPECT_EQ(good.mode(), "sampled");
    EXPECT_EQ(good.checked, 200);
    EXPECT_TRUE(good.passed()) << "error " << good.error;

    // Every element off by a large amount (+3 on values of magnitude ~a few units).
    for (std::size_t i = 0; i < cs.d.count(); ++i) cs.d.set(i, cs.d.get(i) + 3.0);
    const GemmCheck bad = cs.check(200, 0);
    EXPECT_EQ(bad.mode(), "sampled");
    EXPECT_GT(bad.error, bad.tolerance);
    EXPECT_FALSE(bad.passed());
  }
}

TEST(CheckGemm, SampledModeCatchesAnOutputFromTheWrongLayout) {
  // D computed for nn while the problem says tn: wrong nearly everywhere, caught by a handful of samples.
  Case right(problem(16, 16, 16, true, false, Precision::fp32));
  Case wrong(problem(16, 16, 16, false, false, Precision::fp32));
  const GemmCheck check = check_gemm(right.p, right.ops(), wrong.d, 5, 32, 0);
  EXPECT_FALSE(check.full);
  EXPECT_FALSE(check.passed()) << "error " << check.error;
}

TEST(CheckGemm, ChecksEverythingUpToTheFullLimit) {
  const Case cs(problem(4, 4, 4, false, true));  // 64 multiply-adds
  EXPECT_EQ(cs.check(10, 64).mode(), "full");
  EXPECT_EQ(cs.check(10, 64).checked, 16);
  EXPECT_EQ(cs.check(10, 63).mode(), "sampled");
  EXPECT_EQ(cs.check(10, 63).checked, 10);
  EXPECT_EQ(cs.check().mode(), "full");  // default limit 2^24 MACs
  // 300·300·200 = 1.8e7 > 2^24 ≈ 1.68e7 MACs: sampled by default. All-zero operands keep the test cheap (the
  // reference of the zero product is zero, which the zero output matches).
  const GemmProblem big = problem(300, 300, 200, false, false);
  const HostBuffer a(DataType::f32, 300 * 200), b(DataType::f32, 200 * 300), c(DataType::f32, 300 * 300);
  const HostBuffer d(DataType::f32, 300 * 300);
  const GemmCheck sampled = check_gemm(big, {a, b, c}, d, 1, 64);
  EXPECT_EQ(sampled.mode(), "sampled");
  EXPECT_EQ(sampled.checked, 64);
  EXPECT_TRUE(sampled.passed());
}

// ---------------------------------------------------------------------------------------------------------------
// fill_random

const DataType kFloatTypes[] = {DataType::f64, DataType::f32, DataType::f16, DataType::bf16, DataType::f8_e4m3,
                                DataType::f8_e5m2};

bool same_bytes(const HostBuffer& x, const HostBuffer& y) {
  return x.bytes() == y.bytes() && std::memcmp(x.data(), y.data(), x.bytes()) == 0;
}

TEST(FillRandom, FloatValuesLieInMinusOneToOneAndAreExactInTheType) {
  for (DataType t : kFloatTypes) {
    SCOPED_TRACE(std::string(to_string(t)));
    HostBuffer buf(t, 4096);
    EXPECT_EQ(buf.bytes(), 4096 * size_of(t));
    fill_random(buf, 1234);
    HostBuffer again(t, buf.count());
    std::set<double> distinct;
    int negative = 0, positive = 0;
    for (std::size_t i = 0; i < buf.count(); ++i) {
      const double v = buf.get(i);
      ASSERT_TRUE(std::isfinite(v)) << i;
      ASSERT_GE(v, -1.0) << i;
      ASSERT_LE(v, 1.0) << i;
      again.set(i, v);  // storing the decoded value must give back the same bits
      distinct.insert(v);
      negative += v < 0;
      positive += v > 0;
    }
    EXPECT_TRUE(same_bytes(buf, again)) << "a value is not exactly representable in its type";
    // Not a constant: fp8 e4m3 in [-1, 1] has ~110 values, e5m2 ~60, the wider types thousands here.
    EXPECT_GT(distinct.size(), 50u);
    EXPECT_GT(negative, 1500);
    EXPECT_GT(positive, 1500);
  }
}

TEST(FillRandom, IsReproducibleForASeedAndDiffersForAnother) {
  for (DataType t : {DataType::f64, DataType::f32, DataType::f16, DataType::bf16, DataType::f8_e4m3,
                     DataType::f8_e5m2, DataType::s8, DataType::s32}) {
    SCOPED_TRACE(std::string(to_string(t)));
    HostBuffer x(t, 1000), y(t, 1000), z(t, 1000);
    fill_random(x, 42);
    fill_random(y, 42);
    fill_random(z, 43);
    EXPECT_TRUE(same_bytes(x, y));
    EXPECT_FALSE(same_bytes(x, z));
  }
}

TEST(FillRandom, Int8CoversNegativeAndPositiveValuesOfTheWholeRange) {
  HostBuffer buf(DataType::s8, 4096);
  fill_random(buf, 7);
  double lo = 0, hi = 0;
  std::set<double> distinct;
  for (std::size_t i = 0; i < buf.count(); ++i) {
    const double v = buf.get(i);
    ASSERT_EQ(v, std::nearbyint(v));
    ASSERT_GE(v, -128.0);
    ASSERT_LE(v, 127.0);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    distinct.insert(v);
  }
  EXPECT_LE(lo, -120.0);
  EXPECT_GE(hi, 120.0);
  EXPECT_GT(distinct.size(), 200u);  // 4096 draws over 256 values
}

TEST(FillRandom, Int32ValuesAreIntegersOfBothSigns) {
  HostBuffer buf(DataType::s32, 4096);
  fill_random(buf, 7);
  int negative = 0, positive = 0;
  for (std::size_t i = 0; i < buf.count(); ++i) {
    const double v = buf.get(i);
    ASSERT_EQ(v, std::nearbyint(v));
    negative += v < 0;
    positive += v > 0;
  }
  EXPECT_GT(negative, 1000);
  EXPECT_GT(positive, 1000);
}

}  // namespace
}  // namespace dlbench

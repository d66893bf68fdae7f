// Element types: the encoders and decoders of the reduced-precision formats against known bit patterns, rounding
// to nearest even at every tie, exhaustive round trips, and the integer/float load and store paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "common/dtype.hpp"

namespace dlbench {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One reduced-precision format, seen through uint32_t so the exhaustive tests below can share their loops.
struct Format {
  const char* name;
  int bits;                  // 8 or 16
  std::uint32_t sign_bit;    // 0x80 or 0x8000
  std::uint32_t max_finite;  // bit pattern of the largest finite positive value
  std::uint32_t (*encode)(double);
  double (*decode)(std::uint32_t);
};

const Format kF16{"f16", 16, 0x8000, 0x7bff, [](double v) -> std::uint32_t { return encode_f16(v); },
                  [](std::uint32_t b) { return decode_f16(static_cast<std::uint16_t>(b)); }};
const Format kBf16{"bf16", 16, 0x8000, 0x7f7f, [](double v) -> std::uint32_t { return encode_bf16(v); },
                   [](std::uint32_t b) { return decode_bf16(static_cast<std::uint16_t>(b)); }};
const Format kE4m3{"f8_e4m3", 8, 0x80, 0x7e, [](double v) -> std::uint32_t { return encode_f8_e4m3(v); },
                   [](std::uint32_t b) { return decode_f8_e4m3(static_cast<std::uint8_t>(b)); }};
const Format kE5m2{"f8_e5m2", 8, 0x80, 0x7b, [](double v) -> std::uint32_t { return encode_f8_e5m2(v); },
                   [](std::uint32_t b) { return decode_f8_e5m2(static_cast<std::uint8_t>(b)); }};
const Format* const kFormats[] = {&kF16, &kBf16, &kE4m3, &kE5m2};

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// ---------------------------------------------------------------------------------------------------------------
// f16 (IEEE binary16: 1 sign, 5 exponent bits with bias 15, 10 mantissa bits)

TEST(DtypeF16, EncodesKnownValuesToTheirBitPatterns) {
  EXPECT_EQ(encode_f16(1.0), 0x3c00);
  EXPECT_EQ(encode_f16(-1.0), 0xbc00);
  EXPECT_EQ(encode_f16(2.0), 0x4000);
  EXPECT_EQ(encode_f16(-2.0), 0xc000);
  EXPECT_EQ(encode_f16(0.5), 0x3800);
  EXPECT_EQ(encode_f16(1.5), 0x3e00);
  EXPECT_EQ(encode_f16(65504.0), 0x7bff);             // largest finite
  EXPECT_EQ(encode_f16(std::ldexp(1.0, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(encode_f16(std::ldexp(1.0, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(encode_f16(std::ldexp(1023.0, -24)), 0x03ff);  // largest subnormal
  EXPECT_EQ(encode_f16(0.1), 0x2e66);
  EXPECT_EQ(encode_f16(1.0 / 3.0), 0x3555);
  EXPECT_EQ(encode_f16(0.0), 0x0000);
  EXPECT_EQ(encode_f16(-0.0), 0x8000);
}

TEST(DtypeF16, DecodesKnownBitPatterns) {
  EXPECT_EQ(decode_f16(0x3c00), 1.0);
  EXPECT_EQ(decode_f16(0xbc00), -1.0);
  EXPECT_EQ(decode_f16(0x7bff), 65504.0);
  EXPECT_EQ(decode_f16(0x0400), std::ldexp(1.0, -14));
  EXPECT_EQ(decode_f16(0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(decode_f16(0x03ff), std::ldexp(1023.0, -24));
  EXPECT_EQ(decode_f16(0x3555), 0.25 + 341.0 / 4096);  // exponent 2^-2, mantissa 0x155 = 341: (1 + 341/1024) / 4
  EXPECT_EQ(decode_f16(0x0000), 0.0);
  EXPECT_FALSE(std::signbit(decode_f16(0x0000)));
  EXPECT_EQ(decode_f16(0x8000), 0.0);
  EXPECT_TRUE(std::signbit(decode_f16(0x8000)));
  EXPECT_EQ(decode_f16(0x7c00), kInf);
  EXPECT_EQ(decode_f16(0xfc00), -kInf);
  EXPECT_TRUE(std::isnan(decode_f16(0x7e00)));
  EXPECT_TRUE(std::isnan(decode_f16(0x7c01)));
  EXPECT_TRUE(std::isnan(decode_f16(0xffff)));
}

TEST(DtypeF16, RoundsToNearestWithTiesToEven) {
  const double ulp1 = std::ldexp(1.0, -10);  // spacing of f16 values in [1, 2)
  // 1 + ulp/2 lies halfway between 1.0 (even mantissa 0) and 1 + ulp (odd): rounds down to 1.0.
  EXPECT_EQ(encode_f16(1.0 + std::ldexp(1.0, -11)), 0x3c00);
  // 1 + 3·ulp/2 lies halfway between 1 + ulp (odd) and 1 + 2·ulp (even): rounds up.
  EXPECT_EQ(encode_f16(1.0 + 3 * std::ldexp(1.0, -11)), 0x3c02);
  // Just off the tie, plain nearest.
  EXPECT_EQ(encode_f16(1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -30)), 0x3c01);
  EXPECT_EQ(encode_f16(1.0 + ulp1 * 0.49), 0x3c00);
  EXPECT_EQ(encode_f16(-(1.0 + std::ldexp(1.0, -11))), 0xbc00);
  EXPECT_EQ(encode_f16(-(1.0 + 3 * std::ldexp(1.0, -11))), 0xbc02);
  // 2 - 2^-11 is halfway between 0x3bff (odd) and 2.0: rounds up and carries into the exponent.
  EXPECT_EQ(encode_f16(2.0 - std::ldexp(1.0, -11)), 0x4000);
  // Subnormals: half the smallest subnormal ties to 0 (even), 1.5 of it ties up to 2 (even).
  EXPECT_EQ(encode_f16(std::ldexp(1.0, -25)), 0x0000);
  EXPECT_EQ(encode_f16(std::ldexp(3.0, -25)), 0x0002);
  EXPECT_EQ(encode_f16(std::ldexp(1.0, -26)), 0x0000);
  // 1023.5 · 2^-24 is halfway between the largest subnormal (odd) and the smallest normal: rounds up into it.
  EXPECT_EQ(encode_f16(std::ldexp(2047.0, -25)), 0x0400);
}

TEST(DtypeF16, OverflowsToInfinity) {
  EXPECT_EQ(encode_f16(65519.0), 0x7bff);  // below the halfway point to 2^16
  // 65520 is halfway between 65504 (odd mantissa 0x3ff) and 2^16: rounds to even, which is infinity.
  EXPECT_EQ(encode_f16(65520.0), 0x7c00);
  EXPECT_EQ(encode_f16(1e6), 0x7c00);
  EXPECT_EQ(encode_f16(-1e6), 0xfc00);
  EXPECT_EQ(encode_f16(1e300), 0x7c00);
  EXPECT_EQ(encode_f16(-std::numeric_limits<double>::max()), 0xfc00);
}

TEST(DtypeF16, TinyValuesUnderflowToSignedZero) {
  EXPECT_EQ(encode_f16(1e-30), 0x0000);
  EXPECT_EQ(encode_f16(-1e-30), 0x8000);
  EXPECT_EQ(encode_f16(std::numeric_limits<double>::denorm_min()), 0x0000);
}

TEST(DtypeF16, NaNEncodesToANaN) {
  EXPECT_TRUE(std::isnan(decode_f16(encode_f16(kNaN))));
  EXPECT_TRUE(std::isnan(decode_f16(encode_f16(-kNaN))));
}

// Infinities take the same path as finite overflow: infinity for f16/bf16, saturation for fp8.
TEST(DtypeInfinity, InfinitiesEncodeToInfinityOrSaturate) {
  EXPECT_EQ(encode_f16(kInf), 0x7c00);
  EXPECT_EQ(encode_f16(-kInf), 0xfc00);
  EXPECT_EQ(encode_bf16(kInf), 0x7f80);
  EXPECT_EQ(encode_bf16(-kInf), 0xff80);
  EXPECT_EQ(encode_f8_e4m3(kInf), 0x7e);
  EXPECT_EQ(encode_f8_e4m3(-kInf), 0xfe);
  EXPECT_EQ(encode_f8_e5m2(kInf), 0x7b);
  EXPECT_EQ(encode_f8_e5m2(-kInf), 0xfb);
}

// ---------------------------------------------------------------------------------------------------------------
// bf16 (1 sign, 8 exponent bits with bias 127, 7 mantissa bits: the top half of a float32)

TEST(DtypeBf16, EncodesAndDecodesKnownValues) {
  EXPECT_EQ(encode_bf16(1.0), 0x3f80);
  EXPECT_EQ(encode_bf16(-1.0), 0xbf80);
  EXPECT_EQ(encode_bf16(2.0), 0x4000);
  EXPECT_EQ(encode_bf16(0.5), 0x3f00);
  EXPECT_EQ(encode_bf16(3.0), 0x4040);
  EXPECT_EQ(encode_bf16(0.0), 0x0000);
  EXPECT_EQ(encode_bf16(-0.0), 0x8000);
  EXPECT_EQ(encode_bf16(std::ldexp(1.0, -126)), 0x0080);  // smallest normal
  EXPECT_EQ(encode_bf16(std::ldexp(1.0, -133)), 0x0001);  // smallest subnormal
  EXPECT_EQ(encode_bf16(std::ldexp(255.0, 120)), 0x7f7f);  // largest finite, (2 - 2^-7) · 2^127

  EXPECT_EQ(decode_bf16(0x3f80), 1.0);
  EXPECT_EQ(decode_bf16(0xc040), -3.0);
  EXPECT_EQ(decode_bf16(0x0001), std::ldexp(1.0, -133));
  EXPECT_EQ(decode_bf16(0x7f7f), std::ldexp(255.0, 120));
  EXPECT_TRUE(std::signbit(decode_bf16(0x8000)));
  EXPECT_EQ(decode_bf16(0x7f80), kInf);
  EXPECT_EQ(decode_bf16(0xff80), -kInf);
  EXPECT_TRUE(std::isnan(decode_bf16(0x7fc0)));
  EXPECT_TRUE(std::isnan(decode_bf16(0x7f81)));
  EXPECT_TRUE(std::isnan(decode_bf16(encode_bf16(kNaN))));
}

TEST(DtypeBf16, RoundsToNearestWithTiesToEven) {
  EXPECT_EQ(encode_bf16(1.0 + std::ldexp(1.0, -8)), 0x3f80);      // tie between 0x3f80 (even) and 0x3f81
  EXPECT_EQ(encode_bf16(1.0 + 3 * std::ldexp(1.0, -8)), 0x3f82);  // tie between 0x3f81 and 0x3f82 (even)
  EXPECT_EQ(encode_bf16(1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -20)), 0x3f81);
  EXPECT_EQ(encode_bf16(-(1.0 + std::ldexp(1.0, -8))), 0xbf80);
  // Halfway between the largest finite (odd mantissa) and 2^128 rounds to infinity; anything above overflows.
  EXPECT_EQ(encode_bf16(std::ldexp(511.0, 119)), 0x7f80);
  EXPECT_EQ(encode_bf16(1e39), 0x7f80);
  EXPECT_EQ(encode_bf16(-1e39), 0xff80);
}

// Independent oracle: bf16 is a float32 rounded to its top 16 bits, which for finite floats is the well-known
// (bits + 0x7fff + lsb) >> 16 trick. Every float is exact in double, so encode_bf16(float) must agree with it.
TEST(DtypeBf16, MatchesFloat32BitRoundingOnManyFloats) {
  std::uint32_t state = 12345;
  int mismatches = 0;
  for (int n = 0; n < 200000; ++n) {
    state = state * 1664525u + 1013904223u;  // LCG over all float bit patterns
    const std::uint32_t fbits = state;
    float f;
    std::memcpy(&f, &fbits, sizeof f);
    if (!std::isfinite(f)) continue;
    const std::uint32_t rounded = fbits + 0x7fffu + ((fbits >> 16) & 1u);
    const auto expected = static_cast<std::uint16_t>(rounded >> 16);
    // The trick overflows to infinity correctly (exponent field becomes all ones, mantissa zero).
    if (encode_bf16(static_cast<double>(f)) != expected && ++mismatches <= 5)
      ADD_FAILURE() << "float bits " << hex(fbits) << ": encode_bf16 = " << hex(encode_bf16(f)) << ", expected "
                    << hex(expected);
  }
  EXPECT_EQ(mismatches, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// fp8 (OCP 8-bit floating point: E4M3 with bias 7, no infinities, NaN S.1111.111; E5M2 with bias 15, IEEE-like)

TEST(DtypeF8E4m3, EncodesAndDecodesKnownValues) {
  EXPECT_EQ(encode_f8_e4m3(1.0), 0x38);
  EXPECT_EQ(encode_f8_e4m3(-1.0), 0xb8);
  EXPECT_EQ(encode_f8_e4m3(448.0), 0x7e);  // largest finite, 1.75 · 2^8
  EXPECT_EQ(encode_f8_e4m3(-448.0), 0xfe);
  EXPECT_EQ(encode_f8_e4m3(std::ldexp(1.0, -6)), 0x08);  // smallest normal
  EXPECT_EQ(encode_f8_e4m3(std::ldexp(1.0, -9)), 0x01);  // smallest subnormal
  EXPECT_EQ(encode_f8_e4m3(0.0), 0x00);
  EXPECT_EQ(encode_f8_e4m3(-0.0), 0x80);
  EXPECT_EQ(encode_f8_e4m3(kNaN), 0x7f);

  EXPECT_EQ(decode_f8_e4m3(0x38), 1.0);
  EXPECT_EQ(decode_f8_e4m3(0x7e), 448.0);
  EXPECT_EQ(decode_f8_e4m3(0xfe), -448.0);
  EXPECT_EQ(decode_f8_e4m3(0x78), 256.0);  // exponent 1111 with mantissa < 111 is still finite in E4M3
  EXPECT_EQ(decode_f8_e4m3(0x01), std::ldexp(1.0, -9));
  EXPECT_EQ(decode_f8_e4m3(0x07), std::ldexp(7.0, -9));
  EXPECT_TRUE(std::signbit(decode_f8_e4m3(0x80)));
  EXPECT_TRUE(std::isnan(decode_f8_e4m3(0x7f)));
  EXPECT_TRUE(std::isnan(decode_f8_e4m3(0xff)));
}

TEST(DtypeF8E4m3, SaturatesOutOfRangeValues) {
  EXPECT_EQ(encode_f8_e4m3(1000.0), 0x7e);
  EXPECT_EQ(encode_f8_e4m3(-1000.0), 0xfe);
  EXPECT_EQ(encode_f8_e4m3(464.0), 0x7e);  // tie between 448 (even mantissa 110) and 480 (which would be NaN)
  EXPECT_EQ(encode_f8_e4m3(470.0), 0x7e);  // nearest is 480 = NaN pattern: saturates instead
  EXPECT_EQ(encode_f8_e4m3(1e300), 0x7e);
}

TEST(DtypeF8E4m3, RoundsToNearestWithTiesToEven) {
  EXPECT_EQ(encode_f8_e4m3(1.0625), 0x38);  // 1 + 2^-4: tie between 1.0 and 1.125, rounds to even 1.0
  EXPECT_EQ(encode_f8_e4m3(1.1875), 0x3a);  // 1 + 3·2^-4: tie between 1.125 and 1.25, rounds to 1.25
  EXPECT_EQ(encode_f8_e4m3(1.07), 0x39);
  EXPECT_EQ(encode_f8_e4m3(std::ldexp(1.0, -10)), 0x00);  // half the smallest subnormal: ties to 0
  EXPECT_EQ(encode_f8_e4m3(std::ldexp(3.0, -10)), 0x02);
}

TEST(DtypeF8E5m2, EncodesAndDecodesKnownValues) {
  EXPECT_EQ(encode_f8_e5m2(1.0), 0x3c);
  EXPECT_EQ(encode_f8_e5m2(-1.0), 0xbc);
  EXPECT_EQ(encode_f8_e5m2(57344.0), 0x7b);  // largest finite, 1.75 · 2^15
  EXPECT_EQ(encode_f8_e5m2(std::ldexp(1.0, -14)), 0x04);  // smallest normal
  EXPECT_EQ(encode_f8_e5m2(std::ldexp(1.0, -16)), 0x01);  // smallest subnormal
  EXPECT_EQ(encode_f8_e5m2(-0.0), 0x80);
  EXPECT_TRUE(std::isnan(decode_f8_e5m2(encode_f8_e5m2(kNaN))));

  EXPECT_EQ(decode_f8_e5m2(0x3c), 1.0);
  EXPECT_EQ(decode_f8_e5m2(0x7b), 57344.0);
  EXPECT_EQ(decode_f8_e5m2(0x01), std::ldexp(1.0, -16));
  EXPECT_EQ(decode_f8_e5m2(0x7c), kInf);
  EXPECT_EQ(decode_f8_e5m2(0xfc), -kInf);
  EXPECT_TRUE(std::isnan(decode_f8_e5m2(0x7d)));
  EXPECT_TRUE(std::isnan(decode_f8_e5m2(0x7e)));
  EXPECT_TRUE(std::isnan(decode_f8_e5m2(0xff)));
}

TEST(DtypeF8E5m2, SaturatesOutOfRangeValuesAndRoundsTiesToEven) {
  EXPECT_EQ(encode_f8_e5m2(1e6), 0x7b);
  EXPECT_EQ(encode_f8_e5m2(-1e6), 0xfb);
  EXPECT_EQ(encode_f8_e5m2(61440.0), 0x7b);  // tie between 57344 and 65536 (= infinity): saturates
  EXPECT_EQ(encode_f8_e5m2(1.125), 0x3c);    // tie between 1.0 (even) and 1.25
  EXPECT_EQ(encode_f8_e5m2(1.375), 0x3e);    // tie between 1.25 and 1.5 (even)
  EXPECT_EQ(encode_f8_e5m2(9.0), 0x48);      // 9 is not representable: tie between 8 (even) and 10
}

// ---------------------------------------------------------------------------------------------------------------
// Exhaustive properties over every bit pattern of every format.

// decode then encode must give back the same bits for every finite pattern, ±0 included.
TEST(DtypeExhaustive, DecodeThenEncodeRoundTripsEveryFinitePattern) {
  for (const Format* f : kFormats) {
    SCOPED_TRACE(f->name);
    const std::uint32_t patterns = 1u << f->bits;
    std::uint32_t finite = 0;
    int mismatches = 0;
    for (std::uint32_t b = 0; b < patterns; ++b) {
      const double v = f->decode(b);
      if (!std::isfinite(v)) continue;
      ++finite;
      const std::uint32_t back = f->encode(v);
      if (back != b && ++mismatches <= 5)
        ADD_FAILURE() << f->name << " " << hex(b) << " decodes to " << v << " which encodes to " << hex(back);
    }
    EXPECT_EQ(mismatches, 0);
    // Finite pattern counts: f16 loses 2·1024 to Inf/NaN, bf16 2·128, E4M3 only its 2 NaNs, E5M2 2·4.
    const std::uint32_t expected_finite =
        f == &kF16 ? 65536 - 2048 : f == &kBf16 ? 65536 - 256 : f == &kE4m3 ? 254 : 248;
    EXPECT_EQ(finite, expected_finite);
  }
}

// Positive finite patterns in increasing order decode to strictly increasing values, and negatives mirror them.
TEST(DtypeExhaustive, DecodeIsMonotonicAndSymmetric) {
  for (const Format* f : kFormats) {
    SCOPED_TRACE(f->name);
    double previous = -1;
    for (std::uint32_t b = 0; b <= f->max_finite; ++b) {
      const double v = f->decode(b);
      ASSERT_TRUE(std::isfinite(v)) << hex(b);
      ASSERT_GT(v, previous) << hex(b);
      ASSERT_EQ(f->decode(b | f->sign_bit), -v) << hex(b);
      previous = v;
    }
    EXPECT_FALSE(std::isfinite(f->decode(f->max_finite + 1)));  // next pattern is Inf or NaN in every format
  }
}

// For every pair of neighbouring finite values, the midpoint (exact in double) rounds to the one with the even
// mantissa, and anything just below or above it rounds to the nearer neighbour. Covers subnormals, the
// subnormal/normal boundary and every exponent carry.
TEST(DtypeExhaustive, EveryMidpointRoundsToEvenAndNeighboursRoundToNearest) {
  for (const Format* f : kFormats) {
    SCOPED_TRACE(f->name);
    int mismatches = 0;
    auto check = [&](double v, std::uint32_t expected) {
      const std::uint32_t got = f->encode(v);
      if (got != expected && ++mismatches <= 5)
        ADD_FAILURE() << f->name << ": encode(" << v << ") = " << hex(got) << ", expected " << hex(expected);
      const std::uint32_t got_neg = f->encode(-v);
      if (got_neg != (expected | f->sign_bit) && ++mismatches <= 5)
        ADD_FAILURE() << f->name << ": encode(" << -v << ") = " << hex(got_neg) << ", expected "
                      << hex(expected | f->sign_bit);
    };
    for (std::uint32_t b = 0; b < f->max_finite; ++b) {
      const double lo = f->decode(b), hi = f->decode(b + 1);
      const double mid = (lo + hi) / 2;
      check(mid, (b & 1u) ? b + 1 : b);
      check(std::nextafter(mid, 0.0), b);
      check(std::nextafter(mid, kInf), b + 1);
      check(lo, b);
    }
    EXPECT_EQ(mismatches, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// load / store, size_of, max_finite

TEST(DtypeLoadStore, Int8RoundsToNearestEvenAndSaturates) {
  std::int8_t raw[12] = {};
  const double in[12] = {0.0, 1.4, 1.5, 2.5, -1.5, -2.5, -0.6, 127.0, 127.6, 1000.0, -128.0, -1000.0};
  const std::int8_t expected[12] = {0, 1, 2, 2, -2, -2, -1, 127, 127, 127, -128, -128};
  for (int i = 0; i < 12; ++i) store(DataType::s8, raw, i, in[i]);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(raw[i], expected[i]) << "store(s8, " << in[i] << ")";
    EXPECT_EQ(load(DataType::s8, raw, i), static_cast<double>(expected[i]));
  }
}

TEST(DtypeLoadStore, Int32RoundsToNearestEvenAndSaturates) {
  std::int32_t raw[9] = {};
  const double in[9] = {0.0, 7.5, 8.5, -7.5, 123456789.0, 2147483647.0, 3e9, -2147483648.0, -3e9};
  const std::int32_t expected[9] = {0, 8, 8, -8, 123456789, 2147483647, 2147483647, INT32_MIN, INT32_MIN};
  for (int i = 0; i < 9; ++i) store(DataType::s32, raw, i, in[i]);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(raw[i], expected[i]) << "store(s32, " << in[i] << ")";
    EXPECT_EQ(load(DataType::s32, raw, i), static_cast<double>(expected[i]));
  }
}

TEST(DtypeLoadStore, FloatTypesStoreTheirEncodingAtTheRightOffset) {
  double f64[3] = {};
  store(DataType::f64, f64, 2, 0.1);
  EXPECT_EQ(f64[2], 0.1);
  EXPECT_EQ(f64[0], 0.0);
  EXPECT_EQ(load(DataType::f64, f64, 2), 0.1);

  float f32[3] = {};
  store(DataType::f32, f32, 1, 0.1);
  EXPECT_EQ(f32[1], 0.1f);
  EXPECT_EQ(load(DataType::f32, f32, 1), static_cast<double>(0.1f));

  std::uint16_t h[3] = {};
  store(DataType::f16, h, 1, 1.0);
  store(DataType::bf16, h, 2, 1.0);
  EXPECT_EQ(h[0], 0);
  EXPECT_EQ(h[1], 0x3c00);
  EXPECT_EQ(h[2], 0x3f80);
  EXPECT_EQ(load(DataType::f16, h, 1), 1.0);
  EXPECT_EQ(load(DataType::bf16, h, 2), 1.0);

  std::uint8_t q[3] = {};
  store(DataType::f8_e4m3, q, 1, 448.0);
  store(DataType::f8_e5m2, q, 2, -57344.0);
  EXPECT_EQ(q[0], 0);
  EXPECT_EQ(q[1], 0x7e);
  EXPECT_EQ(q[2], 0xfb);
  EXPECT_EQ(load(DataType::f8_e4m3, q, 1), 448.0);
  EXPECT_EQ(load(DataType::f8_e5m2, q, 2), -57344.0);
}

TEST(DtypeInfo, SizeOfEveryType) {
  EXPECT_EQ(size_of(DataType::f64), 8u);
  EXPECT_EQ(size_of(DataType::f32), 4u);
  EXPECT_EQ(size_of(DataType::f16), 2u);
  EXPECT_EQ(size_of(DataType::bf16), 2u);
  EXPECT_EQ(size_of(DataType::f8_e4m3), 1u);
  EXPECT_EQ(size_of(DataType::f8_e5m2), 1u);
  EXPECT_EQ(size_of(DataType::s8), 1u);
  EXPECT_EQ(size_of(DataType::s32), 4u);
}

TEST(DtypeInfo, MaxFiniteOfEveryTypeIsItsLargestValue) {
  EXPECT_EQ(max_finite(DataType::f64), std::numeric_limits<double>::max());
  EXPECT_EQ(max_finite(DataType::f32), static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_EQ(max_finite(DataType::f16), 65504.0);
  EXPECT_EQ(max_finite(DataType::bf16), std::ldexp(255.0, 120));  // 3.3895313892515355e38
  EXPECT_EQ(max_finite(DataType::f8_e4m3), 448.0);
  EXPECT_EQ(max_finite(DataType::f8_e5m2), 57344.0);
  EXPECT_EQ(max_finite(DataType::s8), 127.0);
  EXPECT_EQ(max_finite(DataType::s32), 2147483647.0);
  // Each reduced type's max_finite is the value of its largest finite pattern.
  EXPECT_EQ(decode_f16(encode_f16(max_finite(DataType::f16))), max_finite(DataType::f16));
  EXPECT_EQ(encode_bf16(max_finite(DataType::bf16)), 0x7f7f);
  EXPECT_EQ(encode_f8_e4m3(max_finite(DataType::f8_e4m3)), 0x7e);
  EXPECT_EQ(encode_f8_e5m2(max_finite(DataType::f8_e5m2)), 0x7b);
}

TEST(DtypeInfo, NamesAndIntegerness) {
  EXPECT_EQ(to_string(DataType::f64), "f64");
  EXPECT_EQ(to_string(DataType::bf16), "bf16");
  EXPECT_EQ(to_string(DataType::f8_e4m3), "f8_e4m3");
  EXPECT_EQ(to_string(DataType::s32), "s32");
  EXPECT_TRUE(is_integer(DataType::s8));
  EXPECT_TRUE(is_integer(DataType::s32));
  for (DataType t : {DataType::f64, DataType::f32, DataType::f16, DataType::bf16, DataType::f8_e4m3,
                     DataType::f8_e5m2})
    EXPECT_FALSE(is_integer(t)) << to_string(t);
}

}  // namespace
}  // namespace dlbench

// Element encoders and the random-input generator, written once for the CPU and the GPU.
//
// A device backend generates its inputs on the device with these functions and the CPU reference reads the same
// values from fill_random(): the two agree bit for bit by construction, not by testing two implementations against
// each other. Everything here is plain arithmetic on integers and doubles whose results IEEE-754 fixes exactly
// (frexp, ldexp, nearbyint, integer mixing), so host and device compilers cannot differ.
//
// This header is included by .cu files, so it uses only what both compilers provide: memcpy and, for integer
// rounding, nearbyint from <math.h> (a name CUDA device code has too).
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/dtype.hpp"

#if defined(__CUDACC__)
#define DLBENCH_HOST_DEVICE __host__ __device__
#else
#define DLBENCH_HOST_DEVICE
#endif

namespace dlbench::codec {

DLBENCH_HOST_DEVICE inline bool is_nan(double v) { return v != v; }
DLBENCH_HOST_DEVICE inline bool is_inf(double v) { return v == v && v - v != 0; }
// The sign bit, -0.0 included. From the bits, not by comparison: random signs would mispredict a branch per element.
DLBENCH_HOST_DEVICE inline bool is_negative(double v) {
  uint64_t bits;
  memcpy(&bits, &v, 8);
  return (bits >> 63) != 0;
}
DLBENCH_HOST_DEVICE inline double magnitude(double v) {
  uint64_t bits;
  memcpy(&bits, &v, 8);
  bits &= ~(1ull << 63);
  memcpy(&v, &bits, 8);
  return v;
}

DLBENCH_HOST_DEVICE inline uint32_t bytes_of(DataType t) {
  switch (t) {
    case DataType::f64: return 8;
    case DataType::f32:
    case DataType::s32: return 4;
    case DataType::f16:
    case DataType::bf16: return 2;
    case DataType::f8_e4m3:
    case DataType::f8_e5m2:
    case DataType::s8: return 1;
  }
  return 0;
}

// Sign-less encoding of a positive finite or infinite `a` into a binary format with `mbits` mantissa bits and
// exponent bias `bias`: exponent|mantissa in the low bits, rounded to nearest, ties to even, into subnormals too.
// Integer operations on the double's bits only: exact, the same on every compiler, and fast enough to generate
// gigabytes of inputs (no libm calls). Infinity returns all ones, above every format's largest finite pattern, so
// each encoder's own overflow rule applies to it.
DLBENCH_HOST_DEVICE inline uint32_t encode_magnitude(double a, int mbits, int bias) {
  if (is_inf(a)) return 0xffffffffu;
  uint64_t bits;
  memcpy(&bits, &a, 8);
  const int exp = static_cast<int>(bits >> 52) & 0x7ff;
  if (exp == 0) return 0;  // a double subnormal (< 2^-1022) is below half of any target's smallest subnormal
  const uint64_t significand = (bits & ((1ull << 52) - 1)) | (1ull << 52);  // a = significand · 2^(exp-1075)
  const int target_exp = exp - 1023 + bias;
  int shift = 52 - mbits;  // significand bits the target format drops
  const bool normal = target_exp >= 1;
  if (!normal) shift += 1 - target_exp;  // subnormal: the significand moves right by the exponent's shortfall
  if (shift >= 64) return 0;
  uint64_t q = significand >> shift;
  const uint64_t rest = significand & ((1ull << shift) - 1);
  const uint64_t half = 1ull << (shift - 1);
  q += static_cast<uint64_t>((rest > half) | ((rest == half) & (q & 1)));  // branch-free: the bits are random
  // A normal q carries the implicit leading bit: dropping it is subtracting 2^mbits, folded into the exponent term.
  // A q that rounded up to the next power of two carries into the exponent through the addition.
  return normal ? ((static_cast<uint32_t>(target_exp) - 1) << mbits) + static_cast<uint32_t>(q)
                : static_cast<uint32_t>(q);
}

// A narrow float format: `nan` is its quiet NaN, the sign bit sits at `sign_shift`, and a magnitude that encodes
// above `cap` becomes `cap`: infinity for f16/bf16 (cap = the infinity pattern), the largest finite value for
// fp8 (the OCP "satfinite" conversion; E4M3 has no infinity, E5M2's is not produced).
DLBENCH_HOST_DEVICE inline uint32_t encode_narrow(double v, int mbits, int bias, int sign_shift, uint32_t nan,
                                                  uint32_t cap) {
  if (is_nan(v)) return nan;
  const uint32_t sign = static_cast<uint32_t>(is_negative(v)) << sign_shift;
  const double a = magnitude(v);
  if (a == 0) return sign;
  const uint32_t bits = encode_magnitude(a, mbits, bias);
  return sign | (bits < cap ? bits : cap);
}

DLBENCH_HOST_DEVICE inline uint16_t encode_f16(double v) {
  return static_cast<uint16_t>(encode_narrow(v, 10, 15, 15, 0x7e00, 0x7c00));
}
DLBENCH_HOST_DEVICE inline uint16_t encode_bf16(double v) {
  return static_cast<uint16_t>(encode_narrow(v, 7, 127, 15, 0x7fc0, 0x7f80));
}
// E4M3: NaN is S.1111.111, largest finite 448 = S.1111.110.
DLBENCH_HOST_DEVICE inline uint8_t encode_f8_e4m3(double v) {
  return static_cast<uint8_t>(encode_narrow(v, 3, 7, 7, 0x7f, 0x7e));
}
// E5M2: largest finite 57344 = S.11110.11.
DLBENCH_HOST_DEVICE inline uint8_t encode_f8_e5m2(double v) {
  return static_cast<uint8_t>(encode_narrow(v, 2, 15, 7, 0x7e, 0x7b));
}

// Integers round to nearest (ties to even) and saturate; NaN has no integer value and becomes 0.
DLBENCH_HOST_DEVICE inline int64_t to_integer(double v, double lo, double hi) {
  if (is_nan(v)) return 0;
  const double r = nearbyint(v);
  return static_cast<int64_t>(r < lo ? lo : (r > hi ? hi : r));
}

// The bit pattern of `v` stored as type t, in the low bytes_of(t) bytes.
DLBENCH_HOST_DEVICE inline uint64_t encode(DataType t, double v) {
  switch (t) {
    case DataType::f64: {
      uint64_t bits;
      memcpy(&bits, &v, 8);
      return bits;
    }
    case DataType::f32: {
      const float f = static_cast<float>(v);  // round to nearest even on both host and device
      uint32_t bits;
      memcpy(&bits, &f, 4);
      return bits;
    }
    case DataType::f16: return encode_f16(v);
    case DataType::bf16: return encode_bf16(v);
    case DataType::f8_e4m3: return encode_f8_e4m3(v);
    case DataType::f8_e5m2: return encode_f8_e5m2(v);
    case DataType::s8: return static_cast<uint8_t>(static_cast<int8_t>(to_integer(v, -128.0, 127.0)));
    case DataType::s32:
      return static_cast<uint32_t>(static_cast<int32_t>(to_integer(v, -2147483648.0, 2147483647.0)));
  }
  return 0;
}

// SplitMix64 at position `index` of the stream seeded with `seed`: the (index+1)-th output of the sequential
// generator, computed directly so that every GPU thread can produce its own element.
DLBENCH_HOST_DEVICE inline uint64_t splitmix64_at(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Element `index` of a random input of type t, as stored bits. Floating types: uniform in [-1, 1) rounded to the
// type. Integer types span a wide range (all of int8; ±1024 for int32 accumulators), because saturation and
// sign-handling bugs only show on large magnitudes. Never constant: constants run faster on some hardware and
// hide indexing bugs.
DLBENCH_HOST_DEVICE inline uint64_t random_element(DataType t, uint64_t seed, uint64_t index) {
  const uint64_t r = splitmix64_at(seed, index);
  if (t == DataType::s8) return encode(t, -128.0 + static_cast<double>(r % 256));
  if (t == DataType::s32) return encode(t, -1024.0 + static_cast<double>(r % 2049));
  const double uniform = static_cast<double>(r >> 11) * 0x1.0p-53;  // [0, 1)
  return encode(t, uniform * 2.0 - 1.0);
}

// The value no correct kernel writes (the type's quiet NaN; the most negative integer), to poison outputs before a
// run so that an element the kernel never writes cannot pass verification.
DLBENCH_HOST_DEVICE inline uint64_t poison_element(DataType t) {
  switch (t) {
    case DataType::f64: return 0x7ff8000000000000ull;
    case DataType::f32: return 0x7fc00000u;
    case DataType::f16: return 0x7e00;
    case DataType::bf16: return 0x7fc0;
    case DataType::f8_e4m3: return 0x7f;
    case DataType::f8_e5m2: return 0x7e;
    case DataType::s8: return 0x80;
    case DataType::s32: return 0x80000000u;
  }
  return 0;
}

}  // namespace dlbench::codec

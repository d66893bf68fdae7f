#include "common/dtype.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace dlbench {

std::string_view to_string(DataType t) {
  switch (t) {
    case DataType::f64: return "f64";
    case DataType::f32: return "f32";
    case DataType::f16: return "f16";
    case DataType::bf16: return "bf16";
    case DataType::f8_e4m3: return "f8_e4m3";
    case DataType::f8_e5m2: return "f8_e5m2";
    case DataType::s8: return "s8";
    case DataType::s32: return "s32";
  }
  return "?";
}

std::size_t size_of(DataType t) {
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

bool is_integer(DataType t) { return t == DataType::s8 || t == DataType::s32; }

double max_finite(DataType t) {
  switch (t) {
    case DataType::f64: return std::numeric_limits<double>::max();
    case DataType::f32: return std::numeric_limits<float>::max();
    case DataType::f16: return 65504.0;
    case DataType::bf16: return decode_bf16(0x7f7f);
    case DataType::f8_e4m3: return 448.0;
    case DataType::f8_e5m2: return 57344.0;
    case DataType::s8: return 127.0;
    case DataType::s32: return 2147483647.0;
  }
  return 0;
}

namespace {

// Generic IEEE-style encoder for a binary format with `mbits` mantissa bits and exponent bias `bias`, used for the
// narrow formats whose hardware conversions are not portable. Returns sign|exp|mantissa in the low bits; the caller
// handles the format's special values. Rounding is to nearest, ties to even, including into subnormals.
std::uint32_t encode_magnitude(double a, int mbits, int bias) {
  // Infinity goes the way of any overflow: above every format's largest finite pattern, so each encoder's own
  // overflow rule (infinity or saturation) applies to it too.
  if (std::isinf(a)) return 0xffffffffu;
  int e = 0;
  const double frac = std::frexp(a, &e);  // a = frac * 2^e, frac in [0.5, 1)
  int exp_field = e - 1 + bias;           // biased exponent for 1.m form
  double scaled;
  if (exp_field >= 1) {
    scaled = std::ldexp(frac * 2.0 - 1.0, mbits);  // mantissa bits of a normal number
  } else {
    scaled = std::ldexp(a, mbits + bias - 1);  // subnormal: a / 2^(1-bias) * 2^mbits
    exp_field = 0;
  }
  double mant = std::nearbyint(scaled);  // default rounding mode is nearest-even
  std::uint32_t bits = (static_cast<std::uint32_t>(exp_field) << mbits) + static_cast<std::uint32_t>(mant);
  // A mantissa that rounded up to 2^mbits carries into the exponent, which the addition above already did.
  return bits;
}

}  // namespace

std::uint16_t encode_f16(double v) {
  if (std::isnan(v)) return 0x7e00;
  const std::uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  const double a = std::fabs(v);
  if (a == 0) return sign;
  const std::uint32_t bits = encode_magnitude(a, 10, 15);
  if (bits >= 0x7c00) return sign | 0x7c00;  // overflow to infinity
  return static_cast<std::uint16_t>(sign | bits);
}

std::uint16_t encode_bf16(double v) {
  if (std::isnan(v)) return 0x7fc0;
  const std::uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  const double a = std::fabs(v);
  if (a == 0) return sign;
  const std::uint32_t bits = encode_magnitude(a, 7, 127);
  if (bits >= 0x7f80) return sign | 0x7f80;
  return static_cast<std::uint16_t>(sign | bits);
}

std::uint8_t encode_f8_e4m3(double v) {
  // E4M3 (OCP): no infinities, NaN is S.1111.111, largest finite 448 = S.1111.110.
  if (std::isnan(v)) return 0x7f;
  const std::uint8_t sign = std::signbit(v) ? 0x80 : 0;
  const double a = std::fabs(v);
  if (a == 0) return sign;
  std::uint32_t bits = encode_magnitude(a, 3, 7);
  if (bits > 0x7e) bits = 0x7e;  // saturate
  return static_cast<std::uint8_t>(sign | bits);
}

std::uint8_t encode_f8_e5m2(double v) {
  if (std::isnan(v)) return 0x7e;
  const std::uint8_t sign = std::signbit(v) ? 0x80 : 0;
  const double a = std::fabs(v);
  if (a == 0) return sign;
  std::uint32_t bits = encode_magnitude(a, 2, 15);
  if (bits > 0x7b) bits = 0x7b;  // saturate to 57344
  return static_cast<std::uint8_t>(sign | bits);
}

namespace {

double decode_bits(std::uint32_t bits, int ebits, int mbits, int bias) {
  const std::uint32_t mant = bits & ((1u << mbits) - 1);
  const std::uint32_t exp = (bits >> mbits) & ((1u << ebits) - 1);
  const bool neg = (bits >> (ebits + mbits)) & 1u;
  double mag;
  if (exp == 0) {
    mag = std::ldexp(static_cast<double>(mant), 1 - bias - mbits);
  } else {
    mag = std::ldexp(1.0 + std::ldexp(static_cast<double>(mant), -mbits), static_cast<int>(exp) - bias);
  }
  return neg ? -mag : mag;
}

}  // namespace

double decode_f16(std::uint16_t bits) {
  if ((bits & 0x7c00) == 0x7c00) {
    if (bits & 0x03ff) return std::numeric_limits<double>::quiet_NaN();
    return (bits & 0x8000) ? -HUGE_VAL : HUGE_VAL;
  }
  return decode_bits(bits, 5, 10, 15);
}

double decode_bf16(std::uint16_t bits) {
  const std::uint32_t f = static_cast<std::uint32_t>(bits) << 16;
  return static_cast<double>(std::bit_cast<float>(f));
}

double decode_f8_e4m3(std::uint8_t bits) {
  if ((bits & 0x7f) == 0x7f) return std::numeric_limits<double>::quiet_NaN();
  return decode_bits(bits, 4, 3, 7);
}

double decode_f8_e5m2(std::uint8_t bits) {
  if ((bits & 0x7c) == 0x7c) {
    if (bits & 0x03) return std::numeric_limits<double>::quiet_NaN();
    return (bits & 0x80) ? -HUGE_VAL : HUGE_VAL;
  }
  return decode_bits(bits, 5, 2, 15);
}

double load(DataType t, const void* data, std::size_t i) {
  switch (t) {
    case DataType::f64: return static_cast<const double*>(data)[i];
    case DataType::f32: return static_cast<const float*>(data)[i];
    case DataType::f16: return decode_f16(static_cast<const std::uint16_t*>(data)[i]);
    case DataType::bf16: return decode_bf16(static_cast<const std::uint16_t*>(data)[i]);
    case DataType::f8_e4m3: return decode_f8_e4m3(static_cast<const std::uint8_t*>(data)[i]);
    case DataType::f8_e5m2: return decode_f8_e5m2(static_cast<const std::uint8_t*>(data)[i]);
    case DataType::s8: return static_cast<const std::int8_t*>(data)[i];
    case DataType::s32: return static_cast<const std::int32_t*>(data)[i];
  }
  throw std::logic_error("load: unknown data type");
}

void store(DataType t, void* data, std::size_t i, double v) {
  switch (t) {
    case DataType::f64: static_cast<double*>(data)[i] = v; return;
    case DataType::f32: static_cast<float*>(data)[i] = static_cast<float>(v); return;
    case DataType::f16: static_cast<std::uint16_t*>(data)[i] = encode_f16(v); return;
    case DataType::bf16: static_cast<std::uint16_t*>(data)[i] = encode_bf16(v); return;
    case DataType::f8_e4m3: static_cast<std::uint8_t*>(data)[i] = encode_f8_e4m3(v); return;
    case DataType::f8_e5m2: static_cast<std::uint8_t*>(data)[i] = encode_f8_e5m2(v); return;
    case DataType::s8:
      if (std::isnan(v)) v = 0;  // a NaN has no integer value; converting one is undefined behaviour
      static_cast<std::int8_t*>(data)[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(v), -128.0, 127.0));
      return;
    case DataType::s32:
      if (std::isnan(v)) v = 0;
      static_cast<std::int32_t*>(data)[i] =
          static_cast<std::int32_t>(std::clamp(std::nearbyint(v), -2147483648.0, 2147483647.0));
      return;
  }
  throw std::logic_error("store: unknown data type");
}

}  // namespace dlbench

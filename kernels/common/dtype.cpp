#include "common/dtype.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "common/element_codec.hpp"

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

std::size_t size_of(DataType t) { return codec::bytes_of(t); }

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

// The encoders live in element_codec.hpp, shared with device code that generates inputs on a GPU.
std::uint16_t encode_f16(double v) { return codec::encode_f16(v); }
std::uint16_t encode_bf16(double v) { return codec::encode_bf16(v); }
std::uint8_t encode_f8_e4m3(double v) { return codec::encode_f8_e4m3(v); }
std::uint8_t encode_f8_e5m2(double v) { return codec::encode_f8_e5m2(v); }

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

void store(DataType t, void* data, std::size_t i, double v) { store_bits(t, data, i, codec::encode(t, v)); }

void store_bits(DataType t, void* data, std::size_t i, std::uint64_t bits) {
  const std::size_t size = size_of(t);
  std::memcpy(static_cast<unsigned char*>(data) + i * size, &bits, size);  // low bytes first: x86-64 and Arm64
}

}  // namespace dlbench

// Element types that kernels read and write, and exact host-side conversions to and from double.
//
// Reduced-precision types are stored as their raw bit patterns so that a buffer filled here can be handed to any
// library unchanged; decoding goes through double so that references see exactly the values the device saw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dlbench {

enum class DataType { f64, f32, f16, bf16, f8_e4m3, f8_e5m2, s8, s32 };

std::string_view to_string(DataType t);
std::size_t size_of(DataType t);
bool is_integer(DataType t);

// Largest finite magnitude of the type; random inputs and integer accumulators are sized against it.
double max_finite(DataType t);

// Round-to-nearest-even encoders. Out-of-range values and infinities saturate for fp8 (as the OCP FP8 spec's
// "satfinite" mode does) and become infinity for f16/bf16, as a library's conversion would.
std::uint16_t encode_f16(double v);
std::uint16_t encode_bf16(double v);
std::uint8_t encode_f8_e4m3(double v);
std::uint8_t encode_f8_e5m2(double v);

double decode_f16(std::uint16_t bits);
double decode_bf16(std::uint16_t bits);
double decode_f8_e4m3(std::uint8_t bits);
double decode_f8_e5m2(std::uint8_t bits);

// Reads or writes element i of a raw buffer of type t. Integers are rounded to nearest and saturated on store
// (NaN stores as 0).
double load(DataType t, const void* data, std::size_t i);
void store(DataType t, void* data, std::size_t i, double v);
// Writes the low size_of(t) bytes of `bits` (an encoded element) as element i.
void store_bits(DataType t, void* data, std::size_t i, std::uint64_t bits);

}  // namespace dlbench

#include "common/precision.hpp"

#include <array>
#include <stdexcept>

namespace dlbench {

namespace {

constexpr std::array<PrecisionInfo, 7> kPrecisions{{
    {Precision::fp32, "fp32", DataType::f32, DataType::f32, DataType::f32, "fp32 FMA", 1e-4},
    {Precision::tf32, "tf32", DataType::f32, DataType::f32, DataType::f32, "tf32 multiply, fp32 accumulate", 5e-3},
    {Precision::fp16, "fp16", DataType::f16, DataType::f16, DataType::f32, "fp16 multiply, fp32 accumulate", 5e-3},
    {Precision::bf16, "bf16", DataType::bf16, DataType::bf16, DataType::f32, "bf16 multiply, fp32 accumulate", 1e-2},
    {Precision::fp8e4m3, "fp8e4m3", DataType::f8_e4m3, DataType::bf16, DataType::f32,
     "fp8 e4m3 multiply, fp32 accumulate, bf16 out", 1e-2},
    {Precision::fp8e5m2, "fp8e5m2", DataType::f8_e5m2, DataType::bf16, DataType::f32,
     "fp8 e5m2 multiply, fp32 accumulate, bf16 out", 1e-2},
    {Precision::int8, "int8", DataType::s8, DataType::s32, DataType::s32, "int8 multiply, int32 accumulate", 0.0},
}};

}  // namespace

std::span<const PrecisionInfo> all_precisions() { return kPrecisions; }

const PrecisionInfo& info(Precision p) {
  for (const auto& i : kPrecisions)
    if (i.precision == p) return i;
  throw std::logic_error("unknown precision");
}

std::string_view to_string(Precision p) { return info(p).name; }

std::optional<Precision> parse_precision(std::string_view name) {
  for (const auto& i : kPrecisions)
    if (i.name == name) return i.precision;
  return std::nullopt;
}

std::string precision_choices() {
  std::string out;
  for (const auto& i : kPrecisions) {
    if (!out.empty()) out += ", ";
    out += i.name;
  }
  return out;
}

}  // namespace dlbench

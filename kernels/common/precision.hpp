// The precisions a benchmark case runs in. One name per precision, used identically on the command line, in
// benchmark names and in CSV files; each precision fixes the element types of the inputs, the output and the math.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/dtype.hpp"

namespace dlbench {

enum class Precision { fp32, tf32, fp16, bf16, fp8e4m3, fp8e5m2, int8 };

struct PrecisionInfo {
  Precision precision;
  std::string_view name;
  DataType input;    // A and B (activations and weights)
  DataType output;   // C and D
  DataType compute;  // accumulator and the type alpha/beta are given in
  std::string_view math;  // what the multiply-add units do, in words
  // Relative L2 error a correct result may show against a float64 reference on random inputs of this precision.
  // Inputs are exact in the precision, so this budget covers accumulation order and the rounding of the output
  // (tf32 also rounds the inputs): fp32 ~1e-6 seen, bf16 outputs round at 2^-9, fp16 at 2^-11, int8 is exact.
  double tolerance;
};

std::span<const PrecisionInfo> all_precisions();
const PrecisionInfo& info(Precision p);
std::string_view to_string(Precision p);
std::optional<Precision> parse_precision(std::string_view name);
// "fp32, tf32, ..." for error messages that list the valid choices.
std::string precision_choices();

}  // namespace dlbench

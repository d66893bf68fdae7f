// AllReduce as a value: every rank holds `count` elements of `type`, and every rank ends with their element-wise
// reduction over all ranks, in a separate output buffer or (inplace) over its input.
//
// Formulas (MEASURE.md §3 and §5, the conventions of nccl-tests, so figures compare with theirs):
//   size  S = count · element size, the bytes of each rank's buffer (nccl-tests' "size");
//   algbw   = S / t, in decimal GB/s: how fast a rank's buffer gets reduced, whatever the algorithm;
//   busbw   = algbw · 2(n−1)/n: an allreduce over n ranks must move at least 2(n−1)/n · S bytes through the
//             busiest link of each rank (a reduce-scatter and an all-gather of (n−1)/n · S each), so busbw is
//             comparable with a link's bandwidth and stays the same as n grows. With one rank nothing crosses a
//             link and busbw is 0.
//   FLOPs   = (n−1) · count: one operation per element for each rank's contribution but the first. Small beside
//             the bytes; communication is placed on a link roofline, not the FLOP one.
//
// The canonical name is `n<count>_<op>[_inplace]_<type>`, e.g. `n262144_sum_fp32` or `n1001_max_inplace_bf16`;
// parse() reads exactly what to_string() writes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/dtype.hpp"

namespace dlbench {

enum class ReduceOp { sum, max, min, avg };
std::string_view to_string(ReduceOp op);
std::optional<ReduceOp> parse_reduce_op(std::string_view name);
// "sum, max, min, avg", for error messages.
std::string reduce_op_choices();

// The element types an allreduce runs on, by the name runs and results use: fp32, fp16, bf16, fp64, int32.
std::span<const std::string_view> allreduce_type_names();
std::optional<DataType> parse_allreduce_type(std::string_view name);
std::string_view allreduce_type_name(DataType type);  // throws std::logic_error for a type not in the list
std::string allreduce_type_choices();

struct AllReduceProblem {
  std::int64_t count = 1;
  DataType type = DataType::f32;
  ReduceOp op = ReduceOp::sum;
  bool inplace = false;

  // S, each rank's buffer in bytes.
  double bytes() const { return static_cast<double>(count) * static_cast<double>(size_of(type)); }
  // (n−1)·count.
  double flops(int ranks) const { return static_cast<double>(ranks - 1) * static_cast<double>(count); }

  std::string to_string() const;
  // Throws InputError naming `where` for anything to_string() would not write.
  static AllReduceProblem parse(std::string_view text, const std::string& where = "problem");

  friend bool operator==(const AllReduceProblem&, const AllReduceProblem&) = default;
};

// S / t in decimal GB/s.
double algbw_gbps(double bytes, double seconds);
// 2(n−1)/n, the factor from algbw to busbw; 0 for one rank.
double busbw_factor(int ranks);

}  // namespace dlbench

// The GEMM problem as a value: D = alpha * op(A) * op(B) + beta * C, in one of the suite's precisions.
//
// Memory convention (every backend follows it, whatever its library's native order): matrices are row-major and
// contiguous. A is stored m×k, or k×m when trans_a (op(A) = Aᵀ); B is stored k×n, or n×k when trans_b; C and D are
// m×n. With batch > 1 the matrices of each operand follow each other in memory (strided batch). PyTorch's
// nn.Linear, y = x·Wᵀ with W stored out×in, is therefore m = tokens, n = out_features, k = in_features, "nt".
//
// The canonical name is `m<M>n<N>k<K>[b<batch>]_<ta><tb>_<precision>[_alpha<a>][_beta<b>]`, e.g.
// `m4096n4096k4096_nt_bf16` or `m64n64k64b8_nn_fp32_alpha0.5_beta1`; alpha and beta appear only when they differ
// from 1 and 0. parse() reads exactly what to_string() writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/precision.hpp"

namespace dlbench {

struct GemmProblem {
  std::int64_t m = 1, n = 1, k = 1;
  bool trans_a = false, trans_b = false;
  std::int64_t batch = 1;
  double alpha = 1.0, beta = 0.0;  // in the precision's compute type
  Precision precision = Precision::fp32;

  const PrecisionInfo& types() const { return info(precision); }

  // 2·m·n·k·batch: one multiply and one add per term of each dot product (MEASURE.md §3).
  double flops() const;
  // Each operand read once and D written once; C is read only when beta ≠ 0 (MEASURE.md §3).
  double min_bytes() const;
  double intensity() const { return flops() / min_bytes(); }

  std::int64_t a_elements() const { return batch * m * k; }
  std::int64_t b_elements() const { return batch * k * n; }
  std::int64_t c_elements() const { return batch * m * n; }

  // "nt" style: 'n' or 't' for A then B.
  std::string transposes() const;
  // The canonical name; without the precision token it names the shape alone (a table row, a --problem label).
  std::string to_string(bool with_precision = true) const;

  // Reads a canonical name. When `precision_given` is non-null the precision token may be left out (the caller
  // then picks precisions itself) and *precision_given says whether it was there. Throws InputError naming `where`.
  static GemmProblem parse(std::string_view text, const std::string& where = "problem",
                           bool* precision_given = nullptr);

  // Why this problem cannot be expressed in its precision (e.g. a fractional alpha for int8, whose alpha and beta
  // are int32), or nullopt. A case with such a problem is skipped with this reason.
  std::optional<std::string> unsupported_reason() const;

  friend bool operator==(const GemmProblem&, const GemmProblem&) = default;
};

}  // namespace dlbench

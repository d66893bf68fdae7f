// How a dlbench GEMM problem becomes a cuBLASLt call, as plain data: element and compute types, scale type,
// transposes and matrix layouts. Kept apart from the calls themselves so that it is unit-tested without a GPU.
//
// dlbench matrices are row-major (gemm_problem.hpp); cuBLASLt's are column-major. A row-major matrix is the
// column-major matrix of its transpose with the same memory, so D = op(A)·op(B) (row-major, m×n) is computed as
// Dᵀ = op(B)ᵀ·op(A)ᵀ (column-major, n×m): cuBLASLt's "A" is our B and its "B" is our A, with our transpose flags.
// Nothing is copied or transposed in memory.
#pragma once

#include <cublasLt.h>

#include <cstdint>
#include <string>

#include "gemm/gemm_problem.hpp"
#include "harness/backend.hpp"

namespace dlbench {

struct LtMatrix {
  cudaDataType_t type;
  std::uint64_t rows = 0, cols = 0;  // column-major, as cuBLASLt sees the stored matrix
  std::int64_t ld = 0;
  std::int64_t batch_stride = 0;  // elements between consecutive matrices of a batch
};

struct LtPlan {
  cublasComputeType_t compute;
  cudaDataType_t scale_type;  // alpha and beta are passed in this type (the compute type's scalar)
  cublasOperation_t op_a, op_b;  // of cuBLASLt's A (our B) and B (our A)
  LtMatrix a, b, c, d;           // cuBLASLt's operands; c and d share a layout
  std::int64_t m = 0, n = 0, k = 0;  // cuBLASLt's dimensions: m = our n, n = our m
  std::int32_t batch = 1;
};

LtPlan plan_lt_gemm(const GemmProblem& p);

cudaDataType_t to_cuda_type(DataType t);

// Whether cuBLASLt can run `p` on a device of compute capability major.minor, as far as is known before asking
// its heuristic (which has the last word, on alignment for instance): tensor-core types need the architecture
// that introduced them, and FP8 has layout and type restrictions.
Support lt_supports(const GemmProblem& p, int cc_major, int cc_minor);

// "cuBLASLt 13.1.0" from cublasLtGetVersion()'s encoding (major·10000 + minor·100 + patch).
std::string cublaslt_version_string(std::size_t version);

}  // namespace dlbench

// CPU reference for GEMM with float64 accumulation, and the check of a result against it.
#pragma once

#include <cstdint>
#include <string>

#include "common/host_buffer.hpp"
#include "common/output_check.hpp"
#include "gemm/gemm_problem.hpp"

namespace dlbench {

// Where the operands' values came from, when they are random: A, B and C are fill_random() with these seeds (C
// only when beta ≠ 0; with beta = 0 it is poison). A device backend may then generate the same bits on the device
// (element_codec.hpp) instead of copying the host buffers.
struct GemmSeeds {
  std::uint64_t a = 0, b = 0, c = 0;
  bool generated = false;  // false: the buffers hold other data; copy them
};

struct GemmOperands {
  const HostBuffer& a;
  const HostBuffer& b;
  const HostBuffer& c;  // the output's contents before the call; read only when beta ≠ 0
  GemmSeeds seeds{};
};

// alpha·Σ_p op(A)[i,p]·op(B)[p,j] + beta·C[i,j] of matrix `batch`, in float64 from the stored input values.
double gemm_reference_element(const GemmProblem& p, const GemmOperands& in, std::int64_t batch, std::int64_t i,
                              std::int64_t j);

using GemmCheck = OutputCheck;

// Whether check_gemm() checks every element of `p` (else a sample): it reads whole operands only then.
bool gemm_check_is_full(const GemmProblem& p, double full_limit_macs = 1 << 24);

// Compares `d` (the kernel's output) with the reference: every element when the problem has at most
// `full_limit_macs` multiply-adds, otherwise `samples` output elements picked at random with `seed`, each
// recomputed exactly. Large problems are sampled because a float64 reference of an 8192³ GEMM takes minutes; the
// sampled elements are recomputed in parallel and reduced in a fixed order, so the error does not depend on the
// thread count.
GemmCheck check_gemm(const GemmProblem& p, const GemmOperands& in, const HostBuffer& d, std::uint64_t seed,
                     std::int64_t samples = 2048, double full_limit_macs = 1 << 24);

}  // namespace dlbench

// cuDNN's convolution algorithms as the rows name them, and the rules by which the backend takes one of cuDNN's
// candidates: host logic only, unit-tested without a GPU.
//
// cuDNN answers "which algorithm?" with a list of perf results (the heuristic's, best first, or Find's, fastest
// first), each with a status, a workspace size, a determinism flag and the math type the algorithm runs with. The
// backend takes the first one that succeeded, fits the workspace limit (--workspace_mb) and whose math type the
// precision allows (math_rejection below), and sets the convolution descriptor to that math type before calling.
#pragma once

#include <cudnn.h>

#include <cstddef>
#include <optional>
#include <string>

#include "conv/conv_problem.hpp"

namespace dlbench::cudnn {

// The algorithm's enumerator as cudnn_ops.h spells it, without the CUDNN_CONVOLUTION_<FWD|BWD_DATA|BWD_FILTER>_ALGO_
// prefix ("IMPLICIT_PRECOMP_GEMM", "WINOGRAD_NONFUSED"); the numbered backward ones keep their "ALGO_" ("ALGO_0"),
// a bare digit would say nothing. A value this header does not list (a newer cuDNN's) reads "unknown algorithm <n>".
std::string algorithm_name(ConvDirection direction, int algo);
// The number of algorithms cudnn_ops.h lists for a direction (its *_ALGO_COUNT enumerator).
int algorithm_count(ConvDirection direction);

// "FMA", "tensor ops", "default math", "tensor ops with down-conversion"; "math type <n>" for an unknown value.
std::string math_name(cudnnMathType_t math);
std::string determinism_name(cudnnDeterminism_t determinism);

// One of cuDNN's perf results, whichever the direction: the three perf structs have the same fields.
struct AlgoCandidate {
  int algo = 0;
  cudnnStatus_t status = CUDNN_STATUS_SUCCESS;
  float time_ms = -1;  // Find's measured time; -1 from the heuristic
  std::size_t memory = 0;  // workspace bytes
  cudnnDeterminism_t determinism = CUDNN_DETERMINISTIC;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
};

template <class Perf>
AlgoCandidate candidate_of(const Perf& perf) {
  return {static_cast<int>(perf.algo), perf.status, perf.time, perf.memory, perf.determinism, perf.mathType};
}

// Why an algorithm running with `math` would not compute in `precision` on a device of compute capability
// cc = 10·major + minor, or nullopt when it would:
//   - down-conversion (CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) may round inputs to a narrower type than the
//     precision states: never taken;
//   - fp32 takes FMA math only, and default math only before sm_80: tensor ops, and default math from Ampere on,
//     round float inputs to TF32;
//   - tf32, fp16 and bf16 take FMA, default and tensor-op math (tensor cores allowed, not required).
std::optional<std::string> math_rejection(Precision precision, cudnnMathType_t math, int cc);

// Why a candidate cannot be taken: a failed status, a workspace over the limit, or its math type.
std::optional<std::string> candidate_rejection(const AlgoCandidate& candidate, Precision precision, int cc,
                                               std::size_t workspace_limit);

// "IMPLICIT_PRECOMP_GEMM, tensor ops": the algorithm and the math type it runs with.
std::string describe(ConvDirection direction, const AlgoCandidate& candidate);

// "1.5 MiB": sizes in messages and rows.
std::string mib_string(std::size_t bytes);

}  // namespace dlbench::cudnn

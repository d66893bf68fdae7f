#include "conv_algo.hpp"

#include <cstdio>
#include <span>

#include "cudnn_common.hpp"

namespace dlbench::cudnn {

namespace {

struct AlgoName {
  int value;
  const char* name;
};

// From cudnn_ops.h (cuDNN 9), enumerator by enumerator; the unit test checks that every value below each
// *_ALGO_COUNT is here, so a header that adds one fails the test rather than printing a number.
constexpr AlgoName kForward[] = {
    {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, "IMPLICIT_GEMM"},
    {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, "IMPLICIT_PRECOMP_GEMM"},
    {CUDNN_CONVOLUTION_FWD_ALGO_GEMM, "GEMM"},
    {CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, "DIRECT"},
    {CUDNN_CONVOLUTION_FWD_ALGO_FFT, "FFT"},
    {CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, "FFT_TILING"},
    {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, "WINOGRAD"},
    {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, "WINOGRAD_NONFUSED"},
};
constexpr AlgoName kBackwardData[] = {
    {CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, "ALGO_0"},
    {CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, "ALGO_1"},
    {CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT, "FFT"},
    {CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, "FFT_TILING"},
    {CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD, "WINOGRAD"},
    {CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED, "WINOGRAD_NONFUSED"},
};
constexpr AlgoName kBackwardFilter[] = {
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, "ALGO_0"},
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, "ALGO_1"},
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT, "FFT"},
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, "ALGO_3"},
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD, "WINOGRAD"},
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED, "WINOGRAD_NONFUSED"},
    {CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING, "FFT_TILING"},
};

std::span<const AlgoName> table(ConvDirection direction) {
  switch (direction) {
    case ConvDirection::fwd: return kForward;
    case ConvDirection::bwd_data: return kBackwardData;
    case ConvDirection::bwd_filter: return kBackwardFilter;
  }
  return {};
}

}  // namespace

std::string algorithm_name(ConvDirection direction, int algo) {
  for (const auto& a : table(direction))
    if (a.value == algo) return a.name;
  return "unknown algorithm " + std::to_string(algo);
}

int algorithm_count(ConvDirection direction) {
  switch (direction) {
    case ConvDirection::fwd: return CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
    case ConvDirection::bwd_data: return CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
    case ConvDirection::bwd_filter: return CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
  }
  return 0;
}

std::string math_name(cudnnMathType_t math) {
  switch (math) {
    case CUDNN_DEFAULT_MATH: return "default math";
    case CUDNN_TENSOR_OP_MATH: return "tensor ops";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "tensor ops with down-conversion";
    case CUDNN_FMA_MATH: return "FMA";
  }
  return "math type " + std::to_string(static_cast<int>(math));
}

std::string determinism_name(cudnnDeterminism_t determinism) {
  switch (determinism) {
    case CUDNN_DETERMINISTIC: return "deterministic";
    case CUDNN_NON_DETERMINISTIC: return "non-deterministic";
  }
  return "determinism " + std::to_string(static_cast<int>(determinism));
}

std::optional<std::string> math_rejection(Precision precision, cudnnMathType_t math, int cc) {
  const std::string name(to_string(precision));
  switch (math) {
    case CUDNN_FMA_MATH:
      return std::nullopt;
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION:
      return "tensor ops with down-conversion may round " + name + " inputs to a narrower type";
    case CUDNN_TENSOR_OP_MATH:
      if (precision == Precision::fp32) return std::string("tensor ops round fp32 inputs to TF32");
      return std::nullopt;
    case CUDNN_DEFAULT_MATH:
      if (precision == Precision::fp32 && cc >= 80)
        return "cuDNN's default math rounds fp32 inputs to TF32 on sm_80 and newer (this device is sm_" +
               std::to_string(cc) + ")";
      return std::nullopt;
  }
  return "math type " + std::to_string(static_cast<int>(math)) + " is unknown to this build";
}

std::optional<std::string> candidate_rejection(const AlgoCandidate& candidate, Precision precision, int cc,
                                               std::size_t workspace_limit) {
  if (candidate.status != CUDNN_STATUS_SUCCESS) return std::string(cudnnGetErrorString(candidate.status));
  if (candidate.memory > workspace_limit)
    return "workspace " + mib_string(candidate.memory) + " over the " + mib_string(workspace_limit) + " limit";
  return math_rejection(precision, candidate.math, cc);
}

std::string describe(ConvDirection direction, const AlgoCandidate& candidate) {
  return algorithm_name(direction, candidate.algo) + ", " + math_name(candidate.math);
}

std::string mib_string(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

}  // namespace dlbench::cudnn

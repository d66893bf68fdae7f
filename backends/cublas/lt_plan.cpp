#include "lt_plan.hpp"

#include <stdexcept>

namespace dlbench {

cudaDataType_t to_cuda_type(DataType t) {
  switch (t) {
    case DataType::f64: return CUDA_R_64F;
    case DataType::f32: return CUDA_R_32F;
    case DataType::f16: return CUDA_R_16F;
    case DataType::bf16: return CUDA_R_16BF;
    case DataType::f8_e4m3: return CUDA_R_8F_E4M3;
    case DataType::f8_e5m2: return CUDA_R_8F_E5M2;
    case DataType::s8: return CUDA_R_8I;
    case DataType::s32: return CUDA_R_32I;
  }
  throw std::logic_error("to_cuda_type: unknown data type");
}

namespace {

// The stored matrix `rows_major × cols_major` (row-major, as dlbench keeps it) seen column-major.
LtMatrix column_major_view(DataType t, std::int64_t rows_major, std::int64_t cols_major, std::int64_t batch) {
  LtMatrix m;
  m.type = to_cuda_type(t);
  m.rows = static_cast<std::uint64_t>(cols_major);
  m.cols = static_cast<std::uint64_t>(rows_major);
  m.ld = cols_major;
  m.batch_stride = batch > 1 ? rows_major * cols_major : 0;
  return m;
}

}  // namespace

LtPlan plan_lt_gemm(const GemmProblem& p) {
  const auto& t = p.types();
  LtPlan plan;
  switch (p.precision) {
    case Precision::fp32: plan.compute = CUBLAS_COMPUTE_32F; break;  // plain fp32 FMA: no TF32 rounding
    case Precision::tf32: plan.compute = CUBLAS_COMPUTE_32F_FAST_TF32; break;
    case Precision::int8: plan.compute = CUBLAS_COMPUTE_32I; break;
    default: plan.compute = CUBLAS_COMPUTE_32F; break;  // fp16, bf16, fp8: fp32 accumulation
  }
  plan.scale_type = p.precision == Precision::int8 ? CUDA_R_32I : CUDA_R_32F;

  // cuBLASLt's A is our B: stored k×n (n×k when trans_b). Seen column-major that is n×k (k×n), which op_a = our
  // trans_b turns into the n×k that cuBLASLt's m×k needs.
  plan.a = p.trans_b ? column_major_view(t.input, p.n, p.k, p.batch) : column_major_view(t.input, p.k, p.n, p.batch);
  plan.b = p.trans_a ? column_major_view(t.input, p.k, p.m, p.batch) : column_major_view(t.input, p.m, p.k, p.batch);
  plan.op_a = p.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  plan.op_b = p.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  plan.d = column_major_view(t.output, p.m, p.n, p.batch);
  plan.c = plan.d;
  plan.m = p.n;
  plan.n = p.m;
  plan.k = p.k;
  plan.batch = static_cast<std::int32_t>(p.batch);
  return plan;
}

Support lt_supports(const GemmProblem& p, int cc_major, int cc_minor) {
  const int cc = cc_major * 10 + cc_minor;
  const std::string have = "this device is sm_" + std::to_string(cc);
  if (p.batch > INT32_MAX) return Support::no("cuBLASLt takes a batch count of at most 2^31-1");
  switch (p.precision) {
    case Precision::tf32:
      if (cc < 80) return Support::no("tf32 tensor cores need compute capability 8.0 or newer; " + have);
      break;
    case Precision::bf16:
      if (cc < 80) return Support::no("bf16 tensor cores need compute capability 8.0 or newer; " + have);
      break;
    case Precision::fp8e4m3:
    case Precision::fp8e5m2:
      if (cc < 89) return Support::no("fp8 tensor cores need compute capability 8.9 or newer; " + have);
      if (p.precision == Precision::fp8e5m2)
        return Support::no("cuBLASLt has no e5m2 × e5m2 GEMM (one of A and B must be e4m3)");
      // Before Blackwell, cuBLASLt's FP8 kernels take only its "TN" form: its A transposed, its B not. With the
      // operands swapped (lt_plan.hpp) that is our A as stored m×k and our B stored n×k: the "nt" problems,
      // i.e. x·Wᵀ with W stored out×in as in nn.Linear.
      if (cc < 100 && (p.trans_a || !p.trans_b))
        return Support::no("cuBLASLt FP8 on sm_" + std::to_string(cc) + " runs only the \"nt\" layout (A m×k, B n×k); "
                           "this problem is \"" + p.transposes() + "\"");
      break;
    default:
      break;
  }
  return Support::yes();
}

std::string cublaslt_version_string(std::size_t v) {
  return "cuBLASLt " + std::to_string(v / 10000) + "." + std::to_string((v % 10000) / 100) + "." +
         std::to_string(v % 100);
}

}  // namespace dlbench

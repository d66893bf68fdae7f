// Host-side logic of the cuBLAS backend, tested without a GPU: the mapping of a row-major dlbench problem onto
// cuBLASLt's column-major call, the precision table per compute capability, and the names of what it chose.
#include <gtest/gtest.h>

#include <vector>

#include "common/host_buffer.hpp"
#include "gemm/gemm_reference.hpp"
#include "lt_algo.hpp"
#include "lt_plan.hpp"

namespace dlbench {
namespace {

GemmProblem problem(Precision precision, bool ta, bool tb, std::int64_t batch = 1) {
  GemmProblem p;
  p.m = 3;
  p.n = 5;
  p.k = 7;
  p.trans_a = ta;
  p.trans_b = tb;
  p.batch = batch;
  p.precision = precision;
  return p;
}

TEST(LtPlan, TypesComputeAndScalePerPrecision) {
  struct Expect {
    Precision p;
    cudaDataType_t in, out;
    cublasComputeType_t compute;
    cudaDataType_t scale;
  };
  const Expect table[] = {
      {Precision::fp32, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F},
      {Precision::tf32, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F},
      {Precision::fp16, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F},
      {Precision::bf16, CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F},
      {Precision::fp8e4m3, CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F},
      {Precision::fp8e5m2, CUDA_R_8F_E5M2, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F},
      {Precision::int8, CUDA_R_8I, CUDA_R_32I, CUBLAS_COMPUTE_32I, CUDA_R_32I},
  };
  for (const auto& e : table) {
    SCOPED_TRACE(std::string(to_string(e.p)));
    const LtPlan plan = plan_lt_gemm(problem(e.p, false, false));
    EXPECT_EQ(plan.a.type, e.in);
    EXPECT_EQ(plan.b.type, e.in);
    EXPECT_EQ(plan.c.type, e.out);
    EXPECT_EQ(plan.d.type, e.out);
    EXPECT_EQ(plan.compute, e.compute);
    EXPECT_EQ(plan.scale_type, e.scale);
  }
}

TEST(LtPlan, OperandsAreSwappedAndDimensionsTransposed) {
  const LtPlan plan = plan_lt_gemm(problem(Precision::fp32, false, true, 4));
  EXPECT_EQ(plan.m, 5);  // our n
  EXPECT_EQ(plan.n, 3);  // our m
  EXPECT_EQ(plan.k, 7);
  EXPECT_EQ(plan.batch, 4);
  // cuBLASLt's A is our B, stored n×k (trans_b): column-major k×n with ld k, transposed by the call.
  EXPECT_EQ(plan.op_a, CUBLAS_OP_T);
  EXPECT_EQ(plan.a.rows, 7u);
  EXPECT_EQ(plan.a.cols, 5u);
  EXPECT_EQ(plan.a.ld, 7);
  EXPECT_EQ(plan.a.batch_stride, 35);
  // cuBLASLt's B is our A, stored m×k: column-major k×m, ld k, not transposed.
  EXPECT_EQ(plan.op_b, CUBLAS_OP_N);
  EXPECT_EQ(plan.b.rows, 7u);
  EXPECT_EQ(plan.b.cols, 3u);
  EXPECT_EQ(plan.b.ld, 7);
  // D: row-major m×n is column-major n×m with ld n.
  EXPECT_EQ(plan.d.rows, 5u);
  EXPECT_EQ(plan.d.cols, 3u);
  EXPECT_EQ(plan.d.ld, 5);
  EXPECT_EQ(plan.d.batch_stride, 15);
  EXPECT_EQ(plan.c.ld, plan.d.ld);
}

TEST(LtPlan, SingleMatrixHasNoBatchStride) {
  const LtPlan plan = plan_lt_gemm(problem(Precision::bf16, true, true));
  EXPECT_EQ(plan.batch, 1);
  EXPECT_EQ(plan.a.batch_stride, 0);
  EXPECT_EQ(plan.d.batch_stride, 0);
}

// Element (r, c) of a column-major matrix as cuBLASLt reads it: memory[r + c·ld], after op.
double lt_element(const LtMatrix& m, cublasOperation_t op, const HostBuffer& mem, std::int64_t batch, std::int64_t r,
                  std::int64_t c) {
  if (op == CUBLAS_OP_T) std::swap(r, c);
  EXPECT_LT(static_cast<std::uint64_t>(r), m.rows);
  EXPECT_LT(static_cast<std::uint64_t>(c), m.cols);
  return mem.get(static_cast<std::size_t>(batch * m.batch_stride + r + c * m.ld));
}

// What cuBLASLt computes for the plan, emulated on the CPU from the definitions in its documentation, compared with
// dlbench's row-major reference on the same memory: if the mapping were wrong anywhere (swap, op, ld, stride),
// some element would differ.
TEST(LtPlan, EmulatedCublasLtCallEqualsTheRowMajorReference) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      GemmProblem p = problem(Precision::fp32, ta, tb, 2);
      p.alpha = 0.5;
      p.beta = 2;
      SCOPED_TRACE(p.to_string());
      HostBuffer a(DataType::f32, p.a_elements()), b(DataType::f32, p.b_elements()), c(DataType::f32, p.c_elements());
      fill_random(a, 1);
      fill_random(b, 2);
      fill_random(c, 3);
      const GemmOperands in{a, b, c};
      const LtPlan plan = plan_lt_gemm(p);
      for (std::int64_t bt = 0; bt < p.batch; ++bt) {
        for (std::int64_t i = 0; i < plan.m; ++i) {
          for (std::int64_t j = 0; j < plan.n; ++j) {
            double sum = 0;
            for (std::int64_t l = 0; l < plan.k; ++l)
              sum += lt_element(plan.a, plan.op_a, b, bt, i, l) * lt_element(plan.b, plan.op_b, a, bt, l, j);
            const double lt = p.alpha * sum + p.beta * lt_element(plan.c, CUBLAS_OP_N, c, bt, i, j);
            // D column-major (i, j) is row-major D[j][i] of our problem.
            EXPECT_NEAR(lt, gemm_reference_element(p, in, bt, j, i), 1e-12) << "batch " << bt << " (" << j << "," << i << ")";
          }
        }
      }
    }
  }
}

TEST(LtSupport, PrecisionsFollowTheComputeCapability) {
  const auto nt = [](Precision pr) { return problem(pr, false, true); };
  // sm_75 (Turing): no tf32, bf16 or fp8 tensor cores.
  EXPECT_TRUE(lt_supports(nt(Precision::fp32), 7, 5).ok);
  EXPECT_TRUE(lt_supports(nt(Precision::fp16), 7, 5).ok);
  EXPECT_TRUE(lt_supports(nt(Precision::int8), 7, 5).ok);
  EXPECT_FALSE(lt_supports(nt(Precision::tf32), 7, 5).ok);
  EXPECT_FALSE(lt_supports(nt(Precision::bf16), 7, 5).ok);
  const Support fp8_on_a100 = lt_supports(nt(Precision::fp8e4m3), 8, 0);
  EXPECT_FALSE(fp8_on_a100.ok);
  EXPECT_NE(fp8_on_a100.reason.find("8.9"), std::string::npos) << fp8_on_a100.reason;
  EXPECT_NE(fp8_on_a100.reason.find("sm_80"), std::string::npos) << fp8_on_a100.reason;
  // sm_80: tf32 and bf16.
  EXPECT_TRUE(lt_supports(nt(Precision::tf32), 8, 0).ok);
  EXPECT_TRUE(lt_supports(nt(Precision::bf16), 8, 0).ok);
  // sm_89 and sm_90: fp8 e4m3 in the "nt" layout only; e5m2 × e5m2 never.
  for (int minor_major : {89, 90}) {
    const int major = minor_major / 10, minor = minor_major % 10;
    EXPECT_TRUE(lt_supports(nt(Precision::fp8e4m3), major, minor).ok);
    for (auto [ta, tb] : {std::pair{false, false}, {true, false}, {true, true}}) {
      const Support s = lt_supports(problem(Precision::fp8e4m3, ta, tb), major, minor);
      EXPECT_FALSE(s.ok);
      EXPECT_NE(s.reason.find("\"nt\""), std::string::npos) << s.reason;
    }
    const Support e5m2 = lt_supports(nt(Precision::fp8e5m2), major, minor);
    EXPECT_FALSE(e5m2.ok);
    EXPECT_NE(e5m2.reason.find("e5m2"), std::string::npos);
  }
  // Blackwell lifts the layout restriction.
  EXPECT_TRUE(lt_supports(problem(Precision::fp8e4m3, false, false), 10, 0).ok);
}

TEST(LtAlgo, EnumNamesComeFromTheHeader) {
  EXPECT_EQ(lt_tile_name(CUBLASLT_MATMUL_TILE_256x128), "256x128");
  EXPECT_EQ(lt_tile_name(CUBLASLT_MATMUL_TILE_64x64), "64x64");
  EXPECT_EQ(lt_stages_name(CUBLASLT_MATMUL_STAGES_128xAUTO), "128xAUTO");
  EXPECT_EQ(lt_stages_name(CUBLASLT_MATMUL_STAGES_64x3), "64x3");
  EXPECT_EQ(lt_cluster_name(CUBLASLT_CLUSTER_SHAPE_2x1x1), "2x1x1");
  EXPECT_EQ(lt_tile_name(CUBLASLT_MATMUL_TILE_UNDEFINED), "id0");
  EXPECT_EQ(lt_tile_name(99999), "id99999");
  EXPECT_EQ(lt_reduction_name(CUBLASLT_REDUCTION_SCHEME_NONE), "none");
  EXPECT_EQ(lt_reduction_name(CUBLASLT_REDUCTION_SCHEME_OUTPUT_TYPE), "output_type");
}

TEST(LtAlgo, VersionString) {
  EXPECT_EQ(cublaslt_version_string(130100), "cuBLASLt 13.1.0");
  EXPECT_EQ(cublaslt_version_string(120805), "cuBLASLt 12.8.5");
  // The library this build links answers without a GPU.
  EXPECT_EQ(cublaslt_version_string(cublasLtGetVersion()).rfind("cuBLASLt 1", 0), 0u);
}

}  // namespace
}  // namespace dlbench

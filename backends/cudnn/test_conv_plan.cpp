// The cuDNN convolution backend, tested without a GPU where it can be: the descriptors' values (checked element by
// element against ConvProblem's layouts, then read back from real cuDNN descriptors, which need no device), types
// and math per precision, support per compute capability, algorithm names and the rules for taking one, and the
// registered backend reporting itself unavailable. On a GPU the last tests run every direction and precision
// against a direct float64 reference; without one they skip, saying why.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <set>
#include <vector>

#include "common/host_buffer.hpp"
#include "conv/conv_backend.hpp"
#include "conv_algo.hpp"
#include "conv_plan.hpp"
#include "harness/case.hpp"

namespace dlbench::cudnn {
namespace {

ConvProblem problem(ConvLayout layout, std::int64_t c, std::int64_t k, std::int64_t groups,
                    ConvDirection direction = ConvDirection::fwd, Precision precision = Precision::fp32) {
  ConvProblem p;
  p.n = 2;
  p.c = c;
  p.h = 6;
  p.w = 7;
  p.k = k;
  p.r = 3;
  p.s = 2;
  p.pad_h = 1;
  p.pad_w = 0;
  p.stride_h = 2;
  p.stride_w = 1;
  p.dil_h = 1;
  p.dil_w = 2;
  p.groups = groups;
  p.layout = layout;
  p.direction = direction;
  p.precision = precision;
  return p;
}

// Plain, grouped and depthwise, each with asymmetric pads, strides and dilations.
std::vector<ConvProblem> shapes(ConvLayout layout, ConvDirection direction = ConvDirection::fwd,
                                Precision precision = Precision::fp32) {
  return {problem(layout, 3, 5, 1, direction, precision), problem(layout, 4, 6, 2, direction, precision),
          problem(layout, 3, 3, 3, direction, precision)};
}

std::int64_t offset(const TensorSpec& t, std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d) {
  return a * t.strides[0] + b * t.strides[1] + c * t.strides[2] + d * t.strides[3];
}

// A filter's element (k, c, r, s) where cuDNN's format puts it: KCRS for CUDNN_TENSOR_NCHW, KRSC for NHWC.
std::int64_t offset(const FilterSpec& f, std::int64_t k, std::int64_t c, std::int64_t r, std::int64_t s) {
  const auto& d = f.dims;
  return f.format == CUDNN_TENSOR_NCHW ? ((k * d[1] + c) * d[2] + r) * d[3] + s
                                       : ((k * d[2] + r) * d[3] + s) * d[1] + c;
}

TEST(ConvPlan, StridesAddressExactlyTheProblemsElements) {
  for (ConvLayout layout : {ConvLayout::nchw, ConvLayout::nhwc}) {
    for (const ConvProblem& p : shapes(layout)) {
      SCOPED_TRACE(p.to_string());
      const ConvPlan plan = plan_conv(p);
      EXPECT_EQ(plan.x.dims, (std::array<int, 4>{2, static_cast<int>(p.c), 6, 7}));
      EXPECT_EQ(plan.y.dims, (std::array<int, 4>{2, static_cast<int>(p.k), static_cast<int>(p.p()),
                                                 static_cast<int>(p.q())}));
      EXPECT_EQ(plan.w.dims, (std::array<int, 4>{static_cast<int>(p.k), static_cast<int>(p.c_per_group()), 3, 2}));
      EXPECT_EQ(plan.w.format, layout == ConvLayout::nchw ? CUDNN_TENSOR_NCHW : CUDNN_TENSOR_NHWC);
      std::set<std::int64_t> seen;
      for (std::int64_t n = 0; n < p.n; ++n)
        for (std::int64_t c = 0; c < p.c; ++c)
          for (std::int64_t h = 0; h < p.h; ++h)
            for (std::int64_t w = 0; w < p.w; ++w) {
              ASSERT_EQ(offset(plan.x, n, c, h, w), p.src_index(n, c, h, w));
              seen.insert(offset(plan.x, n, c, h, w));
            }
      EXPECT_EQ(static_cast<std::int64_t>(seen.size()), p.src_elements());  // dense: every offset once
      for (std::int64_t n = 0; n < p.n; ++n)
        for (std::int64_t k = 0; k < p.k; ++k)
          for (std::int64_t i = 0; i < p.p(); ++i)
            for (std::int64_t j = 0; j < p.q(); ++j) ASSERT_EQ(offset(plan.y, n, k, i, j), p.dst_index(n, k, i, j));
      for (std::int64_t k = 0; k < p.k; ++k)
        for (std::int64_t c = 0; c < p.c_per_group(); ++c)
          for (std::int64_t r = 0; r < p.r; ++r)
            for (std::int64_t s = 0; s < p.s; ++s) ASSERT_EQ(offset(plan.w, k, c, r, s), p.weight_index(k, c, r, s));
    }
  }
}

TEST(ConvPlan, PadsStridesDilationsAndGroups) {
  const ConvPlan plan = plan_conv(problem(ConvLayout::nhwc, 4, 6, 2));
  EXPECT_EQ(plan.conv.pad, (std::array<int, 2>{1, 0}));
  EXPECT_EQ(plan.conv.stride, (std::array<int, 2>{2, 1}));
  EXPECT_EQ(plan.conv.dilation, (std::array<int, 2>{1, 2}));
  EXPECT_EQ(plan.conv.groups, 2);
  EXPECT_EQ(plan.conv.mode, CUDNN_CROSS_CORRELATION);
}

// cuDNN builds and checks descriptors on the host alone: what it reads back, and the output size it derives, must
// be the plan's and ConvProblem's.
TEST(ConvPlan, CudnnDescriptorsHoldThePlan) {
  for (ConvLayout layout : {ConvLayout::nchw, ConvLayout::nhwc}) {
    for (const ConvProblem& p : shapes(layout, ConvDirection::bwd_data, Precision::bf16)) {
      SCOPED_TRACE(p.to_string());
      const ConvPlan plan = plan_conv(p);
      const ConvDescriptors d(plan);
      for (auto [desc, spec] : {std::pair{d.x.get(), plan.x}, {d.y.get(), plan.y}}) {
        cudnnDataType_t type{};
        std::array<int, 4> dims{}, strides{};
        check(cudnnGetTensor4dDescriptor(desc, &type, &dims[0], &dims[1], &dims[2], &dims[3], &strides[0],
                                         &strides[1], &strides[2], &strides[3]),
              "cudnnGetTensor4dDescriptor");
        EXPECT_EQ(type, spec.type);
        EXPECT_EQ(dims, spec.dims);
        EXPECT_EQ(strides, spec.strides);
      }
      cudnnDataType_t type{};
      cudnnTensorFormat_t format{};
      std::array<int, 4> dims{};
      check(cudnnGetFilter4dDescriptor(d.w.get(), &type, &format, &dims[0], &dims[1], &dims[2], &dims[3]),
            "cudnnGetFilter4dDescriptor");
      EXPECT_EQ(type, CUDNN_DATA_BFLOAT16);
      EXPECT_EQ(format, plan.w.format);
      EXPECT_EQ(dims, plan.w.dims);
      int ph = 0, pw = 0, u = 0, v = 0, dh = 0, dw = 0, groups = 0;
      cudnnConvolutionMode_t mode{};
      cudnnDataType_t compute{};
      cudnnMathType_t math{};
      check(cudnnGetConvolution2dDescriptor(d.conv.get(), &ph, &pw, &u, &v, &dh, &dw, &mode, &compute),
            "cudnnGetConvolution2dDescriptor");
      check(cudnnGetConvolutionGroupCount(d.conv.get(), &groups), "cudnnGetConvolutionGroupCount");
      check(cudnnGetConvolutionMathType(d.conv.get(), &math), "cudnnGetConvolutionMathType");
      EXPECT_EQ((std::array{ph, pw, u, v, dh, dw}), (std::array{1, 0, 2, 1, 1, 2}));
      EXPECT_EQ(mode, CUDNN_CROSS_CORRELATION);
      EXPECT_EQ(compute, CUDNN_DATA_FLOAT);
      EXPECT_EQ(groups, p.groups);
      EXPECT_EQ(math, CUDNN_TENSOR_OP_MATH);
      std::array<int, 4> out{};
      check(cudnnGetConvolution2dForwardOutputDim(d.conv.get(), d.x.get(), d.w.get(), &out[0], &out[1], &out[2],
                                                  &out[3]),
            "cudnnGetConvolution2dForwardOutputDim");
      EXPECT_EQ(out, (std::array<int, 4>{2, static_cast<int>(p.k), static_cast<int>(p.p()), static_cast<int>(p.q())}));
      set_math(d.conv, CUDNN_FMA_MATH);
      check(cudnnGetConvolutionMathType(d.conv.get(), &math), "cudnnGetConvolutionMathType");
      EXPECT_EQ(math, CUDNN_FMA_MATH);
    }
  }
}

TEST(ConvPlan, TypesAndMathPerPrecision) {
  struct Expect {
    Precision precision;
    cudnnDataType_t data;
    cudnnMathType_t math;
  };
  for (const Expect& e : {Expect{Precision::fp32, CUDNN_DATA_FLOAT, CUDNN_FMA_MATH},
                          Expect{Precision::tf32, CUDNN_DATA_FLOAT, CUDNN_TENSOR_OP_MATH},
                          Expect{Precision::fp16, CUDNN_DATA_HALF, CUDNN_TENSOR_OP_MATH},
                          Expect{Precision::bf16, CUDNN_DATA_BFLOAT16, CUDNN_TENSOR_OP_MATH}}) {
    for (ConvDirection dir : {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter}) {
      const ConvProblem p = problem(ConvLayout::nhwc, 4, 6, 2, dir, e.precision);
      SCOPED_TRACE(p.to_string());
      const ConvPlan plan = plan_conv(p);
      EXPECT_EQ(plan.x.type, e.data);
      EXPECT_EQ(plan.w.type, e.data);
      EXPECT_EQ(plan.y.type, e.data);
      EXPECT_EQ(plan.conv.compute, CUDNN_DATA_FLOAT);  // float accumulation in every precision
      EXPECT_EQ(plan.conv.math, e.math);
      EXPECT_EQ(descriptor_math(e.precision), e.math);
    }
  }
  for (Precision none : {Precision::int8, Precision::fp8e4m3, Precision::fp8e5m2})
    EXPECT_THROW(plan_conv(problem(ConvLayout::nhwc, 4, 6, 2, ConvDirection::fwd, none)), std::invalid_argument);
}

bool has(const Support& s, const std::string& text) { return s.reason.find(text) != std::string::npos; }

TEST(ConvSupport, PrecisionsFollowTheComputeCapability) {
  for (ConvDirection dir : {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter}) {
    const auto with = [&](Precision pr) { return problem(ConvLayout::nchw, 4, 6, 2, dir, pr); };
    SCOPED_TRACE(with(Precision::fp32).to_string());
    // sm_75 (Turing): fp32 and fp16 only.
    EXPECT_TRUE(conv_supports(with(Precision::fp32), 7, 5).ok);
    EXPECT_TRUE(conv_supports(with(Precision::fp16), 7, 5).ok);
    for (Precision pr : {Precision::tf32, Precision::bf16}) {
      const Support s = conv_supports(with(pr), 7, 5);
      EXPECT_FALSE(s.ok);
      EXPECT_TRUE(has(s, "8.0") && has(s, "sm_75") && has(s, std::string(to_string(pr)))) << s.reason;
    }
    // sm_80 (A100) and sm_90 (H100): all four float precisions, every direction.
    for (auto [major, minor] : {std::pair{8, 0}, {9, 0}})
      for (Precision pr : {Precision::fp32, Precision::tf32, Precision::fp16, Precision::bf16})
        EXPECT_TRUE(conv_supports(with(pr), major, minor).ok) << to_string(pr) << " on " << major << "." << minor;
  }
  // int8 and fp8 on no device, each with its own reason.
  for (auto [major, minor] : {std::pair{7, 5}, {8, 0}, {9, 0}}) {
    const Support int8 = conv_supports(problem(ConvLayout::nhwc, 4, 8, 1, ConvDirection::fwd, Precision::int8),
                                       major, minor);
    EXPECT_FALSE(int8.ok);
    EXPECT_TRUE(has(int8, "int32 output")) << int8.reason;
    for (Precision fp8 : {Precision::fp8e4m3, Precision::fp8e5m2}) {
      const Support s = conv_supports(problem(ConvLayout::nhwc, 4, 8, 1, ConvDirection::fwd, fp8), major, minor);
      EXPECT_FALSE(s.ok);
      EXPECT_TRUE(has(s, "fp8")) << s.reason;
    }
  }
}

TEST(ConvSupport, InvalidAndOversizedProblemsSayWhy) {
  const Support groups = conv_supports(problem(ConvLayout::nchw, 3, 6, 2), 9, 0);
  EXPECT_FALSE(groups.ok);
  EXPECT_TRUE(has(groups, "divisible")) << groups.reason;
  ConvProblem big = problem(ConvLayout::nhwc, 256, 64, 1);
  big.n = 512;
  big.h = big.w = 128;  // src: 2^31 elements, one past what a descriptor holds
  const Support s = conv_supports(big, 9, 0);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(has(s, "2^31") && has(s, "src")) << s.reason;
  big.n = 511;
  EXPECT_TRUE(conv_supports(big, 9, 0).ok);
  EXPECT_NO_THROW(plan_conv(big));
}

TEST(ConvAlgo, EveryEnumeratorOfTheHeaderHasItsName) {
  // cuDNN 9's cudnn_ops.h: 8 forward, 6 backward-data and 7 backward-filter algorithms.
  EXPECT_EQ(algorithm_count(ConvDirection::fwd), 8);
  EXPECT_EQ(algorithm_count(ConvDirection::bwd_data), 6);
  EXPECT_EQ(algorithm_count(ConvDirection::bwd_filter), 7);
  for (ConvDirection dir : {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter}) {
    std::set<std::string> names;
    for (int a = 0; a < algorithm_count(dir); ++a) {
      const std::string name = algorithm_name(dir, a);
      EXPECT_EQ(name.find("unknown"), std::string::npos) << to_string(dir) << " algorithm " << a;
      names.insert(name);
    }
    EXPECT_EQ(static_cast<int>(names.size()), algorithm_count(dir)) << "names must differ";
    EXPECT_EQ(algorithm_name(dir, algorithm_count(dir)), "unknown algorithm " + std::to_string(algorithm_count(dir)));
  }
  EXPECT_EQ(algorithm_name(ConvDirection::fwd, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM),
            "IMPLICIT_PRECOMP_GEMM");
  EXPECT_EQ(algorithm_name(ConvDirection::bwd_data, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0), "ALGO_0");
  EXPECT_EQ(algorithm_name(ConvDirection::bwd_filter, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING), "FFT_TILING");
}

TEST(ConvAlgo, MathAndDeterminismNames) {
  EXPECT_EQ(math_name(CUDNN_DEFAULT_MATH), "default math");
  EXPECT_EQ(math_name(CUDNN_TENSOR_OP_MATH), "tensor ops");
  EXPECT_EQ(math_name(CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION), "tensor ops with down-conversion");
  EXPECT_EQ(math_name(CUDNN_FMA_MATH), "FMA");
  EXPECT_EQ(math_name(static_cast<cudnnMathType_t>(7)), "math type 7");
  EXPECT_EQ(determinism_name(CUDNN_DETERMINISTIC), "deterministic");
  EXPECT_EQ(determinism_name(CUDNN_NON_DETERMINISTIC), "non-deterministic");
}

TEST(ConvAlgo, MathRulePerPrecision) {
  const auto ok = [](Precision p, cudnnMathType_t m, int cc) { return !math_rejection(p, m, cc).has_value(); };
  // fp32: FMA only, and default math only where it cannot mean TF32 (before sm_80).
  EXPECT_TRUE(ok(Precision::fp32, CUDNN_FMA_MATH, 90));
  EXPECT_FALSE(ok(Precision::fp32, CUDNN_TENSOR_OP_MATH, 90));
  EXPECT_FALSE(ok(Precision::fp32, CUDNN_TENSOR_OP_MATH, 75));
  EXPECT_FALSE(ok(Precision::fp32, CUDNN_DEFAULT_MATH, 80));
  EXPECT_FALSE(ok(Precision::fp32, CUDNN_DEFAULT_MATH, 90));
  EXPECT_TRUE(ok(Precision::fp32, CUDNN_DEFAULT_MATH, 75));
  EXPECT_NE(math_rejection(Precision::fp32, CUDNN_TENSOR_OP_MATH, 90)->find("TF32"), std::string::npos);
  // tf32, fp16, bf16: tensor cores allowed, not required; down-conversion never, for any precision.
  for (Precision p : {Precision::tf32, Precision::fp16, Precision::bf16})
    for (cudnnMathType_t m : {CUDNN_FMA_MATH, CUDNN_DEFAULT_MATH, CUDNN_TENSOR_OP_MATH})
      EXPECT_TRUE(ok(p, m, 90)) << to_string(p) << " " << math_name(m);
  for (Precision p : {Precision::fp32, Precision::tf32, Precision::fp16, Precision::bf16}) {
    EXPECT_FALSE(ok(p, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION, 90)) << to_string(p);
    EXPECT_FALSE(ok(p, static_cast<cudnnMathType_t>(7), 90)) << to_string(p);
  }
}

TEST(ConvAlgo, CandidateRejectionAndDescription) {
  cudnnConvolutionFwdAlgoPerf_t perf{};
  perf.algo = CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
  perf.status = CUDNN_STATUS_SUCCESS;
  perf.time = 0.25f;
  perf.memory = std::size_t{3} << 20;
  perf.determinism = CUDNN_NON_DETERMINISTIC;
  perf.mathType = CUDNN_TENSOR_OP_MATH;
  AlgoCandidate c = candidate_of(perf);
  EXPECT_EQ(c.algo, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED);
  EXPECT_EQ(c.time_ms, 0.25f);
  EXPECT_EQ(c.memory, std::size_t{3} << 20);
  EXPECT_EQ(c.determinism, CUDNN_NON_DETERMINISTIC);
  EXPECT_EQ(describe(ConvDirection::fwd, c), "WINOGRAD_NONFUSED, tensor ops");

  const std::size_t limit = std::size_t{3} << 20;
  EXPECT_FALSE(candidate_rejection(c, Precision::fp16, 90, limit).has_value());  // exactly the limit fits
  const auto over = candidate_rejection(c, Precision::fp16, 90, limit - 1);
  ASSERT_TRUE(over.has_value());
  EXPECT_NE(over->find("3.0 MiB over the 3.0 MiB limit"), std::string::npos) << *over;
  EXPECT_TRUE(candidate_rejection(c, Precision::fp32, 90, limit).has_value());  // tensor ops: TF32
  c.status = CUDNN_STATUS_NOT_SUPPORTED;
  const auto failed = candidate_rejection(c, Precision::fp16, 90, limit);
  ASSERT_TRUE(failed.has_value());
  EXPECT_NE(failed->find("NOT_SUPPORTED"), std::string::npos) << *failed;
  EXPECT_EQ(mib_string(std::size_t{3} << 19), "1.5 MiB");
}

TEST(ConvAlgo, NotSupportedIsACategory) {
  EXPECT_TRUE(is_not_supported(CUDNN_STATUS_NOT_SUPPORTED));
  EXPECT_TRUE(is_not_supported(CUDNN_STATUS_NOT_SUPPORTED_SHAPE));
  EXPECT_TRUE(is_not_supported(CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT));
  EXPECT_FALSE(is_not_supported(CUDNN_STATUS_SUCCESS));
  EXPECT_FALSE(is_not_supported(CUDNN_STATUS_BAD_PARAM));
  EXPECT_FALSE(is_not_supported(CUDNN_STATUS_INTERNAL_ERROR));
  EXPECT_FALSE(is_not_supported(CUDNN_STATUS_EXECUTION_FAILED));
}

}  // namespace
}  // namespace dlbench::cudnn

// The registered cuDNN convolution backend as the harness sees it. Without a GPU: it is created, says why it is
// unavailable, declines every case with that reason and never crashes. On a GPU (the bundle's tests/ run there):
// every direction × precision × layout of a plain, a grouped and a depthwise problem against a direct float64
// reference, through the heuristic, autotuning (--autotune) and a zero workspace limit, and both timer modes (the hot one
// captures the calls into a CUDA graph).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <vector>

#include "common/host_buffer.hpp"
#include "conv/conv_backend.hpp"
#include "harness/case.hpp"

namespace dlbench {
namespace {

std::unique_ptr<ConvBackend> create(int autotune = 0, std::size_t workspace_bytes = std::size_t{32} << 20) {
  BackendSettings s;
  s.autotune = autotune;
  s.workspace_bytes = workspace_bytes;
  return Registry<ConvBackend>::instance().create("cudnn", s);
}

ConvProblem problem(ConvLayout layout, std::int64_t c, std::int64_t k, std::int64_t groups, ConvDirection direction,
                    Precision precision) {
  return ConvProblem{2, c, 9, 8, k, 3, 2, 1, 0, 2, 1, 1, 2, groups, layout, direction, precision};
}

TEST(CudnnConvBackend, RegisteredAndSaysWhyWhenUnavailable) {
  ASSERT_TRUE(Registry<ConvBackend>::instance().contains("cudnn"));
  const auto backend = create();
  const auto context = backend->context();
  std::map<std::string, std::string> keys(context.begin(), context.end());
  EXPECT_EQ(keys["library"].rfind("cuDNN 9.", 0), 0u) << keys["library"];
  EXPECT_EQ(keys["workspace_mib"], "32");
  EXPECT_NE(keys["algorithm_choice"].find("heuristic"), std::string::npos);
  EXPECT_NE(create(3)->context().back().second.find("the fastest by median of 3 candidates (cudnnFind"),
            std::string::npos);
  EXPECT_EQ(backend->library().rfind("cuDNN 9.", 0), 0u);
  const Availability a = backend->availability();
  if (a.available) GTEST_SKIP() << "a GPU is present: " << backend->device();
  EXPECT_FALSE(a.reason.empty());
  EXPECT_NE(backend->device().find("unavailable"), std::string::npos) << backend->device();
  const ConvProblem p = problem(ConvLayout::nhwc, 4, 6, 2, ConvDirection::fwd, Precision::fp32);
  const Support s = backend->supports(p);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, a.reason);
  HostBuffer x(DataType::f32, p.src_elements()), w(DataType::f32, p.weight_elements()),
      y(DataType::f32, p.dst_elements());
  EXPECT_THROW(backend->prepare(p, ConvTensors{x, w, y}), Unsupported);
}

// The direction's output from the definition (conv_problem.hpp), in float64: every (n, k, p, q, c, r, s) term of
// the forward sum, added to the output element the direction computes.
std::vector<double> reference(const ConvProblem& p, const HostBuffer& x, const HostBuffer& w, const HostBuffer& y) {
  std::vector<double> out(static_cast<std::size_t>(p.output_elements()), 0.0);
  const std::int64_t cg = p.c_per_group(), kg = p.k_per_group();
  for (std::int64_t n = 0; n < p.n; ++n)
    for (std::int64_t k = 0; k < p.k; ++k)
      for (std::int64_t i = 0; i < p.p(); ++i)
        for (std::int64_t j = 0; j < p.q(); ++j)
          for (std::int64_t c = 0; c < cg; ++c)
            for (std::int64_t r = 0; r < p.r; ++r)
              for (std::int64_t s = 0; s < p.s; ++s) {
                const std::int64_t ih = i * p.stride_h - p.pad_h + r * p.dil_h;
                const std::int64_t iw = j * p.stride_w - p.pad_w + s * p.dil_w;
                if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w) continue;
                const auto xi = static_cast<std::size_t>(p.src_index(n, k / kg * cg + c, ih, iw));
                const auto wi = static_cast<std::size_t>(p.weight_index(k, c, r, s));
                const auto yi = static_cast<std::size_t>(p.dst_index(n, k, i, j));
                switch (p.direction) {
                  case ConvDirection::fwd: out[yi] += x.get(xi) * w.get(wi); break;
                  case ConvDirection::bwd_data: out[xi] += y.get(yi) * w.get(wi); break;
                  case ConvDirection::bwd_filter: out[wi] += x.get(xi) * y.get(yi); break;
                }
              }
  return out;
}

// Relative L2 error of the device's output; NaN (an unwritten, poisoned element) never passes.
double error_of(const HostBuffer& got, const std::vector<double>& want) {
  double diff = 0, norm = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    diff += (got.get(i) - want[i]) * (got.get(i) - want[i]);
    norm += want[i] * want[i];
  }
  return std::sqrt(diff / norm);
}

// Prepares, runs and checks one problem; returns the operation, or null when the backend declines the problem.
// cuDNN may find no algorithm for some combinations only when asked (a skipped row, not a failure): `may_decline`
// says whether that is acceptable here; either way the reason is printed.
std::unique_ptr<ConvOperation> run_and_check(ConvBackend& backend, const ConvProblem& p, bool time_it,
                                             bool may_decline) {
  SCOPED_TRACE(p.to_string());
  if (const Support s = backend.supports(p); !s.ok) return nullptr;
  const auto& t = p.types();
  const auto type = [&](ConvDirection produces) { return p.direction == produces ? t.output : t.input; };
  HostBuffer x(type(ConvDirection::bwd_data), p.src_elements());
  HostBuffer w(type(ConvDirection::bwd_filter), p.weight_elements());
  HostBuffer y(type(ConvDirection::fwd), p.dst_elements());
  fill_random(x, 11);
  fill_random(w, 12);
  fill_random(y, 13);
  HostBuffer& output = p.direction == ConvDirection::fwd ? y : (p.direction == ConvDirection::bwd_data ? x : w);
  fill_poison(output);
  std::unique_ptr<ConvOperation> op;
  try {
    op = backend.prepare(p, ConvTensors{x, w, y});
  } catch (const Unsupported& e) {
    std::cout << "declined: " << p.to_string() << ": " << e.what() << "\n";
    EXPECT_TRUE(may_decline) << "declined: " << e.what();
    return nullptr;
  }
  const std::vector<double> want = reference(p, x, w, y);
  HostBuffer got(output.type(), output.count());
  // A failing call is reported and the loop goes on, so one run on a GPU shows every combination that fails.
  try {
    op->run();
    op->read_output(got);
    EXPECT_LE(error_of(got, want), p.types().tolerance) << op->implementation();
    EXPECT_FALSE(op->algorithm().empty());
    EXPECT_NE(op->implementation().find("deterministic"), std::string::npos) << op->implementation();
    if (time_it) {
      const auto timer = op->make_timer();
      EXPECT_GT(timer->time(*op, 1, CacheMode::cold).seconds, 0);
      EXPECT_GT(timer->time(*op, 3, CacheMode::hot).seconds, 0);  // three calls captured into one CUDA graph
      op->read_output(got);
      EXPECT_LE(error_of(got, want), p.types().tolerance) << "after timing, " << op->implementation();
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << op->implementation() << ": " << e.what();
  }
  return op;
}

#define REQUIRE_BACKEND(backend)                                                                         \
  do {                                                                                                   \
    if (!(backend)->availability().available)                                                            \
      GTEST_SKIP() << "cuDNN backend unavailable: " << (backend)->availability().reason;                 \
  } while (0)

TEST(CudnnConvBackend, EveryDirectionPrecisionAndLayoutMatchesTheReference) {
  const auto backend = create();
  REQUIRE_BACKEND(backend);
  std::map<Precision, int> ran;
  for (ConvLayout layout : {ConvLayout::nchw, ConvLayout::nhwc})
    for (ConvDirection dir : {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter})
      for (Precision pr : {Precision::fp32, Precision::tf32, Precision::fp16, Precision::bf16})
        for (auto [c, k, g] : {std::tuple{3, 5, 1}, {4, 6, 2}, {8, 8, 8}}) {
          // cuDNN's oldest and fullest path, fp32 NCHW, must take every problem; elsewhere it may lack a kernel.
          const bool must_run = pr == Precision::fp32 && layout == ConvLayout::nchw;
          if (run_and_check(*backend, problem(layout, c, k, g, dir, pr), pr == Precision::fp32, !must_run)) ++ran[pr];
        }
  // A rule that wrongly refused a whole precision (its math type, say) would show here.
  for (Precision pr : {Precision::fp32, Precision::tf32, Precision::fp16, Precision::bf16}) {
    if (backend->supports(problem(ConvLayout::nhwc, 8, 8, 1, ConvDirection::fwd, pr)).ok) {
      EXPECT_GT(ran[pr], 0) << to_string(pr) << " never ran";
    }
  }
}

TEST(CudnnConvBackend, AutotuneAndAZeroWorkspaceChooseCorrectAlgorithms) {
  const auto found = create(4);
  REQUIRE_BACKEND(found);
  const auto bare = create(0, 0);
  for (ConvDirection dir : {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter}) {
    for (Precision pr : {Precision::fp32, Precision::bf16}) {
      const bool may_decline = pr != Precision::fp32;
      if (const auto op = run_and_check(*found, problem(ConvLayout::nhwc, 16, 32, 1, dir, pr), false, may_decline)) {
        EXPECT_NE(op->algorithm().find(" timed"), std::string::npos) << op->algorithm();
      }
      // IMPLICIT_GEMM and the backward ALGO_0s need no workspace in fp32 NCHW.
      if (const auto op = run_and_check(*bare, problem(ConvLayout::nchw, 16, 32, 1, dir, pr), false, may_decline)) {
        EXPECT_EQ(op->workspace_bytes(), 0u) << op->algorithm();
      }
    }
  }
}

}  // namespace
}  // namespace dlbench

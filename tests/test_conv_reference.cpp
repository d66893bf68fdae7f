// The convolution reference and the check of a result against it: hand-computed convolutions in each direction
// and layout, the adjoint identity that ties the three directions together on random problems with stride,
// padding, dilation and groups, and what check_conv catches (wrong values, NaN, unwritten outputs, the wrong
// layout) in its full and sampled modes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/host_buffer.hpp"
#include "common/precision.hpp"
#include "conv/conv_problem.hpp"
#include "conv/conv_reference.hpp"

namespace dlbench {
namespace {

HostBuffer buffer_of(DataType type, const std::vector<double>& values) {
  HostBuffer b(type, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) b.set(i, values[i]);
  return b;
}

ConvProblem conv(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t k, std::int64_t r,
                 std::int64_t s, std::int64_t pad, std::int64_t stride, std::int64_t dil, std::int64_t groups,
                 ConvDirection direction, ConvLayout layout = ConvLayout::nchw, Precision prec = Precision::fp32) {
  ConvProblem p;
  p.n = n, p.c = c, p.h = h, p.w = w, p.k = k, p.r = r, p.s = s;
  p.pad_h = p.pad_w = pad;
  p.stride_h = p.stride_w = stride;
  p.dil_h = p.dil_w = dil;
  p.groups = groups;
  p.direction = direction;
  p.layout = layout;
  p.precision = prec;
  return p;
}

// Every element of the direction's output, in its storage order, from conv_reference_element.
std::vector<double> reference(const ConvProblem& p, const HostBuffer& x, const HostBuffer& w, const HostBuffer& y) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < p.output_elements(); ++i) out.push_back(conv_reference_element(p, x, w, y, i));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-computed convolutions: one channel, one filter, 3×3 input, 2×2 filter.
//
//   x = | 1 2 3 |   w = | 1 2 |
//       | 4 5 6 |       | 3 4 |
//       | 7 8 9 |
//
// No padding, stride 1 (P = Q = 2): y[p,q] = Σ x[p+r, q+s]·w[r,s]
//   y = | 1+4+12+20  2+6+15+24 | = | 37 47 |
//       | 4+10+21+32 5+12+24+36 |   | 67 77 |
// Padding 1, stride 2 (P = Q = (3+2−2)/2+1 = 2): y[p,q] = Σ x[2p−1+r, 2q−1+s]·w[r,s], taps off the input read 0
//   y[0,0] = x00·w11 = 4            y[0,1] = x01·w10 + x02·w11 = 6 + 12 = 18
//   y[1,0] = x10·w01 + x20·w11 = 8 + 28 = 36          y[1,1] = 5 + 12 + 24 + 36 = 77
// Dilation 2 (P = Q = 1): y = x00·1 + x02·2 + x20·3 + x22·4 = 1 + 6 + 21 + 36 = 64

const std::vector<double> kX = {1, 2, 3, 4, 5, 6, 7, 8, 9};
const std::vector<double> kW = {1, 2, 3, 4};
const std::vector<double> kDy = {1, 2, 3, 4};

TEST(ConvReference, ForwardByHand) {
  const HostBuffer x = buffer_of(DataType::f32, kX), w = buffer_of(DataType::f32, kW);
  const HostBuffer unused(DataType::f32, 4);
  for (ConvLayout layout : {ConvLayout::nchw, ConvLayout::nhwc}) {  // one channel: both layouts store the same
    EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, ConvDirection::fwd, layout), x, w, unused),
              (std::vector<double>{37, 47, 67, 77}));
    EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 1, 2, 1, 1, ConvDirection::fwd, layout), x, w, unused),
              (std::vector<double>{4, 18, 36, 77}));
    EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 0, 1, 2, 1, ConvDirection::fwd, layout), x, w, unused),
              (std::vector<double>{64}));
  }
}

// bwd_data with dy = | 1 2 |: dx[h,w] gathers dy[p,q]·w[r,s] over every forward tap that read x[h,w].
//                    | 3 4 |
// Stride 1, no padding: dx[h,w] = Σ dy[h−r, w−s]·w[r,s]
//   dx = | 1      2+2          4   |   | 1  4  4 |
//        | 3+3    4+6+6+4      8+8 | = | 6 20 16 |
//        | 9      12+12        16  |   | 9 24 16 |
// Padding 1, stride 2: tap (r,s) of output (p,q) read x[2p−1+r, 2q−1+s]
//   (0,0)·dy 1 reaches x00 via w11 → 4;  (0,1)·dy 2 reaches x01 via w10 → 6 and x02 via w11 → 8;
//   (1,0)·dy 3 reaches x10 via w01 → 6 and x20 via w11 → 12;  (1,1)·dy 4 reaches x11..x22 via w00..w11 → 4, 8, 12, 16
//   dx = | 4 6 8 | ,  | 6 4 8 | ,  | 12 12 16 |
TEST(ConvReference, BackwardDataByHand) {
  const HostBuffer dy = buffer_of(DataType::f32, kDy), w = buffer_of(DataType::f32, kW);
  const HostBuffer unused(DataType::f32, 9);
  EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, ConvDirection::bwd_data), unused, w, dy),
            (std::vector<double>{1, 4, 4, 6, 20, 16, 9, 24, 16}));
  EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 1, 2, 1, 1, ConvDirection::bwd_data), unused, w, dy),
            (std::vector<double>{4, 6, 8, 6, 4, 8, 12, 12, 16}));
  // Dilation 2: the single output position read x00, x02, x20, x22 through w00, w01, w10, w11; dy = 5 there.
  const HostBuffer dy1 = buffer_of(DataType::f32, {5});
  EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 0, 1, 2, 1, ConvDirection::bwd_data), unused, w, dy1),
            (std::vector<double>{5, 0, 10, 0, 0, 0, 15, 0, 20}));
}

// bwd_filter: dw[r,s] = Σ_{p,q} x[tap]·dy[p,q].
// Stride 1, no padding: dw[r,s] = Σ x[p+r, q+s]·dy[p,q], the forward sums with dy in place of w: | 37 47 | 67 77 |
// Padding 1, stride 2: dw[r,s] = Σ x[2p−1+r, 2q−1+s]·dy[p,q]
//   dw00 = x11·dy11 = 20;  dw01 = x10·dy10 + x12·dy11 = 12 + 24 = 36;  dw10 = x01·dy01 + x21·dy11 = 4 + 32 = 36;
//   dw11 = x00·1 + x02·2 + x20·3 + x22·4 = 64
TEST(ConvReference, BackwardFilterByHand) {
  const HostBuffer x = buffer_of(DataType::f32, kX), dy = buffer_of(DataType::f32, kDy);
  const HostBuffer unused(DataType::f32, 4);
  EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, ConvDirection::bwd_filter), x, unused, dy),
            (std::vector<double>{37, 47, 67, 77}));
  EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 1, 2, 1, 1, ConvDirection::bwd_filter), x, unused, dy),
            (std::vector<double>{20, 36, 36, 64}));
}

// The three hand-computed strided cases satisfy ⟨y, dy⟩ = ⟨x, dx⟩ = ⟨w, dw⟩:
//   4·1 + 18·2 + 36·3 + 77·4 = 456;  1·4 + 2·6 + 3·8 + 4·6 + 5·4 + 6·8 + 7·12 + 8·12 + 9·16 = 456;
//   1·20 + 2·36 + 3·36 + 4·64 = 456.

TEST(ConvReference, LayoutsStoreChannelsFirstOrLast) {
  // 1×1 filter over two channels and two pixels, w = (10, 100): y[q] = 10·x[c0,q] + 100·x[c1,q].
  // The memory (1, 2, 3, 4) is c0 = (1, 2), c1 = (3, 4) in NCHW but pixel 0 = (1, 2), pixel 1 = (3, 4) in NHWC.
  const HostBuffer x = buffer_of(DataType::f32, {1, 2, 3, 4}), w = buffer_of(DataType::f32, {10, 100});
  const HostBuffer unused(DataType::f32, 2);
  EXPECT_EQ(reference(conv(1, 2, 1, 2, 1, 1, 1, 0, 1, 1, 1, ConvDirection::fwd, ConvLayout::nchw), x, w, unused),
            (std::vector<double>{310, 420}));
  EXPECT_EQ(reference(conv(1, 2, 1, 2, 1, 1, 1, 0, 1, 1, 1, ConvDirection::fwd, ConvLayout::nhwc), x, w, unused),
            (std::vector<double>{210, 430}));
  // Weights: KCRS or KRSC. Two channels, a 1×2 filter over a 1×2 input (one output):
  // y = Σ_c Σ_s x[c, s]·w[c, s] with x[c0] = (1, 2), x[c1] = (3, 4), w[c0] = (1, 10), w[c1] = (100, 1000) → 4321.
  const ConvProblem nchw = conv(1, 2, 1, 2, 1, 1, 2, 0, 1, 1, 1, ConvDirection::fwd, ConvLayout::nchw);
  const ConvProblem nhwc = conv(1, 2, 1, 2, 1, 1, 2, 0, 1, 1, 1, ConvDirection::fwd, ConvLayout::nhwc);
  const HostBuffer y(DataType::f32, 1);
  EXPECT_EQ(reference(nchw, x, buffer_of(DataType::f32, {1, 10, 100, 1000}), y), (std::vector<double>{4321}));
  EXPECT_EQ(reference(nhwc, buffer_of(DataType::f32, {1, 3, 2, 4}), buffer_of(DataType::f32, {1, 100, 10, 1000}), y),
            (std::vector<double>{4321}));
}

TEST(ConvReference, GroupsSeeOnlyTheirOwnChannels) {
  // c = 4, k = 2, groups 2, 1×1: filter 0 reads channels 0-1, filter 1 channels 2-3. One pixel, NCHW.
  // x = (1, 2, 3, 4), w = KCRS (k0: 1, 10; k1: 100, 1000) → y = (1 + 20, 300 + 4000) = (21, 4300).
  const HostBuffer x = buffer_of(DataType::f32, {1, 2, 3, 4}), w = buffer_of(DataType::f32, {1, 10, 100, 1000});
  const HostBuffer y = buffer_of(DataType::f32, {1, 2});
  const ConvProblem fwd = conv(1, 4, 1, 1, 2, 1, 1, 0, 1, 1, 2, ConvDirection::fwd);
  EXPECT_EQ(reference(fwd, x, w, y), (std::vector<double>{21, 4300}));
  // bwd_data with dy = (1, 2): dx[c] = dy[group(c)]·w[group(c), c mod 2] = (1, 10, 200, 2000).
  ConvProblem bwd = fwd;
  bwd.direction = ConvDirection::bwd_data;
  EXPECT_EQ(reference(bwd, x, w, y), (std::vector<double>{1, 10, 200, 2000}));
  // bwd_filter with dy = (1, 2): dw[k, c] = x[group(k)·2 + c]·dy[k] = (1, 2, 6, 8).
  bwd.direction = ConvDirection::bwd_filter;
  EXPECT_EQ(reference(bwd, x, w, y), (std::vector<double>{1, 2, 6, 8}));
}

TEST(ConvReference, ReadsTheStoredValuesOfReducedTypes) {
  // int8 in, and the fwd of the first hand case: 37 47 67 77.
  const HostBuffer x = buffer_of(DataType::s8, kX), w = buffer_of(DataType::s8, kW);
  const HostBuffer y(DataType::s32, 4);
  EXPECT_EQ(reference(conv(1, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, ConvDirection::fwd, ConvLayout::nchw, Precision::int8),
                      x, w, y),
            (std::vector<double>{37, 47, 67, 77}));
  // bf16 keeps 8 significant bits: 257 is stored as 256, so y[0,0] = 256·1 + 2·2 + 4·3 + 5·4 = 292.
  const HostBuffer xb = buffer_of(DataType::bf16, {257, 2, 3, 4, 5, 6, 7, 8, 9});
  ASSERT_EQ(xb.get(0), 256.0);
  EXPECT_EQ(conv_reference_element(conv(1, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, ConvDirection::fwd), xb,
                                   buffer_of(DataType::bf16, kW), y, 0),
            292.0);
}

// ---------------------------------------------------------------------------------------------------------------
// The adjoint identity: bwd_data and bwd_filter are the adjoints of the forward map in x and in w, so for any x, w,
// dy: ⟨fwd(x, w), dy⟩ = ⟨x, bwd_data(dy, w)⟩ = ⟨w, bwd_filter(x, dy)⟩. A wrong tap offset, stride, padding,
// dilation or group mapping in any one direction breaks it.

struct Geometry {
  std::int64_t n, c, h, w, k, r, s, pad_h, pad_w, stride_h, stride_w, dil_h, dil_w, groups;
};

double dot(const HostBuffer& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < b.size(); ++i) sum += a.get(i) * b[i];
  return sum;
}

TEST(ConvReference, AdjointIdentityOnRandomProblems) {
  const std::vector<Geometry> geometries = {
      {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // padded
      {2, 4, 9, 8, 6, 3, 3, 1, 1, 2, 2, 1, 1, 2},   // strided, grouped
      {1, 3, 10, 9, 5, 3, 2, 2, 1, 1, 1, 2, 3, 1},  // dilated, asymmetric
      {2, 6, 8, 7, 6, 3, 3, 1, 1, 2, 1, 1, 1, 6},   // depthwise, stride 2×1
      {1, 5, 11, 7, 3, 5, 3, 2, 0, 3, 2, 1, 2, 1},  // stride 3×2, padding on one side, dilated width
      {3, 4, 5, 5, 8, 1, 1, 0, 0, 2, 2, 1, 1, 4},   // strided 1×1, grouped
  };
  for (const auto& g : geometries)
    for (ConvLayout layout : {ConvLayout::nchw, ConvLayout::nhwc}) {
      ConvProblem p = conv(g.n, g.c, g.h, g.w, g.k, g.r, g.s, 0, 1, 1, g.groups, ConvDirection::fwd, layout);
      p.pad_h = g.pad_h, p.pad_w = g.pad_w, p.stride_h = g.stride_h, p.stride_w = g.stride_w;
      p.dil_h = g.dil_h, p.dil_w = g.dil_w;
      SCOPED_TRACE(p.to_string());
      ASSERT_FALSE(p.unsupported_reason());
      HostBuffer x(DataType::f32, p.src_elements()), w(DataType::f32, p.weight_elements()),
          dy(DataType::f32, p.dst_elements());
      fill_random(x, 1);
      fill_random(w, 2);
      fill_random(dy, 3);
      const double a = dot(dy, reference(p, x, w, dy));
      p.direction = ConvDirection::bwd_data;
      const double b = dot(x, reference(p, x, w, dy));
      p.direction = ConvDirection::bwd_filter;
      const double c = dot(w, reference(p, x, w, dy));
      EXPECT_NEAR(a, b, 1e-9 * std::fabs(a) + 1e-12);
      EXPECT_NEAR(a, c, 1e-9 * std::fabs(a) + 1e-12);
      EXPECT_GT(std::fabs(a), 1e-3);  // a degenerate all-padding problem would pass with zeros
    }
}

// ---------------------------------------------------------------------------------------------------------------
// check_conv

// A problem with random inputs and the output set to the reference, rounded to the output type as a kernel's
// would be.
struct Case {
  ConvProblem p;
  HostBuffer x, w, y, out;

  explicit Case(const ConvProblem& problem) : p(problem) {
    const auto& t = p.types();
    const auto make = [&](bool is_output, std::int64_t count, std::uint64_t seed) {
      HostBuffer b(is_output ? t.output : t.input, static_cast<std::size_t>(count));
      if (is_output) {
        fill_poison(b);
      } else {
        fill_random(b, seed);
      }
      return b;
    };
    x = make(p.direction == ConvDirection::bwd_data, p.src_elements(), 11);
    w = make(p.direction == ConvDirection::bwd_filter, p.weight_elements(), 22);
    y = make(p.direction == ConvDirection::fwd, p.dst_elements(), 33);
    out = HostBuffer(t.output, static_cast<std::size_t>(p.output_elements()));
    const auto ref = reference(p, x, w, y);
    for (std::size_t i = 0; i < ref.size(); ++i) out.set(i, ref[i]);
  }
  OutputCheck check(std::int64_t samples = 2048, double full_limit_macs = kConvFullCheckMacs) const {
    return check_conv(p, x, w, y, out, 99, samples, full_limit_macs);
  }
};

ConvProblem strided_grouped(ConvDirection d, Precision prec = Precision::fp32, ConvLayout layout = ConvLayout::nhwc) {
  ConvProblem p = conv(2, 6, 9, 8, 4, 3, 3, 1, 2, 1, 2, d, layout, prec);
  p.dil_w = 2;
  return p;
}

constexpr ConvDirection kDirections[] = {ConvDirection::fwd, ConvDirection::bwd_data, ConvDirection::bwd_filter};

TEST(CheckConv, PassesTheCorrectOutputInEveryPrecisionAndDirection) {
  for (const auto& info : all_precisions())
    for (ConvDirection d : kDirections) {
      const ConvProblem p = strided_grouped(d, info.precision);
      if (p.unsupported_reason()) continue;  // int8 backward
      SCOPED_TRACE(p.to_string());
      const OutputCheck check = Case(p).check();
      EXPECT_TRUE(check.passed()) << "error " << check.error << " > tolerance " << check.tolerance;
      EXPECT_EQ(check.tolerance, info.tolerance);
      EXPECT_EQ(check.checked, p.output_elements());
      EXPECT_EQ(check.mode(), "full");
      if (info.precision == Precision::int8) {
        EXPECT_EQ(check.error, 0.0);
      }
    }
}

TEST(CheckConv, FlagsAWrongElementANaNAndAnUnwrittenOutput) {
  for (ConvDirection d : kDirections)
    for (Precision prec : {Precision::fp32, Precision::bf16}) {
      SCOPED_TRACE(strided_grouped(d, prec).to_string());
      Case wrong(strided_grouped(d, prec));
      wrong.out.set(3, wrong.out.get(3) + 50.0);
      EXPECT_FALSE(wrong.check().passed());

      Case nan(strided_grouped(d, prec));
      nan.out.set(nan.out.count() - 1, std::numeric_limits<double>::quiet_NaN());
      EXPECT_EQ(nan.check().error, std::numeric_limits<double>::infinity());

      Case unwritten(strided_grouped(d, prec));
      fill_poison(unwritten.out);
      EXPECT_FALSE(unwritten.check().passed());
    }
  // int8: off by one already fails.
  Case off(strided_grouped(ConvDirection::fwd, Precision::int8));
  off.out.set(0, off.out.get(0) + 1);
  EXPECT_GT(off.check().error, 0.0);
  EXPECT_FALSE(off.check().passed());
}

TEST(CheckConv, FlagsAnOutputInTheWrongLayout) {
  // Both cases hold the same input memory (the seeds do not depend on the layout); the output computed with that
  // memory read as NCHW is not the output of the same memory read as NHWC.
  for (ConvDirection d : kDirections) {
    const Case nchw(strided_grouped(d, Precision::fp32, ConvLayout::nchw));
    Case nhwc(strided_grouped(d, Precision::fp32, ConvLayout::nhwc));
    nhwc.out = nchw.out;
    EXPECT_FALSE(nhwc.check().passed()) << to_string(d);
  }
}

TEST(CheckConv, SampledModeChecksRandomElements) {
  for (ConvDirection d : kDirections)
    for (std::int64_t samples : {7, 5000}) {  // fewer reads than the inputs hold, and more: both read paths
      SCOPED_TRACE(std::string(to_string(d)) + " " + std::to_string(samples));
      Case cs(strided_grouped(d, Precision::bf16));
      const OutputCheck good = cs.check(samples, 0);  // a limit of 0 forces sampling
      EXPECT_FALSE(good.full);
      EXPECT_EQ(good.mode(), "sampled");
      EXPECT_EQ(good.checked, samples);
      EXPECT_TRUE(good.passed()) << good.error;
      // The same elements checked twice give the same verdict.
      EXPECT_EQ(cs.check(samples, 0).error, good.error);

      for (std::size_t i = 0; i < cs.out.count(); ++i) cs.out.set(i, cs.out.get(i) + 3.0);
      const OutputCheck bad = cs.check(samples, 0);
      EXPECT_GT(bad.error, bad.tolerance);
    }
}

TEST(CheckConv, SampledModeReadsGeneratedInputs) {
  // Inputs generated on demand (as a device backend's would be) read through HostBuffer::get, never whole.
  Case cs(strided_grouped(ConvDirection::bwd_filter));
  const HostBuffer x = HostBuffer::generated(DataType::f32, cs.x.count(), 11);
  const HostBuffer dy = HostBuffer::generated(DataType::f32, cs.y.count(), 33);
  const OutputCheck check = check_conv(cs.p, x, cs.w, dy, cs.out, 5, 4000, 0);
  EXPECT_TRUE(check.passed()) << check.error;  // fill_random(seed) and generated(seed) hold the same values
  EXPECT_EQ(check.checked, 4000);
}

TEST(CheckConv, ChecksEverythingUpToTheFullLimit) {
  const Case cs(strided_grouped(ConvDirection::fwd));
  const double macs = static_cast<double>(cs.p.output_elements()) * cs.p.macs_per_output();
  EXPECT_EQ(cs.check(10, macs).mode(), "full");
  EXPECT_EQ(cs.check(10, macs).checked, cs.p.output_elements());
  EXPECT_EQ(cs.check(10, macs - 1).mode(), "sampled");
  EXPECT_EQ(cs.check(10, macs - 1).checked, 10);
  EXPECT_TRUE(conv_check_is_full(cs.p));
  // ResNet-50's layer1 3×3 at batch 64, 1.2·10^10 multiply-adds per direction: sampled by default.
  ConvProblem big = conv(64, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, ConvDirection::bwd_filter);
  EXPECT_FALSE(conv_check_is_full(big));
}

}  // namespace
}  // namespace dlbench

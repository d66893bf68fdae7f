// CPU reference for the three directions of a convolution with float64 accumulation, and the check of a result
// against it.
//
// Each direction's output element is a sum of products of its two inputs, written out directly from the
// definition of cross-correlation (conv_problem.hpp), so the reference shares no index arithmetic with any
// library:
//   fwd         y[n,k,p,q]   = Σ_{c∈group(k), r, s} x[n, c, p·u − pad_h + r·d_h, q·v − pad_w + s·d_w] · w[k, c, r, s]
//   bwd_data    dx[n,c,h,w]  = Σ_{k∈group(c), r, s, p, q : p·u − pad_h + r·d_h = h, q·v − pad_w + s·d_w = w}
//                              dy[n,k,p,q] · w[k, c, r, s]
//   bwd_filter  dw[k,c,r,s]  = Σ_{n, p, q} x[n, c, p·u − pad_h + r·d_h, q·v − pad_w + s·d_w] · dy[n,k,p,q]
// where taps that fall into the padding contribute nothing and c in w is the channel within the group.
#pragma once

#include <cstdint>

#include "common/host_buffer.hpp"
#include "common/output_check.hpp"
#include "conv/conv_problem.hpp"

namespace dlbench {

// Output elements × multiply-adds per element up to which check_conv() checks every element by default: the
// largest smoke-table problem is ~2·10^6, checked in a few milliseconds; 2^24 keeps a full check of any problem
// under about 0.1 s on two cores.
inline constexpr double kConvFullCheckMacs = 1 << 24;

// Element `index` of the direction's output tensor (dst for fwd, src for bwd_data, weights for bwd_filter; the
// index in the problem's layout), in float64 from the stored input values. The output tensor's own buffer is not
// read.
double conv_reference_element(const ConvProblem& p, const HostBuffer& src, const HostBuffer& weights,
                              const HostBuffer& dst, std::int64_t index);

// Whether check_conv() checks every output element of `p` (else a sample).
bool conv_check_is_full(const ConvProblem& p, double full_limit_macs = kConvFullCheckMacs);

// Compares `output` (the kernel's result for the direction, in the problem's layout and output type) with the
// reference computed from the direction's two inputs among src, weights and dst: every element when
// output_elements()·macs_per_output() ≤ full_limit_macs, otherwise `samples` elements picked at random with
// `seed`, each recomputed exactly. Elements are computed in parallel and reduced in index order, so the error does
// not depend on the thread count. The tolerance is the precision's (common/precision.hpp); see the .cpp for why
// the long fp32 sums of bwd_filter need no more.
OutputCheck check_conv(const ConvProblem& p, const HostBuffer& src, const HostBuffer& weights, const HostBuffer& dst,
                       const HostBuffer& output, std::uint64_t seed, std::int64_t samples = 2048,
                       double full_limit_macs = kConvFullCheckMacs);

}  // namespace dlbench

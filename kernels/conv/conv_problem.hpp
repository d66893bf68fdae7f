// The 2-D convolution problem as a value: one direction of a (grouped, strided, padded, dilated) convolution in one
// of the suite's precisions, with its formulas (MEASURE.md §3) and canonical name.
//
// Memory convention (every backend follows it, whatever its library prefers internally): tensors are dense.
//   src (x)      N × C × H × W        NCHW, or N × H × W × C for nhwc
//   weights (w)  K × C/G × R × S      KCRS for nchw, K × R × S × C/G (KRSC) for nhwc, as cuDNN and PyTorch's
//                                      channels_last store them; the filters of group g are k ∈ [g·K/G, (g+1)·K/G)
//   dst (y)      N × K × P × Q        NKPQ, or N × P × Q × K for nhwc
// Directions: fwd computes y from x and w; bwd_data computes dx from dy and w; bwd_filter computes dw from x and dy.
// The gradients have the shape and layout of the tensor they belong to. This is cross-correlation (no kernel flip),
// as every deep-learning library computes it.
//
// Types: inputs of the direction are in the precision's input type, its output in the output type (int8: s8 in,
// s32 out, forward only).
//
// Canonical name: `n<N>c<C>h<H>w<W>k<K>r<R>s<S>` then padding `p<P>` (or `ph<>pw<>` when they differ), stride
// `u<U>` (or `uh<>uw<>`), dilation `d<D>` (or `dh<>dw<>`) only when not 1, groups `g<G>` only when not 1, then
// `_<layout>_<direction>_<precision>`, e.g. `n16c64h56w56k64r3s3p1u1_nhwc_fwd_bf16` or
// `n32c144h56w56k144r3s3p1u2g144_nchw_bwd_data_fp32`. parse() reads exactly what to_string() writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/precision.hpp"

namespace dlbench {

enum class ConvLayout { nchw, nhwc };
enum class ConvDirection { fwd, bwd_data, bwd_filter };

std::string_view to_string(ConvLayout layout);
std::string_view to_string(ConvDirection direction);
std::optional<ConvLayout> parse_conv_layout(std::string_view text);
std::optional<ConvDirection> parse_conv_direction(std::string_view text);

struct ConvProblem {
  std::int64_t n = 1, c = 1, h = 1, w = 1;  // batch, input channels, input height and width
  std::int64_t k = 1, r = 1, s = 1;         // output channels, filter height and width
  std::int64_t pad_h = 0, pad_w = 0;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dil_h = 1, dil_w = 1;
  std::int64_t groups = 1;  // groups = c = k is depthwise
  ConvLayout layout = ConvLayout::nhwc;
  ConvDirection direction = ConvDirection::fwd;
  Precision precision = Precision::fp32;

  const PrecisionInfo& types() const { return info(precision); }

  // Output height and width: ⌊(H + 2·pad − dil·(R−1) − 1) / stride⌋ + 1, or 0 when the dilated filter does not
  // fit in the padded input.
  std::int64_t p() const { return out_size(h, pad_h, dil_h, r, stride_h); }
  std::int64_t q() const { return out_size(w, pad_w, dil_w, s, stride_w); }
  static std::int64_t out_size(std::int64_t in, std::int64_t pad, std::int64_t dil, std::int64_t f,
                               std::int64_t stride) {
    const std::int64_t span = in + 2 * pad - dil * (f - 1) - 1;
    return span < 0 ? 0 : span / stride + 1;
  }
  std::int64_t c_per_group() const { return c / groups; }
  std::int64_t k_per_group() const { return k / groups; }

  std::int64_t src_elements() const { return n * c * h * w; }
  std::int64_t weight_elements() const { return k * c_per_group() * r * s; }
  std::int64_t dst_elements() const { return n * k * p() * q(); }

  // Offsets of an element in the layouts above.
  std::int64_t src_index(std::int64_t in, std::int64_t ic, std::int64_t ih, std::int64_t iw) const {
    return layout == ConvLayout::nchw ? ((in * c + ic) * h + ih) * w + iw : ((in * h + ih) * w + iw) * c + ic;
  }
  std::int64_t dst_index(std::int64_t in, std::int64_t ik, std::int64_t ip, std::int64_t iq) const {
    return layout == ConvLayout::nchw ? ((in * k + ik) * p() + ip) * q() + iq
                                      : ((in * p() + ip) * q() + iq) * k + ik;
  }
  // `icg` is the input channel within the filter's group.
  std::int64_t weight_index(std::int64_t ik, std::int64_t icg, std::int64_t ir, std::int64_t is) const {
    return layout == ConvLayout::nchw ? ((ik * c_per_group() + icg) * r + ir) * s + is
                                      : ((ik * r + ir) * s + is) * c_per_group() + icg;
  }

  // Direct-convolution FLOPs, 2·N·K·P·Q·(C/G)·R·S, the same count for all three directions (DeepBench's
  // convention): Winograd or FFT algorithms do fewer real FLOPs, so their rows read as "direct-equivalent" figures
  // and record the algorithm.
  double flops() const;
  // The direction's two inputs read once and its output written once (MEASURE.md §3).
  double min_bytes() const;
  double intensity() const { return flops() / min_bytes(); }
  // Multiply-adds behind one output element of this direction: C/G·R·S (fwd), about K/G·R·S/(stride_h·stride_w)
  // (bwd_data), N·P·Q (bwd_filter). What a float64 reference of one element costs.
  double macs_per_output() const;
  // The output of this direction: dst, src or weights elements.
  std::int64_t output_elements() const;

  // The canonical name. Without the precision it names the problem in every precision; shape_string() is the
  // geometry alone (the `n..` token), what a --problem row is labelled with.
  std::string to_string(bool with_precision = true) const;
  std::string shape_string() const;

  // What a parsed name left out, for callers that fill it from flags.
  struct Given {
    bool layout = false, direction = false, precision = false;
  };
  // Reads a canonical name. With `given` non-null the layout, direction and precision tokens may each be left out
  // (their defaults stay) and *given says which were there; with it null all three are required. Throws InputError
  // naming `where`.
  static ConvProblem parse(std::string_view text, const std::string& where = "problem", Given* given = nullptr);

  // Why this problem is not a valid convolution or cannot be expressed in its precision (channels not divisible
  // by groups, an empty output, int8 backward), or nullopt.
  std::optional<std::string> unsupported_reason() const;

  friend bool operator==(const ConvProblem&, const ConvProblem&) = default;
};

}  // namespace dlbench

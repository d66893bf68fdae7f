#include "onednn_conv_plan.hpp"

#include "onednn_common.hpp"

namespace dlbench::onednn {

namespace {

using tag = dnnl::memory::format_tag;

dnnl::memory::desc activation_desc(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w, ConvLayout layout,
                                   dnnl::memory::data_type type) {
  return dnnl::memory::desc({n, c, h, w}, type, layout == ConvLayout::nchw ? tag::nchw : tag::nhwc);
}

// KCRS (oihw) or KRSC (ohwi); with groups oneDNN wants a leading group dimension, which the same memory has: the
// filters of group g are the consecutive k ∈ [g·K/G, (g+1)·K/G) (conv_problem.hpp).
dnnl::memory::desc weights_desc_of(const ConvProblem& p, dnnl::memory::data_type type, bool any) {
  const bool nchw = p.layout == ConvLayout::nchw;
  if (p.groups == 1)
    return dnnl::memory::desc({p.k, p.c, p.r, p.s}, type, any ? tag::any : nchw ? tag::oihw : tag::ohwi);
  return dnnl::memory::desc({p.groups, p.k_per_group(), p.c_per_group(), p.r, p.s}, type,
                            any ? tag::any : nchw ? tag::goihw : tag::gohwi);
}

std::string plain_weights_name(const ConvProblem& p) { return p.layout == ConvLayout::nchw ? "KCRS" : "KRSC"; }

}  // namespace

ConvPlan::ConvPlan(const ConvProblem& p, const dnnl::engine& engine) : problem(p) {
  const dnnl::memory::data_type in = *data_type(p.types().input), out = *data_type(p.types().output);
  // The direction's output is in the output type, its inputs in the input type (conv_problem.hpp).
  const bool fwd_dir = p.direction == ConvDirection::fwd;
  const auto type_of = [&](bool is_output) { return is_output ? out : in; };
  descs.src = activation_desc(p.n, p.c, p.h, p.w, p.layout, type_of(p.direction == ConvDirection::bwd_data));
  descs.dst = activation_desc(p.n, p.k, p.p(), p.q(), p.layout, type_of(fwd_dir));
  const dnnl::memory::data_type wt = type_of(p.direction == ConvDirection::bwd_filter);
  descs.weights = weights_desc_of(p, wt, false);
  const dnnl::memory::desc weights_any = weights_desc_of(p, wt, true);

  // oneDNN counts dilation from 0 (no dilation) and takes the padding on each side; the problem's symmetric
  // padding with the floor in its output size (conv_problem.hpp) is padding_r = padding_l.
  const dnnl::memory::dims strides{p.stride_h, p.stride_w}, dilates{p.dil_h - 1, p.dil_w - 1},
      padding{p.pad_h, p.pad_w};
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto algo = dnnl::algorithm::convolution_direct;

  // The forward descriptor in the types of a forward call; for a backward direction it is only the hint.
  const dnnl::memory::desc fsrc = activation_desc(p.n, p.c, p.h, p.w, p.layout, in);
  const dnnl::memory::desc fdst = activation_desc(p.n, p.k, p.p(), p.q(), p.layout, fwd_dir ? out : in);
  const dnnl::convolution_forward::desc fwd_desc(dnnl::prop_kind::forward_training, algo, fsrc,
                                                 fwd_dir ? weights_any : weights_desc_of(p, in, true), fdst, strides,
                                                 dilates, padding, padding);
  fwd = dnnl::convolution_forward::primitive_desc(fwd_desc, attr, engine);
  if (p.direction == ConvDirection::bwd_data) {
    const dnnl::convolution_backward_data::desc d(algo, descs.src, weights_any, descs.dst, strides, dilates, padding,
                                                  padding);
    bwd_data = dnnl::convolution_backward_data::primitive_desc(d, attr, engine, fwd);
  } else if (p.direction == ConvDirection::bwd_filter) {
    const dnnl::convolution_backward_weights::desc d(algo, descs.src, weights_any, descs.dst, strides, dilates,
                                                     padding, padding);
    bwd_weights = dnnl::convolution_backward_weights::primitive_desc(d, attr, engine, fwd);
  }
}

const dnnl::primitive_desc& ConvPlan::chosen() const {
  switch (problem.direction) {
    case ConvDirection::bwd_data: return bwd_data;
    case ConvDirection::bwd_filter: return bwd_weights;
    default: return fwd;
  }
}

dnnl::memory::desc ConvPlan::weights_desc() const {
  switch (problem.direction) {
    case ConvDirection::bwd_data: return bwd_data.weights_desc();
    case ConvDirection::bwd_filter: return bwd_weights.diff_weights_desc();
    default: return fwd.weights_desc();
  }
}

std::string ConvPlan::algorithm() const {
  const dnnl::memory::desc chosen_weights = weights_desc();
  const std::string plain = plain_weights_name(problem);
  const bool filter = problem.direction == ConvDirection::bwd_filter;
  std::string text = std::string("direct, ") + (filter ? "diff_weights " : "weights ");
  if (chosen_weights == descs.weights) return text + plain + " (plain)";
  text += format_name(chosen_weights) + " (oneDNN's layout; ";
  return text + (filter ? "reordered to " + plain + " after the call, untimed)"
                        : "reordered from " + plain + " untimed)");
}

}  // namespace dlbench::onednn
